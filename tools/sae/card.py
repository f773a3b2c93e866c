"""Step 5 of the SAE pipeline: write the SAE's card (README.md next to cfg.json) from its JSON files.

    /usr/bin/python3 tools/sae/card.py [--sae models/gpt2-python-mini/sae/blocks.1.hook_resid_pre] [--notes tools/sae/card-notes.md]

Every number comes from cfg.json and evaluation.json (sections training, evaluation, features, timings);
--notes is a hand-written Markdown section (what the five features seem to be), inserted after them.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SAE_DIR, fmt_s  # noqa: E402


def md_text(s: str) -> str:
    """Token text as literal Markdown (no emphasis, no HTML, no table breaks)."""
    for ch in "\\*_[]#~|":
        s = s.replace(ch, "\\" + ch)
    return s.replace("<", "&lt;").replace(">", "&gt;").replace("`", "ˋ")


def code(s: str) -> str:
    """A token in a code span (a backtick inside becomes ˋ; a pipe is escaped for the table)."""
    return "`" + s.replace("`", "ˋ").replace("|", "\\|") + "`"


def examples_table(rows: list, with_bin: bool) -> str:
    head = "| act | " + ("quantile | " if with_bin else "") + "context (the token in **bold**) |"
    out = [head, "|---|" + ("---|" if with_bin else "") + "---|"]
    for e in rows:
        before, rest = e["context"].split("[[", 1)
        tok, after = rest.rsplit("]]", 1)
        ctx = f"{md_text(before)}**{md_text(tok)}**{md_text(after)}"
        q = f"{e['quantile_bin'][0]:.0%}–{e['quantile_bin'][1]:.0%} | " if with_bin else ""
        out.append(f"| {e['act']:.2f} | {q}{ctx} |")
    return "\n".join(out)


def tokens_line(items: list) -> str:
    return ", ".join(f"{code(t['token'])} ({t['value']:+.2f})" for t in items)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--sae", default=SAE_DIR)
    p.add_argument("--notes", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "card-notes.md"))
    args = p.parse_args()
    cfg = json.load(open(os.path.join(args.sae, "cfg.json")))
    ev = json.load(open(os.path.join(args.sae, "evaluation.json")))
    tr, e, fs = ev["training"], ev["evaluation"], ev["features"]
    tm = {"collect the training activations (train.py)": tr["collect_seconds"], "train (train.py)": tr["train_seconds"],
          "evaluate on the held-out split (evaluate.py)": e["seconds"]}
    meta = cfg["metadata"]
    model_eval = json.load(open(os.path.join(os.path.dirname(os.path.dirname(os.path.normpath(args.sae))), "evaluation.json")))
    model_loss = model_eval["evaluation"]["model_loss_nats_per_token"]
    sizes = {f: os.path.getsize(os.path.join(args.sae, f)) for f in ("cfg.json", "sae_weights.safetensors", "sparsity.safetensors")}
    d_in, d_sae = cfg["d_in"], cfg["d_sae"]
    topk = cfg["architecture"] == "topk"
    arch_line = (f"TopK (k = {cfg['k']}): the {cfg['k']} largest of relu(x'W_enc + b_enc) are kept, the rest are 0" if topk
                 else "standard: relu(x'W_enc + b_enc)")
    notes = open(args.notes).read().strip() if os.path.exists(args.notes) else ""
    hist_rows = []
    for h in e["density_histogram"]:
        lo = "< −6" if h["log10_density_from"] is None else f"{h['log10_density_from']:g} … {h['to']:g}"
        hist_rows.append(f"| {lo} | {h['features']} |")
    hist = "\n".join(hist_rows)
    feats = []
    for f in fs["features"]:
        common = ", ".join(f"{code(c['token'])} {c['share']:.0%}" for c in f["most_common_tokens"][:6])
        feats.append(f"""### Feature {f['feature']}

Density {f['density']:.2%} of held-out tokens (log10 {f['log10_density']:.2f}), max activation {f['max_act']:.2f}.
Most common tokens where it is active: {common}.

**Top activations**

{examples_table(f['top_examples'], False)}

