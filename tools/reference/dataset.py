"""Patching over a set of prompt pairs (issue 12, dataset mode), on the float64 reference.

For each pair, the reference's own patching (patching.py: one full patched run per cell) and
attribution patching (atp.py: autograd), then, per cell of each table, over the n pairs:

  mean         the mean of the per-pair patched metrics;
  normalised   (mean - mean_corrupt) / (mean_clean - mean_corrupt), by the DATASET means;
               absent when the mean gap is zero (see ZERO_GAP_RELATIVE);
  se           the sample standard deviation (n - 1) of the per-pair values / sqrt(n); 0 for n < 2;
  fraction     of the pairs whose own gap is non-zero, the fraction where the cell restores
               (denoise: (patched - corrupt_i) / (clean_i - corrupt_i) >= 1/2) or removes
               (noise: (clean_i - patched) / (clean_i - corrupt_i) >= 1/2) at least half the gap;
               absent when no pair has a gap.

The attribution tables use, per pair, the target run's metric plus the AtP estimate (denoise: the
corrupt metric + AtP; noise: the clean metric + AtP), with the same statistics.

A gap is zero when |gap| <= ZERO_GAP_RELATIVE * the largest |metric| of the set (any pair, clean or
corrupt): 1e-4 is the parity tolerance, below it float32 rounding in the engine could flip the call.

Sets (on the f32-bare golden checkpoint, 2 layers x 4 heads, tiny BPE vocabulary):
  equal    5 pairs of one length (one pair with identical prompts: a zero gap), every sweep;
  mixed    6 pairs of 3 lengths, the head sweeps (z, q, k, v, pattern): position sweeps need equal lengths;
  zero-gap 2 pairs, the second the first with clean and corrupt swapped: the set's mean gap is exactly 0.

Writes test/golden/dataset/<set>.safetensors (F32):
  metric.clean, metric.corrupt [n]; summary [4] = mean clean, mean corrupt, fraction clean > corrupt, zero gap (0/1);
  <exact|atp>.<direction>.<sweep>.<perPair [n, ...dims] | mean | normalised | se | fraction>;
and <set>.json {checkpoint, layer_norm, sweeps, pairs: [{clean, corrupt, answer, wrong}], zero_gap}.
Also writes tools/reference/dataset_sensitivity.json: how far the careless statistics (per-pair
normalisation then averaging; population sd) land from the right ones, in units of the 1e-4 tolerance.

Usage: dataset.py [CHECKPOINT_ROOT] [OUT_DIR]
"""

import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tiny_bpe  # noqa: E402
from gpt2_reference import Gpt2Reference  # noqa: E402
from atp import atp_tables  # noqa: E402
from patching import DIRECTIONS, patching_tables  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HERE = os.path.dirname(os.path.abspath(__file__))
ZERO_GAP_RELATIVE = 1e-4
HEAD_SWEEPS = ["z", "q", "k", "v", "pattern"]
ALL_SWEEPS = ["resid_pre", "attn_out", "mlp_out", "z", "z_by_pos", "q", "k", "v", "pattern"]

# set -> (sweeps, [(clean text, {position after BOS: corrupt token string})]); {} = identical prompts
TEMPLATES = {
    "equal": (ALL_SWEEPS, [
        ("def f(self, param): return self.param", {6: "Ġarg"}),
        ("def g(self, param): return self.param", {10: "Ġx"}),
        ("def f(x, param): return x.param", {}),
        ("def f(x, param): return x.param", {6: "Ġarg"}),
        ("def f(self, name): return self.arg", {2: "Ġg", 6: "Ġparam"}),
    ]),
    "mixed": (HEAD_SWEEPS, [
        ("def f(self, param): return self.param", {6: "Ġarg"}),
        ("x = self.arg; the param is the self", {8: "Ġarg"}),
        ("def f(x): return x", {4: "Ġname"}),
        ("def g(self, param): return self.param", {6: "Ġname"}),
        ("x = self.arg; the param is the self", {5: "param"}),
        ("def f(x): return x", {2: "Ġg"}),
    ]),
    "zero-gap": (["z"], [
        ("def f(self, param): return self.param", {6: "Ġarg"}),
        ("swap", {}),  # the first pair with clean and corrupt swapped
    ]),
}


