"""Small text helpers for the workspace scan: strings, lists, dictionaries and loops."""


def count_words(text):
    """Count how often each word appears in the text."""
    counts = {}
    for word in text.lower().split():
        word = word.strip('.,;:!?"()')
        if word:
            counts[word] = counts.get(word, 0) + 1
    return counts


def most_common(counts, n=3):
    """Return the n most common words with their counts."""
    items = sorted(counts.items(), key=lambda item: item[1], reverse=True)
    return items[:n]


def title_case(text):
    """Capitalise the first letter of every word."""
    return ' '.join(word[:1].upper() + word[1:] for word in text.split())


def wrap(text, width=40):
    """Split the text into lines of at most width characters."""
    lines = []
    line = ''
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f'{line} {word}' if line else word
    if line:
        lines.append(line)
    return lines


def read_lines(path, encoding='utf-8'):
    """Read a file and return its lines without trailing newlines."""
    with open(path, encoding=encoding) as handle:
        return [line.rstrip('\n') for line in handle]