**Uniform examples** ({fs['per_bin']} from each fifth of its nonzero activations, by rank)

{examples_table(f['uniform_examples'], True)}

**Logit lens** (`W_dec[{f['feature']}] · diag(ln_f.w) · W_U`)
- promotes: {tokens_line(f['logit_lens']['top'])}
- suppresses: {tokens_line(f['logit_lens']['bottom'])}
""")
    timing_rows = "\n".join(f"| {k} | {fmt_s(v)} |" for k, v in tm.items())
    md = f"""# SAE: gpt2-python-mini · {meta['hook_name']} · {d_sae} features

A sparse autoencoder on the residual stream of the shipped model `gpt2-python-mini` after its first
block (`{meta['hook_name']}`, d_model {d_in}), trained on the model's own Python corpus. It is in
SAELens's v6 on-disk layout, so SAELens and Circuit Inspector load it like any SAE from the Hub. Every
number below is measured by `tools/sae/evaluate.py` (PyTorch) and stored in `evaluation.json`; the
pipeline that made it is `tools/sae/pipeline.sh` (see `tools/sae/README.md`).

## Headline (held-out split, {e['heldout_tokens']:,} tokens)

| | |
|---|---|
| features | {d_sae} ({d_sae // d_in} × d_model) |
| L0 (mean active features per token) | {e['l0']:.2f} |
| variance explained | {e['variance_explained']:.1%} (1 − Σ‖x − x̂‖² / Σ‖x − x̄‖²; mean ‖x − x̂‖/‖x‖ per token {e['mean_relative_error']:.1%}) |
| cross-entropy, clean | {e['ce_clean']:.4f} nats/token |
| … with the reconstruction spliced in | {e['ce_spliced']:.4f} (+{e['ce_spliced'] - e['ce_clean']:.4f}) |
| … with the activation mean-ablated | {e['ce_mean_ablated']:.4f} |
| … with the activation zero-ablated | {e['ce_zero_ablated']:.4f} |
| CE loss recovered vs mean ablation | **{e['ce_recovered_vs_mean']:.1%}** |
| CE loss recovered vs zero ablation | {e['ce_recovered_vs_zero']:.1%} |
| dead features | {e['dead_features']} (never active on the {e['heldout_tokens']:,} held-out tokens) |
| features active on > 10% of tokens | {e['features_denser_than_10pct']} |

Recovered = (CE_ablated − CE_spliced) / (CE_ablated − CE_clean). Splicing and ablation replace the
activation at every position but BOS (position 0), where the SAE was not trained; the loss is over the
{e['ce_tokens']:,} predictions made at positions 1 … {cfg['metadata']['context_size'] - 2} of each window
(those whose own activation was replaced). Mean ablation uses the mean activation over
{e['mean_ablation_tokens']:,} training-split tokens (positions 1..). Held-out windows are
`<|endoftext|>` + {cfg['metadata']['context_size'] - 1} consecutive held-out tokens, so every held-out token is seen once.
The clean loss is not the model card's held-out loss ({model_loss:.4f}): these are other predictions (positions
1 … {cfg['metadata']['context_size'] - 2} of {cfg['metadata']['context_size'] - 1}-token windows, not 0 … {cfg['metadata']['context_size'] - 1} of {cfg['metadata']['context_size']}-token chunks), on this
machine's copy of the corpus, which lacks a few of the files the model was trained and evaluated on
({e['heldout_tokens']:,} held-out tokens here; see tools/sae/README.md).

## Files

| file | what |
|---|---|
| `cfg.json` | SAELens v6: `architecture` {cfg['architecture']}{f", `k` {cfg['k']}" if topk else ""}, `d_in` {d_in}, `d_sae` {d_sae}, `dtype` float32, `apply_b_dec_to_input` {str(cfg['apply_b_dec_to_input']).lower()}, `normalize_activations` none; `metadata`: `model_name`, `hook_name`, `prepend_bos` true, `model_from_pretrained_kwargs` {{"center_writing_weights": false}}, `seqpos_slice` [1, null] |
| `sae_weights.safetensors` | {sizes['sae_weights.safetensors'] / 1e6:.2f} MB, F32: `W_enc` [{d_in}, {d_sae}], `W_dec` [{d_sae}, {d_in}] (unit-norm rows), `b_enc` [{d_sae}], `b_dec` [{d_in}] |
| `sparsity.safetensors` | `sparsity` [{d_sae}]: log10(held-out density + 1e-10), as SAELens computes it; a dead feature reads {e['dead_log10_value']:g} |
| `evaluation.json` | every number in this card: training arguments and times, evaluation, the five features |

## How to use it

- **Input**: the raw residual stream `{meta['hook_name']}` of `gpt2-python-mini` (not TransformerLens-processed:
  no centring of the writing weights, no normalisation), at positions after BOS. Windows start with
  `<|endoftext|>` (`prepend_bos` true), as in the model's training.
- **Encode**: x' = x − b_dec; {arch_line}. **Decode**: f · W_dec + b_dec.
- **BOS**: position 0 was left out of training and evaluation: its norm is about 2.4× the others' (an outlier
  that would otherwise take features of its own), so the SAE's reading of the BOS position is not meaningful.

