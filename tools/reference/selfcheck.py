"""Checks the reference against a second, separately written forward pass and against invariants.

1. A plain-numpy GPT-2 (per-head loops, numpy's own var/tanh/erf) must give the same logits (1e-9).
2. Hook invariants: pattern rows sum to 1, masked scores are -inf, attn_out = sum of results + b_O,
   resid_mid = resid_pre + attn_out, resid_post = resid_mid + mlp_out, batch rows are independent.
3. Patching invariants: patching a run with its own values changes nothing; patching
   blocks.0.hook_resid_pre at the corrupted positions gives the other run's metric exactly; patching
   every head's z equals patching hook_attn_out everywhere.

Usage: selfcheck.py [CHECKPOINT_ROOT]   (exits non-zero on failure)
"""

import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_goldens  # noqa: E402
import tiny_bpe  # noqa: E402
from gpt2_reference import Gpt2Reference, patch_hook  # noqa: E402
from patching import logit_diff  # noqa: E402

REPO = make_goldens.REPO


def numpy_forward(cfg, w, tokens, identity_ln=False):
    """Second implementation: numpy float64, loops over heads, HF formulas."""
    W = {k: v.numpy().astype(np.float64) for k, v in w.items()}
    erf = np.vectorize(math.erf)

    def ln(x, name):
        if identity_ln:
            return x
        mu = x.mean(axis=-1, keepdims=True)
        var = x.var(axis=-1, keepdims=True)  # ddof=0: biased, as torch.nn.LayerNorm
        return (x - mu) / np.sqrt(var + cfg.layer_norm_eps) * W[name + ".weight"] + W[name + ".bias"]

    def act(x):
        if cfg.activation in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
            return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
        if cfg.activation == "gelu":
            return 0.5 * x * (1 + erf(x / np.sqrt(2)))
        if cfg.activation == "relu":
            return np.maximum(x, 0)
        raise ValueError(cfg.activation)

    T = len(tokens)
    d, H, dh = cfg.d_model, cfg.n_heads, cfg.d_head
    x = W["wte.weight"][tokens] + W["wpe.weight"][:T]
    for l in range(cfg.n_layers):
        p = f"h.{l}."
        h = ln(x, p + "ln_1")
        qkv = h @ W[p + "attn.c_attn.weight"] + W[p + "attn.c_attn.bias"]
        q, k, v = qkv[:, :d], qkv[:, d : 2 * d], qkv[:, 2 * d :]
        heads = []
        for hi in range(H):
            sl = slice(hi * dh, (hi + 1) * dh)
            s = q[:, sl] @ k[:, sl].T
            if cfg.scale_attn_weights:
                s = s / np.sqrt(dh)
            if cfg.scale_attn_by_inverse_layer_idx:
                s = s / (l + 1)
            s = np.where(np.tril(np.ones((T, T))) > 0, s, np.finfo(np.float64).min)  # HF masks with finfo.min
            s = np.exp(s - s.max(axis=-1, keepdims=True))
            s = s / s.sum(axis=-1, keepdims=True)
            heads.append(s @ v[:, sl])
        x = x + np.concatenate(heads, axis=-1) @ W[p + "attn.c_proj.weight"] + W[p + "attn.c_proj.bias"]
        h = ln(x, p + "ln_2")
        x = x + act(h @ W[p + "mlp.c_fc.weight"] + W[p + "mlp.c_fc.bias"]) @ W[p + "mlp.c_proj.weight"] + W[p + "mlp.c_proj.bias"]
    return ln(x, "ln_f") @ W["lm_head.weight"].T


class Checker:
    def __init__(self):
        self.failures = 0

    def close(self, what, a, b, tol):
        a, b = torch.as_tensor(a, dtype=torch.float64), torch.as_tensor(b, dtype=torch.float64)
        err = float((a - b).abs().max()) if a.numel() else 0.0
        ok = err <= tol
        self.failures += not ok
        if not ok:
            print(f"  FAIL {what}: max abs diff {err:.3e} > {tol:.0e}")
        return err

    def true(self, what, cond):
        if not cond:
            self.failures += 1
            print(f"  FAIL {what}")


