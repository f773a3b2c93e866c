"""Runs the float64 reference on each golden case and writes test/golden/cases/<case>.{safetensors,json}.

<case>.safetensors (all F32):
  every TL hook of the CLEAN run under its TL name ([batch=1, ...]), `logits`,
  `metric.clean`, `metric.corrupt` ([1]), `patch.<denoise|noise>.<sweep>` tables (see patching.py) and
  `atp.<denoise|noise>.<sweep>` attribution-patching tables of the same shapes (see atp.py).
<case>.residual.safetensors (all F32): the residual-stream goldens of the clean run (see residual.py),
  `residual.lens.*`, `residual.norms.*`, `residual.dla.<last|mid>.*`, for the case's answer and wrong.
  Masked entries of `blocks.{l}.attn.hook_attn_scores` are stored as -inf.
<case>.json:
  {checkpoint, tokens (= clean_tokens, the run whose hooks are stored), clean_tokens, corrupt_tokens,
   answer, wrong, layer_norm, text, corrupt_text}

Usage: make_goldens.py [CHECKPOINT_ROOT] [OUT_DIR]
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_bpe  # noqa: E402
from gpt2_reference import Gpt2Reference, hook_names  # noqa: E402
from atp import atp_tables, finite_difference  # noqa: E402
from patching import _patches, patching_tables  # noqa: E402
from residual import residual_tensors  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

TEXT_A = "def f(self, param): return self.param"
TEXT_B = "x = self.arg; the param is the self"

# case -> (checkpoint, clean text, {position (after BOS): corrupt token string}, layer_norm)
CASES = {
    "f32-bare": ("f32-bare", TEXT_A, {6: "Ġarg"}, "as_configured"),
    "f16-prefixed": ("f16-prefixed", TEXT_B, {8: "Ġarg"}, "as_configured"),
    "bf16-prefixed": ("bf16-prefixed", TEXT_A, {6: "Ġarg", 12: "arg"}, "as_configured"),
    "wide-gelu": ("wide-gelu", TEXT_B, {5: "param", 8: "Ġarg"}, "as_configured"),
    "noln": ("noln", TEXT_A, {10: "Ġname"}, "as_configured"),
    "noln-identity": ("noln", TEXT_A, {10: "Ġname"}, "identity"),
    # Where the difference sits, for exact patching's suffix recompute (issue 15): early (the second
    # token after BOS), late (two before the end) and at the last position only (where the metric is read).
    "f32-early": ("f32-bare", TEXT_A, {2: "Ġarg"}, "as_configured"),
    "f32-late": ("f32-bare", TEXT_A, {10: "Ġarg"}, "as_configured"),
    "f32-last": ("f32-bare", TEXT_A, {12: "arg"}, "as_configured"),
}


def choose_answer_wrong(clean_logits, corrupt_logits):
    """answer = the clean run's top next token; wrong = the corrupt run's top next token, or if that is
    the same token, the token whose logit the corruption raises most relative to the clean run."""
    c, k = clean_logits[0, -1], corrupt_logits[0, -1]
    answer = int(torch.argmax(c))
    wrong = int(torch.argmax(k))
    if wrong == answer:
        delta = (k - c).clone()
        delta[answer] = -float("inf")
        wrong = int(torch.argmax(delta))
    return answer, wrong


def check_atp(model, clean, corrupt, answer, wrong, layer_norm, atp, eps=1e-5, tol=1e-6):
    """Every AtP cell against a central finite difference of the straight-line patch (atp.py).
    Returns the largest |fd - atp| / (1 + |atp|); raises if it exceeds `tol`."""
    cfg, worst = model.cfg, 0.0
    caches = {"denoise": model.run([clean], layer_norm=layer_norm)[1],  # the source runs
              "noise": model.run([corrupt], layer_norm=layer_norm)[1]}
    for key, table in atp.items():
        _, direction, sweep = key.split(".")
        for idx, _, _ in _patches(sweep, cfg.n_layers, cfg.n_heads, len(clean)):
            fd = finite_difference(model, clean, corrupt, answer, wrong, direction, sweep, idx,
                                   layer_norm=layer_norm, eps=eps, source=caches[direction])
            err = abs(fd - float(table[idx])) / (1.0 + abs(float(table[idx])))
            if not err <= tol:
                raise AssertionError(f"{key}{list(idx)}: AtP {float(table[idx])!r}, finite difference {fd!r}")
            worst = max(worst, err)
    return worst


def make_case(name, ckpt_root, out_dir):
    ckpt, text, corruptions, layer_norm = CASES[name]
    ckpt_dir = os.path.join(ckpt_root, ckpt)
    with open(os.path.join(ckpt_dir, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    vocab_check, merges = tiny_bpe.build_vocab()
    assert vocab == vocab_check, f"{ckpt_dir}/vocab.json differs from tiny_bpe's vocabulary"
    bos = vocab[tiny_bpe.EOT]
    clean = [bos] + tiny_bpe.encode(text, vocab, merges)
    corrupt = list(clean)
    for pos, tok in corruptions.items():
        assert 0 < pos < len(clean) and corrupt[pos] != vocab[tok], (name, pos, tok)
        corrupt[pos] = vocab[tok]

    model = Gpt2Reference.from_pretrained(ckpt_dir)
    assert len(clean) <= model.cfg.n_ctx
    clean_logits, cache = model.run([clean], layer_norm=layer_norm)
    corrupt_logits, _ = model.run([corrupt], layer_norm=layer_norm)
    answer, wrong = choose_answer_wrong(clean_logits, corrupt_logits)
    tables = patching_tables(model, clean, corrupt, answer, wrong, layer_norm=layer_norm)
    atp = atp_tables(model, clean, corrupt, answer, wrong, layer_norm=layer_norm)
    fd_err = check_atp(model, clean, corrupt, answer, wrong, layer_norm, atp)

    names = hook_names(model.cfg.n_layers)
    assert sorted(cache) == sorted(names), set(cache) ^ set(names)
    tensors = {n: cache[n].to(torch.float32) for n in names}
    tensors.update({n: t.to(torch.float32) for n, t in tables.items()})
    tensors.update({n: t.to(torch.float32) for n, t in atp.items()})
    os.makedirs(out_dir, exist_ok=True)
    write_safetensors(os.path.join(out_dir, f"{name}.safetensors"), tensors, {"format": "pt", "case": name})
    residual = {n: t.to(torch.float32) for n, t in residual_tensors(model, clean, answer, wrong, layer_norm).items()}
    write_safetensors(os.path.join(out_dir, f"{name}.residual.safetensors"), residual, {"format": "pt", "case": name})

    meta = {
        "checkpoint": os.path.relpath(ckpt_dir, REPO),
        "tokens": clean,
        "clean_tokens": clean,
        "corrupt_tokens": corrupt,
        "answer": answer,
        "wrong": wrong,
        "layer_norm": layer_norm,
        "text": tiny_bpe.decode(clean, vocab),
        "corrupt_text": tiny_bpe.decode(corrupt, vocab),
    }
    with open(os.path.join(out_dir, f"{name}.json"), "w", encoding="utf-8") as f:
        # one key per line, token lists kept on one line
        f.write("{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in meta.items()) + "\n}\n")
    m_clean, m_corrupt = float(tables["metric.clean"][0]), float(tables["metric.corrupt"][0])
    print(f"golden {name}: {len(clean)} tokens, answer {answer}, wrong {wrong}, "
          f"metric clean {m_clean:.4f} corrupt {m_corrupt:.4f}, {len(tensors)} tensors, {len(residual)} residual tensors, "
          f"AtP vs finite difference max {fd_err:.1e}")


def main():
    torch.set_num_threads(1)  # determinism and the shared machine
    ckpt_root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "test", "golden", "checkpoints")
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "test", "golden", "cases")
    only = sys.argv[3].split(",") if len(sys.argv) > 3 else list(CASES)  # e.g. f32-early,f32-late
    for name in only:
        make_case(name, ckpt_root, out_dir)


if __name__ == "__main__":
    main()
