"""Independent GPT-2 forward pass in plain torch ops, float64, with TransformerLens hook points.

Semantics follow Hugging Face `GPT2LMHeadModel` (pre-LN blocks, Conv1D weights laid out [in, out],
LayerNorm with the config's `layer_norm_epsilon` exactly as given, activation from the config,
optional attention scalings, tied unembedding unless `tie_word_embeddings` is false). Nothing is
imported from `transformers`, TransformerLens or the TypeScript engine: the only inputs are the
checkpoint files.

Every activation passes through `self._hook(name, x)`: a user hook (a patch) may replace it, and the
value that flows on (after any patch) is what the cache records, so downstream hooks see the effect
of upstream patches, as with TL's `run_with_hooks`.

Hook names and shapes are TL's (batch axis first):
  hook_embed, hook_pos_embed                     [batch, pos, d_model]
  blocks.{l}.hook_resid_pre                       [batch, pos, d_model]
  blocks.{l}.ln1.hook_scale                       [batch, pos, 1]      sqrt(var + eps)
  blocks.{l}.ln1.hook_normalized                  [batch, pos, d_model] after w, b
  blocks.{l}.attn.hook_q / hook_k / hook_v        [batch, pos, head_index, d_head]
  blocks.{l}.attn.hook_attn_scores                [batch, head_index, query_pos, key_pos] masked = -inf
  blocks.{l}.attn.hook_pattern                    [batch, head_index, query_pos, key_pos]
  blocks.{l}.attn.hook_z                          [batch, pos, head_index, d_head]
  blocks.{l}.attn.hook_result                     [batch, pos, head_index, d_model] (no bias)
  blocks.{l}.hook_attn_out                        [batch, pos, d_model] sum of results + b_O
  blocks.{l}.hook_resid_mid                       [batch, pos, d_model]
  blocks.{l}.ln2.hook_scale / ln2.hook_normalized
  blocks.{l}.mlp.hook_pre / mlp.hook_post         [batch, pos, d_mlp]
  blocks.{l}.hook_mlp_out, blocks.{l}.hook_resid_post
  ln_final.hook_scale, ln_final.hook_normalized
  logits                                          [batch, pos, d_vocab] (recorded, not patchable)
"""

import json
import math
import os
from dataclasses import dataclass

import torch

try:  # run as a script from tools/reference or imported as a module
    from safetensors_io import read_safetensors
except ImportError:  # pragma: no cover
    from .safetensors_io import read_safetensors

DTYPE = torch.float64

BLOCK_HOOK_SUFFIXES = [
    "hook_resid_pre",
    "ln1.hook_scale",
    "ln1.hook_normalized",
    "attn.hook_q",
    "attn.hook_k",
    "attn.hook_v",
    "attn.hook_attn_scores",
    "attn.hook_pattern",
    "attn.hook_z",
    "attn.hook_result",
    "hook_attn_out",
    "hook_resid_mid",
    "ln2.hook_scale",
    "ln2.hook_normalized",
    "mlp.hook_pre",
    "mlp.hook_post",
    "hook_mlp_out",
    "hook_resid_post",
]


def hook_names(n_layers):
    """All hook names in the order they fire, followed by `logits`."""
    names = ["hook_embed", "hook_pos_embed"]
    for l in range(n_layers):
        names += [f"blocks.{l}.{s}" for s in BLOCK_HOOK_SUFFIXES]
    names += ["ln_final.hook_scale", "ln_final.hook_normalized", "logits"]
    return names