def choose_answer_wrong(clean_logits, corrupt_logits):
    """answer = the clean run's top next token; wrong = the corrupt run's, or when equal, the token the
    corruption raises most (as make_goldens.py)."""
    c, k = clean_logits[0, -1], corrupt_logits[0, -1]
    answer, wrong = int(torch.argmax(c)), int(torch.argmax(k))
    if wrong == answer:
        delta = (k - c).clone()
        delta[answer] = -float("inf")
        wrong = int(torch.argmax(delta))
    return answer, wrong


def make_pairs(model, vocab, merges, templates):
    bos = vocab[tiny_bpe.EOT]
    pairs = []
    for text, corruptions in templates:
        if text == "swap":
            p = pairs[0]
            pairs.append({"clean": p["corrupt"], "corrupt": p["clean"], "answer": p["answer"], "wrong": p["wrong"]})
            continue
        clean = [bos] + tiny_bpe.encode(text, vocab, merges)
        corrupt = list(clean)
        for pos, tok in corruptions.items():
            assert 0 < pos < len(clean) and corrupt[pos] != vocab[tok], (text, pos, tok)
            corrupt[pos] = vocab[tok]
        cl, _ = model.run([clean])
        co, _ = model.run([corrupt])
        answer, wrong = choose_answer_wrong(cl, co)
        pairs.append({"clean": clean, "corrupt": corrupt, "answer": answer, "wrong": wrong})
    return pairs


def is_zero_gap(gap, scale):
    return not abs(gap) > ZERO_GAP_RELATIVE * scale


def stats(per_pair, m_clean, m_corrupt, direction):
    """per_pair [n, ...] float64 -> (mean, normalised | None, se, fraction | None, margin): margin is how close
    any counted pair's patched metric comes to its half-gap threshold, in parity tolerances (1e-4 x the
    largest |metric|): the parity tests hold the engine within one tolerance, so a margin above 1 keeps the fraction exact."""
    n = per_pair.shape[0]
    mean = per_pair.mean(0)
    se = per_pair.std(0, unbiased=True) / math.sqrt(n) if n >= 2 else torch.zeros_like(mean)
    mean_clean, mean_corrupt = float(m_clean.mean()), float(m_corrupt.mean())
    scale = float(torch.cat([m_clean.abs(), m_corrupt.abs()]).max())
    normalised = None if is_zero_gap(mean_clean - mean_corrupt, scale) else (mean - mean_corrupt) / (mean_clean - mean_corrupt)
    with_gap = [i for i in range(n) if not is_zero_gap(float(m_clean[i] - m_corrupt[i]), scale)]
    fraction, margin = None, float("inf")
    if with_gap:
        hits = torch.zeros_like(mean)
        for i in with_gap:
            gap = m_clean[i] - m_corrupt[i]
            ratio = (per_pair[i] - m_corrupt[i]) / gap if direction == "denoise" else (m_clean[i] - per_pair[i]) / gap
            hits += (ratio >= 0.5).to(torch.float64)
            margin = min(margin, float(((ratio - 0.5) * gap).abs().min()) / (1e-4 * scale))
        fraction = hits / len(with_gap)
    return mean, normalised, se, fraction, margin


def careless(per_pair, m_clean, m_corrupt):
    """The mistakes a parity test must catch: normalising each pair by its own gap then averaging (over
    the pairs with a gap), and the population sd (n) in the standard error."""
    n = per_pair.shape[0]
    gaps = m_clean - m_corrupt
    keep = [i for i in range(n) if gaps[i] != 0]
    per_pair_norm = torch.stack([(per_pair[i] - m_corrupt[i]) / gaps[i] for i in keep]).mean(0)
    se_pop = per_pair.std(0, unbiased=False) / math.sqrt(n)
    return per_pair_norm, se_pop


def times_tol(a, b):
    """max |a - b| in units of the parity tolerance 1e-4 x max |b| (test/golden's compareToGolden)."""
    return float((a - b).abs().max() / (1e-4 * b.abs().max()))


