"""SAE feature attribution for a token substitution (issue 11, "features that carry a substitution"),
computed with torch autograd on the float64 reference, plus the exact feature patches it estimates.

The SAE is spliced in at its hook with its error term kept: at the hook the run's value x becomes

    x  ->  decode(f) + err,   f = encode(x) as a free leaf,   err = (x - decode(encode(x))).detach()

(for 'center' SAEs decode adds back the row mean of x, and a normalize_activations scale of x is
undone, both held constant), so the forward values are
x again (up to float64 rounding) and the model is unchanged. The metric's gradient with respect to the
leaf f is taken by autograd THROUGH the decoder: no closed form W_dec . dm/dx is written here.

Directions are atp.py's: denoise = target run CORRUPT, source CLEAN; noise = target CLEAN, source
CORRUPT. Attribution of feature i in a direction, per position and summed over positions:

    attr[pos, i] = (f_source[pos, i] - f_target[pos, i]) * dm/df_target[pos, i]

Exact patch of feature i in a direction: the target run with the SAE spliced (error kept) and the
feature's activation replaced by the source run's at every position, f[:, i] := f_source[:, i], the
rest recomputed downstream. Its metric is stored for every feature.

metric m = logits[0, -1, answer] - logits[0, -1, wrong] (atp.py / patching.py's logit_diff).

The golden SAEs are made here (random, deterministic, standard ReLU, SAELens v6 layout) and written
next to their goldens: test/golden/saeAttribution/<case>/{cfg.json, sae_weights.safetensors,
golden.safetensors, case.json}. golden.safetensors (F32):
  acts.clean, acts.corrupt [pos, d_sae]; attr.<dir> [d_sae]; attr_pos.<dir> [pos, d_sae];
  exact.<dir> [d_sae]; metric.clean, metric.corrupt [1];
  metric.spliced_without_error.<clean|corrupt> [1]: the metric when the reconstruction replaces x
  (error term dropped), to show that splicing without it changes the model;
  attr_without_error.<dir> [d_sae]: the attribution a careless version gets from that run.

Usage: sae_attribution.py [CHECKPOINT_ROOT] [CASES_DIR] [OUT_DIR]
"""

import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt2_reference import Gpt2Reference  # noqa: E402
from patching import logit_diff  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DIRECTIONS = ("denoise", "noise")

# SAE case -> (golden case for checkpoint/prompts/answer, hook, d_sae, input transform, normalize_activations, seed)
SAE_CASES = {
    "resid1-standard": ("f32-bare", "blocks.1.hook_resid_pre", 96, "none", "none", 11),
    "mlp0-center": ("f32-bare", "blocks.0.hook_mlp_out", 64, "center", "none", 12),
    "resid1-normrescale": ("f32-bare", "blocks.1.hook_resid_pre", 64, "none", "constant_norm_rescale", 13),
    "post0-layernorm": ("f32-bare", "blocks.0.hook_resid_post", 64, "center", "layer_norm", 14),
}
MARGIN = 2e-3  # every pre-activation keeps at least this distance from the ReLU's kink


class Sae:
    """A standard (ReLU) SAE in float64: encode(x) and decode(f) in the model's coordinates.
    SAELens's run-time normalisation: constant_norm_rescale x * sqrt(d_in)/||x|| (undone by dividing),
    layer_norm (x - mu)/(sigma + 1e-5) with the unbiased sigma (undone by y * sigma + mu)."""

    def __init__(self, w, transform, norm="none", apply_b_dec=True):
        self.w = {k: v.to(torch.float64) for k, v in w.items()}
        self.transform = transform
        self.norm = norm
        self.apply_b_dec = apply_b_dec

    def _input(self, x):
        """(x as the encoder reads it, the constants that map a decoding back: (mean, scale, shift))."""
        mean = x.mean(dim=-1, keepdim=True) if self.transform == "center" else torch.zeros_like(x[..., :1])
        xb = x - mean
        one, zero = torch.ones_like(x[..., :1]), torch.zeros_like(x[..., :1])
        if self.norm == "constant_norm_rescale":
            scale = torch.linalg.vector_norm(xb, dim=-1, keepdim=True) / x.shape[-1] ** 0.5
            return xb / scale, (mean, scale, zero)
        if self.norm == "layer_norm":
            mu = xb.mean(dim=-1, keepdim=True)
            sigma = (xb - mu).std(dim=-1, keepdim=True)
            return (xb - mu) / (sigma + 1e-5), (mean, sigma, mu)
        return xb, (mean, one, zero)

    def pre(self, x):
        xin, _ = self._input(x)
        if self.apply_b_dec:
            xin = xin - self.w["b_dec"]
        return xin @ self.w["W_enc"] + self.w["b_enc"]

    def encode(self, x):
        return torch.relu(self.pre(x))

    def decode(self, f, consts):
        mean, scale, shift = consts
        return (f @ self.w["W_dec"] + self.w["b_dec"]) * scale + shift + mean


