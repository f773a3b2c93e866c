"""Train the shipped GPT-2-architecture model on the tokenised corpus.

    /usr/bin/python3 tools/model/train.py --data .tmp/model/data --out .tmp/model/ckpt [options]

Reads train.bin / heldout.bin (uint16 token ids, documents separated by <|endoftext|>) and
meta.json (vocab_size, eot id) written by tools/model/encodeCorpus.ts. Picks CUDA when present,
else the CPU with 2 torch threads. Every batch row is BOS (<|endoftext|>) followed by a window of
n_ctx − 1 tokens starting at a uniformly random offset of the training stream (so windows cross
document boundaries at <|endoftext|>, and position 0 is always BOS, as in the prompts the
extension runs). With --random-repeat-fraction, that share of every batch is an induction
curriculum instead: BOS + R + R + ... with R uniformly random tokens and no loss on the first copy of
R. Code alone does not grow induction heads within a CPU budget (a 16 M-token run on code only
reached a best induction score of 0.02); these rows reward copying from earlier context and nothing
else. With --induction-phase-until S, every row is such a row until the best induction score of the
probe (below) reaches S, then the run goes on with --random-repeat-fraction. AdamW, linear warm-up then cosine decay to lr/10 over --steps, or over --time-budget seconds when
that runs out first (for a CPU shared with other jobs; the LR of every step is saved, and the step
count reached is recorded; with no time budget, e.g. on a GPU, the schedule is the plain step cosine). Fixed seeds: the batch of step
s depends only on (seed, s), so a resumed run sees the same data as an uninterrupted one.

Writes <out>/latest.pt every --ckpt-every steps (atomically), <out>/final.pt at the end, and one
JSON line per log interval to <out>/log.jsonl. --bench N times N steps and exits.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time

# The CPU is shared with other jobs: OpenMP threads that spin while waiting for a descheduled sibling
# make a 2-thread run many times slower than 1 thread. Passive waiting avoids that (set before torch loads).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("GOMP_SPINCOUNT", "0")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt2 import Gpt2, Gpt2Config, param_count  # noqa: E402


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=".tmp/model/data")
    p.add_argument("--out", default=".tmp/model/ckpt")
    p.add_argument("--n-layer", type=int, default=4)
    p.add_argument("--n-head", type=int, default=8)
    p.add_argument("--n-embd", type=int, default=256)
    p.add_argument("--n-ctx", type=int, default=256)
    p.add_argument("--batch", type=int, default=16, help="sequences per step")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--warmup", type=int, default=100)
    p.add_argument("--weight-decay", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=1234)
    p.add_argument("--ckpt-every", type=int, default=100)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--eval-batches", type=int, default=4)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--threads", type=int, default=2, help="torch threads on the CPU")
    p.add_argument("--device", default="auto", help="auto | cpu | cuda")
    p.add_argument("--resume", action="store_true", help="continue from <out>/latest.pt")
    p.add_argument("--time-budget", type=float, default=0,
                   help="seconds of training: the cosine follows the step count or the elapsed time, whichever "
                        "is further along, and the run ends when either is used up (0: steps only)")
    p.add_argument("--deadline", type=float, default=0,
                   help="Unix time: past it, save latest.pt and stop early (a partial run, recorded as such)")
    p.add_argument("--bench", type=int, default=0, help="time this many steps, print tokens/s, exit")
    p.add_argument("--init-from", default="", help="start from this checkpoint's weights (new optimizer and schedule)")
    p.add_argument("--repeat-fraction", type=float, default=0.0,
                   help="fraction of each batch that is a code window repeated twice (BOS + R + R): a curriculum "
                        "that rewards copying from earlier context, i.e. induction heads")
    p.add_argument("--random-repeat-fraction", type=float, default=0.0,
                   help="fraction of each batch that is a sequence R of uniformly random tokens repeated to fill the "
                        "context (BOS + R + R + ...), |R| uniform in [--random-repeat-min, n_ctx/2]; the loss skips "
                        "the first copy of R (unpredictable), so these rows only reward copying: induction heads")
    p.add_argument("--random-repeat-min", type=int, default=8)
    p.add_argument("--induction-phase-until", type=float, default=0.0,
                   help="start with an induction phase: every row random-repeat until the probe's best induction "
                        "score reaches this (checked every --eval-every steps), then --random-repeat-fraction (0: no phase)")
    p.add_argument("--induction-phase-max-steps", type=int, default=3000,
                   help="end the induction phase here even if the score was not reached")
    return p.parse_args()


def progress_at(step: int, seconds: float, args: argparse.Namespace) -> float:
    """How far through the cosine the run is: by steps, or by wall-clock time if that is further."""
    by_steps = (step - args.warmup) / max(1, args.steps - args.warmup)
    by_time = seconds / args.time_budget if args.time_budget else 0.0
    return max(by_steps, by_time)


def lr_at(step: int, progress: float, args: argparse.Namespace) -> float:
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    return args.lr * (0.1 + 0.9 * 0.5 * (1.0 + math.cos(math.pi * min(1.0, progress))))


IGNORE = -100  # F.cross_entropy's ignore_index: targets that carry no loss


def random_tokens(rng: np.random.Generator, size, vocab_size: int, bos: int) -> np.ndarray:
    """Uniformly random token ids of the given shape, never BOS."""
    r = rng.integers(0, vocab_size - 1, size=size)
    return np.where(r >= bos, r + 1, r)


def batch_at(tokens: np.ndarray, rng: np.random.Generator, batch: int, n_ctx: int, bos: int, repeat_fraction: float = 0.0,
             random_repeat_fraction: float = 0.0, random_repeat_min: int = 8, vocab_size: int = 0):
    """x: [batch, n_ctx] = BOS + window; y: [batch, n_ctx] = the window shifted by one (IGNORE: no loss).
    The first round(repeat_fraction · batch) windows are a half-length code window R repeated: R + R.
    The last round(random_repeat_fraction · batch) rows are uniformly random tokens R (never BOS) repeated
    to fill the row, with no loss on the first copy of R."""
    starts = rng.integers(0, len(tokens) - n_ctx, size=batch)
    rows = np.stack([tokens[s:s + n_ctx].astype(np.int64) for s in starts])  # [batch, n_ctx]
    targets = rows.copy()  # [batch, n_ctx]
    half = n_ctx // 2
    for i in range(int(round(repeat_fraction * batch))):
        rows[i] = np.concatenate([rows[i, :half], rows[i, :half], rows[i, :n_ctx - 2 * half]])
        targets[i] = rows[i]
    n_random = int(round(random_repeat_fraction * batch))
    for i in range(batch - n_random, batch):
        length = int(rng.integers(random_repeat_min, half + 1))
        rows[i] = np.resize(random_tokens(rng, length, vocab_size, bos), n_ctx)  # R + R + ... truncated to n_ctx
        targets[i] = rows[i]
        targets[i, :length] = IGNORE  # the first copy of R cannot be predicted
    x = np.concatenate([np.full((batch, 1), bos, dtype=np.int64), rows[:, :-1]], axis=1)
    return torch.from_numpy(x), torch.from_numpy(targets)


@torch.no_grad()
def induction_probe(model: Gpt2, vocab_size: int, bos: int, device, length: int = 50, n_seq: int = 8) -> dict:
    """The best previous-token and induction scores over heads on BOS + R + R, |R| = length (as analyze.py
    and the shipped-model test measure them), for watching the curriculum work during training."""
    r = random_tokens(np.random.default_rng(424242), (n_seq, length), vocab_size, bos)  # [n_seq, length]
    x = torch.from_numpy(np.concatenate([np.full((n_seq, 1), bos), r, r], axis=1)).to(device)  # [n_seq, 1 + 2·length]
    model.eval()
    _, patterns = model(x, return_patterns=True)  # layer × [n_seq, head_index, pos_q, pos_k]
    model.train()
    pat = torch.stack(patterns)  # [layer, n_seq, head_index, pos_q, pos_k]
    q = torch.arange(length + 1, 2 * length + 1, device=device)
    induction = pat[..., q, q - length + 1].mean(dim=(1, -1))  # [layer, head_index]
    p = torch.arange(1, 2 * length + 1, device=device)
    previous = pat[..., p, p - 1].mean(dim=(1, -1))  # [layer, head_index]
    def best(scores: torch.Tensor) -> tuple[float, str]:  # [layer, head_index] -> (score, "layer.head")
        layer, head = divmod(scores.argmax().item(), scores.shape[1])
        return round(scores.max().item(), 4), f"{layer}.{head}"

    (ind, ind_head), (prev, prev_head) = best(induction), best(previous)
    return {"induction": ind, "induction_head": ind_head, "previous_token": prev, "previous_token_head": prev_head}


def save_atomic(obj: dict, path: str) -> None:
    torch.save(obj, path + ".part")
    os.replace(path + ".part", path)


@torch.no_grad()
def heldout_loss(model: Gpt2, tokens: np.ndarray, args, bos: int, device) -> float:
    rng = np.random.default_rng(args.seed + 999_983)  # the same windows every evaluation
    model.eval()
    total = 0.0
    for _ in range(args.eval_batches):
        x, y = batch_at(tokens, rng, args.batch, args.n_ctx, bos)
        logits = model(x.to(device))
        total += F.cross_entropy(logits.flatten(0, 1), y.to(device).flatten()).item()
    model.train()
    return total / args.eval_batches


def main() -> None:
    args = parse_args()
    device = torch.device("cuda" if (args.device == "auto" and torch.cuda.is_available()) else
                          ("cpu" if args.device == "auto" else args.device))
    if device.type == "cpu":
        torch.set_num_threads(args.threads)
        torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    with open(os.path.join(args.data, "meta.json")) as f:
        meta = json.load(f)
    train = np.memmap(os.path.join(args.data, "train.bin"), dtype=np.uint16, mode="r")
    held = np.memmap(os.path.join(args.data, "heldout.bin"), dtype=np.uint16, mode="r")
    eot = meta["eot_id"]
    cfg = Gpt2Config(vocab_size=meta["vocab_size"], n_layer=args.n_layer, n_head=args.n_head,
                     n_embd=args.n_embd, n_positions=args.n_ctx, bos_token_id=eot, eos_token_id=eot)
    model = Gpt2(cfg).to(device)

    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr, betas=(0.9, 0.95), eps=1e-8)
    os.makedirs(args.out, exist_ok=True)
    step, elapsed_before = 0, 0.0
    stopped_by = "steps"
    lrs: list[float] = []  # the learning rate of every step, saved with the checkpoint
    if args.init_from:
        ck = torch.load(args.init_from, map_location=device)
        model.load_state_dict(ck["model"])
        print(f"initialised from {args.init_from} (step {ck['step']}, {ck['tokens_seen']:,} tokens)", flush=True)
    if args.resume and os.path.exists(os.path.join(args.out, "latest.pt")):
        ck = torch.load(os.path.join(args.out, "latest.pt"), map_location=device)
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["opt"])
        step, elapsed_before, lrs = ck["step"], ck["train_seconds"], ck["lrs"]
        print(f"resumed at step {step}", flush=True)

    # The induction phase (all rows random-repeat) lasts until the probe clears --induction-phase-until.
    phase_end = 0 if args.induction_phase_until <= 0 else None  # the step it ended; None: still in it
    if args.resume and os.path.exists(os.path.join(args.out, "latest.pt")):
        phase_end = torch.load(os.path.join(args.out, "latest.pt"), map_location="cpu").get("induction_phase_end", phase_end)
    tokens_per_step = args.batch * args.n_ctx
    print(f"device {device}, threads {torch.get_num_threads()}, params {param_count(model):,}, "
          f"train tokens {len(train):,}, held-out tokens {len(held):,}, {tokens_per_step} tokens/step, "
          f"at most {args.steps} steps = {args.steps * tokens_per_step:,} tokens, time budget {args.time_budget} s",
          flush=True)

    def checkpoint(name: str, held_loss: float | None) -> None:
        save_atomic({"model": model.state_dict(), "opt": opt.state_dict(), "step": step,
                     "config": cfg.as_dict(), "args": vars(args), "tokens_seen": step * tokens_per_step,
                     "train_seconds": elapsed_before + (time.time() - t0), "device": str(device),
                     "device_name": torch.cuda.get_device_name(0) if device.type == "cuda" else
                     f"CPU ({torch.get_num_threads()} torch threads)",
                     "heldout_loss": held_loss, "lrs": lrs, "stopped_by": stopped_by,
                     "induction_phase_end": phase_end}, os.path.join(args.out, name))

    log = open(os.path.join(args.out, "log.jsonl"), "a")
    t0 = time.time()
    t_log, last_loss, held_loss = time.time(), float("nan"), None
    model.train()
    end = args.bench if args.bench else args.steps
    while step < end:
        progress = progress_at(step, elapsed_before + time.time() - t0, args)
        if not args.bench and step >= args.warmup and progress >= 1.0:
            stopped_by = "time_budget" if progress_at(step, 0.0, args) < 1.0 else "steps"
            break
        rng = np.random.default_rng([args.seed, step])
        if phase_end is None and step >= args.induction_phase_max_steps:
            phase_end = step
            print(f"induction phase ended at its step limit ({step}) without reaching the score", flush=True)
        fraction = 1.0 if phase_end is None else args.random_repeat_fraction
        x, y = batch_at(train, rng, args.batch, args.n_ctx, eot, args.repeat_fraction,
                        fraction, args.random_repeat_min, cfg.vocab_size)
        lr = lr_at(step, progress, args)
        lrs.append(lr)
        for g in opt.param_groups:
            g["lr"] = lr
        logits = model(x.to(device))  # [batch, pos, d_vocab]
        loss = F.cross_entropy(logits.flatten(0, 1), y.to(device).flatten(), ignore_index=IGNORE)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        last_loss = loss.item()
        if args.bench:
            continue
        probe = None
        if step % args.eval_every == 0:
            held_loss = heldout_loss(model, held, args, eot, device)
            probe = induction_probe(model, cfg.vocab_size, eot, device)
            if phase_end is None and probe["induction"] >= args.induction_phase_until:
                phase_end = step
                print(f"induction phase ended at step {step}: induction score {probe['induction']}", flush=True)
        if step % args.log_every == 0:
            now = time.time()
            rec = {"step": step, "tokens": step * tokens_per_step, "loss": round(last_loss, 4), "lr": lr,
                   "tok_per_s": round(args.log_every * tokens_per_step / (now - t_log)),
                   "elapsed_s": round(elapsed_before + now - t0, 1)}
            if held_loss is not None and step % args.eval_every == 0:
                rec["heldout_loss"] = round(held_loss, 4)
            if probe is not None:
                rec["probe"] = probe
            log.write(json.dumps(rec) + "\n")
            log.flush()
            print(json.dumps(rec), flush=True)
            t_log = now
        if step % args.ckpt_every == 0:
            checkpoint("latest.pt", held_loss)
        if args.deadline and time.time() > args.deadline and step < args.steps:
            held_loss = heldout_loss(model, held, args, eot, device)
            stopped_by = "deadline"
            checkpoint("latest.pt", held_loss)
            print(f"deadline reached at step {step} of {args.steps}: stopped early", flush=True)
            return
    if args.bench:
        dt = time.time() - t0
        print(json.dumps({"bench_steps": args.bench, "seconds": round(dt, 2),
                          "tok_per_s": round(args.bench * tokens_per_step / dt), "last_loss": last_loss}))
        return
    held_loss = heldout_loss(model, held, args, eot, device)
    checkpoint("latest.pt", held_loss)
    checkpoint("final.pt", held_loss)
    print(json.dumps({"final_step": step, "tokens": step * tokens_per_step, "heldout_loss": round(held_loss, 4),
                      "train_seconds": round(elapsed_before + time.time() - t0, 1)}), flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main()
