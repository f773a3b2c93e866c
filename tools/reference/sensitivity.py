"""Bug sensitivity of the golden checkpoints: how far typical implementation mistakes move the logits.

It also reports, under "residual_bugs", how far the classic residual-stream mistakes (residual.py's
`bug` argument) move the residual goldens: the final cached scale in the recompute lens (TL#1076),
ln_final's bias constant left out of DLA, and b_O counted once per head. For each, the tensor it
moves most relative to that tensor's parity tolerance (1e-4 x its largest magnitude). Under
"sae_analysis_bugs", for the cases that carry a golden SAE (sae_analysis.py): ablating with the zero
vector, an off-by-one ablated position, the feature logit lens without ln_final.w, and a 'center'
SAE's reconstruction without its removed row mean (error norm; KL where no LayerNorm hides it).

For each golden case, runs the reference with one deliberate mistake and reports the largest change
of any logit (all positions, whole vocabulary) and the change of the patching metric. A parity test
with tolerance ~1e-4 catches a bug only if these numbers are far above it.

Writes tools/reference/sensitivity.json and prints a table.
Usage: sensitivity.py [CHECKPOINT_ROOT]
"""

import dataclasses
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_goldens  # noqa: E402
import tiny_bpe  # noqa: E402
from gpt2_reference import Gpt2Reference  # noqa: E402
from patching import logit_diff  # noqa: E402
from residual import residual_tensors  # noqa: E402
import sae_analysis  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


class NoCentreLN(Gpt2Reference):
    """Bug: LayerNorm that forgets to subtract the mean (x / sqrt(mean(x^2) + eps) * w + b)."""

    def _layer_norm(self, x, prefix, hook_prefix):
        if self._layer_norm_mode == "identity":
            return super()._layer_norm(x, prefix, hook_prefix)
        scale = torch.sqrt((x * x).mean(-1, keepdim=True) + self.cfg.layer_norm_eps)
        return x / scale * self.w[prefix + ".weight"] + self.w[prefix + ".bias"]


class UnbiasedVarLN(Gpt2Reference):
    """Bug: LayerNorm with the unbiased (n - 1) variance."""

    def _layer_norm(self, x, prefix, hook_prefix):
        if self._layer_norm_mode == "identity":
            return super()._layer_norm(x, prefix, hook_prefix)
        c = x - x.mean(-1, keepdim=True)
        scale = torch.sqrt((c * c).sum(-1, keepdim=True) / (x.shape[-1] - 1) + self.cfg.layer_norm_eps)
        return c / scale * self.w[prefix + ".weight"] + self.w[prefix + ".bias"]


def variants(cfg, w, layer_norm):
    """(label, model, layer_norm mode) triples, each with exactly one mistake relative to the config."""
    out = []
    swap = "gelu" if cfg.activation != "gelu" else "gelu_new"
    out.append((f"activation {cfg.activation} -> {swap}", Gpt2Reference(dataclasses.replace(cfg, activation=swap), w)))
    if layer_norm == "as_configured":
        out.append(("LayerNorm without mean subtraction", NoCentreLN(cfg, w)))
        out.append(("LayerNorm with unbiased variance", UnbiasedVarLN(cfg, w)))
        if cfg.layer_norm_eps != 1e-5:
            out.append(("layer_norm_epsilon 1e-5 instead of config", Gpt2Reference(dataclasses.replace(cfg, layer_norm_eps=1e-5), w)))
            out.append(("every LN replaced by identity (no centring, no ln_f weight)", Gpt2Reference(cfg, w), "identity"))
        else:
            out.append(("layer_norm_epsilon 1e-6 instead of 1e-5", Gpt2Reference(dataclasses.replace(cfg, layer_norm_eps=1e-6), w)))
    out.append(("no 1/sqrt(d_head) score scaling", Gpt2Reference(dataclasses.replace(cfg, scale_attn_weights=False), w)))
    if cfg.scale_attn_by_inverse_layer_idx:
        out.append(("ignore scale_attn_by_inverse_layer_idx", Gpt2Reference(dataclasses.replace(cfg, scale_attn_by_inverse_layer_idx=False), w)))
    if not cfg.tie_word_embeddings:
        out.append(("tied unembedding despite tie_word_embeddings=false", Gpt2Reference(cfg, dict(w, **{"lm_head.weight": w["wte.weight"]}))))
    return [v if len(v) == 3 else v + (layer_norm,) for v in out]


