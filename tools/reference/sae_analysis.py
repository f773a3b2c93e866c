"""SAE feature analyses (issue 11, section 3) in float64 torch, independently of src/analysis/sae:
activations per position, a feature's logit lens, the ablated-text table and reconstruction quality.

Written from the definitions:
  - encode (SAELens): x' = x [- row mean over d_in, 'center' SAEs] [- b_dec, apply_b_dec_to_input]
      standard  relu(x' W_enc + b_enc)
      jumprelu  pre * (pre > threshold),               pre = x' W_enc + b_enc
      topk      the k largest of relu(pre), the rest 0
      gated     (x' W_enc + b_gate > 0) * relu(x' (W_enc * exp(r_mag)) + b_mag)
    decode: f W_dec + b_dec [+ the removed row mean]: the reconstruction in the model's coordinates;
  - logit lens (TransformerLens processed model, as Neuronpedia reads it): fold ln_final's weight
    into the unembedding, W_U' = diag(ln_f.w) W_U, centre W_U' over d_model (fold_ln with
    center_weights), centre over the vocabulary (center_unembed); lens[f] = W_dec[f] W_U'.
    LayerNorm 'identity' has no ln_final: W_U centred over the vocabulary only;
  - ablated text at position p: for each j <= p, one run of the whole prompt with hook_embed[0, j]
    replaced by the mean of W_E's rows; the feature's activation at p;
  - reconstruction quality: the clean run; the run with the hook replaced by the reconstruction at
    every position. Per position: ||x - recon|| / ||x|| (x as the SAE reads it: row mean removed for
    'center'), KL(clean || spliced), next-token CE clean and spliced, top-1 agreement; variance
    explained 1 - sum ||x - recon||^2 / sum ||x - mean_pos(x)||^2 over all positions and without
    position 0 (BOS).

The golden SAEs are made here (random, deterministic, SAELens layout, one per architecture, in
F32/F16/BF16 and both config forms) and written with their goldens to
test/golden/sae-analysis/<case>/{cfg.json, sae_weights.safetensors, golden.safetensors, case.json}.
golden.safetensors (F32):
  acts [pos, d_sae], recon [pos, d_in], error_norm, resid_norm [pos];
  lens [d_sae, d_vocab] (every feature's centred lens);
  ablated [p + 1], ablated_clean [1] (feature and p in case.json);
  quality.rel_error, quality.kl, quality.top1 [pos], quality.ce_clean, quality.ce_spliced [pos - 1],
  quality.var_explained, quality.var_explained_no_bos [1];
  careless.* : what a careless version computes, for the parity test to show it fails:
    careless.ablated_zero [p + 1]        (hook_embed[j] := 0 instead of the mean embedding)
    careless.ablated_off_by_one [p + 1]  (element j ablates position j + 1)
    careless.lens_no_ln_w [d_sae, d_vocab] (ln_final.w not folded; as_configured cases)
    careless.error_norm_no_mean [pos]     (the reconstruction without its removed row mean; 'center' cases)
    careless.kl_spliced_no_mean [pos]     (that reconstruction spliced in; 'center' cases without LayerNorm: with
                                           LayerNorm the row mean of the residual stream is invisible downstream)

Usage: sae_analysis.py [CHECKPOINT_ROOT] [CASES_DIR] [OUT_DIR]
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt2_reference import Gpt2Reference  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MARGIN = 1e-3  # every decision (ReLU kink, threshold, gate, top-k cut) keeps at least this distance

# SAE case -> golden case (checkpoint, prompt, layer_norm), hook, architecture, d_sae, storage dtype,
#             config form, input transform, k (topk), seed
CASES = {
    "f32-bare-standard": ("f32-bare", "blocks.1.hook_resid_pre", "standard", 64, "float32", "v6", "none", None, 21),
    "wide-gelu-jumprelu-center": ("wide-gelu", "blocks.2.hook_resid_pre", "jumprelu", 96, "float16", "v6", "center", None, 22),
    "bf16-prefixed-gated-pre6": ("bf16-prefixed", "blocks.1.hook_resid_pre", "gated", 64, "bfloat16", "pre6", "center", None, 23),
    "noln-identity-topk-center": ("noln-identity", "blocks.1.hook_resid_pre", "topk", 48, "float32", "v6", "center", 6, 24),
}
TORCH_DTYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16}


class Sae:
    """An SAE in float64 over the stored (rounded) weights; encode/decode in the model's coordinates."""

    def __init__(self, w, architecture, transform, k=None, apply_b_dec=True):
        self.w = {n: t.to(torch.float64) for n, t in w.items()}
        self.arch, self.transform, self.k, self.apply_b_dec = architecture, transform, k, apply_b_dec

    def sae_input(self, x):
        """(x as the SAE reads it, the removed row mean)."""
        mean = x.mean(dim=-1, keepdim=True) if self.transform == "center" else torch.zeros_like(x[..., :1])
        return x - mean, mean

    def _xin(self, x):
        xc, _ = self.sae_input(x)
        return xc - self.w["b_dec"] if self.apply_b_dec else xc

    def pre(self, x):
        """The pre-activations whose sign/threshold/rank decide what fires (for the margin check)."""
        xin = self._xin(x)
        if self.arch == "gated":
            return xin @ self.w["W_enc"] + self.w["b_gate"], xin @ (self.w["W_enc"] * torch.exp(self.w["r_mag"])) + self.w["b_mag"]
        return xin @ self.w["W_enc"] + self.w["b_enc"], None

    def encode(self, x):
        pre, mag = self.pre(x)
        if self.arch == "standard":
            return torch.clamp(pre, min=0.0)
        if self.arch == "jumprelu":
            return pre * (pre > self.w["threshold"]).to(pre.dtype)
        if self.arch == "topk":
            r = torch.clamp(pre, min=0.0)
            top = torch.topk(r, self.k, dim=-1)
            return torch.zeros_like(r).scatter(-1, top.indices, top.values)
        if self.arch == "gated":
            return (pre > 0).to(pre.dtype) * torch.clamp(mag, min=0.0)
        raise ValueError(self.arch)

    def decode(self, f, mean):
        return f @ self.w["W_dec"] + self.w["b_dec"] + mean

    def reconstruct(self, x):
        _, mean = self.sae_input(x)
        return self.decode(self.encode(x), mean)


