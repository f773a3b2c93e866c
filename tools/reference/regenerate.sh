#!/usr/bin/env bash
# Regenerates the golden checkpoints and golden activations from scratch, deterministically
# (running it twice gives identical bytes). Uses Debian's torch through /usr/bin/python3.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY=${REFERENCE_PYTHON:-/usr/bin/python3}
export PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1

rm -rf test/golden/checkpoints test/golden/cases
"$PY" tools/reference/make_checkpoints.py test/golden/checkpoints
"$PY" tools/reference/selfcheck.py test/golden/checkpoints
"$PY" tools/reference/make_goldens.py test/golden/checkpoints test/golden/cases
"$PY" tools/reference/sensitivity.py test/golden/checkpoints
rm -rf test/golden/saeAttribution
"$PY" tools/reference/sae_attribution.py test/golden/checkpoints test/golden/cases test/golden/saeAttribution
rm -rf test/golden/sae-analysis
"$PY" tools/reference/sae_analysis.py test/golden/checkpoints test/golden/cases test/golden/sae-analysis
"$PY" tools/reference/make_saes.py test/golden/cases test/golden/sae
rm -rf test/golden/dataset
"$PY" tools/reference/dataset.py test/golden/checkpoints test/golden/dataset
du -ch test/golden/checkpoints test/golden/cases test/golden/saeAttribution test/golden/sae-analysis test/golden/sae test/golden/dataset | tail -n 1
