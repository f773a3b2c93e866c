"""A tiny, self-consistent GPT-2-style byte-level BPE (vocab.json + merges.txt) for test checkpoints.

Ids 0..255 are the 256 byte symbols in GPT-2's `bytes_to_unicode` order (as in GPT-2's encoder.json,
where '!' is 0), then one id per merge in merge order, then `<|endoftext|>` as the last id.
Every merge joins two tokens that already exist, and `check()` verifies that each merged token's
text encodes back to that single token.

`encode` handles ASCII text only (the pre-tokenisation regex below is GPT-2's with \\p{L} and \\p{N}
narrowed to ASCII letters and digits, which is the same thing on ASCII input).
"""

import re

EOT = "<|endoftext|>"

# (left, right) pairs in rank order. 'Ġ' is the byte symbol for a space, 'Ċ' for a newline.
MERGES = [
    ("Ġ", "t"), ("h", "e"), ("Ġt", "he"),
    ("s", "e"), ("l", "f"), ("se", "lf"), ("Ġ", "self"),
    ("r", "g"), ("Ġ", "a"), ("Ġa", "rg"), ("a", "rg"),
    ("Ġ", "p"), ("a", "r"), ("Ġp", "ar"), ("a", "m"), ("Ġpar", "am"), ("p", "ar"), ("par", "am"),
    ("d", "e"), ("de", "f"), ("Ġ", "def"),
    ("r", "e"), ("u", "r"), ("ur", "n"), ("re", "t"), ("ret", "urn"), ("Ġ", "return"),
    ("Ġ", "f"), ("Ġ", "g"), ("Ġ", "x"), ("Ġ", "="),
    ("i", "s"), ("Ġ", "is"), ("o", "f"), ("Ġ", "of"),
    ("i", "n"), ("Ġ", "in"), ("o", "r"), ("Ġf", "or"),
    ("Ġ", "Ġ"), ("ĠĠ", "ĠĠ"), ("Ġ", "n"), ("Ġn", "am"), ("Ġnam", "e"),
]

_PRETOKEN = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")


def bytes_to_unicode():
    """GPT-2's reversible byte -> printable character map, in its canonical order."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


def build_vocab():
    """Returns ({token: id}, [merge pairs])."""
    vocab = {}
    for _, ch in bytes_to_unicode().items():
        vocab[ch] = len(vocab)
    for a, b in MERGES:
        if a not in vocab or b not in vocab:
            raise ValueError(f"merge '{a} {b}' uses a token that does not exist yet")
        if a + b in vocab:
            raise ValueError(f"merge '{a} {b}' makes '{a + b}', which already exists")
        vocab[a + b] = len(vocab)
    vocab[EOT] = len(vocab)
    return vocab, list(MERGES)


def vocab_json_text(vocab):
    import json

    return json.dumps(vocab, ensure_ascii=False, indent=None, separators=(", ", ": ")) + "\n"


def merges_txt_text(merges):
    return "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges)


def _bpe(word, ranks):
    parts = list(word)
    while len(parts) > 1:
        best = None
        for i in range(len(parts) - 1):
            r = ranks.get((parts[i], parts[i + 1]))
            if r is not None and (best is None or r < best[0]):
                best = (r, i)
        if best is None:
            break
        i = best[1]
        parts = parts[:i] + [parts[i] + parts[i + 1]] + parts[i + 2 :]
    return parts


def encode(text, vocab, merges):
    if any(ord(c) > 127 for c in text):
        raise ValueError("tiny_bpe.encode handles ASCII text only")
    b2u = bytes_to_unicode()
    ranks = {m: i for i, m in enumerate(merges)}
    ids = []
    for piece in _PRETOKEN.findall(text):
        word = "".join(b2u[b] for b in piece.encode("utf-8"))
        ids += [vocab[t] for t in _bpe(word, ranks)]
    return ids


def decode(ids, vocab):
    u2b = {c: b for b, c in bytes_to_unicode().items()}
    inv = {i: t for t, i in vocab.items()}
    out = bytearray()
    for i in ids:
        t = inv[i]
        if t == EOT:
            out += t.encode("utf-8")
        else:
            out += bytes(u2b[c] for c in t)
    return out.decode("utf-8", errors="replace")


def check(vocab, merges):
    """Every merged token's text must encode to exactly that token."""
    for a, b in merges:
        tok = a + b
        text = decode([vocab[tok]], vocab)
        got = encode(text, vocab, merges)
        if got != [vocab[tok]]:
            raise AssertionError(f"token '{tok}' ({text!r}) encodes to {got}, not [{vocab[tok]}]")