def make_weights(arch, d_in, d_sae, seed, k):
    g = torch.Generator().manual_seed(seed)
    W_dec = torch.randn(d_sae, d_in, generator=g, dtype=torch.float64)
    W_dec = W_dec / W_dec.norm(dim=1, keepdim=True)
    W_enc = (W_dec.T * (0.5 + torch.rand(d_sae, generator=g, dtype=torch.float64))).contiguous()
    w = {"W_enc": W_enc, "W_dec": W_dec, "b_dec": 0.05 * torch.randn(d_in, generator=g, dtype=torch.float64)}
    if arch == "gated":
        w["b_gate"] = -0.3 * torch.rand(d_sae, generator=g, dtype=torch.float64)
        w["b_mag"] = 0.2 * torch.randn(d_sae, generator=g, dtype=torch.float64)
        w["r_mag"] = 0.3 * torch.randn(d_sae, generator=g, dtype=torch.float64)
    else:
        w["b_enc"] = -0.3 * torch.rand(d_sae, generator=g, dtype=torch.float64)
    if arch == "jumprelu":
        w["threshold"] = 0.1 + 0.4 * torch.rand(d_sae, generator=g, dtype=torch.float64)
    return w


def near_decisions(sae, rows):
    """([d_sae] bool: features with a decision within MARGIN on some row, and for topk whether some row's
    k-th and (k+1)-th values are that close: a bias shift cannot single that out, so b_enc is drawn again)."""
    pre, mag = sae.pre(rows)
    if sae.arch == "standard":
        return (pre.abs() < MARGIN).any(dim=0), False
    if sae.arch == "jumprelu":
        return ((pre - sae.w["threshold"]).abs() < MARGIN).any(dim=0), False
    if sae.arch == "gated":
        return ((pre.abs() < MARGIN) | (mag.abs() < MARGIN)).any(dim=0), False
    r = torch.clamp(pre, min=0.0)
    top = torch.topk(r, sae.k + 1, dim=-1).values
    close = ((top[:, sae.k - 1] - top[:, sae.k]).abs() < MARGIN) & (top[:, sae.k] > 0)
    return (pre.abs() < MARGIN).any(dim=0), bool(close.any())