def make_sae(d_in, d_sae, seed):
    g = torch.Generator().manual_seed(seed)
    W_dec = torch.randn(d_sae, d_in, generator=g, dtype=torch.float64)
    W_dec = W_dec / W_dec.norm(dim=1, keepdim=True)
    W_enc = (W_dec.T * (0.5 + torch.rand(d_sae, generator=g, dtype=torch.float64))).contiguous()
    b_enc = -0.3 * torch.rand(d_sae, generator=g, dtype=torch.float64)
    b_dec = 0.05 * torch.randn(d_in, generator=g, dtype=torch.float64)
    # stored as F32: the reference computes with exactly the stored values
    return {k: v.to(torch.float32) for k, v in {"W_enc": W_enc, "W_dec": W_dec, "b_enc": b_enc, "b_dec": b_dec}.items()}


def spliced_run(model, tokens, sae, hook, layer_norm, f_patch=None, keep_error=True):
    """The run with the SAE spliced at `hook`. Returns (m, f leaf [pos, d_sae], x [pos, d_in]).
    f_patch: (feature, values [pos]) replacing that feature's activation before decoding."""
    box = {}

    def fn(x, name):
        _, consts = sae._input(x)
        consts = tuple(c.detach() for c in consts)
        f0 = sae.encode(x).detach()
        err = (x - sae.decode(f0, consts)).detach()
        f = f0.clone().requires_grad_(True)
        box["f"], box["x"] = f, x.detach()
        fu = f
        if f_patch is not None:
            i, vals = f_patch
            fu = f.clone()
            fu[0, :, i] = vals
        out = sae.decode(fu, consts)
        return out + err if keep_error else out

    with torch.enable_grad():
        logits, _ = model.run([tokens], hooks={hook: fn}, cache=False, layer_norm=layer_norm)
        m = logit_diff(logits, ANSWER_WRONG[0], ANSWER_WRONG[1])
        (grad,) = torch.autograd.grad(m, [box["f"]])
    return float(m.detach()), box["f"].detach()[0], grad[0], box["x"][0]


ANSWER_WRONG = [0, 0]


