"""Step 4 of the SAE pipeline: measure the shipped SAE on the held-out split.

    /usr/bin/python3 tools/sae/evaluate.py [--sae models/gpt2-python-mini/sae/blocks.1.hook_resid_pre]

Loads the shipped files (cfg.json + sae_weights.safetensors, not the training checkpoint) and the exported
model. The held-out stream is cut into consecutive windows of BOS + n_ctx − 1 tokens (every held-out
token once). The SAE sees positions 1.. (never BOS, as in training).
- L0: mean number of active features per token. Variance explained: 1 − Σ‖x − x̂‖² / Σ‖x − x̄‖², x̄ the
  held-out mean, sums over all held-out tokens.
- Cross-entropy: next-token loss at positions 1..n_ctx−2 of each window (the predictions whose own
  position is rewritten), with blocks.1.hook_resid_pre left alone (clean), replaced by the SAE's
  reconstruction at positions 1.. (spliced), set to zero there (zero-ablated) and set to the mean
  training activation there (mean-ablated). Recovered = (CE_ablated − CE_spliced) / (CE_ablated − CE_clean).
- Density: tokens on which each feature is active / held-out tokens; sparsity.safetensors holds
  log10(density + 1e-10) as SAELens computes it, so a dead feature reads −10.
- Five features, a seeded random sample of the features whose held-out density is in [1e-3, 1e-1]
  (typical features, not picked by hand): top-activating and quantile ("uniform") examples, and the
  logit lens W_dec[f] · diag(ln_f.w) · W_U (ln_f's weight folded in; its bias is the same for every
  feature and is left out; W_U = W_Eᵀ, tied).
Writes sparsity.safetensors and the "evaluation" and "features" sections of evaluation.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (DATA_DIR, MODEL_DIR, SAE_DIR, TokenText, heldout_windows, load_model, load_sae,  # noqa: E402
                    logits_from, read_split, resid_pre, set_threads, train_windows, write_safetensors)

import numpy as np  # noqa: E402
import torch  # noqa: E402

DEAD_LOG10 = -10.0


def update_json(path: str, section: str, value) -> None:
    data = json.load(open(path)) if os.path.exists(path) else {}
    data[section] = value
    with open(path, "w") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")


def ce(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Summed next-token NLL of logits [b, p, V] against targets [b, p] (float32 logsumexp, float64 sum)."""
    nll = torch.logsumexp(logits, dim=-1) - logits.gather(-1, targets[..., None])[..., 0]
    return nll.double().sum()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=MODEL_DIR)
    p.add_argument("--sae", default=SAE_DIR)
    p.add_argument("--data", default=DATA_DIR)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--mean-tokens", type=int, default=500_000, help="training tokens for the mean activation")
    p.add_argument("--seed", type=int, default=2024, help="seed of the mean's windows and of the feature sample")
    p.add_argument("--max-windows", type=int, default=0, help="a smoke test on fewer held-out windows")
    p.add_argument("--n-features", type=int, default=5)
    p.add_argument("--top", type=int, default=10)
    p.add_argument("--uniform-bins", type=int, default=5)
    p.add_argument("--per-bin", type=int, default=2)
    args = p.parse_args()
    set_threads(args.threads)
    started = time.time()
    model = load_model(args.model)
    sae, cfg = load_sae(args.sae)
    n_ctx, bos = model.cfg.n_positions, model.cfg.bos_token_id
    d_sae = cfg["d_sae"]

    # The mean activation for mean ablation: training windows (seeded), positions 1..
    tr = read_split("train", args.data)
    mw = torch.from_numpy(train_windows(tr, -(-args.mean_tokens // (n_ctx - 1)), n_ctx, bos, args.seed))
    with torch.no_grad():
        total = torch.zeros(model.cfg.n_embd, dtype=torch.float64)
        for i in range(0, mw.shape[0], 256):
            total += resid_pre(model, mw[i:i + 256])[:, 1:].double().sum((0, 1))
        mean_act = (total / (mw.shape[0] * (n_ctx - 1))).float()
    del tr

    windows = heldout_windows(read_split("heldout", args.data), n_ctx, bos)
    if args.max_windows:
        windows = windows[:args.max_windows]
    W = torch.from_numpy(windows)
    n_win = W.shape[0]
    n_tok = n_win * (n_ctx - 1)
    k_store = cfg.get("k") or 64
    top_idx = np.zeros((n_tok, k_store), dtype=np.int16)
    top_val = np.zeros((n_tok, k_store), dtype=np.float32)
    counts = np.zeros(d_sae, dtype=np.int64)
    sums = {"sse": 0.0, "sx": np.zeros(model.cfg.n_embd), "sxx": 0.0, "l0": 0.0, "rel_err": 0.0,
            "ce_clean": 0.0, "ce_spliced": 0.0, "ce_zero": 0.0, "ce_mean": 0.0, "ce_n": 0, "overflow": 0}
    with torch.no_grad():
        for i in range(0, n_win, args.batch):
            idx = W[i:i + args.batch]
            b = idx.shape[0]
            x = resid_pre(model, idx)  # [b, pos, d]
            xs = x[:, 1:].reshape(-1, x.shape[-1])
            acts = sae.encode(xs)
            recon = sae.decode(acts)
            err = ((recon - xs) ** 2).sum(-1)
            sums["sse"] += float(err.double().sum())
            sums["sx"] += xs.double().sum(0).numpy()
            sums["sxx"] += float((xs.double() ** 2).sum())
            active = acts > 0
            l0 = active.sum(-1)
            sums["l0"] += float(l0.sum())
            sums["rel_err"] += float((err.sqrt() / xs.norm(dim=-1)).sum())
            counts += active.sum(0).numpy()
            tv, ti = torch.topk(acts, k_store, dim=-1)
            sums["overflow"] += int((l0 > k_store).sum())
            r0 = i * (n_ctx - 1)
            top_idx[r0:r0 + xs.shape[0]] = ti.numpy().astype(np.int16)
            top_val[r0:r0 + xs.shape[0]] = tv.numpy()

            targets = idx[:, 2:]  # predictions at positions 1..n_ctx−2
            def run(rest: torch.Tensor) -> float:
                h = torch.cat([x[:, :1], rest], dim=1)
                return float(ce(logits_from(model, h)[:, 1:-1], targets))
            sums["ce_clean"] += run(x[:, 1:])
            sums["ce_spliced"] += run(recon.reshape(b, n_ctx - 1, -1))
            sums["ce_zero"] += run(torch.zeros_like(x[:, 1:]))
            sums["ce_mean"] += run(mean_act.expand_as(x[:, 1:]))
            sums["ce_n"] += targets.numel()
            if (i // args.batch) % 20 == 0:
                print(f"{i + b}/{n_win} windows, {time.time() - started:.0f} s", flush=True)
    t_eval = time.time() - started

    mean_x = sums["sx"] / n_tok
    sst = sums["sxx"] - n_tok * float((mean_x ** 2).sum())
    ce_n = sums["ce_n"]
    c = {k: sums[k] / ce_n for k in ("ce_clean", "ce_spliced", "ce_zero", "ce_mean")}
    density = counts / n_tok
    log_density = np.log10(density + 1e-10).astype(np.float32)
    write_safetensors(os.path.join(args.sae, "sparsity.safetensors"), {"sparsity": torch.from_numpy(log_density)}, {"format": "pt"})
    alive = counts > 0
    edges = [-np.inf, -6, -5, -4, -3, -2, -1, 0.01]
    hist = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = alive & (log_density >= lo) & (log_density < hi)
        hist.append({"log10_density_from": None if lo == -np.inf else lo, "to": min(hi, 0), "features": int(sel.sum())})
    evaluation = {
        "heldout_windows": n_win,
        "heldout_tokens": n_tok,
        "ce_tokens": ce_n,
        "l0": sums["l0"] / n_tok,
        "variance_explained": 1 - sums["sse"] / sst,
        "mse_per_token": sums["sse"] / n_tok,
        "mean_relative_error": sums["rel_err"] / n_tok,
        "ce_clean": c["ce_clean"],
        "ce_spliced": c["ce_spliced"],
        "ce_zero_ablated": c["ce_zero"],
        "ce_mean_ablated": c["ce_mean"],
        "ce_recovered_vs_zero": (c["ce_zero"] - c["ce_spliced"]) / (c["ce_zero"] - c["ce_clean"]),
        "ce_recovered_vs_mean": (c["ce_mean"] - c["ce_spliced"]) / (c["ce_mean"] - c["ce_clean"]),
        "mean_ablation_tokens": int(mw.shape[0] * (n_ctx - 1)),
        "dead_features": int((~alive).sum()),
        "dead_log10_value": DEAD_LOG10,
        "density_histogram": hist,
        "density_median_log10_alive": float(np.median(log_density[alive])) if alive.any() else None,
        "density_max": float(density.max()),
        "features_denser_than_10pct": int((density > 0.1).sum()),
        "tokens_with_more_active_features_than_stored": sums["overflow"],
        "seconds": t_eval,
        "threads": args.threads,
    }
    print(json.dumps(evaluation, indent=2))
    out = os.path.join(args.sae, "evaluation.json")
    update_json(out, "evaluation", evaluation)

    # --- a probe for the project's engine: two held-out windows, measured here, re-measured in TypeScript ---
    with torch.no_grad():
        probe = []
        for w in range(min(2, n_win)):
            x = resid_pre(model, W[w:w + 1])[0, 1:]  # [pos, d]
            a = sae.encode(x)
            r = sae.decode(a)
            mv, mi = a.max(-1)
            probe.append({
                "window": w,
                "tokens": windows[w].tolist(),
                "l0": float((a > 0).float().sum(-1).mean()),
                "variance_explained": float(1 - ((r - x) ** 2).sum() / ((x - x.mean(0)) ** 2).sum()),
                "top_feature": mi.tolist(),
                "top_act": [round(float(v), 6) for v in mv],
            })
    update_json(out, "probe", {
        "about": "held-out windows (BOS + 127 tokens); per window over positions 1..: L0, variance explained about the window's own mean, and each position's most active feature",
        "windows": probe,
    })

    # --- five features --------------------------------------------------------------------------
    rng = np.random.default_rng(args.seed)
    pool = np.flatnonzero((density >= 1e-3) & (density <= 1e-1))
    chosen = sorted(rng.choice(pool, size=min(args.n_features, len(pool)), replace=False).tolist())
    text = TokenText(args.model)
    flat_tokens = windows[:, 1:].reshape(-1)
    ln_w = model.ln_f.weight.detach()
    W_U = model.wte.weight.detach().T  # [d_model, d_vocab]
    features = []
    for f in chosen:
        rows, cols = np.nonzero(top_idx == f)
        vals = top_val[rows, cols]
        keep = vals > 0
        rows, vals = rows[keep], vals[keep]
        order = np.argsort(-vals, kind="stable")
        rows, vals = rows[order], vals[order]

        def example(r: int, v: float) -> dict:
            w, pos = divmod(int(r), n_ctx - 1)
            ids = windows[w].tolist()
            return {"window": w, "position": pos + 1, "token": text.show(ids[pos + 1]), "act": float(v),
                    "context": text.context(ids, pos + 1, before=14, after=0)}
        top = [example(r, v) for r, v in zip(rows[:args.top], vals[:args.top])]
        uniform = []
        n = len(vals)
        asc_rows, asc_vals = rows[::-1], vals[::-1]
        for bi in range(args.uniform_bins):
            lo, hi = n * bi // args.uniform_bins, n * (bi + 1) // args.uniform_bins
            if hi <= lo:
                continue
            picks = sorted(rng.choice(np.arange(lo, hi), size=min(args.per_bin, hi - lo), replace=False).tolist())
            for j in picks:
                e = example(asc_rows[j], asc_vals[j])
                e["quantile_bin"] = [bi / args.uniform_bins, (bi + 1) / args.uniform_bins]
                uniform.append(e)
        lens = (sae.W_dec[f].detach() * ln_w) @ W_U  # [d_vocab]
        tv, ti = torch.topk(lens, 10)
        bv, bi_ = torch.topk(-lens, 10)
        cur = {}
        for r in rows:
            t = int(flat_tokens[r])
            cur[t] = cur.get(t, 0) + 1
        common = sorted(cur.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
        features.append({
            "feature": f,
            "density": float(density[f]),
            "log10_density": float(log_density[f]),
            "max_act": float(vals[0]) if n else 0.0,
            "active_tokens": int(n),
            "most_common_tokens": [{"token": text.show(t), "share": c_ / n} for t, c_ in common],
            "top_examples": top,
            "uniform_examples": uniform,
            "logit_lens": {
                "basis": "W_dec[f] · diag(ln_f.weight) · W_U, W_U = W_E transposed (tied); ln_f bias left out",
                "top": [{"token": text.show(int(t)), "value": float(v)} for v, t in zip(tv, ti)],
                "bottom": [{"token": text.show(int(t)), "value": -float(v)} for v, t in zip(bv, bi_)],
            },
        })
    update_json(out, "features", {
        "rule": f"a random sample (numpy default_rng({args.seed})) of {args.n_features} of the {len(pool)} features with held-out density in [1e-3, 1e-1]",
        "top": args.top, "uniform_bins": args.uniform_bins, "per_bin": args.per_bin,
        "features": features,
    })
    print(f"features {chosen}; {time.time() - started:.0f} s in all")


if __name__ == "__main__":
    main()