@dataclass(frozen=True)
class Config:
    n_layers: int
    n_heads: int
    d_model: int
    d_head: int
    d_mlp: int
    n_ctx: int
    d_vocab: int
    layer_norm_eps: float
    activation: str
    scale_attn_weights: bool
    scale_attn_by_inverse_layer_idx: bool
    tie_word_embeddings: bool

    @staticmethod
    def from_hf(cfg):
        d_model = cfg["n_embd"]
        n_heads = cfg["n_head"]
        if d_model % n_heads:
            raise ValueError(f"n_embd {d_model} is not a multiple of n_head {n_heads}")
        n_inner = cfg.get("n_inner")
        return Config(
            n_layers=cfg["n_layer"],
            n_heads=n_heads,
            d_model=d_model,
            d_head=d_model // n_heads,
            d_mlp=4 * d_model if n_inner is None else n_inner,
            n_ctx=cfg["n_positions"],
            d_vocab=cfg["vocab_size"],
            layer_norm_eps=float(cfg.get("layer_norm_epsilon", 1e-5)),
            activation=cfg.get("activation_function", "gelu_new"),
            scale_attn_weights=cfg.get("scale_attn_weights", True),
            scale_attn_by_inverse_layer_idx=cfg.get("scale_attn_by_inverse_layer_idx", False),
            tie_word_embeddings=cfg.get("tie_word_embeddings", True),
        )


# ---------------------------------------------------------------------------------------------
# Activations (formulas written out, not taken from torch.nn.functional)


def gelu_tanh(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


def gelu_erf(x):
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))


def relu(x):
    return torch.clamp(x, min=0.0)


ACTIVATIONS = {
    "gelu_new": gelu_tanh,
    "gelu_pytorch_tanh": gelu_tanh,
    "gelu_fast": gelu_tanh,  # same function, written differently in HF
    "gelu": gelu_erf,
    "relu": relu,
}


# ---------------------------------------------------------------------------------------------
# Loading


def load_checkpoint(directory, dtype=DTYPE):
    """Reads config.json + model.safetensors from an HF GPT-2 directory.

    Returns (Config, {canonical name: tensor in `dtype`}). Canonical names are the bare HF names
    (`wte.weight`, `h.0.attn.c_attn.weight`, ..., `ln_f.bias`) plus `lm_head.weight` (= wte when tied).
    """
    with open(os.path.join(directory, "config.json")) as f:
        cfg = Config.from_hf(json.load(f))
    raw, _ = read_safetensors(os.path.join(directory, "model.safetensors"))
    w = {}
    for name, t in raw.items():
        key = name[len("transformer.") :] if name.startswith("transformer.") else name
        if key.endswith(".attn.bias") or key.endswith(".attn.masked_bias"):
            continue  # causal-mask buffers, whatever their dtype
        if t.dtype not in (torch.float32, torch.float16, torch.bfloat16, torch.float64):
            raise ValueError(f"{directory}: weight '{name}' has dtype {t.dtype}, expected a float type")
        if key in w:
            raise ValueError(f"{directory}: weight '{key}' appears twice (with and without 'transformer.')")
        w[key] = t.to(dtype)

    d, dm, V = cfg.d_model, cfg.d_mlp, cfg.d_vocab
    expected = {"wte.weight": [V, d], "wpe.weight": [cfg.n_ctx, d], "ln_f.weight": [d], "ln_f.bias": [d]}
    for l in range(cfg.n_layers):
        p = f"h.{l}."
        expected.update({
            p + "ln_1.weight": [d], p + "ln_1.bias": [d],
            p + "attn.c_attn.weight": [d, 3 * d], p + "attn.c_attn.bias": [3 * d],
            p + "attn.c_proj.weight": [d, d], p + "attn.c_proj.bias": [d],
            p + "ln_2.weight": [d], p + "ln_2.bias": [d],
            p + "mlp.c_fc.weight": [d, dm], p + "mlp.c_fc.bias": [dm],
            p + "mlp.c_proj.weight": [dm, d], p + "mlp.c_proj.bias": [d],
        })
    if cfg.tie_word_embeddings:
        w.pop("lm_head.weight", None)  # a stored tied copy is ignored
        w["lm_head.weight"] = w["wte.weight"]
    expected["lm_head.weight"] = [V, d]
    for key, shape in expected.items():
        if key not in w:
            raise KeyError(f"{directory}: missing weight '{key}' (shape {shape})")
        if list(w[key].shape) != shape:
            raise ValueError(f"{directory}: weight '{key}' has shape {list(w[key].shape)}, expected {shape}")
    return cfg, w


# ---------------------------------------------------------------------------------------------
# Model


