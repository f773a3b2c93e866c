"""Step 8 of the model pipeline: write models/<name>/README.md (the model card) from the numbers.

    /usr/bin/python3 tools/model/modelCard.py [--model models/gpt2-python-mini] [--notes tools/model/card-notes.md]

Reads config.json, training.json (export.py) and evaluation.json (evaluate.py, analyze.py); every number
in the card comes from those files. --notes is a hand-written Markdown section on what the numbers
mean, inserted after the analysis tables.
"""
from __future__ import annotations

import argparse
import json
import os


def grid(table: dict[str, float], n_layer: int, n_head: int, fmt: str = "{:.2f}") -> str:
    rows = ["| layer | " + " | ".join(f"h{h}" for h in range(n_head)) + " |",
            "|---|" + "---|" * n_head]
    for layer in range(n_layer):
        rows.append(f"| {layer} | " + " | ".join(fmt.format(table[f"{layer}.{h}"]) for h in range(n_head)) + " |")
    return "\n".join(rows)


def heads(top: list, k: int = 3) -> str:
    return ", ".join(f"{name} ({score:.2f})" for name, score in top[:k])


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default="models/gpt2-python-mini")
    p.add_argument("--notes", default="tools/model/card-notes.md")
    args = p.parse_args()
    m = args.model
    cfg = json.load(open(os.path.join(m, "config.json")))
    tr = json.load(open(os.path.join(m, "training.json")))
    ev = json.load(open(os.path.join(m, "evaluation.json")))
    e, a = ev["evaluation"], ev["analysis"]
    L, H, d, V, n = cfg["n_layer"], cfg["n_head"], cfg["n_embd"], cfg["vocab_size"], cfg["n_positions"]
    params = V * d + n * d + L * (12 * d * d + 13 * d) + 2 * d
    non_emb = L * (12 * d * d + 13 * d) + 2 * d
    corpus, vocab, data, targs = tr["corpus"], tr["vocabulary"], tr["data"], tr["args"]
    size = os.path.getsize(os.path.join(m, "model.safetensors"))
    hours = tr["train_seconds"] / 3600
    stopped = {"steps": "it reached its step count", "time_budget": "its time budget ran out (the cosine had fully decayed)",
               "deadline": "the deadline stopped it early: a PARTIAL run"}[tr["stopped_by"]]
    rr = a["random_repeated_tokens"]
    n_random = round(targs.get("random_repeat_fraction", 0.0) * targs["batch"])
    phase_end = tr.get("induction_phase_end") or 0  # steps at the start with every row random-repeat
    code_tokens = (tr["step"] - phase_end) * (targs["batch"] - n_random) * targs["n_ctx"]
    code_row = f"`<|endoftext|>` + {targs['n_ctx'] - 1} tokens from a random offset of the training stream"
    batch_rows = (f"each row {code_row}" if n_random == 0 else
                  f"{targs['batch'] - n_random} rows of code ({code_row}; {code_tokens:,.0f} code tokens in all) and "
                  f"{n_random} rows of an induction curriculum: `<|endoftext|>` + R + R + … with R "
                  f"{targs.get('random_repeat_min', 8)}–{targs['n_ctx'] // 2} uniformly random tokens, repeated to fill the "
                  f"row, no loss on the first copy of R (it cannot be predicted), so these rows only reward copying from "
                  f"earlier context" + (f"; the first {phase_end:,} steps (the induction phase, until the best induction "
                                          f"score reached {targs['induction_phase_until']}) had only such rows" if phase_end else ""))
    curve = ", ".join(f"{tok / 1e6:.1f} M tokens: {loss:.2f}" for _, tok, loss in tr.get("heldout_curve", []))
    rc = a["repeated_code"]
    doc = a["docstring_task"]
    sp = a["attention_to_self_and_param"]
    copies = (": the model copies sequences it has never seen" if rr["loss_second_copy"] < rr["loss_first_copy"] - 1
              else " (no copying of unseen sequences to speak of)")
    cpu = tr["device"] == "cpu"
    machine = f"{tr['device_name']}, a 2-core x86-64 VM shared with other jobs" if cpu else tr["device_name"]
    trained_on = "two shared CPU cores" if cpu else tr["device_name"]
    if "engine" in ev:
        en = ev["engine"]
        diff = en["max_abs_diff_vs_pytorch"]
        engine_line = ("The previous-token and induction tables were recomputed with the project's own engine and "
                       "analysis code (`tools/model/engineScores.ts`: `HookedGpt2` on ONNX Runtime + "
                       "`src/analysis/headScores.ts`) on the same tokens: top previous-token heads "
                       f"{heads(en['top_previous_token'])}, top induction heads {heads(en['top_induction'])}; largest "
                       f"difference from PyTorch {diff['previous_token']:.4f} (previous-token) and {diff['induction']:.4f} "
                       "(induction, where the project's score also counts repeats inside R).")
    else:
        engine_line = "The per-head tables have not been recomputed with the project's engine yet (tools/model/engineScores.ts)."
    best_induction = a["induction_score"]["top"][0][1]
    best_previous = a["previous_token_score"]["top_heldout_code"][0][1]
    if best_induction >= 0.3 and best_previous >= 0.5:
        status = (f"It has a previous-token head ({heads(a['previous_token_score']['top_heldout_code'], 1)} on held-out code) "
                  f"and induction heads ({heads(a['induction_score']['top'])} on repeated random tokens): the induction "
                  "circuit, grown with the help of an induction curriculum (see Training).")
    else:
        status = (f"**This model is undertrained for circuits:** after {tr['tokens_seen'] / 1e6:.1f} M tokens it beats the "
                  "n-gram baselines by a wide margin, and it has local heads and an argument head that treats `self` "
                  "differently from argument names. It has no sharp previous-token head (best "
                  f"{best_previous:.2f}) and no induction head (best {best_induction:.2f}) yet; see below.")
    name = os.path.basename(os.path.normpath(m))
    notes = open(args.notes).read().strip() if os.path.exists(args.notes) else ""

    md = f"""# {name}

A small GPT-2-architecture model trained on Python source code, shipped with Circuit Inspector so that
the extension has a real model to inspect with no network. It is an ordinary GPT-2 checkpoint in the
Hugging Face layout of `openai-community/gpt2`: the same loader, tokenizer code and hook names apply.
It is a toy for inspection, not a code assistant. {status}

## Files

| file | what |
|---|---|
| `config.json` | GPT-2 config (`model_type` gpt2, `n_inner` null, gelu_new, eps 1e-5, tied embeddings) |
| `model.safetensors` | {size / 1e6:.1f} MB, F32, GPT-2's bare tensor names (`h.{{i}}.attn.c_attn.weight` [d, 3d], …, `wte`, `wpe`, `ln_f`); no `lm_head` (tied), no mask buffers |
| `vocab.json`, `merges.txt` | a closed {V}-token subset of GPT-2's byte-level BPE (see below) |
| `training.json` | provenance: corpus and vocabulary statistics, training arguments, steps, time, hardware |
| `evaluation.json` | every number in this card, as measured |

## Architecture

| | |
|---|---|
| layers × heads | {L} × {H} (d_head {d // H}) |
| d_model / d_mlp | {d} / {4 * d} |
| context (n_positions) | {n} |
| vocabulary | {V} (`<|endoftext|>` = {cfg['bos_token_id']}, also BOS and document separator) |
| parameters | {params:,} ({non_emb:,} outside the embeddings) |
| block | pre-LN: x += attn(ln_1(x)); x += mlp(ln_2(x)); logits = ln_f(x) · wteᵀ; gelu_new; scores q·k/√d_head |

## Corpus

The Python source that Debian packages install on the build machine: every `*.py` under
{', '.join('`' + r + '`' for r in corpus['roots'])} (no symlinks followed), in sorted path order;
skipped {corpus['skipped']['empty']} empty, {corpus['skipped']['tooLarge']} over {corpus['maxFileBytes']:,} bytes,
{corpus['skipped']['notUtf8']} not UTF-8 and {corpus['skipped']['duplicate']} exact duplicates; CRLF → LF.
Split by path: {corpus['splitRule']}.

| split | files | bytes | tokens (this vocabulary, with separators) |
|---|---|---|---|
| train | {corpus['train']['files']:,} | {corpus['train']['bytes']:,} | {data['train_tokens']:,} |
| held out | {corpus['heldout']['files']:,} | {corpus['heldout']['bytes']:,} | {data['heldout_tokens']:,} |

## Vocabulary

The {vocab['topK']:,} GPT-2 tokens most frequent on the training split, all 256 byte tokens,
`<|endoftext|>`, the tokens the docstring analysis needs (`self`, ` self`, `param`, ` param`, keywords,
the task's argument names: all single tokens, checked by the tests), and {vocab['addedByClosure']} more
that close the merges: a merge is kept iff its result is kept, and both parts of every kept merge are
kept, so BPE with these {vocab['merges']:,} merges only produces kept tokens, and a word whose GPT-2
tokens are all kept is tokenized exactly as GPT-2 does. Kept tokens cover {100 * vocab['coverage']:.1f}% of
the training split's {vocab['gpt2TokensOnTrainSplit']:,} GPT-2 tokens. Ids keep GPT-2's order (bytes,
merge results in merge order, `<|endoftext|>` last). GPT-2's tokenizer has no multi-space tokens, so
Python indentation costs one token per space.

## Training

| | |
|---|---|
| tokens seen | {tr['tokens_seen']:,} ({tr['step']:,} steps × {targs['batch']} sequences × {targs['n_ctx']} tokens) |
| time | {tr['train_seconds']:.0f} s ({hours:.2f} h), {machine} |
| stopped because | {stopped} |
| optimiser | AdamW β (0.9, 0.95), weight decay {targs['weight_decay']} on matrices, grad clip 1.0 |
| learning rate | linear warm-up over {targs['warmup']} steps to {targs['lr']}, cosine to {targs['lr'] / 10:g} over {targs['steps']} steps or {targs['time_budget']:.0f} s, whichever ran out first |
| batches | {batch_rows} (seed {targs['seed']}) |
| tokens seen vs corpus | {code_tokens / data['train_tokens']:.2f} epochs of code: almost every code token was seen at most once |

Held-out loss during training (the training script's fixed sample of {targs['eval_batches'] * targs['batch']} windows):
{curve}.

Reproduce with `tools/model/pipeline.sh` (see `tools/model/README.md`); with CUDA present the same
script uses the GPU.

## Held-out loss

Measured by `tools/model/evaluate.py` (PyTorch) on {e['heldout_tokens_predicted']:,} held-out tokens,
{e['context']}. Baselines are estimated on the training split ({e['train_tokens_for_baselines']:,} tokens)
with add-k smoothing, k picked from {{1, 0.1, 0.01, 0.001}} on the held-out tokens (favouring them).

| predictor | nats / token |
|---|---|
| uniform over the vocabulary | {e['uniform_loss_nats_per_token']:.3f} |
| unigram (add-{e['unigram_add_k']:g}) | {e['unigram_loss_nats_per_token']:.3f} |
| bigram (add-{e['bigram_add_k']:g}) | {e['bigram_loss_nats_per_token']:.3f} |
| **this model** | **{e['model_loss_nats_per_token']:.3f}** |

By position in the context: {', '.join(f'{k}: {v:.3f}' for k, v in e['model_loss_by_position_block'].items())}.

## What the analysis tools find

Measured by `tools/model/analyze.py`, a PyTorch implementation of the same model (`tools/model/gpt2.py`)
on the exported `model.safetensors`, with prompts tokenized by the project's `Gpt2Tokenizer`.
{engine_line} The engine also reproduces the next-token probabilities listed below within 2e-3
(`test/unit/shippedModel/shippedModelEngine.test.ts`). The `self`/`param` ratios and the docstring task
were measured with PyTorch only. Heads are named layer.head, as in TransformerLens.

**Previous-token heads** (mean attention from q to q−1, on 48 held-out code windows):
{heads(a['previous_token_score']['top_heldout_code'])}.

**Induction heads** ({rr['sequences']} sequences of BOS + R + R, |R| = {rr['repeat_length']} uniformly
random tokens; score = mean attention from each second-copy position q to q − |R| + 1):
{heads(a['induction_score']['top'])}. Duplicate-token score (q → q − |R|): {heads(a['duplicate_token_score']['top'])}.
Loss on the first copy {rr['loss_first_copy']:.2f} nats/token, on the second copy {rr['loss_second_copy']:.2f}{copies}.
The same on repeated held-out code (BOS + C + C, C = {rc['repeat_length']} consecutive held-out tokens, {rc['sequences']} sequences):
top induction scores {heads(a['induction_score_repeated_code']['top'])}; loss {rc['loss_first_copy']:.2f} on the first copy,
{rc['loss_second_copy']:.2f} on the second.

**` self` and `param` as keys** (held-out code; mean attention weight on one such key relative to one
other identifier key; {sp['key_counts']['self']:,} `self` keys, {sp['key_counts']['param']:,} `param` keys,
{sp['key_counts']['other_identifier']:,} other identifier keys): most `self`-attentive heads
{heads(sp['top_self'])}; most `param`-attentive heads {heads(sp['top_param'])}.

**Docstring task** ({doc['prompts']} prompts like the one below, argument names varied over {doc['arg_names']} single-token
identifiers from `tools/model/identifiers.ts`):

```
def load(self, name, key, v):
    \"\"\"path value file

    :param name: last path
    :param key: given list
    :param        → expected " v"
```

| metric | value | chance |
|---|---|---|
| top-1 over the whole vocabulary | {doc['top1_over_vocab']:.3f} | |
| top-1 among the three argument names | {doc['top1_among_args']:.3f} | {doc['chance_among_args']:.3f} |
| mean logit(answer) − max logit(other argument) | {doc['mean_logit_diff_answer_minus_best_other_arg']:+.3f} | 0 |
| mean probability of the answer | {doc['mean_answer_prob']:.3f} | |

Heads at the final `param` attending most to the answer's name in the signature: {heads(doc['top_heads_to_C_def'])};
to `self`: {heads(doc['top_heads_to_self'])}.

**Next-token predictions** (top 5, probabilities):

""" + "\n".join(f"- `{json.dumps(c['prompt'])[1:-1]}` → " + ", ".join(f"`{json.dumps(t)[1:-1]}` {pr:.2f}" for t, pr in c["top5"])
                for c in a["completions"]) + f"""

{notes}

### Per-head tables

Previous-token score (held-out code):

{grid(a['previous_token_score']['heldout_code'], L, H)}

Induction score (BOS + R + R, random tokens):

{grid(a['induction_score']['scores'], L, H)}

Induction score (BOS + C + C, held-out code):

{grid(a['induction_score_repeated_code']['scores'], L, H)}

Attention to a `self` key relative to another identifier key:

{grid(sp['self_over_identifier'], L, H)}

Attention to a `param` key relative to another identifier key:

{grid(sp['param_over_identifier'], L, H)}

Attention from the final `param` of the docstring prompt to the answer's name in the signature:

{grid(doc['attention_from_final_param']['C_def'], L, H)}

## Limitations

Trained for {hours:.1f} hours on {trained_on}: it has seen {tr['tokens_seen'] / 1e6:.1f} M tokens and is far
from converged. It knows Python's surface (indentation, punctuation, common identifiers and idioms),
not semantics; do not use it to write code. The corpus is whatever Python the build machine's Debian
packages installed, under those packages' free-software licences.
"""
    with open(os.path.join(m, "README.md"), "w") as f:
        f.write(md)
    print(f"wrote {os.path.join(m, 'README.md')}")


if __name__ == "__main__":
    main()