def check_case(name, ckpt_root, c):
    ckpt, text, corruptions, layer_norm = make_goldens.CASES[name]
    model = Gpt2Reference.from_pretrained(os.path.join(ckpt_root, ckpt))
    cfg = model.cfg
    vocab, merges = tiny_bpe.build_vocab()
    clean = [vocab[tiny_bpe.EOT]] + tiny_bpe.encode(text, vocab, merges)
    corrupt = list(clean)
    for pos, tok in corruptions.items():
        corrupt[pos] = vocab[tok]
    identity = layer_norm == "identity"

    logits, cache = model.run([clean], layer_norm=layer_norm)
    err = c.close(f"{name}: logits vs numpy", logits[0], numpy_forward(cfg, model.w, clean, identity), 1e-9)

    for l in range(cfg.n_layers):
        b = f"blocks.{l}."
        pat, sc = cache[b + "attn.hook_pattern"], cache[b + "attn.hook_attn_scores"]
        c.close(f"{name}: L{l} pattern rows", pat.sum(-1), torch.ones_like(pat.sum(-1)), 1e-12)
        upper = torch.ones(len(clean), len(clean), dtype=torch.bool).triu(1)
        c.true(f"{name}: L{l} masked scores are -inf", bool(torch.isneginf(sc[..., upper]).all()))
        c.true(f"{name}: L{l} unmasked scores finite", bool(torch.isfinite(sc[..., ~upper]).all()))
        c.close(f"{name}: L{l} attn_out", cache[b + "attn.hook_result"].sum(2) + model.w[f"h.{l}.attn.c_proj.bias"],
                cache[b + "hook_attn_out"], 1e-10)
        c.close(f"{name}: L{l} resid_mid", cache[b + "hook_resid_pre"] + cache[b + "hook_attn_out"], cache[b + "hook_resid_mid"], 1e-12)
        c.close(f"{name}: L{l} resid_post", cache[b + "hook_resid_mid"] + cache[b + "hook_mlp_out"], cache[b + "hook_resid_post"], 1e-12)
        if cfg.layer_norm_eps >= 1e10 and not identity:  # gpt2_noLN: LN(x) ~= x - mean(x)
            x = cache[b + "hook_resid_pre"]
            c.close(f"{name}: L{l} noLN ln1 ~ centring", cache[b + "ln1.hook_normalized"], x - x.mean(-1, keepdim=True), 1e-6)
        if identity:
            c.close(f"{name}: L{l} identity ln1", cache[b + "ln1.hook_normalized"], cache[b + "hook_resid_pre"], 0)
            c.close(f"{name}: L{l} identity scale", cache[b + "ln1.hook_scale"], torch.ones_like(cache[b + "ln1.hook_scale"]), 0)

    both, _ = model.run([clean, corrupt], layer_norm=layer_norm)
    c.close(f"{name}: batch row 0", both[0], logits[0], 1e-10)
    corrupt_logits, corrupt_cache = model.run([corrupt], layer_norm=layer_norm)
    c.close(f"{name}: batch row 1", both[1], corrupt_logits[0], 1e-10)

    a, wr = make_goldens.choose_answer_wrong(logits, corrupt_logits)
    m_clean, m_corrupt = logit_diff(logits, a, wr), logit_diff(corrupt_logits, a, wr)
    own = {n: patch_hook(cache[n], (slice(None),)) for n in cache if n != "logits"}
    same, _ = model.run([clean], hooks=own, layer_norm=layer_norm, cache=False)
    c.close(f"{name}: self-patch", same, logits, 0)
    pos = sorted(corruptions)
    idx = (slice(None), pos)
    den, _ = model.run([corrupt], hooks={"blocks.0.hook_resid_pre": patch_hook(cache["blocks.0.hook_resid_pre"], idx)},
                       layer_norm=layer_norm, cache=False)
    c.close(f"{name}: denoise resid_pre L0 at corrupted positions", logit_diff(den, a, wr), m_clean, 1e-10)
    noi, _ = model.run([clean], hooks={"blocks.0.hook_resid_pre": patch_hook(corrupt_cache["blocks.0.hook_resid_pre"], idx)},
                       layer_norm=layer_norm, cache=False)
    c.close(f"{name}: noise resid_pre L0 at corrupted positions", logit_diff(noi, a, wr), m_corrupt, 1e-10)
    L = cfg.n_layers - 1
    z_all = {f"blocks.{L}.attn.hook_z": patch_hook(cache[f"blocks.{L}.attn.hook_z"], (slice(None),))}
    out_all = {f"blocks.{L}.hook_attn_out": patch_hook(cache[f"blocks.{L}.hook_attn_out"], (slice(None),))}
    lz, _ = model.run([corrupt], hooks=z_all, layer_norm=layer_norm, cache=False)
    lo, _ = model.run([corrupt], hooks=out_all, layer_norm=layer_norm, cache=False)
    c.close(f"{name}: z (all heads) == attn_out patch", lz, lo, 1e-10)
    print(f"selfcheck {name}: numpy parity {err:.1e}")


def main():
    torch.set_num_threads(1)
    ckpt_root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "test", "golden", "checkpoints")
    c = Checker()
    for name in make_goldens.CASES:
        check_case(name, ckpt_root, c)
    if c.failures:
        print(f"selfcheck: {c.failures} failure(s)")
        sys.exit(1)
    print("selfcheck: all passed")


if __name__ == "__main__":
    main()