def mean_embedding(model):
    return model.w["wte.weight"].mean(dim=0)


def hook_rows(model, tokens, hook, layer_norm, embed_patch=None):
    """[pos, d_in] at `hook`; embed_patch = (position, vector) replaces hook_embed[0, position]."""
    hooks = {}
    if embed_patch is not None:
        j, v = embed_patch

        def fn(x, name):
            y = x.clone()
            if j < y.shape[1]:
                y[0, j] = v
            return y

        hooks["hook_embed"] = fn
    _, cache = model.run([tokens], hooks=hooks, layer_norm=layer_norm)
    return cache[hook][0]


def ablation_table(model, sae, tokens, hook, layer_norm, feature, p, vector, shift=0):
    """[p + 1]: the feature's activation at p with hook_embed[j + shift] := vector, one run per j."""
    out = torch.empty(p + 1, dtype=torch.float64)
    for j in range(p + 1):
        out[j] = sae.encode(hook_rows(model, tokens, hook, layer_norm, (j + shift, vector))[p : p + 1])[0, feature]
    return out


def processed_unembed(model, layer_norm, fold_w=True):
    W_U = model.w["lm_head.weight"].T  # [d_model, d_vocab]
    if layer_norm != "identity":
        if fold_w:
            W_U = model.w["ln_f.weight"][:, None] * W_U
        W_U = W_U - W_U.mean(dim=0, keepdim=True)  # fold_ln, center_weights: over d_model
    return W_U - W_U.mean(dim=1, keepdim=True)  # center_unembed: over the vocabulary


def log_softmax(logits):
    return logits - torch.logsumexp(logits, dim=-1, keepdim=True)


def quality(model, sae, tokens, hook, layer_norm, add_back_mean=True):
    clean_logits, cache = model.run([tokens], layer_norm=layer_norm)
    x = cache[hook][0]
    xc, mean = sae.sae_input(x)
    recon = sae.decode(sae.encode(x), mean if add_back_mean else torch.zeros_like(mean))

    def splice(act, name):
        return recon[None].to(act.dtype)

    spliced_logits, _ = model.run([tokens], hooks={hook: splice}, cache=False, layer_norm=layer_norm)
    a, b = log_softmax(clean_logits[0]), log_softmax(spliced_logits[0])
    kl = (a.exp() * (a - b)).sum(dim=-1)
    nxt = torch.tensor(tokens[1:])
    idx = torch.arange(len(tokens) - 1)
    err = x - recon

    def var_explained(frm):
        centred = xc[frm:] - xc[frm:].mean(dim=0, keepdim=True)
        return 1.0 - float((err[frm:] ** 2).sum() / (centred**2).sum())

    return {
        "recon": recon,
        "error_norm": err.norm(dim=-1),
        "quality.rel_error": err.norm(dim=-1) / xc.norm(dim=-1),
        "quality.kl": kl,
        "quality.ce_clean": -a[idx, nxt],
        "quality.ce_spliced": -b[idx, nxt],
        "quality.top1": (a.argmax(dim=-1) == b.argmax(dim=-1)).to(torch.float64),
        "quality.var_explained": torch.tensor([var_explained(0)]),
        "quality.var_explained_no_bos": torch.tensor([var_explained(1)]),
    }


