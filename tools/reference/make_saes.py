"""Random SAELens-format SAEs for the loader's parity test (issue 11) and their float64 goldens.

Every architecture (standard, jumprelu, topk, gated), both config forms (v6, pre-6) and all three
weight dtypes (F32, F16, BF16) are covered by the cases below, with d_in = d_model of the
`f32-bare` golden checkpoint. The input rows are that checkpoint's real blocks.1.hook_resid_pre (from
test/golden/cases/f32-bare.safetensors) plus seeded random rows. Weights are drawn from numpy's
PCG64 with a fixed seed, rounded to the case's dtype, and the goldens are computed from the rounded
values in float64 (sae_reference.py), then stored as F32.

Features are genuinely cut: jumprelu thresholds and gated b_gate are placed inside the spread of
each feature's values on these rows, topk k is well below the number of positive pre-activations,
and gated r_mag is non-zero. Every row keeps a margin from each discontinuity (threshold, gate,
topk boundary) so float32 rounding cannot flip a feature. The `topk-ties` case duplicates each
feature so that the k-th and (k+1)-th values tie exactly in every row: exactly k must be kept, ties
toward the lower index.

Writes test/golden/sae/<case>/{cfg.json, sae_weights.safetensors, golden.safetensors, case.json}
(+ sparsity.safetensors for one case) and tools/reference/sae_sensitivity.json: how far typical bugs
move the outputs, in units of the parity tolerance (1e-4 of the largest magnitude).

Usage: make_saes.py [CASES_DIR] [OUT_DIR]
"""

import json
import os
import shutil
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sae_reference import BUGS, encoder_input, margins, sae_forward  # noqa: E402
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REL_TOL = 1e-4
MIN_MARGIN = 1e-3
D_SAE = 128
HOOK = "blocks.1.hook_resid_pre"
MODEL_NAME = "golden-f32-bare"
DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
CFG_DTYPE = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}

# case -> (architecture, config form, dtype, input transform source, extra); see cfg_json for each form's fields
CASES = {
    "standard-v6-f32": dict(arch="standard", form="v6", dtype="F32", kwargs=None, seed=101, sparsity=True),
    "standard-pre6-f16": dict(arch="standard", form="pre6", dtype="F16", kwargs="absent", seed=102),
    "jumprelu-v6-bf16": dict(arch="jumprelu", form="v6", dtype="BF16", kwargs={"center_writing_weights": True}, seed=103),
    "jumprelu-pre6-f32": dict(arch="jumprelu", form="pre6", dtype="F32", kwargs={"center_writing_weights": False}, seed=104),
    "topk-v6-f16": dict(arch="topk", form="v6", dtype="F16", kwargs={}, seed=105, k=8),
    "topk-pre6-bf16": dict(arch="topk", form="pre6", dtype="BF16", kwargs="absent", seed=106, k=6),
    "topk-ties-v6-f32": dict(arch="topk", form="v6", dtype="F32", kwargs=None, seed=107, k=7, ties=True),
    "gated-v6-f32": dict(arch="gated", form="v6", dtype="F32", kwargs={"center_writing_weights": True}, seed=108),
    "gated-pre6-bf16": dict(arch="gated", form="pre6", dtype="BF16", kwargs={}, seed=109, apply_b_dec=False),
    "standard-layernorm-v6-f16": dict(arch="standard", form="v6", dtype="F16", kwargs=None, seed=110, normalize="layer_norm"),
    "jumprelu-normrescale-pre6-f32": dict(arch="jumprelu", form="pre6", dtype="F32", kwargs="absent", seed=111, normalize="constant_norm_rescale"),
}


def input_transform(spec):
    """The rule the loader implements (src/model/sae/saeConfig.ts inputTransformOf), restated."""
    kw = spec["kwargs"]
    if isinstance(kw, dict) and "center_writing_weights" in kw:
        return "center" if kw["center_writing_weights"] else "none"
    return "center" if spec["form"] == "pre6" and kw == "absent" else "none"


