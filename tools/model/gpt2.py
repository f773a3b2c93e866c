"""A GPT-2 in plain PyTorch with Hugging Face's semantics, for training the shipped model.

Reads in the order of the architecture (norm, attention, MLP, block, config, model), like nanoGPT.
Weights are stored exactly as GPT-2 checkpoints store them, so export is a rename, not a transform:
Conv1D weights are [in, out] (y = x @ W + b), c_attn's output columns are [q | k | v], each split
into heads of d_head consecutive columns, and the unembedding is wteᵀ (tied, no bias).

Semantics (HF GPT2LMHeadModel): pre-LN blocks, LayerNorm with biased variance and eps from the
config, gelu_new (tanh approximation), scores = q·k / sqrt(d_head), causal mask, softmax.
No dropout: the model is small and sees each token about once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


class Conv1D(nn.Module):
    """GPT-2's transposed linear layer: weight [in, out], y = x @ W + b."""

    def __init__(self, n_in: int, n_out: int, std: float):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(n_in, n_out) * std)  # [in, out]
        self.bias = nn.Parameter(torch.zeros(n_out))  # [out]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.addmm(self.bias, x.reshape(-1, x.shape[-1]), self.weight).reshape(*x.shape[:-1], -1)


def gelu_new(x: torch.Tensor) -> torch.Tensor:
    """0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), HF's gelu_new."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Attention(nn.Module):
    def __init__(self, cfg: "Gpt2Config"):
        super().__init__()
        d = cfg.n_embd
        self.n_head = cfg.n_head
        self.d_head = d // cfg.n_head
        self.c_attn = Conv1D(d, 3 * d, 0.02)
        self.c_proj = Conv1D(d, d, 0.02 / math.sqrt(2 * cfg.n_layer))
        mask = torch.tril(torch.ones(cfg.n_positions, cfg.n_positions, dtype=torch.bool))
        self.register_buffer("mask", mask, persistent=False)  # [pos_q, pos_k]

    def forward(self, x: torch.Tensor, return_pattern: bool = False):
        b, t, d = x.shape  # [batch, pos, d_model]
        q, k, v = self.c_attn(x).split(d, dim=2)  # each [batch, pos, d_model]
        # [batch, pos, d_model] -> [batch, head_index, pos, d_head]
        q = q.view(b, t, self.n_head, self.d_head).transpose(1, 2)
        k = k.view(b, t, self.n_head, self.d_head).transpose(1, 2)
        v = v.view(b, t, self.n_head, self.d_head).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(self.d_head)  # [batch, head_index, pos_q, pos_k]
        scores = scores.masked_fill(~self.mask[:t, :t], float("-inf"))
        pattern = F.softmax(scores, dim=-1)  # [batch, head_index, pos_q, pos_k]
        z = pattern @ v  # [batch, head_index, pos, d_head]
        z = z.transpose(1, 2).reshape(b, t, d)  # [batch, pos, head_index * d_head]
        out = self.c_proj(z)  # [batch, pos, d_model]
        return (out, pattern) if return_pattern else (out, None)


class Mlp(nn.Module):
    def __init__(self, cfg: "Gpt2Config"):
        super().__init__()
        self.c_fc = Conv1D(cfg.n_embd, cfg.d_mlp, 0.02)
        self.c_proj = Conv1D(cfg.d_mlp, cfg.n_embd, 0.02 / math.sqrt(2 * cfg.n_layer))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.c_proj(gelu_new(self.c_fc(x)))  # [batch, pos, d_mlp] -> [batch, pos, d_model]


class Block(nn.Module):
    def __init__(self, cfg: "Gpt2Config"):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.attn = Attention(cfg)
        self.ln_2 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.mlp = Mlp(cfg)

    def forward(self, x: torch.Tensor, return_pattern: bool = False):
        a, pattern = self.attn(self.ln_1(x), return_pattern)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, pattern


@dataclass(frozen=True)
class Gpt2Config:
    vocab_size: int
    n_layer: int = 4
    n_head: int = 8
    n_embd: int = 256
    n_positions: int = 256
    layer_norm_epsilon: float = 1e-5
    bos_token_id: int = 0
    eos_token_id: int = 0

    @property
    def d_mlp(self) -> int:
        return 4 * self.n_embd  # n_inner: null

    def to_hf(self) -> dict:
        """config.json in the layout of openai-community/gpt2."""
        return {
            "architectures": ["GPT2LMHeadModel"],
            "model_type": "gpt2",
            "vocab_size": self.vocab_size,
            "n_positions": self.n_positions,
            "n_ctx": self.n_positions,
            "n_embd": self.n_embd,
            "n_layer": self.n_layer,
            "n_head": self.n_head,
            "n_inner": None,
            "activation_function": "gelu_new",
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "initializer_range": 0.02,
            "resid_pdrop": 0.0,
            "embd_pdrop": 0.0,
            "attn_pdrop": 0.0,
            "scale_attn_weights": True,
            "scale_attn_by_inverse_layer_idx": False,
            "reorder_and_upcast_attn": False,
            "tie_word_embeddings": True,
            "bos_token_id": self.bos_token_id,
            "eos_token_id": self.eos_token_id,
            "torch_dtype": "float32",
        }

    @staticmethod
    def from_hf(c: dict) -> "Gpt2Config":
        assert c["model_type"] == "gpt2" and c.get("n_inner") is None
        assert c["activation_function"] == "gelu_new" and c.get("tie_word_embeddings", True)
        return Gpt2Config(c["vocab_size"], c["n_layer"], c["n_head"], c["n_embd"], c["n_positions"],
                          c["layer_norm_epsilon"], c["bos_token_id"], c["eos_token_id"])

    def as_dict(self) -> dict:
        return asdict(self)


class Gpt2(nn.Module):
    def __init__(self, cfg: Gpt2Config):
        super().__init__()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.n_embd)  # [d_vocab, d_model], also the unembedding
        self.wpe = nn.Embedding(cfg.n_positions, cfg.n_embd)  # [n_ctx, d_model]
        nn.init.normal_(self.wte.weight, std=0.02)
        nn.init.normal_(self.wpe.weight, std=0.01)
        self.h = nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)])
        self.ln_f = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)

    def forward(self, idx: torch.Tensor, return_patterns: bool = False):
        t = idx.shape[1]  # idx [batch, pos]
        assert t <= self.cfg.n_positions, f"sequence of {t} tokens > n_positions {self.cfg.n_positions}"
        pos = torch.arange(t, device=idx.device)
        x = self.wte(idx) + self.wpe(pos)  # [batch, pos, d_model]
        patterns = []
        for block in self.h:
            x, p = block(x, return_patterns)
            patterns.append(p)
        logits = self.ln_f(x) @ self.wte.weight.T  # [batch, pos, d_vocab]
        return (logits, patterns) if return_patterns else logits

    def gpt2_state_dict(self) -> dict[str, torch.Tensor]:
        """Tensors under openai-community/gpt2's bare names (no lm_head: tied)."""
        return {k: v.detach() for k, v in self.state_dict().items() if not k.endswith(".mask")}

    def load_gpt2_state_dict(self, tensors: dict[str, torch.Tensor]) -> None:
        own = self.state_dict()
        for k, v in own.items():
            if k not in tensors:
                raise KeyError(f"checkpoint lacks {k}")
            if tuple(tensors[k].shape) != tuple(v.shape):
                raise ValueError(f"{k}: checkpoint shape {tuple(tensors[k].shape)} != model {tuple(v.shape)}")
        self.load_state_dict({k: tensors[k].to(torch.float32) for k in own}, strict=True)


def param_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