class Gpt2Reference:
    """GPT-2 forward with TL hook points. `run` takes per-call hooks; the model keeps no hook state."""

    def __init__(self, cfg, weights):
        self.cfg = cfg
        self.w = weights

    @staticmethod
    def from_pretrained(directory, dtype=DTYPE):
        cfg, w = load_checkpoint(directory, dtype)
        return Gpt2Reference(cfg, w)

    # -- hook plumbing ------------------------------------------------------------------------

    def _hook(self, name, x):
        fn = self._hooks.get(name)
        if fn is not None:
            y = fn(x, name)
            if y is not None:
                if y.shape != x.shape:
                    raise ValueError(f"hook '{name}' returned shape {tuple(y.shape)}, expected {tuple(x.shape)}")
                x = y.to(x.dtype)
        if self._cache is not None:
            self._cache[name] = x
        return x

    # -- sub-layers ---------------------------------------------------------------------------

    def _layer_norm(self, x, prefix, hook_prefix):
        # x: [batch, pos, d_model]
        if self._layer_norm_mode == "identity":
            scale = self._hook(hook_prefix + ".hook_scale", torch.ones(x.shape[:-1] + (1,), dtype=x.dtype))
            return self._hook(hook_prefix + ".hook_normalized", x / scale)
        centred = x - x.mean(dim=-1, keepdim=True)  # [batch, pos, d_model]
        var = (centred * centred).mean(dim=-1, keepdim=True)  # biased variance, [batch, pos, 1]
        scale = self._hook(hook_prefix + ".hook_scale", torch.sqrt(var + self.cfg.layer_norm_eps))
        y = centred / scale * self.w[prefix + ".weight"] + self.w[prefix + ".bias"]
        return self._hook(hook_prefix + ".hook_normalized", y)

    def _attention(self, x, l):
        cfg, w, p, hp = self.cfg, self.w, f"h.{l}.attn.", f"blocks.{l}.attn."
        B, P, _ = x.shape
        H, dh, d = cfg.n_heads, cfg.d_head, cfg.d_model
        qkv = x @ w[p + "c_attn.weight"] + w[p + "c_attn.bias"]  # [batch, pos, 3*d_model]
        q = self._hook(hp + "hook_q", qkv[..., 0:d].reshape(B, P, H, dh))  # [batch, pos, head_index, d_head]
        k = self._hook(hp + "hook_k", qkv[..., d : 2 * d].reshape(B, P, H, dh))
        v = self._hook(hp + "hook_v", qkv[..., 2 * d : 3 * d].reshape(B, P, H, dh))
        scores = torch.einsum("bqhd,bkhd->bhqk", q, k)  # [batch, head_index, query_pos, key_pos]
        if cfg.scale_attn_weights:
            scores = scores / math.sqrt(dh)
        if cfg.scale_attn_by_inverse_layer_idx:
            scores = scores / float(l + 1)
        causal = torch.ones(P, P, dtype=torch.bool).tril()  # [query_pos, key_pos]
        scores = torch.where(causal, scores, torch.tensor(-math.inf, dtype=scores.dtype))
        scores = self._hook(hp + "hook_attn_scores", scores)
        m = scores.max(dim=-1, keepdim=True).values
        e = torch.exp(scores - m)
        pattern = self._hook(hp + "hook_pattern", e / e.sum(dim=-1, keepdim=True))  # [batch, head_index, q, k]
        z = self._hook(hp + "hook_z", torch.einsum("bhqk,bkhd->bqhd", pattern, v))  # [batch, pos, head_index, d_head]
        W_O = w[p + "c_proj.weight"].reshape(H, dh, d)  # rows of head h: [head_index, d_head, d_model]
        result = self._hook(hp + "hook_result", torch.einsum("bqhd,hde->bqhe", z, W_O))  # [batch, pos, head_index, d_model]
        return self._hook(f"blocks.{l}.hook_attn_out", result.sum(dim=2) + w[p + "c_proj.bias"])

    def _mlp(self, x, l):
        w, p = self.w, f"h.{l}.mlp."
        act = ACTIVATIONS.get(self.cfg.activation)
        if act is None:
            raise ValueError(f"unsupported activation_function '{self.cfg.activation}'")
        pre = self._hook(f"blocks.{l}.mlp.hook_pre", x @ w[p + "c_fc.weight"] + w[p + "c_fc.bias"])  # [batch, pos, d_mlp]
        post = self._hook(f"blocks.{l}.mlp.hook_post", act(pre))
        return self._hook(f"blocks.{l}.hook_mlp_out", post @ w[p + "c_proj.weight"] + w[p + "c_proj.bias"])

    def _block(self, resid, l):
        resid = self._hook(f"blocks.{l}.hook_resid_pre", resid)
        attn_out = self._attention(self._layer_norm(resid, f"h.{l}.ln_1", f"blocks.{l}.ln1"), l)
        resid = self._hook(f"blocks.{l}.hook_resid_mid", resid + attn_out)
        mlp_out = self._mlp(self._layer_norm(resid, f"h.{l}.ln_2", f"blocks.{l}.ln2"), l)
        return self._hook(f"blocks.{l}.hook_resid_post", resid + mlp_out)

    # -- public -------------------------------------------------------------------------------

    def run(self, tokens, hooks=None, cache=True, layer_norm="as_configured"):
        """Forward pass.

        tokens: [batch, pos] ints (list or tensor; a flat list is one batch row).
        hooks: {hook name: fn(value, name) -> replacement or None}. Applied when the hook fires.
        layer_norm: "as_configured" (the config's eps) or "identity" (every LN, ln_final included,
            replaced by x -> x: no centring, no weights; hook_scale is then 1). Note: on gpt2_noLN
            weights "identity" is a DIFFERENT model, since the real LN still subtracts the mean.
        Returns (logits [batch, pos, d_vocab], cache dict or None).
        """
        if layer_norm not in ("as_configured", "identity"):
            raise ValueError(f"layer_norm must be 'as_configured' or 'identity', got {layer_norm!r}")
        tokens = torch.as_tensor(tokens, dtype=torch.long)
        if tokens.dim() == 1:
            tokens = tokens[None]
        B, P = tokens.shape
        if P > self.cfg.n_ctx:
            raise ValueError(f"{P} tokens exceed n_positions {self.cfg.n_ctx}")
        if int(tokens.min()) < 0 or int(tokens.max()) >= self.cfg.d_vocab:
            raise ValueError(f"token id out of range [0, {self.cfg.d_vocab})")
        self._hooks = dict(hooks or {})
        unknown = set(self._hooks) - set(hook_names(self.cfg.n_layers)[:-1])
        if unknown:
            raise KeyError(f"unknown hook names: {sorted(unknown)}")
        self._cache = {} if cache else None
        self._layer_norm_mode = layer_norm
        try:
            embed = self._hook("hook_embed", self.w["wte.weight"][tokens])  # [batch, pos, d_model]
            pos_embed = self._hook("hook_pos_embed", self.w["wpe.weight"][torch.arange(P)][None].expand(B, P, -1).clone())
            resid = embed + pos_embed
            for l in range(self.cfg.n_layers):
                resid = self._block(resid, l)
            normed = self._layer_norm(resid, "ln_f", "ln_final")
            logits = normed @ self.w["lm_head.weight"].T  # [batch, pos, d_vocab]
            if self._cache is not None:
                self._cache["logits"] = logits
            return logits, self._cache
        finally:  # hooks are per call: nothing stays on the model
            self._hooks = {}
            self._cache = None


def patch_hook(source, index):
    """A hook fn that copies `source[index]` into the activation at `index` (TL-style
    `act[index] = clean_cache[name][index]`). `index` is a tuple of ints/slices over the hook's axes."""

    def fn(x, name):
        y = x.clone()
        y[index] = source[index].to(x.dtype)
        return y

    return fn


def main():  # small CLI: print last-position logits' top tokens
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("checkpoint")
    ap.add_argument("tokens", nargs="+", type=int)
    ap.add_argument("--layer-norm", default="as_configured", choices=["as_configured", "identity"])
    a = ap.parse_args()
    model = Gpt2Reference.from_pretrained(a.checkpoint)
    logits, _ = model.run([a.tokens], cache=False, layer_norm=a.layer_norm)
    top = torch.topk(logits[0, -1], 5)
    print(json.dumps({"top_ids": top.indices.tolist(), "top_logits": top.values.tolist()}))


if __name__ == "__main__":
    main()
