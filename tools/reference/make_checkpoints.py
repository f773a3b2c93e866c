"""Writes small random GPT-2 checkpoints in Hugging Face layout for the golden tests.

Each case directory gets config.json, model.safetensors, vocab.json and merges.txt. Weights come from
numpy's PCG64 with a fixed seed per case, so the bytes are reproducible. The init is deliberately
LARGE (matrices std 0.3-1.5, nonzero biases, LN weights 1 +- 0.3, LN biases ~0.3) so that a wrong
GELU, LayerNorm or attention scaling moves the logits far beyond float32 tolerances; see
sensitivity.py for the measured effect.

Usage: make_checkpoints.py [OUT_DIR]   (default test/golden/checkpoints)
"""

import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_bpe  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# name -> spec. storage: F32/F16/BF16; prefix: "" or "transformer."
CASES = {
    "f32-bare": dict(seed=1001, n_layer=2, n_head=4, n_embd=32, n_positions=32, n_inner=None,
                     activation="gelu_new", storage="F32", prefix="", buffers=True),
    "f16-prefixed": dict(seed=1002, n_layer=2, n_head=4, n_embd=32, n_positions=32, n_inner=48,
                         activation="gelu_new", storage="F16", prefix="transformer."),
    "bf16-prefixed": dict(seed=1003, n_layer=3, n_head=2, n_embd=32, n_positions=32, n_inner=None,
                          activation="gelu_new", storage="BF16", prefix="transformer.",
                          inverse_layer_idx=True, tie=False),
    "wide-gelu": dict(seed=1004, n_layer=3, n_head=3, n_embd=48, n_positions=32, n_inner=None,
                      activation="gelu", storage="F32", prefix="transformer."),
    # No normalisation to tame the residual stream: smaller matrices so it stays O(1-10), and ln_f's
    # weight ~0.5e6 so that (x - mean) / 1e6 * weight keeps the logits O(1-10).
    "noln": dict(seed=1005, n_layer=2, n_head=2, n_embd=16, n_positions=32, n_inner=None,
                 activation="gelu_new", storage="F32", prefix="transformer.", noln=True,
                 std=dict(c_attn=0.35, attn_proj=0.25, c_fc=0.3, mlp_proj=0.6), ln_f_gain=0.5e6),
}

# Standard deviations of the N(0, std) init, per tensor kind. The MLP input bias is centred at
# C_FC_BIAS_MEAN < 0: most pre-activations then sit where gelu_new and the exact gelu differ most
# relative to their value (x ~ -3 .. -1), and the large mlp_proj makes that difference visible in the
# logits (swapping the two moves them by ~1e-2 rather than ~1e-3; see sensitivity.json).
STD = dict(
    wte=0.4, wpe=0.4, c_attn=0.3, c_attn_b=0.2, attn_proj=0.3, attn_proj_b=0.2,
    c_fc=0.3, c_fc_b=0.4, mlp_proj=1.5, mlp_proj_b=0.2, ln_w=0.3, ln_b=0.3,
    c_fc_b_mean=-2.5,
)
_TORCH = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
_NAME = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}


def hf_config(spec, vocab_size, eot):
    return {
        "activation_function": spec["activation"],
        "architectures": ["GPT2LMHeadModel"],
        "attn_pdrop": 0.1,
        "bos_token_id": eot,
        "embd_pdrop": 0.1,
        "eos_token_id": eot,
        "initializer_range": 0.02,
        "layer_norm_epsilon": 1e12 if spec.get("noln") else 1e-05,
        "model_type": "gpt2",
        "n_ctx": spec["n_positions"],
        "n_embd": spec["n_embd"],
        "n_head": spec["n_head"],
        "n_inner": spec["n_inner"],
        "n_layer": spec["n_layer"],
        "n_positions": spec["n_positions"],
        "reorder_and_upcast_attn": False,
        "resid_pdrop": 0.1,
        "scale_attn_by_inverse_layer_idx": bool(spec.get("inverse_layer_idx", False)),
        "scale_attn_weights": True,
        "tie_word_embeddings": bool(spec.get("tie", True)),
        "torch_dtype": _NAME[spec["storage"]],
        "use_cache": True,
        "vocab_size": vocab_size,
    }


