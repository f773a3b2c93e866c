"""Shared pieces of the SAE pipeline: the shipped model, the token windows, the hook, the SAE, token text.

The hook is `blocks.1.hook_resid_pre`: the residual stream after block 0 (= TransformerLens's name for the
input of block 1). Windows are like training's and evaluate.py's: `<|endoftext|>` (BOS) + n_ctx − 1
tokens; training windows start at seeded random offsets of the training stream, held-out windows are the
consecutive chunks of the held-out stream. Position 0 (BOS) is never an SAE input (its norm is an outlier).
"""
from __future__ import annotations

import json
import math
import os
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("GOMP_SPINCOUNT", "0")

import numpy as np  # noqa: E402
import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools", "model"))
sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))
from export import load_model  # noqa: E402
from gpt2 import Gpt2  # noqa: E402
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402,F401
from tiny_bpe import bytes_to_unicode  # noqa: E402

MODEL_DIR = os.path.join(ROOT, "models", "gpt2-python-mini")
HOOK_NAME = "blocks.1.hook_resid_pre"
HOOK_LAYER = 1
SAE_DIR = os.path.join(MODEL_DIR, "sae", HOOK_NAME)
WORK_DIR = os.path.join(ROOT, ".tmp", "sae")
DATA_DIR = os.path.join(ROOT, ".tmp", "model", "data")


def set_threads(n: int) -> None:
    torch.set_num_threads(n)


def read_split(name: str, data_dir: str = DATA_DIR) -> np.ndarray:
    return np.fromfile(os.path.join(data_dir, f"{name}.bin"), dtype="<u2").astype(np.int64)


def train_windows(stream: np.ndarray, n_windows: int, n_ctx: int, bos: int, seed: int) -> np.ndarray:
    """[n_windows, n_ctx]: BOS + n_ctx − 1 tokens from uniformly random offsets (seeded)."""
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, len(stream) - n_ctx, size=n_windows)
    idx = starts[:, None] + np.arange(n_ctx - 1)[None, :]
    return np.concatenate([np.full((n_windows, 1), bos), stream[idx]], axis=1)


def heldout_windows(stream: np.ndarray, n_ctx: int, bos: int) -> np.ndarray:
    """[chunks, n_ctx]: BOS + consecutive n_ctx − 1 held-out tokens (every held-out token once)."""
    m = n_ctx - 1
    chunks = len(stream) // m
    body = stream[: chunks * m].reshape(chunks, m)
    return np.concatenate([np.full((chunks, 1), bos), body], axis=1)


def embed(model: Gpt2, idx: torch.Tensor) -> torch.Tensor:
    pos = torch.arange(idx.shape[1])
    return model.wte(idx) + model.wpe(pos)  # [batch, pos, d_model]


def resid_pre(model: Gpt2, idx: torch.Tensor, layer: int = HOOK_LAYER) -> torch.Tensor:
    """blocks.<layer>.hook_resid_pre: [batch, pos, d_model]."""
    x = embed(model, idx)
    for block in model.h[:layer]:
        x, _ = block(x)
    return x


def logits_from(model: Gpt2, x: torch.Tensor, layer: int = HOOK_LAYER) -> torch.Tensor:
    """Runs blocks layer.. and the unembedding from blocks.<layer>.hook_resid_pre."""
    for block in model.h[layer:]:
        x, _ = block(x)
    return model.ln_f(x) @ model.wte.weight.T  # [batch, pos, d_vocab]


class Sae(torch.nn.Module):
    """SAELens semantics: x' = x − b_dec (apply_b_dec_to_input), pre = x'W_enc + b_enc, acts = relu(pre) or
    the k largest of relu(pre) (topk), recon = acts W_dec + b_dec."""

    def __init__(self, d_in: int, d_sae: int, architecture: str, k: int | None = None):
        super().__init__()
        self.architecture, self.k = architecture, k
        self.W_enc = torch.nn.Parameter(torch.zeros(d_in, d_sae))
        self.W_dec = torch.nn.Parameter(torch.zeros(d_sae, d_in))
        self.b_enc = torch.nn.Parameter(torch.zeros(d_sae))
        self.b_dec = torch.nn.Parameter(torch.zeros(d_in))

    def pre(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.b_dec) @ self.W_enc + self.b_enc

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        pre = self.pre(x)
        if self.architecture == "topk":
            top = torch.topk(pre, self.k, dim=-1)
            return torch.zeros_like(pre).scatter_(-1, top.indices, torch.relu(top.values))
        return torch.relu(pre)

    def decode(self, acts: torch.Tensor) -> torch.Tensor:
        return acts @ self.W_dec + self.b_dec

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        acts = self.encode(x)
        return acts, self.decode(acts)


def load_sae(folder: str = SAE_DIR) -> tuple[Sae, dict]:
    cfg = json.load(open(os.path.join(folder, "cfg.json")))
    t, _ = read_safetensors(os.path.join(folder, "sae_weights.safetensors"))
    sae = Sae(cfg["d_in"], cfg["d_sae"], cfg["architecture"], cfg.get("k"))
    with torch.no_grad():
        for name in ("W_enc", "W_dec", "b_enc", "b_dec"):
            getattr(sae, name).copy_(t[name].float())
    return sae, cfg


# --- token text ----------------------------------------------------------------------------------
def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level symbol → byte (the inverse of tiny_bpe's map)."""
    return {ch: b for b, ch in bytes_to_unicode().items()}


class TokenText:
    """Id → display text: GPT-2 byte-level symbols mapped back to bytes, then decoded as UTF-8 (invalid
    bytes as \\xNN); a space shows as ·, a newline as ⏎, a tab as →."""

    def __init__(self, model_dir: str = MODEL_DIR):
        vocab = json.load(open(os.path.join(model_dir, "vocab.json"), encoding="utf-8"))
        self.tokens = {i: t for t, i in vocab.items()}
        self.dec = _byte_decoder()

    def raw(self, i: int) -> bytes:
        t = self.tokens[int(i)]
        if t == "<|endoftext|>":
            return b"<|endoftext|>"
        return bytes(self.dec[c] for c in t)

    def show(self, i: int) -> str:
        b = self.raw(i)
        if b == b"<|endoftext|>":
            return "<|endoftext|>"
        return self.show_bytes(b)

    @staticmethod
    def show_bytes(b: bytes) -> str:
        s = b.decode("utf-8", errors="backslashreplace")
        return s.replace(" ", "·").replace("\n", "⏎").replace("\t", "→").replace("\r", "␍")

    def context(self, ids, at: int, before: int = 12, after: int = 3) -> str:
        """Tokens ids[at−before .. at+after] with the token at `at` in [[ ]]."""
        lo, hi = max(0, at - before), min(len(ids), at + after + 1)
        parts = []
        for j in range(lo, hi):
            s = self.show(ids[j])
            parts.append(f"[[{s}]]" if j == at else s)
        return "".join(parts)


def log10_density(count: np.ndarray, n: int, dead_value: float = -10.0) -> np.ndarray:
    out = np.full(count.shape, dead_value, dtype=np.float32)
    alive = count > 0
    out[alive] = np.log10(count[alive] / n).astype(np.float32)
    return out


def fmt_s(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


_ = math