def build(name, ckpt_root, cases_dir):
    """(sae, weights as stored, cfg.json dict, case dict, {golden tensor name: float64 tensor})."""
    golden_case, hook, arch, d_sae, dtype, form, transform, k, seed = CASES[name]
    with open(os.path.join(cases_dir, f"{golden_case}.json"), encoding="utf-8") as fh:
        case = json.load(fh)
    model = Gpt2Reference.from_pretrained(os.path.join(ckpt_root, os.path.basename(case["checkpoint"])))
    layer_norm, tokens = case["layer_norm"], case["clean_tokens"]
    d_in = model.cfg.d_model
    w64 = make_weights(arch, d_in, d_sae, seed, k)

    def stored(w):  # the weights as the file holds them; the reference computes with exactly these
        return {n: t.to(TORCH_DTYPES[dtype]) for n, t in w.items()}

    p = len(tokens) - 1
    mean_e = mean_embedding(model)
    clean_rows = hook_rows(model, tokens, hook, layer_norm)
    ablated_rows = torch.stack([hook_rows(model, tokens, hook, layer_norm, (j, mean_e))[p] for j in range(p + 1)])
    rows = torch.cat([clean_rows, ablated_rows])
    bias = "b_mag" if arch == "gated" else "b_enc"
    for attempt in range(200):
        sae = Sae(stored(w64), arch, transform, k)
        near, rank_tie = near_decisions(sae, rows)
        if not near.any() and not rank_tie:
            break
        if rank_tie:  # topk: draw b_enc again
            g = torch.Generator().manual_seed(seed * 1000 + attempt)
            w64["b_enc"] = -0.3 * torch.rand(d_sae, generator=g, dtype=torch.float64)
        # shift the biases of the features that sit on a decision (gated: the gate and the magnitude)
        w64[bias] = w64[bias] + near.to(torch.float64) * (7 + attempt) * MARGIN
        if arch == "gated":
            w64["b_gate"] = w64["b_gate"] + near.to(torch.float64) * (7 + attempt) * MARGIN
    else:
        raise AssertionError(f"{name}: decisions stay within {MARGIN}")
    w = stored(w64)
    sae = Sae(w, arch, transform, k)

    acts = sae.encode(clean_rows)
    feature = int(acts[p].argmax())
    if float(acts[p, feature]) <= 0:
        raise AssertionError(f"{name}: no feature is active at the last position")
    t = {"acts": acts, "resid_norm": clean_rows.norm(dim=-1)}
    q = quality(model, sae, tokens, hook, layer_norm)
    t.update(q)
    t["lens"] = w["W_dec"].to(torch.float64) @ processed_unembed(model, layer_norm)
    t["ablated"] = ablation_table(model, sae, tokens, hook, layer_norm, feature, p, mean_e)
    t["ablated_clean"] = acts[p : p + 1, feature]
    # careless versions
    t["careless.ablated_zero"] = ablation_table(model, sae, tokens, hook, layer_norm, feature, p, torch.zeros_like(mean_e))
    t["careless.ablated_off_by_one"] = ablation_table(model, sae, tokens, hook, layer_norm, feature, p, mean_e, shift=1)
    if layer_norm != "identity":
        t["careless.lens_no_ln_w"] = w["W_dec"].to(torch.float64) @ processed_unembed(model, layer_norm, fold_w=False)
    if transform == "center":
        careless = quality(model, sae, tokens, hook, layer_norm, add_back_mean=False)
        t["careless.error_norm_no_mean"] = careless["error_norm"]
        if layer_norm == "identity":  # every LayerNorm removes the row mean, so only an LN-free model shows it in the logits
            t["careless.kl_spliced_no_mean"] = careless["quality.kl"]

    # checks of the definitions against each other
    if float((t["recon"] - clean_rows).norm(dim=-1).sub(t["error_norm"]).abs().max()) > 1e-12:
        raise AssertionError(f"{name}: error norm")
    if float(t["ablated"].max() - t["ablated"].min()) < 1e-3:
        raise AssertionError(f"{name}: the ablations move nothing")

    cfg = sae_cfg(arch, d_in, d_sae, dtype, form, transform, k, hook, os.path.basename(case["checkpoint"]))
    meta = {"golden_case": golden_case, "hook": hook, "architecture": arch, "dtype": dtype, "config_form": form,
            "input_transform": transform, "tokens": tokens, "layer_norm": layer_norm, "feature": feature, "position": p}
    return w, cfg, meta, t


