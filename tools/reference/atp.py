"""Attribution patching (AtP): the first-order (gradient x activation difference) estimate of every
activation-patching cell of patching.py, computed with torch autograd on the float64 reference.

metric m = logits[0, -1, answer] - logits[0, -1, wrong]   (patching.logit_diff)

Directions (as in patching.py):
  denoise: target run = CORRUPT prompt, source = CLEAN cache;
  noise:   target run = CLEAN prompt,   source = CORRUPT cache.

AtP value of a cell = sum over the cell's slice of (source_act - target_act) * dm/dact, with the
gradient taken on the TARGET run, with respect to that hook's activation as a free variable: the
activation's value feeds everything downstream of the hook, and nothing upstream of it changes. It is
d/de m(target run with act[slice] := target + e * (source - target)) at e = 0, the slope of the exact
patch along the straight line from the target value to the source value (exact patch = e = 1).

Cells and slices are patching.py's (`_patches`): resid_pre / attn_out / mlp_out [n_layers, pos]
(position p), z / q / k / v [n_layers, n_heads] (head h, all positions), z_by_pos
[n_layers, n_heads, pos], pattern [n_layers, n_heads] (hook_pattern[:, h], the post-softmax pattern;
its masked entries are 0 in both runs, so they contribute nothing).

How: one forward of the target run in which each hook of interest returns `act + d`, where `d` is a
zero float64 leaf tensor with requires_grad (so the forward values are bit-identical and no path is
cut: the gradient of m w.r.t. `d` is the total derivative w.r.t. the activation, through everything
downstream, including other hooked activations), then one backward of m.
"""

import torch

from patching import DIRECTIONS, SWEEPS, _patches, _shape, logit_diff

# sweep -> hook suffix (per block)
_SWEEP_HOOK = {
    "resid_pre": "hook_resid_pre",
    "attn_out": "hook_attn_out",
    "mlp_out": "hook_mlp_out",
    "z": "attn.hook_z",
    "z_by_pos": "attn.hook_z",
    "q": "attn.hook_q",
    "k": "attn.hook_k",
    "v": "attn.hook_v",
    "pattern": "attn.hook_pattern",
}


def hook_gradients(model, tokens, answer, wrong, names, layer_norm="as_configured"):
    """One forward + backward of m on `tokens`. Returns (m as float, cache, {name: dm/d act} float64)."""
    deltas = {}

    def add_delta(x, name):
        d = torch.zeros_like(x, dtype=torch.float64, requires_grad=True)
        deltas[name] = d
        return x + d  # x + 0.0 == x exactly: the forward values are unchanged

    hooks = {name: add_delta for name in names}
    with torch.enable_grad():
        logits, cache = model.run(tokens, hooks=hooks, layer_norm=layer_norm)
        m = logit_diff(logits, answer, wrong)
        grads = torch.autograd.grad(m, [deltas[n] for n in names], allow_unused=True)
    out = {}
    for n, g in zip(names, grads):
        g = torch.zeros_like(deltas[n]) if g is None else g.detach()
        if not torch.isfinite(g).all():
            raise FloatingPointError(f"non-finite gradient at {n}")
        out[n] = g
    cache = {k: v.detach() for k, v in cache.items()}
    return float(m.detach()), cache, out


def atp_tables(model, clean_tokens, corrupt_tokens, answer, wrong, layer_norm="as_configured",
               sweeps=SWEEPS, directions=DIRECTIONS):
    """Returns {"atp.<direction>.<sweep>": table (float64)}, same shapes as patching_tables'."""
    clean = torch.as_tensor(clean_tokens, dtype=torch.long).reshape(1, -1)
    corrupt = torch.as_tensor(corrupt_tokens, dtype=torch.long).reshape(1, -1)
    if clean.shape != corrupt.shape:
        raise ValueError(f"clean {tuple(clean.shape)} and corrupt {tuple(corrupt.shape)} differ in length")
    cfg = model.cfg
    n_pos = clean.shape[1]
    names = sorted({f"blocks.{l}.{_SWEEP_HOOK[s]}" for s in sweeps for l in range(cfg.n_layers)})
    runs = {}
    for key, toks in (("clean", clean), ("corrupt", corrupt)):
        runs[key] = hook_gradients(model, toks, answer, wrong, names, layer_norm)
    out = {}
    for direction in directions:
        target, source = ("corrupt", "clean") if direction == "denoise" else ("clean", "corrupt")
        _, target_cache, grads = runs[target]
        source_cache = runs[source][1]
        for sweep in sweeps:
            table = torch.empty(_shape(sweep, cfg.n_layers, cfg.n_heads, n_pos), dtype=torch.float64)
            for idx, name, index in _patches(sweep, cfg.n_layers, cfg.n_heads, n_pos):
                diff = source_cache[name][index] - target_cache[name][index]
                table[idx] = (diff * grads[name][index]).sum()
            out[f"atp.{direction}.{sweep}"] = table
    return out


def scaled_patch_hook(source, index, eps):
    """act[index] := act[index] + eps * (source[index] - act[index]); eps = 1 is the exact patch."""

    def fn(x, name):
        y = x.clone()
        y[index] = x[index] + eps * (source[index].to(x.dtype) - x[index])
        return y

    return fn


def finite_difference(model, clean_tokens, corrupt_tokens, answer, wrong, direction, sweep, cell,
                      layer_norm="as_configured", eps=1e-5, source=None):
    """Central difference of m along the straight-line patch of one cell, at 0:
    (m(+eps) - m(-eps)) / (2 eps). Should equal the cell's AtP value to O(eps^2) (with eps 1e-5 the
    goldens agree to < 1e-7 * (1 + |AtP|)). `source`: the source run's cache, if already computed."""
    clean = torch.as_tensor(clean_tokens, dtype=torch.long).reshape(1, -1)
    corrupt = torch.as_tensor(corrupt_tokens, dtype=torch.long).reshape(1, -1)
    cfg = model.cfg
    target, source_tokens = (corrupt, clean) if direction == "denoise" else (clean, corrupt)
    if source is None:
        _, source = model.run(source_tokens, layer_norm=layer_norm)
    for idx, name, index in _patches(sweep, cfg.n_layers, cfg.n_heads, clean.shape[1]):
        if tuple(idx) == tuple(cell):
            break
    else:
        raise KeyError(f"no cell {cell} in sweep {sweep}")
    ms = []
    for e in (eps, -eps):
        logits, _ = model.run(target, hooks={name: scaled_patch_hook(source[name], index, e)}, cache=False,
                              layer_norm=layer_norm)
        ms.append(float(logit_diff(logits, answer, wrong)))
    return (ms[0] - ms[1]) / (2 * eps)
