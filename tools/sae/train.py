"""Step 2 of the SAE pipeline: train a sparse autoencoder on blocks.1.hook_resid_pre of the shipped model.

    /usr/bin/python3 tools/sae/train.py [--architecture standard|topk] [--d-sae 1024] [--tokens 3000000] ...

1. Activations: --tokens training-split tokens, in windows of BOS + n_ctx − 1 tokens from seeded random
   offsets of the training stream (like the model's training batches), run through block 0; the BOS
   position is dropped (its norm is ~2.4× the others'). Kept in memory (float32, d_model 64) and
   visited in a seeded random order, --epochs times.
2. The SAE (SAELens semantics, apply_b_dec_to_input): b_dec starts at the mean activation.
   - standard: relu(x'W_enc + b_enc); loss = Σ‖x − x̂‖² + λ Σ_i f_i ‖W_dec[i]‖ (SAELens's
     scale_sparsity_penalty_by_decoder_norm, Anthropic's April 2024 recipe): W_dec rows start at norm
     0.1, W_enc = W_decᵀ, λ warms up linearly over the first 5% of steps, the LR decays to 0 over the
     last 20%, gradients are clipped to norm 1. At the end the decoder norms are folded into the encoder
     (SAELens fold_W_dec_norm), so W_dec rows are unit vectors and the function is unchanged.
   - topk: the k largest of relu(pre); loss = Σ‖x − x̂‖² + AuxK (Gao et al. 2024: the top k_aux = d_in/2
     dead features reconstruct the residual; dead = no activation in the last --dead-window tokens);
     W_dec rows are renormalised to unit norm after each step.
Writes .tmp/sae/<run>/sae.pt (weights + cfg + log) and log.jsonl.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (DATA_DIR, MODEL_DIR, WORK_DIR, Sae, load_model, read_split, resid_pre,  # noqa: E402
                    set_threads, train_windows)

import numpy as np  # noqa: E402
import torch  # noqa: E402


def collect(model, stream, n_tokens: int, seed: int, batch: int = 256) -> torch.Tensor:
    """[n, d_model] activations at positions 1.. of seeded random training windows."""
    n_ctx, bos = model.cfg.n_positions, model.cfg.bos_token_id
    n_windows = -(-n_tokens // (n_ctx - 1))
    windows = torch.from_numpy(train_windows(stream, n_windows, n_ctx, bos, seed))
    out = torch.empty(n_windows * (n_ctx - 1), model.cfg.n_embd)
    with torch.no_grad():
        for i in range(0, n_windows, batch):
            x = resid_pre(model, windows[i:i + batch])[:, 1:]  # drop BOS
            out[i * (n_ctx - 1):(i + x.shape[0]) * (n_ctx - 1)] = x.reshape(-1, x.shape[-1])
    return out[:n_tokens]


def init_sae(args, d_in: int, mean: torch.Tensor, gen: torch.Generator) -> Sae:
    sae = Sae(d_in, args.d_sae, args.architecture, args.k if args.architecture == "topk" else None)
    with torch.no_grad():
        w = torch.randn(args.d_sae, d_in, generator=gen)
        w /= w.norm(dim=1, keepdim=True)
        if args.architecture == "standard":
            w *= args.init_dec_norm
        sae.W_dec.copy_(w)
        sae.W_enc.copy_(w.T)
        sae.b_dec.copy_(mean)
    return sae


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=MODEL_DIR)
    p.add_argument("--data", default=DATA_DIR)
    p.add_argument("--out", default=os.path.join(WORK_DIR, "run"))
    p.add_argument("--architecture", default="standard", choices=["standard", "topk"])
    p.add_argument("--d-sae", type=int, default=1024)
    p.add_argument("--k", type=int, default=16)
    p.add_argument("--l1", type=float, default=5.0, help="λ of the decoder-norm-weighted L1 (standard)")
    p.add_argument("--init-dec-norm", type=float, default=0.1)
    p.add_argument("--aux-coef", type=float, default=1 / 32, help="AuxK weight (topk)")
    p.add_argument("--dead-window", type=int, default=500_000, help="tokens without a firing = dead (AuxK)")
    p.add_argument("--tokens", type=int, default=3_000_000)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch", type=int, default=4096)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=4321)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--log-every", type=int, default=100)
    args = p.parse_args()
    set_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    t0 = time.time()
    model = load_model(args.model)
    for q in model.parameters():
        q.requires_grad_(False)
    acts = collect(model, read_split("train", args.data), args.tokens, args.seed)
    t_collect = time.time() - t0
    print(f"collected {acts.shape[0]} activations in {t_collect:.1f} s", flush=True)
    d_in = acts.shape[1]
    mean = acts.mean(0)
    total_var = float(((acts - mean) ** 2).sum(-1).mean())

    gen = torch.Generator().manual_seed(args.seed)
    sae = init_sae(args, d_in, mean, gen)
    opt = torch.optim.Adam(sae.parameters(), lr=args.lr, betas=(0.9, 0.999))
    steps_per_epoch = acts.shape[0] // args.batch
    steps = steps_per_epoch * args.epochs
    warm_l1, decay_from = max(1, steps // 20), int(steps * 0.8)
    last_fired = torch.zeros(args.d_sae, dtype=torch.long)  # tokens seen when each feature last fired
    seen = 0
    log = open(os.path.join(args.out, "log.jsonl"), "w")
    t1 = time.time()
    step = 0
    agg = {"mse": 0.0, "l0": 0.0, "aux": 0.0, "n": 0}
    for epoch in range(args.epochs):
        order = torch.randperm(acts.shape[0], generator=gen)
        for b in range(steps_per_epoch):
            x = acts[order[b * args.batch:(b + 1) * args.batch]]
            lr = args.lr * (1.0 if step < decay_from else (steps - step) / (steps - decay_from))
            for g in opt.param_groups:
                g["lr"] = lr
            pre = sae.pre(x)
            if args.architecture == "topk":
                top = torch.topk(pre, args.k, dim=-1)
                f = torch.zeros_like(pre).scatter(-1, top.indices, torch.relu(top.values))
            else:
                f = torch.relu(pre)
            recon = f @ sae.W_dec + sae.b_dec
            mse = ((recon - x) ** 2).sum(-1).mean()
            fired = (f > 0).any(0)
            seen += x.shape[0]
            last_fired[fired] = seen
            aux = torch.zeros(())
            if args.architecture == "standard":
                lam = args.l1 * min(1.0, (step + 1) / warm_l1)
                sparsity = (f * sae.W_dec.norm(dim=1)).sum(-1).mean()
                loss = mse + lam * sparsity
            else:
                dead = (seen - last_fired) > args.dead_window
                n_dead = int(dead.sum())
                if n_dead > 0:
                    k_aux = min(d_in // 2, n_dead)
                    resid = (x - recon).detach()
                    masked = torch.where(dead[None], pre, torch.full_like(pre, -float("inf")))
                    ta = torch.topk(masked, k_aux, dim=-1)
                    fa = torch.zeros_like(pre).scatter(-1, ta.indices, torch.relu(ta.values))
                    aux = ((fa @ sae.W_dec - resid) ** 2).sum(-1).mean() * min(n_dead / k_aux, 1.0)
                loss = mse + args.aux_coef * aux
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if args.architecture == "topk":
                with torch.no_grad():  # keep the gradient tangent to the unit-norm constraint
                    w = sae.W_dec / sae.W_dec.norm(dim=1, keepdim=True)
                    sae.W_dec.grad -= (sae.W_dec.grad * w).sum(1, keepdim=True) * w
            else:
                torch.nn.utils.clip_grad_norm_(sae.parameters(), 1.0)
            opt.step()
            if args.architecture == "topk":
                with torch.no_grad():
                    sae.W_dec /= sae.W_dec.norm(dim=1, keepdim=True)
            agg["mse"] += float(mse)
            agg["l0"] += float((f > 0).float().sum(-1).mean())
            agg["aux"] += float(aux)
            agg["n"] += 1
            step += 1
            if step % args.log_every == 0 or step == steps:
                n = agg["n"]
                rec = {"step": step, "epoch": epoch, "lr": lr, "mse": agg["mse"] / n, "fve": 1 - agg["mse"] / n / total_var,
                       "l0": agg["l0"] / n, "aux": agg["aux"] / n,
                       "dead_500k": int(((seen - last_fired) > 500_000).sum()) if seen > 500_000 else None,
                       "seconds": time.time() - t1}
                log.write(json.dumps(rec) + "\n")
                log.flush()
                print(json.dumps(rec), flush=True)
                agg = {"mse": 0.0, "l0": 0.0, "aux": 0.0, "n": 0}
    t_train = time.time() - t1

    if args.architecture == "standard":  # fold decoder norms into the encoder: unit W_dec rows, same function
        with torch.no_grad():
            norms = sae.W_dec.norm(dim=1)
            sae.W_dec /= norms[:, None]
            sae.W_enc *= norms[None, :]
            sae.b_enc *= norms
    cfg = {k: v for k, v in vars(args).items()}
    cfg.update({"d_in": d_in, "steps": step, "tokens_trained": step * args.batch, "activations": int(acts.shape[0]),
                "collect_seconds": t_collect, "train_seconds": t_train, "torch": torch.__version__,
                "train_total_variance": total_var})
    torch.save({"cfg": cfg, "state": {k: v.detach().clone() for k, v in sae.state_dict().items()}}, os.path.join(args.out, "sae.pt"))
    json.dump(cfg, open(os.path.join(args.out, "train.json"), "w"), indent=2)
    print(f"trained {step} steps in {t_train:.1f} s → {args.out}/sae.pt")
    _ = np


if __name__ == "__main__":
    main()