def sig(x):
    return float(f"{x:.3g}")


RESIDUAL_BUGS = {
    "lens-cached-scale-in-recompute": "logit lens (recompute) with the final layer's cached scale (TL#1076)",
    "dla-no-ln-bias": "DLA without ln_final's bias constant",
    "dla-bias-per-head": "DLA counting b_O once per head",
}


def residual_sensitivity(model, tokens, answer, wrong, layer_norm):
    """{bug label: {tensor, max_abs_change, times_rel_tolerance}}: the residual golden each bug moves most.
    A DLA `total` is compared with the logit difference, as the parity test does."""
    base = residual_tensors(model, tokens, answer, wrong, layer_norm)
    rows = {}
    for bug, label in RESIDUAL_BUGS.items():
        buggy = residual_tensors(model, tokens, answer, wrong, layer_norm, bug=bug)
        worst = ("(none)", 0.0, 0.0)
        for name, b in base.items():
            ref = base[name.replace(".total", ".logit_diff")] if name.endswith(".total") else b
            change = float((buggy[name] - ref).abs().max())
            scale = float(ref.abs().max())
            times = change / (1e-4 * scale) if scale > 0 else (float("inf") if change > 0 else 0.0)
            if times > worst[2]:
                worst = (name, change, times)
        rows[label] = {"tensor": worst[0], "max_abs_change": sig(worst[1]), "times_rel_tolerance": sig(worst[2])}
    return rows


def main():
    torch.set_num_threads(1)
    ckpt_root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(make_goldens.REPO, "test", "golden", "checkpoints")
    vocab, merges = tiny_bpe.build_vocab()
    report = {}
    for name, (ckpt, text, corruptions, layer_norm) in make_goldens.CASES.items():
        model = Gpt2Reference.from_pretrained(os.path.join(ckpt_root, ckpt))
        tokens = [vocab[tiny_bpe.EOT]] + tiny_bpe.encode(text, vocab, merges)
        corrupt = list(tokens)
        for pos, tok in corruptions.items():
            corrupt[pos] = vocab[tok]
        base, _ = model.run([tokens], cache=False, layer_norm=layer_norm)
        base_corrupt, _ = model.run([corrupt], cache=False, layer_norm=layer_norm)
        a, wr = make_goldens.choose_answer_wrong(base, base_corrupt)
        rows = {}
        f32 = Gpt2Reference(model.cfg, {k: v.to(torch.float32) for k, v in model.w.items()})
        runs = [("(no bug) same formulas in float32: rounding noise", f32, layer_norm)]
        for label, bug, mode in runs + variants(model.cfg, model.w, layer_norm):
            logits, _ = bug.run([tokens], cache=False, layer_norm=mode)
            logits = logits.to(torch.float64)
            change = float((logits - base).abs().max())
            rows[label] = {
                "max_abs_logit_change": sig(change),
                # against a parity tolerance of 1e-4 x the largest |logit| (test/golden's compareToGolden)
                "times_rel_tolerance": sig(change / (1e-4 * float(base.abs().max()))),
                "metric_change": sig(float((logit_diff(logits, a, wr) - logit_diff(base, a, wr)).abs())),
            }
        residual_rows = residual_sensitivity(model, tokens, a, wr, layer_norm)
        report[name] = {"logit_abs_max": sig(float(base.abs().max())), "bugs": rows, "residual_bugs": residual_rows}
        sae_rows = sae_analysis.sensitivity_rows(name, ckpt_root, os.path.join(make_goldens.REPO, "test", "golden", "cases"))
        if sae_rows:
            report[name]["sae_analysis_bugs"] = sae_rows
        print(f"{name} (|logits| max {report[name]['logit_abs_max']}, layer_norm {layer_norm})")
        for label, r in rows.items():
            print(f"  {label:58s} max |dlogit| {r['max_abs_logit_change']:<10g} = {r['times_rel_tolerance']:<8g} x tol"
                  f"   |dmetric| {r['metric_change']:g}")
        for label, r in residual_rows.items():
            print(f"  {label:58s} {r['tensor']:32s} max |d| {r['max_abs_change']:<10g} = {r['times_rel_tolerance']:<8g} x tol")
        for label, r in sae_rows.items():
            print(f"  SAE {r['sae_case']}: {label:58s} {r['tensor']:16s} max |d| {r['max_abs_change']:<10g} = {r['times_rel_tolerance']:<8g} x tol")
    with open(os.path.join(HERE, "sensitivity.json"), "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
