/**
 * CSV fields as every export writes them (RFC 4180): quoted when they hold a comma, quote, CR or LF,
 * or start or end with whitespace (token text such as ' param' keeps its space in every reader);
 * quotes doubled. Text a spreadsheet would run as a formula (OWASP "CSV injection": it starts with
 * = + - @ TAB or CR, like the tokens `=` or `-1`) gets a leading apostrophe so it opens as text.
 * Numbers are written as numbers; NaN, ±Infinity, null and undefined as empty fields.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows of fields as CSV text, one line each, ending with a newline. */
export function csvRows(rows: readonly (readonly (string | number | null | undefined)[])[]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}