## Training

| | |
|---|---|
| architecture | {arch_line} |
| why {cfg['architecture']} | {'with the same activations, steps and learning rate, a standard ReLU SAE with the decoder-norm-weighted L1 (λ = 1) ended at L0 16.3 with 55% of the variance explained on its training batches, TopK at L0 16 with 97% (tools/sae/README.md); k also sets L0 directly instead of through λ, and the AuxK loss revives dead features' if topk else 'see tools/sae/README.md'} |
| data | {tr['activations']:,} activations from {tr['tokens']:,} training-split tokens: windows `<\\|endoftext\\|>` + 127 tokens from seeded random offsets of the training stream, positions 1.. (BOS dropped); {tr['epochs']} epochs in a seeded random order |
| optimiser | Adam, lr {tr['lr']:g}, batch {tr['batch']}, {tr['steps']:,} steps ({tr['tokens_trained']:,} activations), LR linear to 0 over the last 20% |
| init | W_dec rows random unit vectors, W_enc = W_decᵀ, b_dec = the mean activation, b_enc = 0 |
| constraint | W_dec rows renormalised to unit norm after each step, their gradient projected onto the tangent space |
| dead features | {f"AuxK (Gao et al. 2024): the top {d_in // 2} features dead for {tr['dead_window']:,} tokens reconstruct the residual, weight {tr['aux_coef']:.4g}" if topk else "L1 warm-up and small decoder init"} |
| seed | {tr['seed']} (activations, order, init) |
| time | {fmt_s(tr['collect_seconds'])} collecting activations + {fmt_s(tr['train_seconds'])} training, {tr['threads']} torch threads on a shared 2-core VM (torch {tr['torch']}) |

## Feature density (held out)

log10 density of the {d_sae - e['dead_features']} live features (median {e['density_median_log10_alive']:.2f}, densest {e['density_max']:.1%}):

| log10 density | features |
|---|---|
{hist}
| dead | {e['dead_features']} |

## Five features

Chosen by a fixed rule, not by hand: {fs['rule']}. Contexts show up to 14 tokens before the token (in
**bold**), which is the last token the feature sees; `·` is a space, `⏎` a newline, `→` a tab. The logit
lens folds ln_f's weight in: `W_dec[f] · diag(ln_f.w) · W_U` with `W_U = W_Eᵀ` (tied); ln_f's bias and
centring are the same for every feature and are left out, and the later block is ignored, so it shows
what the direction writes towards the output, not what the model does with it.

{chr(10).join(feats)}
{notes}
"""
    if timing_rows:
        md += (f"\n## Pipeline times\n\nOn a 2-core x86-64 VM shared with other jobs, {tr['threads']} torch threads (the load "
               f"varied, so these are upper bounds):\n\n| step | time |\n|---|---|\n{timing_rows}\n")
    with open(os.path.join(args.sae, "README.md"), "w") as f:
        f.write(md.rstrip() + "\n")
    print(f"wrote {args.sae}/README.md")


if __name__ == "__main__":
    main()
