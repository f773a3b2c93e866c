"""Step 3 of the SAE pipeline: write the trained SAE in SAELens's v6 on-disk layout, next to the model.

    /usr/bin/python3 tools/sae/export.py [--run .tmp/sae/run] [--out models/gpt2-python-mini/sae/blocks.1.hook_resid_pre]

Writes cfg.json (v6: the inference fields at the top level, how to use it under `metadata`) and
sae_weights.safetensors (W_enc [d_in, d_sae], W_dec [d_sae, d_in], b_enc [d_sae], b_dec [d_in], F32,
with tools/reference/safetensors_io.py's deterministic writer). The model was not processed by
TransformerLens (no centring of the writing weights), hence model_from_pretrained_kwargs
{"center_writing_weights": false} and normalize_activations "none": the SAE reads the raw residual stream.
The training arguments and timings go to evaluation.json → training.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import HOOK_LAYER, HOOK_NAME, MODEL_DIR, SAE_DIR, WORK_DIR, write_safetensors  # noqa: E402

import torch  # noqa: E402


def update_json(path: str, section: str, value: dict) -> None:
    data = json.load(open(path)) if os.path.exists(path) else {}
    data[section] = value
    with open(path, "w") as f:
        json.dump(data, f, indent=2)
        f.write("\n")


def sae_cfg(train: dict, n_ctx: int) -> dict:
    cfg = {
        "architecture": train["architecture"],
        "d_in": train["d_in"],
        "d_sae": train["d_sae"],
    }
    if train["architecture"] == "topk":
        cfg["k"] = train["k"]
    cfg.update({
        "dtype": "float32",
        "device": "cpu",
        "apply_b_dec_to_input": True,
        "normalize_activations": "none",
        "reshape_activations": "none",
        "metadata": {
            "model_name": "gpt2-python-mini",
            "hook_name": HOOK_NAME,
            "hook_layer": HOOK_LAYER,
            "hook_head_index": None,
            "model_class_name": "HookedTransformer",
            "model_from_pretrained_kwargs": {"center_writing_weights": False},
            "prepend_bos": True,
            "exclude_special_tokens": False,
            "seqpos_slice": [1, None],
            "context_size": n_ctx,
            "dataset_path": "the training split of models/gpt2-python-mini's corpus (tools/model/corpus.ts)",
            "neuronpedia_id": None,
            "sae_lens_training_version": None,
            "trained_with": "tools/sae/train.py (PyTorch, not SAELens); see README.md",
        },
    })
    return cfg


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--run", default=os.path.join(WORK_DIR, "run"))
    p.add_argument("--model", default=MODEL_DIR)
    p.add_argument("--out", default=SAE_DIR)
    args = p.parse_args()
    ck = torch.load(os.path.join(args.run, "sae.pt"), map_location="cpu")
    n_ctx = json.load(open(os.path.join(args.model, "config.json")))["n_positions"]
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "cfg.json"), "w") as f:
        json.dump(sae_cfg(ck["cfg"], n_ctx), f, indent=2)
        f.write("\n")
    tensors = {k: ck["state"][k].to(torch.float32).contiguous() for k in ("W_enc", "W_dec", "b_enc", "b_dec")}
    write_safetensors(os.path.join(args.out, "sae_weights.safetensors"), tensors, {"format": "pt"})
    skip = {"out", "model", "data", "log_every"} | ({"l1", "init_dec_norm"} if ck["cfg"]["architecture"] == "topk" else {"k", "aux_coef", "dead_window"})
    train = {k: ck["cfg"][k] for k in sorted(ck["cfg"]) if k not in skip}
    log = [json.loads(line) for line in open(os.path.join(args.run, "log.jsonl"))]
    train["last_logged"] = log[-1]  # the training batches' mse, fve, L0 over the last logging interval
    update_json(os.path.join(args.out, "evaluation.json"), "training", train)
    print(f"wrote {args.out}/cfg.json, sae_weights.safetensors; evaluation.json → training")


if __name__ == "__main__":
    main()
