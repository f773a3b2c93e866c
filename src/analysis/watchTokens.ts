/**
 * Watch tokens: token texts the user always wants highlighted (setting `circuitInspector.watchTokens`).
 * An entry matches a token whose text, with one leading space (or GPT-2's byte-level `Ġ`) removed,
 * equals the entry exactly (case-sensitive): `self` matches ` self` and `self`, not ` selfish`.
 */

/** The setting's default value. */
export const DEFAULT_WATCH_TOKENS: readonly string[] = ['self', 'param'];

/** Token text with one leading space or `Ġ` removed. */
export function stripLeadingSpace(text: string): string {
  return text.startsWith(' ') || text.startsWith('Ġ') ? text.slice(1) : text;
}

/** Cleans a user-provided watch list: entries are trimmed the same way as token texts; empty ones drop. */
export function normalizeWatchList(entries: readonly unknown[]): string[] {
  const out: string[] = [];
  for (const e of entries) {
    if (typeof e !== 'string') continue;
    const s = stripLeadingSpace(e.trim());
    if (s.length > 0 && !out.includes(s)) out.push(s);
  }
  return out;
}

export function isWatchedToken(text: string, watch: readonly string[]): boolean {
  const s = stripLeadingSpace(text);
  return s.length > 0 && watch.includes(s);
}

/** For each token text, whether it matches the watch list. */
export function matchWatchTokens(texts: readonly string[], watch: readonly string[]): boolean[] {
  const list = normalizeWatchList(watch);
  return texts.map((t) => isWatchedToken(t, list));
}
