"""Reads a Circuit Inspector export ("Export Activations") back with numpy only and checks it
against a golden case of this folder (test/golden/cases/NAME.{json,safetensors}).

    python3 tools/reference/check_export.py EXPORT.safetensors test/golden/cases/f32-bare

Checks: every tensor is a TransformerLens hook name with a golden of the same shape ([batch=1, ...])
and values within 1e-4 of the golden's largest magnitude (the parity tests' tolerance); every
hook of the golden is exported; the metadata holds the case's tokens, prepend_bos, the LayerNorm
mode and hook_names=transformer_lens. Prints one JSON line; exits 1 with the problems otherwise.
"""

import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_numpy import load_numpy  # noqa: E402


def is_hook(name):
    return name.startswith(("hook_", "blocks.", "ln_final."))


def main(export_path, case_base):
    with open(case_base + ".json") as f:
        case = json.load(f)
    golden, _ = load_numpy(case_base + ".safetensors")
    cache, meta = load_numpy(export_path)
    problems = []
    golden_hooks = sorted(n for n in golden if is_hook(n))
    for name in golden_hooks:
        if name not in cache:
            problems.append(f"{name}: missing from the export")
    compared = 0
    worst = 0.0
    for name, arr in cache.items():
        if name not in golden:
            problems.append(f"{name}: not a hook of the golden file")
            continue
        g = golden[name]
        if list(arr.shape) != list(g.shape):
            problems.append(f"{name}: shape {list(arr.shape)}, golden {list(g.shape)}")
            continue
        a = arr.astype(np.float64)
        gd = g.astype(np.float64)
        finite = np.isfinite(gd)
        scale = float(np.abs(gd[finite]).max()) if finite.any() else 0.0
        err = float(np.abs(a[finite] - gd[finite]).max()) if finite.any() else 0.0
        if not np.array_equal(a[~finite], gd[~finite]):
            problems.append(f"{name}: infinite entries differ")
        if err > 1e-4 * scale:
            problems.append(f"{name}: max error {err:.3e} > tolerance {1e-4 * scale:.3e}")
        worst = max(worst, err / scale if scale else 0.0)
        compared += 1
    tokens = json.loads(meta.get("tokens", "null"))
    texts = json.loads(meta.get("token_texts", "null"))
    if tokens != case["tokens"]:
        problems.append(f"metadata tokens {tokens} != case tokens {case['tokens']}")
    if not isinstance(texts, list) or len(texts) != len(case["tokens"]):
        problems.append(f"metadata token_texts {texts!r} is not one text per token")
    elif "".join(texts) != case["text"]:
        problems.append(f"metadata token_texts spell {''.join(texts)!r}, the case text is {case['text']!r}")
    expected = {"hook_names": "transformer_lens", "layer_norm": case["layer_norm"], "prepend_bos": "true"}
    for k, v in expected.items():
        if meta.get(k) != v:
            problems.append(f"metadata {k}={meta.get(k)!r}, expected {v!r}")
    if not meta.get("model"):
        problems.append("metadata has no model")
    print(json.dumps({"tensors": len(cache), "compared": compared, "worst_relative_error": worst, "metadata": meta, "problems": problems}))
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: check_export.py EXPORT.safetensors test/golden/cases/NAME")
    sys.exit(main(sys.argv[1], sys.argv[2]))
