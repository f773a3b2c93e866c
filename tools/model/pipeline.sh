#!/usr/bin/env bash
# The whole pipeline of the shipped model, from the Debian Python sources to models/gpt2-python-mini.
# Usage: tools/model/pipeline.sh            (TIME_BUDGET=seconds caps training; 0 = steps only)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PYTHON:-/usr/bin/python3}   # Debian's python3-torch; the python3 on PATH may not see it
MODEL=models/gpt2-python-mini

npx tsx tools/model/buildVocab.ts --top 6000          # corpus listing, GPT-2 token counts, vocab.json + merges.txt
npx tsx tools/model/encodeCorpus.ts                   # .tmp/model/data/{train,heldout}.bin + meta.json
"$PY" tools/model/train.py --data .tmp/model/data --out .tmp/model/ckpt \
  --n-layer 2 --n-head 4 --n-embd 64 --n-ctx 128 --batch 16 --steps 40000 \
  --time-budget "${TIME_BUDGET:-2400}" --lr 2e-3 --warmup 100 --seed 1234 \
  --ckpt-every 100 --eval-every 100 --log-every 100 --random-repeat-fraction 0.25 \
  --induction-phase-until 0.4 --induction-phase-max-steps 2000 > .tmp/model/train.out 2>&1
"$PY" tools/model/export.py --ckpt .tmp/model/ckpt/final.pt --out "$MODEL"   # config.json, model.safetensors, training.json
npx tsx tools/model/prompts.ts                        # .tmp/model/prompts.json
"$PY" tools/model/evaluate.py --model "$MODEL"        # evaluation.json: held-out loss vs baselines
"$PY" tools/model/analyze.py --model "$MODEL"         # evaluation.json: heads, docstring task, completions
npx tsx tools/model/engineScores.ts "$MODEL"          # evaluation.json: the same head scores by the project's engine
"$PY" tools/model/modelCard.py --model "$MODEL"       # README.md (the model card)
