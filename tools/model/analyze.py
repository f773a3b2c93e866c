"""Step 5c of the model pipeline: what the shipped model has learned, measured with PyTorch.

    npx tsx tools/model/prompts.ts            # the prompts, tokenized by the project's tokenizer
    /usr/bin/python3 tools/model/analyze.py [--model models/gpt2-python-mini]

Loads the exported folder and measures, per head (layer.head, as in TransformerLens):
- previous-token score: mean attention from position q to q−1, on held-out code (q ≥ 1) and on
  random tokens;
- induction score: on BOS + R + R with R = 50 uniformly random tokens (64 sequences), the mean
  attention from each position of the second copy to the token after that token's first occurrence
  (q → q − |R| + 1); also the duplicate-token score (q → q − |R|) and the loss on each copy; and the
  same induction score and losses on BOS + C + C, C = 50 consecutive held-out code tokens;
- how ` self`/`self` and `param` are attended on held-out code: the mean attention weight a query gives
  one such key, relative to the mean weight it gives one other identifier token (ratio > 1: the head
  attends to it more than to an ordinary name);
- the docstring task (tools/model/prompts.ts): top-1 accuracy over the whole vocabulary, accuracy
  among the three argument names (chance 1/3), the logit difference answer − best other argument, and
  where each head at the final `param` attends;
- top-5 next tokens for a few code prompts.
Writes the "analysis" section of <model>/evaluation.json and prints a summary.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("GOMP_SPINCOUNT", "0")

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evaluate import update_json  # noqa: E402
from export import load_model  # noqa: E402

IDENTIFIER = re.compile(r"^ ?[A-Za-z_][A-Za-z0-9_]*$")


def head_table(scores: torch.Tensor) -> dict[str, float]:
    """[layer, head] → {"L.H": score}"""
    return {f"{l}.{h}": round(float(scores[l, h]), 4) for l in range(scores.shape[0]) for h in range(scores.shape[1])}


def top_heads(scores: torch.Tensor, k: int = 5) -> list[list]:
    flat = [(float(scores[l, h]), f"{l}.{h}") for l in range(scores.shape[0]) for h in range(scores.shape[1])]
    return [[name, round(s, 4)] for s, name in sorted(flat, reverse=True)[:k]]


@torch.no_grad()
def patterns_of(model, x: torch.Tensor):
    logits, patterns = model(x, return_patterns=True)
    return logits, torch.stack(patterns, dim=1)  # [batch, layer, head_index, pos_q, pos_k]


@torch.no_grad()
def previous_token_scores(pat: torch.Tensor) -> torch.Tensor:
    t = pat.shape[-1]
    q = torch.arange(1, t)
    return pat[..., q, q - 1].mean(dim=(0, -1))  # [layer, head_index]


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="models/gpt2-python-mini")
    p.add_argument("--data", default=".tmp/model/data")
    p.add_argument("--prompts", default=".tmp/model/prompts.json")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    model = load_model(args.model)
    cfg = model.cfg
    V, bos = cfg.vocab_size, cfg.bos_token_id
    pr = json.load(open(args.prompts))
    assert pr["vocabSize"] == V and pr["bosId"] == bos, "prompts.json was made for another vocabulary"
    text = pr["tokenText"]
    gen = torch.Generator().manual_seed(args.seed)
    out: dict = {"measured_by": "tools/model/analyze.py (PyTorch reference implementation, tools/model/gpt2.py); "
                                "prompts tokenized by the project's Gpt2Tokenizer (tools/model/prompts.ts)"}

    # Held-out code: 48 chunks of 255 tokens after BOS.
    held = np.fromfile(os.path.join(args.data, "heldout.bin"), dtype="<u2").astype(np.int64)
    n_chunks, t = 48, cfg.n_positions - 1
    step = len(held) // n_chunks
    code = torch.tensor(np.stack([np.concatenate([[bos], held[i * step:i * step + t]]) for i in range(n_chunks)]))
    _, pat_code = patterns_of(model, code)  # [batch, layer, head_index, pos_q, pos_k]
    prev_code = previous_token_scores(pat_code)

    # Random tokens: BOS + R + R.
    L, n_seq = 50, 64
    rand = torch.randint(0, V - 1, (n_seq, L), generator=gen)
    rand = torch.where(rand >= bos, rand + 1, rand)  # never BOS
    seq = torch.cat([torch.full((n_seq, 1), bos), rand, rand], dim=1)  # [batch, 1 + 2L]
    logits, pat_rep = patterns_of(model, seq)
    q = torch.arange(L + 1, 2 * L + 1)
    induction = pat_rep[..., q, q - L + 1].mean(dim=(0, -1))  # [layer, head_index]
    duplicate = pat_rep[..., q, q - L].mean(dim=(0, -1))
    prev_rand = previous_token_scores(pat_rep)
    logp = torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, seq[:, 1:, None])[..., 0]  # [batch, 2L]
    out["random_repeated_tokens"] = {
        "sequences": n_seq, "repeat_length": L,
        "loss_first_copy": round(float(-logp[:, :L].mean()), 4),
        "loss_second_copy": round(float(-logp[:, L + 1:].mean()), 4),
        "note": "loss_second_copy excludes the first token of the second copy (not predictable)",
    }
    # Repeated held-out code: BOS + C + C, C = 50 consecutive held-out tokens (in-distribution tokens).
    rng = np.random.default_rng(args.seed)
    starts = rng.integers(0, len(held) - L, size=n_seq)
    chunk = torch.tensor(np.stack([held[s_:s_ + L] for s_ in starts]))
    seq_code = torch.cat([torch.full((n_seq, 1), bos), chunk, chunk], dim=1)  # [batch, 1 + 2L]
    logits_c, pat_rc = patterns_of(model, seq_code)
    induction_code = pat_rc[..., q, q - L + 1].mean(dim=(0, -1))  # [layer, head_index]
    logp_c = torch.log_softmax(logits_c[:, :-1], dim=-1).gather(-1, seq_code[:, 1:, None])[..., 0]
    out["repeated_code"] = {
        "sequences": n_seq, "repeat_length": L,
        "loss_first_copy": round(float(-logp_c[:, :L].mean()), 4),
        "loss_second_copy": round(float(-logp_c[:, L + 1:].mean()), 4),
    }
    out["induction_score_repeated_code"] = {
        "scores": head_table(induction_code), "top": top_heads(induction_code),
        "definition": "as induction_score, on BOS + C + C with C = 50 consecutive held-out tokens",
    }
    out["previous_token_score"] = {"heldout_code": head_table(prev_code), "random_tokens": head_table(prev_rand),
                                   "top_heldout_code": top_heads(prev_code)}
    out["induction_score"] = {"scores": head_table(induction), "top": top_heads(induction),
                              "definition": "mean attention from second-copy position q to q - |R| + 1 on BOS + R + R"}
    out["duplicate_token_score"] = {"scores": head_table(duplicate), "top": top_heads(duplicate)}

    # self / param as keys, on held-out code.
    ids = code  # [batch, pos]
    is_ident = torch.tensor([bool(IDENTIFIER.match(s)) for s in text])
    sp = pr["special"]
    classes = {
        "self": torch.isin(ids, torch.tensor([sp["self"], sp[" self"]])),
        "param": torch.isin(ids, torch.tensor([sp["param"], sp[" param"]])),
    }
    classes["other_identifier"] = is_ident[ids] & ~classes["self"] & ~classes["param"]
    causal = torch.tril(torch.ones(t + 1, t + 1, dtype=torch.bool))
    causal[:, 0] = False  # not BOS
    per_key = {}
    for name, mask in classes.items():
        pair = causal[None] & mask[:, None, :]  # [batch, pos_q, pos_k]
        total = (pat_code * pair[:, None, None]).sum(dim=(0, -1, -2))  # [layer, head_index]
        per_key[name] = total / pair.sum().clamp(min=1)
        per_key[name + "_key_count"] = int(mask.sum())
    out["attention_to_self_and_param"] = {
        "definition": "mean attention weight a query puts on one key of the class (keys after BOS, k <= q), "
                      "divided by the same for other identifier tokens",
        "key_counts": {k: per_key[k + "_key_count"] for k in classes},
        "self_over_identifier": head_table(per_key["self"] / per_key["other_identifier"]),
        "param_over_identifier": head_table(per_key["param"] / per_key["other_identifier"]),
        "top_self": top_heads(per_key["self"] / per_key["other_identifier"]),
        "top_param": top_heads(per_key["param"] / per_key["other_identifier"]),
    }

    # The docstring task.
    docs = pr["docstring"]
    top1 = among = 0
    logit_diffs, answer_probs = [], []
    where = {k: torch.zeros(cfg.n_layer, cfg.n_head) for k in
             ("bos", "self", "A_def", "B_def", "C_def", "A_doc", "B_doc", "param_earlier")}
    for d in docs:
        x = torch.tensor([[bos] + d["ids"]])
        logits, pat = patterns_of(model, x)
        last = logits[0, -1]
        a, b, c = d["argIds"]
        top1 += int(int(last.argmax()) == c)
        args_logits = last[[a, b, c]]
        among += int(int(args_logits.argmax()) == 2)
        logit_diffs.append(float(last[c] - torch.max(last[a], last[b])))
        answer_probs.append(float(torch.softmax(last, -1)[c]))
        row = pat[0, :, :, -1, :]  # [layer, head_index, pos_k] from the final `param`
        seq_ids = x[0].tolist()
        pos = {tok: [i for i, s in enumerate(seq_ids) if s == tok] for tok in (a, b, c)}
        self_pos = [i for i, s in enumerate(seq_ids) if s == sp["self"]][:1]
        param_pos = [i for i, s in enumerate(seq_ids[:-1]) if s == sp["param"]]
        where["bos"] += row[..., 0]
        where["self"] += row[..., self_pos].sum(-1)
        where["A_def"] += row[..., pos[a][0]]
        where["B_def"] += row[..., pos[b][0]]
        where["C_def"] += row[..., pos[c][0]]
        where["A_doc"] += row[..., pos[a][1]]
        where["B_doc"] += row[..., pos[b][1]]
        where["param_earlier"] += row[..., param_pos].sum(-1)
    n = len(docs)
    where = {k: v / n for k, v in where.items()}
    out["docstring_task"] = {
        "prompts": n,
        "arg_names": len(pr["argNameIds"]),
        "template": "def {fn}(self, {A}, {B}, {C}):\\n    \"\"\"{w} {w} {w}\\n\\n    :param {A}: {w} {w}\\n"
                    "    :param {B}: {w} {w}\\n    :param  -> ' {C}'",
        "top1_over_vocab": round(top1 / n, 4),
        "top1_among_args": round(among / n, 4),
        "chance_among_args": round(1 / 3, 4),
        "mean_logit_diff_answer_minus_best_other_arg": round(float(np.mean(logit_diffs)), 4),
        "mean_answer_prob": round(float(np.mean(answer_probs)), 4),
        "attention_from_final_param": {k: head_table(v) for k, v in where.items()},
        "top_heads_to_C_def": top_heads(where["C_def"]),
        "top_heads_to_self": top_heads(where["self"]),
    }

    # Next-token predictions.
    completions = []
    for c in pr["completions"]:
        last = model(torch.tensor([[bos] + c["ids"]]))[0, -1]
        probs = torch.softmax(last, -1)
        top = torch.topk(probs, 5)
        completions.append({"prompt": c["text"], "top5": [[text[i], round(float(p_), 3)] for p_, i in
                                                          zip(top.values.tolist(), top.indices.tolist())]})
    out["completions"] = completions

    if not args.no_write:
        update_json(os.path.join(args.model, "evaluation.json"), "analysis", out)
        # The exact inputs, so tools/model/engineScores.ts recomputes the head scores on the same tokens.
        with open(os.path.join(os.path.dirname(args.prompts), "analysis-inputs.json"), "w") as f:
            json.dump({"code": code.tolist(), "repeated": seq.tolist(), "repeatedCode": seq_code.tolist(), "repeatLength": L,
                       "docstring": [[bos] + d["ids"] for d in docs]}, f)
    summary = {
        "prev_token_top": out["previous_token_score"]["top_heldout_code"],
        "induction_top": out["induction_score"]["top"],
        "duplicate_top": out["duplicate_token_score"]["top"],
        "repeated_random": out["random_repeated_tokens"],
        "induction_code_top": out["induction_score_repeated_code"]["top"],
        "repeated_code": out["repeated_code"],
        "self_top": out["attention_to_self_and_param"]["top_self"],
        "param_top": out["attention_to_self_and_param"]["top_param"],
        "key_counts": out["attention_to_self_and_param"]["key_counts"],
        "docstring": {k: v for k, v in out["docstring_task"].items() if k not in ("attention_from_final_param", "template")},
    }
    print(json.dumps(summary, indent=1))
    for c in completions:
        print(repr(c["prompt"][-40:]), "->", c["top5"])


if __name__ == "__main__":
    main()