def sae_cfg(arch, d_in, d_sae, dtype, form, transform, k, hook, model_name):
    layer = int(hook.split(".")[1])
    if form == "v6":
        cfg = {
            "architecture": arch, "d_in": d_in, "d_sae": d_sae, "dtype": dtype, "device": "cpu",
            "apply_b_dec_to_input": True, "normalize_activations": "none", "reshape_activations": "none",
            "metadata": {"model_name": model_name, "hook_name": hook, "hook_layer": layer, "prepend_bos": True,
                         "sae_lens_version": "6.5.1",
                         "model_from_pretrained_kwargs": {"center_writing_weights": transform == "center"}},
        }
        if k is not None:
            cfg["k"] = k
        return cfg
    # pre-6: flat fields; no model_from_pretrained_kwargs means TL's default processing ('center')
    if transform != "center":
        raise ValueError("a pre-6 golden config without model_from_pretrained_kwargs is a 'center' SAE")
    return {
        "architecture": arch, "d_in": d_in, "d_sae": d_sae, "dtype": f"torch.{dtype}", "device": "cpu",
        "model_name": model_name, "hook_point": hook, "hook_point_layer": layer, "hook_point_head_index": None,
        "activation_fn_str": "relu", "apply_b_dec_to_input": True, "prepend_bos": True,
        "normalize_activations": "none", "sae_lens_training_version": "3.13.0",
    }


def tolerance_times(actual, golden):
    scale = float(golden.abs().max())
    change = float((actual - golden).abs().max())
    return change, (change / (1e-4 * scale) if scale > 0 else float("inf"))


CARELESS = {
    "careless.ablated_zero": ("ablated", "ablating hook_embed with the zero vector instead of the mean embedding"),
    "careless.ablated_off_by_one": ("ablated", "ablated text off by one position (element j ablates j + 1)"),
    "careless.lens_no_ln_w": ("lens", "feature logit lens without ln_final.w folded in"),
    "careless.error_norm_no_mean": ("error_norm", "reconstruction without adding back the removed row mean ('center' SAE): error norm"),
    "careless.kl_spliced_no_mean": ("quality.kl", "reconstruction spliced without adding back the removed row mean ('center' SAE, no LayerNorm): KL"),
}


def sensitivity_rows(golden_case, ckpt_root, cases_dir):
    """{label: {sae_case, tensor, max_abs_change, times_rel_tolerance}} for the SAE cases on `golden_case`."""
    rows = {}
    for name, spec in CASES.items():
        if spec[0] != golden_case:
            continue
        _, _, _, t = build(name, ckpt_root, cases_dir)
        for key, (ref, label) in CARELESS.items():
            if key in t:
                change, times = tolerance_times(t[key], t[ref])
                rows[label] = {"sae_case": name, "tensor": ref, "max_abs_change": float(f"{change:.3g}"), "times_rel_tolerance": float(f"{times:.3g}")}
    return rows


def main():
    torch.set_num_threads(1)
    ckpt_root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "test", "golden", "checkpoints")
    cases_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "test", "golden", "cases")
    out_root = sys.argv[3] if len(sys.argv) > 3 else os.path.join(REPO, "test", "golden", "sae-analysis")
    for name in CASES:
        w, cfg, meta, t = build(name, ckpt_root, cases_dir)
        d = os.path.join(out_root, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "cfg.json"), "w", encoding="utf-8") as fh:
            json.dump(cfg, fh, indent=1, sort_keys=True)
            fh.write("\n")
        with open(os.path.join(d, "case.json"), "w", encoding="utf-8") as fh:
            json.dump(meta, fh, indent=1, sort_keys=True)
            fh.write("\n")
        write_safetensors(os.path.join(d, "sae_weights.safetensors"), w, {"format": "pt"})
        write_safetensors(os.path.join(d, "golden.safetensors"), {n: v.to(torch.float32) for n, v in t.items()}, {"format": "pt", "case": name})
        worst = {key: tolerance_times(t[key], t[ref])[1] for key, (ref, _) in CARELESS.items() if key in t}
        print(f"{name}: {meta['architecture']} {meta['dtype']} {meta['config_form']} {meta['input_transform']}, feature {meta['feature']} at {meta['position']}, "
              f"KL mean {float(t['quality.kl'].mean()):.3g}, var explained {float(t['quality.var_explained'][0]):.3f}; careless x tol: "
              + ", ".join(f"{k.split('.', 1)[1]} {v:.3g}" for k, v in worst.items()))


if __name__ == "__main__":
    main()
