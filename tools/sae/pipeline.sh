#!/usr/bin/env bash
# The shipped SAE, from the shipped model and its corpus to models/gpt2-python-mini/sae/blocks.1.hook_resid_pre.
# Usage: tools/sae/pipeline.sh     (CPU, 2 torch threads; see tools/sae/README.md for the times)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/usr/bin/python3}   # Debian's python3-torch; the python3 on PATH may not see it
SAE=models/gpt2-python-mini/sae/blocks.1.hook_resid_pre
RUN=.tmp/sae/run
mkdir -p .tmp/sae

# 1. Token files (reads the committed vocab.json/merges.txt; writes only .tmp/model/data).
[ -f .tmp/model/data/train.bin ] || npx tsx tools/model/encodeCorpus.ts
# 2. Activations + training (seeded): .tmp/sae/run/{sae.pt,log.jsonl,train.json}
"$PY" tools/sae/train.py --out "$RUN" --architecture topk --d-sae 1024 --k 16 --lr 2e-3 \
  --tokens 3000000 --epochs 2 --batch 4096 --seed 4321 --threads 2 > .tmp/sae/train.out 2>&1
# 3. SAELens v6 files: cfg.json, sae_weights.safetensors; evaluation.json → training
"$PY" tools/sae/export.py --run "$RUN" --out "$SAE"
# 4. Held-out measures: sparsity.safetensors; evaluation.json → evaluation, features
"$PY" tools/sae/evaluate.py --sae "$SAE" --seed 2024 > .tmp/sae/evaluate.out 2>&1
# 5. The card: README.md from the JSON
"$PY" tools/sae/card.py --sae "$SAE"