def cfg_json(spec, k):
    arch, form = spec["arch"], spec["form"]
    apply_b_dec = spec.get("apply_b_dec", True)
    kw = spec["kwargs"]
    if form == "v6":
        meta = {
            "sae_lens_version": "6.5.1",
            "hook_name": HOOK,
            "hook_head_index": None,
            "model_name": MODEL_NAME,
            "prepend_bos": True,
            "context_size": 32,
        }
        if isinstance(kw, dict):
            meta["model_from_pretrained_kwargs"] = kw
        cfg = {
            "architecture": arch,
            "d_in": 32,
            "d_sae": D_SAE,
            "dtype": CFG_DTYPE[spec["dtype"]],
            "device": "cpu",
            "apply_b_dec_to_input": apply_b_dec,
            "normalize_activations": spec.get("normalize", "none"),
            "reshape_activations": "none",
            "metadata": meta,
        }
        if arch == "topk":
            cfg["k"] = k
        return cfg
    cfg = {
        "model_name": MODEL_NAME,
        "hook_point": HOOK,
        "hook_point_layer": 1,
        "hook_point_head_index": None,
        "d_in": 32,
        "d_sae": D_SAE,
        "dtype": "torch." + CFG_DTYPE[spec["dtype"]],
        "device": "cpu",
        "context_size": 32,
        "apply_b_dec_to_input": apply_b_dec,
        "prepend_bos": True,
        "normalize_activations": spec.get("normalize", False),  # the old boolean form: False means "none"
    }
    if arch == "topk":
        cfg["activation_fn_str"] = "topk"  # no architecture field: the oldest TopK form
        cfg["activation_fn_kwargs"] = {"k": k}
    else:
        cfg["architecture"] = arch
        cfg["activation_fn_str"] = "relu"
        cfg["sae_lens_version"] = "5.3.0"
    if isinstance(kw, dict):
        cfg["model_from_pretrained_kwargs"] = kw
    return cfg


def rows_of(cases_dir):
    t, _ = read_safetensors(os.path.join(cases_dir, "f32-bare.safetensors"))
    real = t[HOOK][0].to(torch.float32)  # [pos, d_model]
    rng = np.random.default_rng(7)
    rand = torch.from_numpy(rng.normal(0.0, float(real.std()), size=(3, real.shape[1]))).to(torch.float32)
    return torch.cat([real, rand], dim=0)  # [16, 32] float32


def split_gap(values, q):
    """A cut inside the spread of `values`: the midpoint of the widest gap between consecutive sorted
    values near quantile q (so every value keeps half that gap as its margin)."""
    s = torch.sort(values).values
    n = s.shape[0]
    lo, hi = max(0, int(n * q) - 3), min(n - 1, int(n * q) + 3)
    gaps = s[lo + 1 : hi + 1] - s[lo:hi]
    i = int(torch.argmax(gaps)) + lo
    return float((s[i] + s[i + 1]) / 2)


def make_weights(spec, x, seed):
    """float64 weights, already rounded to the case's dtype."""
    rng = np.random.default_rng(seed)
    d_in = x.shape[1]
    rd = lambda t: t.to(DTYPES[spec["dtype"]]).to(torch.float64)  # noqa: E731
    g = lambda *shape, s=1.0: torch.from_numpy(rng.normal(0.0, s, size=shape))  # noqa: E731
    xs = float(x.std())
    if spec.get("normalize", "none") != "none":  # the encoder sees normalised rows: scale to those
        plain = {"input_transform": input_transform(spec), "apply_b_dec_to_input": False, "normalize": spec["normalize"]}
        xs = float(encoder_input(plain, {}, x.to(torch.float64))[0].std())
    w = {
        "W_enc": g(d_in, D_SAE, s=1.0 / (xs * d_in**0.5)),
        "W_dec": g(D_SAE, d_in, s=xs / D_SAE**0.5 * 2),
        "b_dec": g(d_in, s=0.2 * xs),
        "b_enc": g(D_SAE, s=0.3) - 0.1,
    }
    if spec.get("ties"):
        w["W_enc"][:, 1::2] = w["W_enc"][:, 0::2]
        w["b_enc"][1::2] = w["b_enc"][0::2]
    w = {k: rd(v) for k, v in w.items()}
    transform = input_transform(spec)
    cfg = {"input_transform": transform, "apply_b_dec_to_input": spec.get("apply_b_dec", True), "normalize": spec.get("normalize", "none")}
    xin, _ = encoder_input(cfg, w, x.to(torch.float64))
    h = xin @ w["W_enc"]  # [rows, d_sae]
    if spec["arch"] == "jumprelu":
        pre = h + w["b_enc"]
        # per feature: a threshold inside its values on these rows, so some positive values are cut
        w["threshold"] = rd(torch.tensor([max(split_gap(pre[:, j], 0.75), 0.01) for j in range(D_SAE)], dtype=torch.float64))
    if spec["arch"] == "gated":
        w["r_mag"] = rd(g(D_SAE, s=0.5))
        w["b_mag"] = rd(g(D_SAE, s=0.3))
        # per feature: the gate opens for roughly half the rows
        w["b_gate"] = rd(torch.tensor([-split_gap(h[:, j], 0.5) for j in range(D_SAE)], dtype=torch.float64))
        del w["b_enc"]
    return w, transform


def stats(spec, cfg, w, x):
    """Evidence that the encoder cuts features on these rows (recorded in case.json)."""
    f, _, _ = sae_forward(cfg, w, x)
    out = {"mean_l0": float((f != 0).sum(dim=-1).to(torch.float64).mean())}
    xin, _ = encoder_input(cfg, w, x.to(torch.float64))
    if spec["arch"] in ("jumprelu", "topk", "standard"):
        pre = xin @ w["W_enc"] + w["b_enc"]
        out["mean_positive_pre"] = float((pre > 0).sum(dim=-1).to(torch.float64).mean())
        out["cut_positive"] = int(((pre > 0) & (f == 0)).sum())
    if spec["arch"] == "gated":
        mag = torch.relu(xin @ (w["W_enc"] * torch.exp(w["r_mag"])) + w["b_mag"])
        out["cut_by_gate"] = int(((mag > 0) & (f == 0)).sum())
        out["r_mag_abs_max"] = float(w["r_mag"].abs().max())
    return out