def make_case(name, ckpt_root, cases_dir, out_root):
    golden_case, hook, d_sae, transform, norm, seed = SAE_CASES[name]
    with open(os.path.join(cases_dir, f"{golden_case}.json"), encoding="utf-8") as fh:
        case = json.load(fh)
    ckpt_dir = os.path.join(ckpt_root, os.path.basename(case["checkpoint"]))
    model = Gpt2Reference.from_pretrained(ckpt_dir)
    layer_norm = case["layer_norm"]
    clean, corrupt = case["clean_tokens"], case["corrupt_tokens"]
    ANSWER_WRONG[:] = [case["answer"], case["wrong"]]
    d_in = model.cfg.d_model
    w = make_sae(d_in, d_sae, seed)
    sae = Sae(w, transform, norm)

    # keep every pre-activation away from the ReLU kink (float32 engines must agree on which fire)
    _, c_cache = model.run([clean], layer_norm=layer_norm)
    _, k_cache = model.run([corrupt], layer_norm=layer_norm)
    for _ in range(50):
        pre = torch.cat([sae.pre(c_cache[hook][0]), sae.pre(k_cache[hook][0])])
        near = (pre.abs() < MARGIN).any(dim=0)
        if not near.any():
            break
        w["b_enc"] = (w["b_enc"].to(torch.float64) + near.to(torch.float64) * 3 * MARGIN).to(torch.float32)
        sae = Sae(w, transform, norm)
    else:
        raise AssertionError(f"{name}: pre-activations stay within {MARGIN} of 0")

    runs = {}
    for key, toks in (("clean", clean), ("corrupt", corrupt)):
        m, f, grad, x = spliced_run(model, toks, sae, hook, layer_norm)
        m_plain = float(logit_diff(model.run([toks], layer_norm=layer_norm)[0], *ANSWER_WRONG))
        if abs(m - m_plain) > 1e-9 * (1 + abs(m_plain)):
            raise AssertionError(f"{name}: splicing with the error term changed the metric ({m_plain} -> {m})")
        m_noerr, _, grad_noerr, _ = spliced_run(model, toks, sae, hook, layer_norm, keep_error=False)
        runs[key] = {"m": m, "f": f, "grad": grad, "m_noerr": m_noerr, "grad_noerr": grad_noerr}

    out = {
        "acts.clean": runs["clean"]["f"],
        "acts.corrupt": runs["corrupt"]["f"],
        "metric.clean": torch.tensor([runs["clean"]["m"]]),
        "metric.corrupt": torch.tensor([runs["corrupt"]["m"]]),
        "metric.spliced_without_error.clean": torch.tensor([runs["clean"]["m_noerr"]]),
        "metric.spliced_without_error.corrupt": torch.tensor([runs["corrupt"]["m_noerr"]]),
    }
    for direction in DIRECTIONS:
        target, source = ("corrupt", "clean") if direction == "denoise" else ("clean", "corrupt")
        t, s = runs[target], runs[source]
        per_pos = (s["f"] - t["f"]) * t["grad"]
        out[f"attr_pos.{direction}"] = per_pos
        out[f"attr.{direction}"] = per_pos.sum(dim=0)
        out[f"attr_without_error.{direction}"] = ((s["f"] - t["f"]) * t["grad_noerr"]).sum(dim=0)
        toks = corrupt if direction == "denoise" else clean
        exact = torch.empty(d_sae, dtype=torch.float64)
        for i in range(d_sae):
            exact[i] = spliced_run(model, toks, sae, hook, layer_norm, f_patch=(i, s["f"][:, i]))[0]
        out[f"exact.{direction}"] = exact

    case_dir = os.path.join(out_root, name)
    os.makedirs(case_dir, exist_ok=True)
    cfg = {
        "architecture": "standard",
        "d_in": d_in,
        "d_sae": d_sae,
        "dtype": "float32",
        "device": "cpu",
        "apply_b_dec_to_input": True,
        "normalize_activations": norm,
        "reshape_activations": "none",
        "metadata": {
            "model_name": os.path.basename(ckpt_dir),
            "hook_name": hook,
            "hook_layer": int(hook.split(".")[1]),
            "prepend_bos": True,
            "model_from_pretrained_kwargs": {"center_writing_weights": transform == "center"},
        },
    }
    with open(os.path.join(case_dir, "cfg.json"), "w", encoding="utf-8") as fh:
        json.dump(cfg, fh, indent=1, sort_keys=True)
        fh.write("\n")
    write_safetensors(os.path.join(case_dir, "sae_weights.safetensors"), w, {"format": "pt"})
    write_safetensors(os.path.join(case_dir, "golden.safetensors"), {k: v.to(torch.float32) for k, v in out.items()},
                      {"format": "pt", "case": name})
    meta = {"golden_case": golden_case, "hook": hook, "d_sae": d_sae, "input_transform": transform, "normalize_activations": norm,
            "answer": case["answer"], "wrong": case["wrong"]}
    with open(os.path.join(case_dir, "case.json"), "w", encoding="utf-8") as fh:
        json.dump(meta, fh, indent=1, sort_keys=True)
        fh.write("\n")
    top = out["attr.denoise"].abs().argmax()
    print(f"sae attribution {name}: {hook}, d_sae {d_sae}, metric clean {runs['clean']['m']:.4f} corrupt "
          f"{runs['corrupt']['m']:.4f}, without error {runs['clean']['m_noerr']:.4f}; top denoise feature {int(top)} "
          f"attr {float(out['attr.denoise'][top]):.4f} exact change {float(out['exact.denoise'][top]) - runs['corrupt']['m']:.4f}")


def main():
    torch.set_num_threads(1)
    ckpt_root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "test", "golden", "checkpoints")
    cases_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "test", "golden", "cases")
    out_root = sys.argv[3] if len(sys.argv) > 3 else os.path.join(REPO, "test", "golden", "saeAttribution")
    for name in SAE_CASES:
        make_case(name, ckpt_root, cases_dir, out_root)


if __name__ == "__main__":
    main()
