"""Step 4 of the model pipeline: write a training checkpoint as a Hugging Face GPT-2 model folder.

    /usr/bin/python3 tools/model/export.py --ckpt .tmp/model/ckpt/final.pt --out models/gpt2-python-mini [--dtype F32]

Writes config.json (the layout of openai-community/gpt2) and model.safetensors, written by hand:
8-byte little-endian header length N, N bytes of JSON header (padded with spaces to a multiple of 8),
then the tensors back to back. Names are GPT-2's bare names (h.{i}.attn.c_attn.weight, ..., wte, wpe,
ln_f); Conv1D weights are [in, out]; no lm_head.weight (tied to wte) and no attn.bias mask buffers.
Also writes training.json: the checkpoint's provenance (steps, tokens seen, time, hardware, arguments).
The vocab.json and merges.txt already in --out (from buildVocab.ts) must match the config's vocab_size.
"""
from __future__ import annotations

import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gpt2 import Gpt2, Gpt2Config  # noqa: E402

DTYPES = {"F32": (torch.float32, np.float32), "F16": (torch.float16, np.float16)}


def write_safetensors(path: str, tensors: dict[str, torch.Tensor], dtype: str, metadata: dict[str, str]) -> None:
    torch_dtype, np_dtype = DTYPES[dtype]
    header: dict = {"__metadata__": metadata}
    blobs: list[bytes] = []
    offset = 0
    for name in sorted(tensors):
        arr = tensors[name].detach().to("cpu", torch_dtype).contiguous().numpy().astype(np_dtype, copy=False)
        blob = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes(order="C")
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path + ".part", "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
    os.replace(path + ".part", path)


def read_safetensors(path: str) -> dict[str, torch.Tensor]:
    """The reader used by evaluate.py and analyze.py (the shipped file, not the checkpoint)."""
    np_of = {"F32": np.float32, "F16": np.float16, "BF16": None}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        arr = np.frombuffer(data[b:e], dtype=np.dtype(np_of[info["dtype"]]).newbyteorder("<")).reshape(info["shape"])
        out[name] = torch.from_numpy(arr.astype(np.float32))
    return out


def load_model(folder: str) -> Gpt2:
    with open(os.path.join(folder, "config.json")) as f:
        cfg = Gpt2Config.from_hf(json.load(f))
    model = Gpt2(cfg)
    model.load_gpt2_state_dict(read_safetensors(os.path.join(folder, "model.safetensors")))
    model.eval()
    return model


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--ckpt", default=".tmp/model/ckpt/final.pt")
    p.add_argument("--out", default="models/gpt2-python-mini")
    p.add_argument("--dtype", default="F32", choices=sorted(DTYPES))
    args = p.parse_args()
    ck = torch.load(args.ckpt, map_location="cpu")
    cfg = Gpt2Config(**ck["config"])
    model = Gpt2(cfg)
    model.load_state_dict(ck["model"])
    with open(os.path.join(args.out, "vocab.json")) as f:
        vocab = json.load(f)
    assert len(vocab) == cfg.vocab_size, f"vocab.json has {len(vocab)} tokens, the model {cfg.vocab_size}"
    assert vocab["<|endoftext|>"] == cfg.bos_token_id == cfg.eos_token_id

    tensors = model.gpt2_state_dict()
    write_safetensors(os.path.join(args.out, "model.safetensors"), tensors, args.dtype, {"format": "pt"})
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(cfg.to_hf() | {"torch_dtype": "float32" if args.dtype == "F32" else "float16"}, f, indent=2)
        f.write("\n")
    provenance = {k: ck[k] for k in ("step", "tokens_seen", "train_seconds", "device", "device_name", "heldout_loss")}
    provenance["args"] = ck["args"]
    provenance["stopped_by"] = ck.get("stopped_by", "steps")
    provenance["induction_phase_end"] = ck.get("induction_phase_end")  # step the all-random-repeat phase ended
    provenance["partial"] = provenance["stopped_by"] == "deadline"
    provenance["lr_first_last_max"] = [ck["lrs"][0], ck["lrs"][-1], max(ck["lrs"])] if ck.get("lrs") else None
    work = os.path.dirname(os.path.dirname(os.path.abspath(args.ckpt)))  # .tmp/model
    for key, rel in (("corpus", "corpus-stats.json"), ("vocabulary", "vocab-stats.json"), ("data", "data/meta.json")):
        if os.path.exists(os.path.join(work, rel)):
            with open(os.path.join(work, rel)) as f:
                provenance[key] = json.load(f)
    log = os.path.join(os.path.dirname(os.path.abspath(args.ckpt)), "log.jsonl")
    if os.path.exists(log):
        with open(log) as f:
            recs = [json.loads(line) for line in f if line.strip()]
        # [step, tokens, held-out loss on the training script's fixed 4-batch sample]
        provenance["heldout_curve"] = [[r["step"], r["tokens"], r["heldout_loss"]] for r in recs
                                       if "heldout_loss" in r and r["step"] <= ck["step"]]
    with open(os.path.join(args.out, "training.json"), "w") as f:
        json.dump(provenance, f, indent=2)
        f.write("\n")

    # Round trip: the file we wrote gives back the checkpoint's logits.
    back = load_model(args.out)
    x = torch.randint(0, cfg.vocab_size, (1, 32))
    with torch.no_grad():
        diff = (back(x) - model.eval()(x)).abs().max().item()
    tol = 1e-5 if args.dtype == "F32" else 5e-2
    assert diff < tol, f"exported model differs from the checkpoint by {diff}"
    size = os.path.getsize(os.path.join(args.out, "model.safetensors"))
    print(f"wrote {args.out}: {len(tensors)} tensors, {size:,} bytes, step {ck['step']}, max |Δlogit| {diff:.2e}")


if __name__ == "__main__":
    main()
