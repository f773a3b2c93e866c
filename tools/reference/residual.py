"""Residual-stream reference (float64): logit lens, residual norms and growth, direct logit attribution.

Written from the definitions in issue 10, independently of src/analysis/residual:
  - boundaries: blocks.{l}.hook_resid_pre for every layer, then the last hook_resid_post;
  - logit lens: ln_final applied to each boundary's residual and unembedded with lm_head. `recompute`
    takes the residual's own mean and variance; `cached-scale` centres it but divides by the final
    layer's cached ln_final.hook_scale at that position (TL before PR#1180). Identity mode: no LN;
  - norms: L2 of each boundary, raw and after subtracting the mean over d_model; L2 of attn_out and
    mlp_out; growth per layer = geometric mean over non-BOS positions of the boundary ratios, BOS on
    its own; the fitted factor = exp(least-squares slope of ln(median non-BOS norm) on the boundary);
  - DLA: each component vector (hook_embed, hook_pos_embed, every head's hook_result, each b_O, each
    hook_mlp_out) goes through the cached-scale linear part of ln_final (centre, / scale, * w) and is
    dotted with W_U[answer] - W_U[wrong]; ln_f.b . direction is its own term. Per-source: the vector
    pattern[h, pos, key] * (v[key, h] @ W_O[h]) for each key, through the same map.
Where the engine takes algebraic shortcuts (one folded direction vector, heads from hook_v and the
pattern), this file builds the d_model vectors and maps them one by one.

`bug` names a deliberate mistake, for sensitivity.py:
  "lens-cached-scale-in-recompute", "dla-no-ln-bias", "dla-bias-per-head".
"""

import torch


def boundaries(cache, n_layers):
    """[n_boundaries, pos, d_model] for batch element 0."""
    rs = [cache[f"blocks.{l}.hook_resid_pre"][0] for l in range(n_layers)]
    rs.append(cache[f"blocks.{n_layers - 1}.hook_resid_post"][0])
    return torch.stack(rs)


def ln_final(model, x, layer_norm, scale=None):
    """ln_final over the last axis; `scale` (broadcastable to x[..., :1]) replaces the recomputed one."""
    if layer_norm == "identity":
        return x
    centred = x - x.mean(dim=-1, keepdim=True)
    if scale is None:
        scale = torch.sqrt((centred * centred).mean(dim=-1, keepdim=True) + model.cfg.layer_norm_eps)
    return centred / scale * model.w["ln_f.weight"] + model.w["ln_f.bias"]


def logit_lens(model, cache, layer_norm, variant, bug=None):
    """{logprobs [B, pos, V], entropy [B, pos]} for variant 'recompute' or 'cached-scale'."""
    resid = boundaries(cache, model.cfg.n_layers)  # [B, pos, d_model]
    cached = cache["ln_final.hook_scale"][0]  # [pos, 1]
    use_cached = variant == "cached-scale" or bug == "lens-cached-scale-in-recompute"
    normed = ln_final(model, resid, layer_norm, cached if use_cached else None)
    logits = normed @ model.w["lm_head.weight"].T  # [B, pos, V]
    logprobs = logits - torch.logsumexp(logits, dim=-1, keepdim=True)
    entropy = -(logprobs.exp() * logprobs).sum(dim=-1)
    return {"logprobs": logprobs, "entropy": entropy}


def answer_rank(logprobs, answer):
    """[B, pos]: how many tokens have a larger log-probability than `answer`."""
    return (logprobs > logprobs[..., answer : answer + 1]).sum(dim=-1).to(torch.float64)


def _norm(x):
    return torch.sqrt((x * x).sum(dim=-1))


