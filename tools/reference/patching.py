"""Activation-patching sweeps on the reference model, in both directions.

metric(logits) = logits[0, -1, answer] - logits[0, -1, wrong]

Directions:
  denoise: run the CORRUPT prompt with CLEAN activations patched in (what is sufficient);
  noise:   run the CLEAN prompt with CORRUPT activations patched in (what is necessary).

Sweeps (each value is the raw metric of one patched run):
  resid_pre, attn_out, mlp_out  [n_layers, pos]       blocks.l.hook_resid_pre/attn_out/mlp_out[:, p]
  z                             [n_layers, n_heads]   blocks.l.attn.hook_z[:, :, h]
  z_by_pos                      [n_layers, n_heads, pos] blocks.l.attn.hook_z[:, p, h]
  q, k, v                       [n_layers, n_heads]   blocks.l.attn.hook_q/k/v[:, :, h]
  pattern                       [n_layers, n_heads]   blocks.l.attn.hook_pattern[:, h]

Each patch replaces one hook's value on the given slice; everything downstream is recomputed.
"""

import torch

from gpt2_reference import patch_hook

SWEEPS = ["resid_pre", "attn_out", "mlp_out", "z", "z_by_pos", "q", "k", "v", "pattern"]
DIRECTIONS = ["denoise", "noise"]

_ALL = slice(None)


def _patches(sweep, n_layers, n_heads, n_pos):
    """Yields (table index, hook name, index into the hook tensor)."""
    if sweep in ("resid_pre", "attn_out", "mlp_out"):
        suffix = {"resid_pre": "hook_resid_pre", "attn_out": "hook_attn_out", "mlp_out": "hook_mlp_out"}[sweep]
        for l in range(n_layers):
            for p in range(n_pos):
                yield (l, p), f"blocks.{l}.{suffix}", (_ALL, p)  # [batch, pos, d_model]
    elif sweep in ("z", "q", "k", "v"):
        for l in range(n_layers):
            for h in range(n_heads):
                yield (l, h), f"blocks.{l}.attn.hook_{sweep}", (_ALL, _ALL, h)  # [batch, pos, head_index, d_head]
    elif sweep == "z_by_pos":
        for l in range(n_layers):
            for h in range(n_heads):
                for p in range(n_pos):
                    yield (l, h, p), f"blocks.{l}.attn.hook_z", (_ALL, p, h)
    elif sweep == "pattern":
        for l in range(n_layers):
            for h in range(n_heads):
                yield (l, h), f"blocks.{l}.attn.hook_pattern", (_ALL, h)  # [batch, head_index, q, k]
    else:
        raise ValueError(f"unknown sweep '{sweep}' (one of {SWEEPS})")


def _shape(sweep, n_layers, n_heads, n_pos):
    if sweep in ("resid_pre", "attn_out", "mlp_out"):
        return (n_layers, n_pos)
    if sweep == "z_by_pos":
        return (n_layers, n_heads, n_pos)
    return (n_layers, n_heads)


def logit_diff(logits, answer, wrong):
    return logits[0, -1, answer] - logits[0, -1, wrong]


def patching_tables(model, clean_tokens, corrupt_tokens, answer, wrong, layer_norm="as_configured",
                    sweeps=SWEEPS, directions=DIRECTIONS):
    """Returns {"metric.clean": [1], "metric.corrupt": [1], "patch.<direction>.<sweep>": table} (float64)."""
    clean = torch.as_tensor(clean_tokens, dtype=torch.long).reshape(1, -1)
    corrupt = torch.as_tensor(corrupt_tokens, dtype=torch.long).reshape(1, -1)
    if clean.shape != corrupt.shape:
        raise ValueError(f"clean {tuple(clean.shape)} and corrupt {tuple(corrupt.shape)} differ in length")
    cfg = model.cfg
    n_pos = clean.shape[1]
    clean_logits, clean_cache = model.run(clean, layer_norm=layer_norm)
    corrupt_logits, corrupt_cache = model.run(corrupt, layer_norm=layer_norm)
    out = {
        "metric.clean": logit_diff(clean_logits, answer, wrong).reshape(1),
        "metric.corrupt": logit_diff(corrupt_logits, answer, wrong).reshape(1),
    }
    for direction in directions:
        # denoise: corrupt run, clean values; noise: clean run, corrupt values
        run_tokens, source = (corrupt, clean_cache) if direction == "denoise" else (clean, corrupt_cache)
        for sweep in sweeps:
            table = torch.empty(_shape(sweep, cfg.n_layers, cfg.n_heads, n_pos), dtype=torch.float64)
            for idx, name, index in _patches(sweep, cfg.n_layers, cfg.n_heads, n_pos):
                logits, _ = model.run(run_tokens, hooks={name: patch_hook(source[name], index)}, cache=False,
                                      layer_norm=layer_norm)
                table[idx] = logit_diff(logits, answer, wrong)
            out[f"patch.{direction}.{sweep}"] = table
    return out