def rel_change(ref, got):
    return max(float((g - r).abs().max()) / max(float(r.abs().max()), 1e-30) for r, g in zip(ref, got))


def main():
    cases_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "test/golden/cases")
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "test/golden/sae")
    torch.set_num_threads(1)
    x = rows_of(cases_dir)
    shutil.rmtree(out_dir, ignore_errors=True)
    sensitivity = {"rel_tolerance": REL_TOL, "cases": {}}
    for name, spec in CASES.items():
        k = spec.get("k")
        for attempt in range(50):
            w, transform = make_weights(spec, x, spec["seed"] * 100 + attempt)
            cfg = {
                "architecture": spec["arch"],
                "apply_b_dec_to_input": spec.get("apply_b_dec", True),
                "input_transform": transform,
                "k": k,
                "normalize": spec.get("normalize", "none"),
            }
            margin = margins(cfg, w, x)
            if margin >= MIN_MARGIN:
                break
        else:
            raise SystemExit(f"{name}: no seed gives a margin of {MIN_MARGIN}")
        acts, recon, err = sae_forward(cfg, w, x)
        folder = os.path.join(out_dir, name)
        os.makedirs(folder)
        with open(os.path.join(folder, "cfg.json"), "w") as fh:
            json.dump(cfg_json(spec, k), fh, indent=2, sort_keys=True)
            fh.write("\n")
        write_safetensors(os.path.join(folder, "sae_weights.safetensors"), {n: t.to(DTYPES[spec["dtype"]]) for n, t in w.items()})
        write_safetensors(
            os.path.join(folder, "golden.safetensors"),
            {"rows": x, "acts": acts.to(torch.float32), "recon": recon.to(torch.float32), "error_norm": err.to(torch.float32)},
        )
        if spec.get("sparsity"):
            density = ((acts != 0).sum(dim=0).to(torch.float64) + 1) / (acts.shape[0] + 1)
            write_safetensors(os.path.join(folder, "sparsity.safetensors"), {"sparsity": torch.log10(density).to(torch.float32)})
        case = {
            "architecture": spec["arch"],
            "config_form": spec["form"],
            "dtype": spec["dtype"],
            "input_transform": transform,
            "normalize_activations": cfg["normalize"],
            "apply_b_dec_to_input": cfg["apply_b_dec_to_input"],
            "k": k,
            "hook": HOOK,
            "model_name": MODEL_NAME,
            "rows": "blocks.1.hook_resid_pre of f32-bare (13 rows) + 3 seeded random rows",
            "seed": spec["seed"] * 100 + attempt,
            "min_margin": round(margin, 6) if margin != float("inf") else None,
            "stats": {k2: (round(v, 4) if isinstance(v, float) else v) for k2, v in stats(spec, cfg, w, x).items()},
        }
        with open(os.path.join(folder, "case.json"), "w") as fh:
            json.dump(case, fh, indent=2, sort_keys=True)
            fh.write("\n")

        # Sensitivity: the same formulas in float32 must stay far inside the tolerance; each bug far outside.
        ref = (acts, recon, err)
        f32 = tuple(t.to(torch.float64) for t in sae_forward(cfg, w, x, dtype=torch.float32))
        entries = {"(no bug) same formulas in float32": round(rel_change(ref, f32) / REL_TOL, 4)}
        for label, bug in BUGS.items():
            if not applies(bug, spec, cfg):
                continue
            entries[label] = round(rel_change(ref, sae_forward(cfg, w, x, bug=bug)) / REL_TOL, 1)
        sensitivity["cases"][name] = {"times_rel_tolerance": entries}
    with open(os.path.join(REPO, "tools/reference/sae_sensitivity.json"), "w") as fh:
        json.dump(sensitivity, fh, indent=2, sort_keys=True)
        fh.write("\n")
    print(f"wrote {len(CASES)} SAE cases to {out_dir}")


def applies(bug, spec, cfg):
    arch = spec["arch"]
    return {
        "no_b_dec": cfg["apply_b_dec_to_input"],
        "topk_k_plus_1": arch == "topk",
        "topk_ties": arch == "topk" and spec.get("ties", False),
        "gated_no_rmag": arch == "gated",
        "no_center": cfg["input_transform"] == "center",
        "jumprelu_as_relu": arch == "jumprelu",
        "ln_biased": cfg["normalize"] == "layer_norm",
        "no_denorm": cfg["normalize"] != "none",
    }[bug]


if __name__ == "__main__":
    main()