def growth(norms, has_bos):
    """norms [B, pos] -> (factor [L], bos_factor [L] or None, fitted)."""
    first = 1 if has_bos else 0
    ratios = norms[1:] / norms[:-1]  # [L, pos]
    factor = torch.exp(torch.log(ratios[:, first:]).mean(dim=1))
    bos = ratios[:, 0] if has_bos else None
    med = torch.stack([torch.quantile(norms[b, first:], 0.5) for b in range(norms.shape[0])])  # median (mean of the middle two)
    y = torch.log(med)
    x = torch.arange(norms.shape[0], dtype=torch.float64)
    slope = ((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum()
    return factor, bos, torch.exp(slope)


def residual_norms(model, cache, has_bos):
    n_layers = model.cfg.n_layers
    resid = boundaries(cache, n_layers)
    raw = _norm(resid)
    centred = _norm(resid - resid.mean(dim=-1, keepdim=True))
    out = {
        "raw": raw,
        "centred": centred,
        "attn_out": torch.stack([_norm(cache[f"blocks.{l}.hook_attn_out"][0]) for l in range(n_layers)]),
        "mlp_out": torch.stack([_norm(cache[f"blocks.{l}.hook_mlp_out"][0]) for l in range(n_layers)]),
    }
    for kind in ("raw", "centred"):
        f, bos, fitted = growth(out[kind], has_bos)
        out[f"growth.{kind}.factor"] = f
        if bos is not None:
            out[f"growth.{kind}.bos_factor"] = bos
        out[f"growth.{kind}.fitted"] = fitted.reshape(1)
    return out


def dla(model, cache, logits, layer_norm, position, answer, wrong=None, bug=None):
    """Direct logit attribution at `position`; `wrong` None projects onto W_U[answer] alone."""
    cfg, w = model.cfg, model.w
    L, H, dh, d = cfg.n_layers, cfg.n_heads, cfg.d_head, cfg.d_model
    W_U = w["lm_head.weight"]  # [V, d_model]
    direction = W_U[answer] - (W_U[wrong] if wrong is not None else 0)
    identity = layer_norm == "identity"
    scale = cache["ln_final.hook_scale"][0, position, 0]

    def through_ln(vec):  # the linear part of ln_final with the cached scale, then onto the direction
        if identity:
            return vec @ direction
        c = vec - vec.mean(dim=-1, keepdim=True)
        return (c / scale * w["ln_f.weight"]) @ direction

    p = position
    heads = torch.stack([through_ln(cache[f"blocks.{l}.attn.hook_result"][0, p]) for l in range(L)])  # [L, H]
    attn_bias = torch.stack([through_ln(w[f"h.{l}.attn.c_proj.bias"]) for l in range(L)])  # [L]
    if bug == "dla-bias-per-head":
        attn_bias = attn_bias * H
    mlp = torch.stack([through_ln(cache[f"blocks.{l}.hook_mlp_out"][0, p]) for l in range(L)])
    ln_bias = torch.zeros((), dtype=torch.float64) if identity or bug == "dla-no-ln-bias" else w["ln_f.bias"] @ direction
    sources = torch.zeros(L, H, logits.shape[1], dtype=torch.float64)
    for l in range(L):
        W_O = w[f"h.{l}.attn.c_proj.weight"].reshape(H, dh, d)
        v = cache[f"blocks.{l}.attn.hook_v"][0]  # [pos, H, d_head]
        pattern = cache[f"blocks.{l}.attn.hook_pattern"][0]  # [H, q, k]
        for h in range(H):
            vecs = pattern[h, p, :, None] * (v[:, h] @ W_O[h])  # [key, d_model]
            sources[l, h] = through_ln(vecs)
    token_embed = through_ln(cache["hook_embed"][0, p])
    pos_embed = through_ln(cache["hook_pos_embed"][0, p])
    total = token_embed + pos_embed + heads.sum() + attn_bias.sum() + mlp.sum() + ln_bias
    logit_diff = logits[0, p, answer] - (logits[0, p, wrong] if wrong is not None else 0)
    return {
        "position": torch.tensor([float(position)], dtype=torch.float64),
        "logit_diff": logit_diff.reshape(1),
        "total": total.reshape(1),
        "final_scale": (torch.ones((), dtype=torch.float64) if identity else scale).reshape(1),
        "token_embed": token_embed.reshape(1),
        "pos_embed": pos_embed.reshape(1),
        "heads": heads,
        "attn_bias": attn_bias,
        "mlp": mlp,
        "ln_final_bias": ln_bias.reshape(1),
        "sources": sources,
    }


def dla_positions(n_tokens):
    """The DLA cases stored per golden: the last position with (answer, wrong), and a middle one with answer alone."""
    return {"last": (n_tokens - 1, True), "mid": (n_tokens // 2, False)}


def residual_tensors(model, tokens, answer, wrong, layer_norm, bug=None):
    """Every residual-stream golden of one prompt, keyed `residual.*` (float64)."""
    logits, cache = model.run([tokens], layer_norm=layer_norm)
    out = {}
    for variant in ("recompute", "cached-scale"):
        lens = logit_lens(model, cache, layer_norm, variant, bug if variant == "recompute" else None)
        key = variant.replace("-", "_")
        out[f"residual.lens.{key}.logprobs"] = lens["logprobs"]
        out[f"residual.lens.{key}.entropy"] = lens["entropy"]
        out[f"residual.lens.{key}.answer_rank"] = answer_rank(lens["logprobs"], answer)
    for k, v in residual_norms(model, cache, has_bos=True).items():
        out[f"residual.norms.{k}"] = v
    for name, (pos, with_wrong) in dla_positions(len(tokens)).items():
        for k, v in dla(model, cache, logits, layer_norm, pos, answer, wrong if with_wrong else None, bug).items():
            out[f"residual.dla.{name}.{k}"] = v
        total, diff = float(out[f"residual.dla.{name}.total"]), float(out[f"residual.dla.{name}.logit_diff"])
        if bug is None and not abs(total - diff) <= 1e-9 * max(1.0, abs(diff)):
            raise AssertionError(f"DLA components add up to {total!r}, not the logit difference {diff!r}")
        src = out[f"residual.dla.{name}.sources"].sum(dim=-1)
        if bug is None and not torch.allclose(src, out[f"residual.dla.{name}.heads"], rtol=0, atol=1e-9):
            raise AssertionError("per-source DLA does not sum to the head's DLA")
    last = out["residual.lens.recompute.logprobs"][-1]
    model_lp = logits[0] - torch.logsumexp(logits[0], dim=-1, keepdim=True)
    if bug is None and not torch.allclose(last, model_lp, rtol=0, atol=1e-9):
        raise AssertionError("the lens at the last boundary differs from the model's log-probabilities")
    return out
