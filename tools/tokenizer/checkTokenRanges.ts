import type { Encoding, Gpt2Tokenizer } from '../../src/model/tokenizer';

/** The text as it survives UTF-8: lone surrogates become U+FFFD. */
function wellFormed(text: string): string {
  return /[\ud800-\udfff]/.test(text) ? new TextDecoder().decode(new TextEncoder().encode(text)) : text;
}

/**
 * Checks the token-range rule of `Encoding` against the text it came from, and returns the first
 * problem found (undefined when there is none):
 * - every range is non-empty, starts and ends never decrease, the first starts at 0, the last ends at the end;
 * - consecutive ranges either meet exactly, or overlap on exactly one non-ASCII character (the character
 *   whose bytes the two tokens share);
 * - grouping tokens that overlap, the groups tile the text, and each group's tokens decode to exactly
 *   the group's slice of the text (so ranges point at the right text, not just at some text); a lone
 *   surrogate in the slice is compared as the U+FFFD it is encoded as.
 */
export function findTokenRangeProblem(text: string, encoding: Encoding, tokenizer: Gpt2Tokenizer): string | undefined {
  const { ids, ranges } = encoding;
  if (ids.length !== ranges.length) return `${ids.length} ids but ${ranges.length} ranges`;
  if (ranges.length === 0) return text.length === 0 ? undefined : 'no tokens for a non-empty text';
  if (ranges[0].start !== 0) return `first range starts at ${ranges[0].start}`;
  if (ranges[ranges.length - 1].end !== text.length) {
    return `last range ends at ${ranges[ranges.length - 1].end}, text length ${text.length}`;
  }
  let rebuilt = '';
  let groupStart = 0;
  for (let i = 0; i < ranges.length; i++) {
    const { start, end } = ranges[i];
    if (end <= start) return `token ${i} has an empty range ${start}..${end}`;
    const last = i + 1 === ranges.length;
    if (!last) {
      const next = ranges[i + 1];
      if (next.start < start || next.end < end) return `ranges ${i} and ${i + 1} go backwards: ${start}..${end} then ${next.start}..${next.end}`;
      if (next.start > end) return `gap between tokens ${i} and ${i + 1}: ${end}..${next.start}`;
      if (next.start < end) {
        const shared = text.slice(next.start, end);
        if ([...shared].length !== 1 || shared.charCodeAt(0) < 0x80) {
          return `tokens ${i} and ${i + 1} overlap on ${JSON.stringify(shared)}, not on one multibyte character`;
        }
        continue; // same group
      }
    }
    const groupText = text.slice(ranges[groupStart].start, end);
    const decoded = tokenizer.decode(ids.slice(groupStart, i + 1));
    if (decoded !== wellFormed(groupText)) {
      return `tokens ${groupStart}..${i} decode to ${JSON.stringify(decoded)} but cover ${JSON.stringify(groupText)}`;
    }
    rebuilt += groupText;
    groupStart = i + 1;
  }
  return rebuilt === text ? undefined : 'the token groups do not tile the text';
}

/** The index of the first difference between two id lists, or -1 when they are equal. */
export function firstDifference(ours: readonly number[], theirs: readonly number[]): number {
  const n = Math.min(ours.length, theirs.length);
  for (let i = 0; i < n; i++) if (ours[i] !== theirs[i]) return i;
  return ours.length === theirs.length ? -1 : n;
}