def make_set(name, model, vocab, merges, ckpt_dir, out_dir):
    sweeps, templates = TEMPLATES[name]
    pairs = make_pairs(model, vocab, merges, templates)
    n = len(pairs)
    exact, atp, m_clean, m_corrupt = [], [], [], []
    for p in pairs:
        t = patching_tables(model, p["clean"], p["corrupt"], p["answer"], p["wrong"], sweeps=sweeps)
        a = atp_tables(model, p["clean"], p["corrupt"], p["answer"], p["wrong"], sweeps=sweeps)
        mc, mk = t["metric.clean"][0], t["metric.corrupt"][0]
        m_clean.append(mc)
        m_corrupt.append(mk)
        exact.append(t)
        # estimate of the patched metric: the target run's metric + AtP
        atp.append({k.replace("atp.", "patch."): v + (mk if ".denoise." in k else mc) for k, v in a.items()})
    m_clean, m_corrupt = torch.stack(m_clean), torch.stack(m_corrupt)
    scale = float(torch.cat([m_clean.abs(), m_corrupt.abs()]).max())
    zero_gap = is_zero_gap(float(m_clean.mean() - m_corrupt.mean()), scale)
    tensors = {
        "metric.clean": m_clean,
        "metric.corrupt": m_corrupt,
        "summary": torch.tensor([float(m_clean.mean()), float(m_corrupt.mean()), float((m_clean > m_corrupt).double().mean()), float(zero_gap)],
                                dtype=torch.float64),
    }
    margin = float("inf")
    sensitivity = {}
    for source, per in (("exact", exact), ("atp", atp)):
        for direction in DIRECTIONS:
            for sweep in sweeps:
                per_pair = torch.stack([t[f"patch.{direction}.{sweep}"] for t in per])
                mean, normalised, se, fraction, mg = stats(per_pair, m_clean, m_corrupt, direction)
                margin = min(margin, mg)
                key = f"{source}.{direction}.{sweep}"
                tensors[f"{key}.perPair"] = per_pair
                tensors[f"{key}.mean"] = mean
                tensors[f"{key}.se"] = se
                if normalised is not None:
                    tensors[f"{key}.normalised"] = normalised
                if fraction is not None:
                    tensors[f"{key}.fraction"] = fraction
                if source == "exact" and normalised is not None:
                    per_pair_norm, se_pop = careless(per_pair, m_clean, m_corrupt)
                    for label, value in (("normalised per pair, then averaged", times_tol(per_pair_norm, normalised)),
                                         ("standard error with the population sd (n)", times_tol(se_pop, se))):
                        sensitivity.setdefault(label, []).append(value)
    assert margin > 1, f"{name}: a patched metric lies within {margin:.2g} tolerances of its half-gap threshold: the fraction would be fragile"
    os.makedirs(out_dir, exist_ok=True)
    write_safetensors(os.path.join(out_dir, f"{name}.safetensors"), {k: v.to(torch.float32) for k, v in tensors.items()},
                      {"format": "pt", "set": name})
    meta = {
        "checkpoint": os.path.relpath(ckpt_dir, REPO),
        "layer_norm": "as_configured",
        "sweeps": sweeps,
        "zero_gap": zero_gap,
        "pairs": pairs,
    }
    with open(os.path.join(out_dir, f"{name}.json"), "w", encoding="utf-8") as f:
        f.write("{\n" + ",\n".join(f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in meta.items() if k != "pairs"))
        f.write(',\n  "pairs": [\n' + ",\n".join(f"    {json.dumps(p)}" for p in pairs) + "\n  ]\n}\n")
    lengths = sorted({len(p["clean"]) for p in pairs})
    print(f"dataset {name}: {n} pairs, lengths {lengths}, mean clean {float(m_clean.mean()):.4f} corrupt {float(m_corrupt.mean()):.4f}, "
          f"zero gap {zero_gap}, {len(tensors)} tensors, half-gap threshold margin {margin:.3g} tolerances")
    return {label: float(f"{min(v):.3g}") for label, v in sensitivity.items()}


def main():
    torch.set_num_threads(1)
    ckpt_root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "test", "golden", "checkpoints")
    out_dir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(REPO, "test", "golden", "dataset")
    ckpt_dir = os.path.join(ckpt_root, "f32-bare")
    with open(os.path.join(ckpt_dir, "vocab.json"), encoding="utf-8") as f:
        vocab = json.load(f)
    vocab_check, merges = tiny_bpe.build_vocab()
    assert vocab == vocab_check
    model = Gpt2Reference.from_pretrained(ckpt_dir)
    report = {}
    for name in TEMPLATES:
        rows = make_set(name, model, vocab, merges, ckpt_dir, out_dir)
        if rows:
            report[name] = {"smallest over the exact tables, times the 1e-4 tolerance": rows}
    with open(os.path.join(HERE, "dataset_sensitivity.json"), "w") as f:
        json.dump(report, f, indent=2)
        f.write("\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    np.seterr(all="raise")
    main()
