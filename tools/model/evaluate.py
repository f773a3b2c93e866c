"""Step 5b of the model pipeline: held-out loss of the shipped model against n-gram baselines.

    /usr/bin/python3 tools/model/evaluate.py [--model models/gpt2-python-mini] [--data .tmp/model/data]

Loads the exported folder (config.json + model.safetensors, not the training checkpoint). The held-out
stream is cut into consecutive chunks of n_positions tokens; each chunk is predicted from BOS + the
chunk shifted by one, as in training, so every held-out token is predicted once, with 0..255 tokens of
context. Baselines on exactly the same predictions, estimated on the train split: unigram and bigram
(previous token = the model's input token at that position, BOS at a chunk's start) with add-k
smoothing; k is the best of a small grid on the held-out tokens, which favours the baselines.
Writes the "evaluation" section of <model>/evaluation.json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("GOMP_SPINCOUNT", "0")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export import load_model  # noqa: E402

K_GRID = (1.0, 0.1, 0.01, 0.001)


def update_json(path: str, section: str, value: dict) -> None:
    data = json.load(open(path)) if os.path.exists(path) else {}
    data[section] = value
    with open(path, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="models/gpt2-python-mini")
    p.add_argument("--data", default=".tmp/model/data")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--max-chunks", type=int, default=0, help="evaluate only this many chunks (a smoke test)")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    started = time.time()
    model = load_model(args.model)
    cfg = model.cfg
    V, n, bos = cfg.vocab_size, cfg.n_positions, cfg.bos_token_id
    train = np.fromfile(os.path.join(args.data, "train.bin"), dtype="<u2").astype(np.int64)
    held = np.fromfile(os.path.join(args.data, "heldout.bin"), dtype="<u2").astype(np.int64)
    chunks = len(held) // n
    if args.max_chunks:
        chunks = min(chunks, args.max_chunks)
    y = held[: chunks * n].reshape(chunks, n)  # [chunk, pos]
    x = np.concatenate([np.full((chunks, 1), bos), y[:, :-1]], axis=1)  # [chunk, pos]

    # The model.
    nll = np.zeros_like(y, dtype=np.float64)
    with torch.no_grad():
        for i in range(0, chunks, args.batch):
            logits = model(torch.from_numpy(x[i:i + args.batch]))  # [batch, pos, d_vocab]
            lp = F.log_softmax(logits.double(), dim=-1)
            nll[i:i + args.batch] = -lp.gather(-1, torch.from_numpy(y[i:i + args.batch])[..., None])[..., 0].numpy()
    model_loss = float(nll.mean())

    # Unigram and bigram baselines, counted on the train split.
    uni = np.bincount(train, minlength=V).astype(np.float64)
    pair_keys, pair_counts = np.unique(train[:-1] * V + train[1:], return_counts=True)
    prev_counts = np.bincount(train[:-1], minlength=V).astype(np.float64)
    keys = (x * V + y).ravel()
    where = np.searchsorted(pair_keys, keys)
    where = np.minimum(where, len(pair_keys) - 1)
    c_xy = np.where(pair_keys[where] == keys, pair_counts[where], 0).astype(np.float64)
    c_x = prev_counts[x.ravel()]
    c_y = uni[y.ravel()]
    unigram = {k: float(-np.mean(np.log((c_y + k) / (uni.sum() + k * V)))) for k in K_GRID}
    bigram = {k: float(-np.mean(np.log((c_xy + k) / (c_x + k * V)))) for k in K_GRID}
    best_u, best_b = min(unigram, key=unigram.get), min(bigram, key=bigram.get)

    with open(os.path.join(args.model, "training.json")) as f:
        training = json.load(f)
    result = {
        "measured_by": "tools/model/evaluate.py (PyTorch reference implementation, tools/model/gpt2.py)",
        "heldout_tokens_predicted": int(y.size),
        "context": f"chunks of {n} tokens, each predicted from BOS + the chunk shifted by one",
        "model_loss_nats_per_token": round(model_loss, 4),
        "model_loss_by_position_block": {f"{a}-{a + 63}": round(float(nll[:, a:a + 64].mean()), 4) for a in range(0, n, 64)},
        "unigram_loss_nats_per_token": round(unigram[best_u], 4),
        "unigram_add_k": best_u,
        "bigram_loss_nats_per_token": round(bigram[best_b], 4),
        "bigram_add_k": best_b,
        "bigram_loss_by_k": {str(k): round(v, 4) for k, v in bigram.items()},
        "uniform_loss_nats_per_token": round(float(np.log(V)), 4),
        "train_tokens_for_baselines": int(len(train)),
        "tokens_seen_in_training": training["tokens_seen"],
        "seconds": round(time.time() - started, 1),
    }
    update_json(os.path.join(args.model, "evaluation.json"), "evaluation", result)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