def random_weights(spec, vocab_size):
    """float64 numpy arrays under bare HF names (plus lm_head.weight when untied)."""
    rng = np.random.Generator(np.random.PCG64(spec["seed"]))
    d, L, P = spec["n_embd"], spec["n_layer"], spec["n_positions"]
    dm = spec["n_inner"] if spec["n_inner"] is not None else 4 * d
    noln = spec.get("noln", False)

    std = dict(STD, **spec.get("std", {}))

    def n(shape, key):
        return rng.standard_normal(shape) * std[key]

    def ln(prefix, w):
        if noln and prefix != "ln_f":
            w[prefix + ".weight"] = np.full([d], 1e6)  # gpt2_noLN: weight 1e6, bias 0 with eps 1e12
            w[prefix + ".bias"] = np.zeros([d])
        elif noln:  # ln_f: (x - mean) / ~1e6 * weight + bias: weight ~1e6-scale
            w[prefix + ".weight"] = spec["ln_f_gain"] * (1.0 + n([d], "ln_w"))
            w[prefix + ".bias"] = n([d], "ln_b")
        else:
            w[prefix + ".weight"] = 1.0 + n([d], "ln_w")
            w[prefix + ".bias"] = n([d], "ln_b")

    w = {"wte.weight": n([vocab_size, d], "wte"), "wpe.weight": n([P, d], "wpe")}
    for l in range(L):
        p = f"h.{l}."
        ln(p + "ln_1", w)
        w[p + "attn.c_attn.weight"] = n([d, 3 * d], "c_attn")
        w[p + "attn.c_attn.bias"] = n([3 * d], "c_attn_b")
        w[p + "attn.c_proj.weight"] = n([d, d], "attn_proj")
        w[p + "attn.c_proj.bias"] = n([d], "attn_proj_b")
        ln(p + "ln_2", w)
        w[p + "mlp.c_fc.weight"] = n([d, dm], "c_fc")
        w[p + "mlp.c_fc.bias"] = std["c_fc_b_mean"] + n([dm], "c_fc_b")
        w[p + "mlp.c_proj.weight"] = n([dm, d], "mlp_proj")
        w[p + "mlp.c_proj.bias"] = n([d], "mlp_proj_b")
    ln("ln_f", w)
    if not spec.get("tie", True):
        w["lm_head.weight"] = n([vocab_size, d], "wte")
    return w


def write_case(name, spec, out_dir):
    vocab, merges = tiny_bpe.build_vocab()
    tiny_bpe.check(vocab, merges)
    eot = vocab[tiny_bpe.EOT]
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    cfg = hf_config(spec, len(vocab), eot)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(d, "vocab.json"), "w", encoding="utf-8") as f:
        f.write(tiny_bpe.vocab_json_text(vocab))
    with open(os.path.join(d, "merges.txt"), "w", encoding="utf-8") as f:
        f.write(tiny_bpe.merges_txt_text(merges))

    dtype = _TORCH[spec["storage"]]
    tensors = {}
    for key, arr in random_weights(spec, len(vocab)).items():
        stored = key if key == "lm_head.weight" else spec["prefix"] + key
        tensors[stored] = torch.from_numpy(arr).to(dtype)
    if spec.get("buffers"):
        P = spec["n_positions"]
        for l in range(spec["n_layer"]):
            tensors[f"{spec['prefix']}h.{l}.attn.bias"] = torch.ones(P, P).tril().reshape(1, 1, P, P).to(dtype)
            tensors[f"{spec['prefix']}h.{l}.attn.masked_bias"] = torch.tensor(-1e4).to(dtype)
    write_safetensors(os.path.join(d, "model.safetensors"), tensors, {"format": "pt"})
    return d


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "test", "golden", "checkpoints")
    for name, spec in CASES.items():
        d = write_case(name, spec, out_dir)
        size = sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
        print(f"checkpoint {name}: {os.path.relpath(d, REPO)} ({size} bytes)")


if __name__ == "__main__":
    main()
