"""PyTorch eager baseline for the engine benchmark: float32 GPT-2 forward, no hooks.

Same formulas as gpt2_reference.py, written as a lean HF-style eager forward (F.layer_norm with the
config's eps, addmm for Conv1D, softmax, the configured activation), in float32 under
torch.inference_mode() with torch.set_num_threads(--threads). Times, after warm-up:
  forward_last_ms: the whole stack, then ln_f + unembedding at the LAST position only;
  forward_all_ms:  the whole stack, then ln_f + unembedding at ALL positions.
Prints one JSON line: {"load_s", "forward_last_ms" (median), "forward_all_ms" (median), "tokens", ...}.

Usage: bench_torch.py --checkpoint DIR --tokens N --repeat R --threads 2 [--warmup W]
       bench_torch.py --checkpoint DIR --serve --threads 2
With --serve it loads the weights once, then reads lines "TOKENS REPEAT" from stdin and answers each
with one JSON line {"tokens", "wall_ms": [...], "cpu_ms": [...]} (last-position logits, after one
warm-up run; cpu_ms is the process CPU time, all threads), so a caller can interleave its own runs
with these on the same machine conditions. An empty line or EOF ends it.
"""

import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt2_reference import ACTIVATIONS, load_checkpoint  # noqa: E402


def make_forward(cfg, w):
    H, dh, d = cfg.n_heads, cfg.d_head, cfg.d_model
    act = ACTIVATIONS[cfg.activation]
    eps = cfg.layer_norm_eps
    inv_sqrt = 1.0 / math.sqrt(dh) if cfg.scale_attn_weights else 1.0
    layers = []
    for l in range(cfg.n_layers):
        p = f"h.{l}."
        scale = inv_sqrt / (l + 1) if cfg.scale_attn_by_inverse_layer_idx else inv_sqrt
        layers.append(tuple(w[p + k] for k in (
            "ln_1.weight", "ln_1.bias", "attn.c_attn.weight", "attn.c_attn.bias", "attn.c_proj.weight",
            "attn.c_proj.bias", "ln_2.weight", "ln_2.bias", "mlp.c_fc.weight", "mlp.c_fc.bias",
            "mlp.c_proj.weight", "mlp.c_proj.bias")) + (scale,))
    wte, wpe, lm_head = w["wte.weight"], w["wpe.weight"], w["lm_head.weight"]
    ln_f_w, ln_f_b = w["ln_f.weight"], w["ln_f.bias"]

    def forward(tokens, last_only):
        P = tokens.shape[0]
        x = wte[tokens] + wpe[:P]  # [pos, d_model]
        mask = torch.ones(P, P, dtype=torch.bool).triu(1)  # True above the diagonal = masked
        for (l1w, l1b, qkv_w, qkv_b, o_w, o_b, l2w, l2b, fc_w, fc_b, pr_w, pr_b, scale) in layers:
            h = F.layer_norm(x, (d,), l1w, l1b, eps)
            qkv = torch.addmm(qkv_b, h, qkv_w)  # [pos, 3*d_model]
            q, k, v = qkv.view(P, 3, H, dh).permute(1, 2, 0, 3)  # each [head_index, pos, d_head]
            s = torch.matmul(q, k.transpose(1, 2)) * scale  # [head_index, query_pos, key_pos]
            s = s.masked_fill(mask, -math.inf)
            z = torch.matmul(torch.softmax(s, dim=-1), v)  # [head_index, pos, d_head]
            x = x + torch.addmm(o_b, z.transpose(0, 1).reshape(P, d), o_w)
            h = F.layer_norm(x, (d,), l2w, l2b, eps)
            x = x + torch.addmm(pr_b, act(torch.addmm(fc_b, h, fc_w)), pr_w)
        if last_only:
            x = x[-1:]
        return F.layer_norm(x, (d,), ln_f_w, ln_f_b, eps) @ lm_head.T  # [pos or 1, d_vocab]

    return forward


def time_ms(fn, repeat):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def serve(forward, cfg):
    """Answers "TOKENS REPEAT" lines with per-run wall and CPU times (see the module docstring)."""
    print(json.dumps({"ready": True, "torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        n, repeat = (int(x) for x in line.split())
        if not 1 <= n <= cfg.n_ctx:
            print(json.dumps({"error": f"tokens must be in 1..{cfg.n_ctx}"}), flush=True)
            continue
        tokens = torch.randint(0, cfg.d_vocab, (n,), generator=torch.Generator().manual_seed(n))
        wall, cpu = [], []
        with torch.inference_mode():
            forward(tokens, True)
            for _ in range(repeat):
                c0, t0 = time.process_time(), time.perf_counter()
                forward(tokens, True)
                wall.append(round((time.perf_counter() - t0) * 1000.0, 3))
                cpu.append(round((time.process_time() - c0) * 1000.0, 3))
        print(json.dumps({"tokens": n, "wall_ms": wall, "cpu_ms": cpu}), flush=True)


def main():
    ap = argparse.ArgumentParser(description="PyTorch float32 eager GPT-2 forward benchmark")
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--tokens", type=int)
    ap.add_argument("--serve", action="store_true", help="answer 'TOKENS REPEAT' lines from stdin")
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    t0 = time.perf_counter()
    cfg, w = load_checkpoint(a.checkpoint, dtype=torch.float32)
    load_s = time.perf_counter() - t0
    if a.serve:
        serve(make_forward(cfg, w), cfg)
        return
    if a.tokens is None:
        sys.exit("--tokens is required without --serve")
    if not 1 <= a.tokens <= cfg.n_ctx:
        sys.exit(f"--tokens must be in 1..{cfg.n_ctx} (n_positions)")
    tokens = torch.randint(0, cfg.d_vocab, (a.tokens,), generator=torch.Generator().manual_seed(a.seed))
    forward = make_forward(cfg, w)
    with torch.inference_mode():
        for _ in range(a.warmup):
            forward(tokens, True)
            forward(tokens, False)
        last = time_ms(lambda: forward(tokens, True), a.repeat)
        full = time_ms(lambda: forward(tokens, False), a.repeat)
    print(json.dumps({
        "load_s": round(load_s, 4),
        "forward_last_ms": round(statistics.median(last), 3),
        "forward_all_ms": round(statistics.median(full), 3),
        "tokens": a.tokens,
        "repeat": a.repeat,
        "threads": a.threads,
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
