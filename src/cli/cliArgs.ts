/**
 * Argument parsing for the headless CLI: options with values (`--name VALUE` or `--name=VALUE`) and
 * flags, lists, numbers, and usage errors that name the option and say what it expects.
 */

/** A mistake in the command line: the CLI prints it with the usage and exits with code 2. */
export class UsageError extends Error {}

export interface OptionSpec {
  /** What the value is, for "--x needs a value: …"; absent for a flag (which takes no value). */
  readonly value?: string;
  /** A one-letter alias (`-h`). */
  readonly short?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** Parsed options: a string per option given with a value, `true` per flag given. */
export type OptionValues = Readonly<Record<string, string | true | undefined>>;

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

function unknownOption(name: string, specs: OptionSpecs, command: string, otherCommands: Readonly<Record<string, OptionSpecs>>): UsageError {
  const owner = Object.entries(otherCommands).find(([, s]) => Object.hasOwn(s, name))?.[0];
  if (owner) return new UsageError(`--${name} is an option of '${owner}', not of '${command}'`);
  const names = Object.keys(specs);
  const close = names.filter((n) => distance(n, name) <= 2 || (name.length >= 3 && n.startsWith(name)));
  const hint = close.length ? `did you mean ${close.map((n) => `--${n}`).join(' or ')}?` : `'${command}' takes ${names.map((n) => `--${n}`).join(', ')}`;
  return new UsageError(`unknown option '--${name}' for '${command}': ${hint}`);
}

/**
 * Parses `args` against `specs`. A value may start with one dash (`--top-k -1` gets a clear range
 * error later), but not with two: `--model --text x` is a missing value, not the folder "--text".
 */
export function parseOptions(
  args: readonly string[],
  specs: OptionSpecs,
  command: string,
  otherCommands: Readonly<Record<string, OptionSpecs>> = {},
): Record<string, string | true> {
  const values: Record<string, string | true> = {};
  const shorts = new Map(Object.entries(specs).flatMap(([n, s]) => (s.short ? [[s.short, n] as const] : [])));
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    let name: string;
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.length > 2) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
    } else if (/^-[A-Za-z]$/.test(arg)) {
      const long = shorts.get(arg.slice(1));
      if (!long) throw new UsageError(`unknown option '${arg}' for '${command}'`);
      name = long;
    } else if (arg === '--') {
      throw new UsageError(`'--' is not used by '${command}': give every value to its option`);
    } else {
      throw new UsageError(`unexpected argument '${arg}': '${command}' takes only options (--name VALUE); quote text that has spaces`);
    }
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) throw unknownOption(name, specs, command, otherCommands);
    if (Object.hasOwn(values, name)) throw new UsageError(`--${name} is given twice`);
    if (spec.value === undefined) {
      if (inline !== undefined) throw new UsageError(`--${name} is a flag and takes no value (got '${inline}')`);
      values[name] = true;
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = args[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) {
        const dashHint = next === undefined ? '' : ` (for a value that starts with '--', write --${name}=VALUE)`;
        throw new UsageError(`--${name} needs a value: ${spec.value}${dashHint}`);
      }
      value = next;
      i++;
    }
    values[name] = value;
  }
  return values;
}

/** The string value of an option (undefined when not given). */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Comma-separated non-negative integers: "300, 275,283". Every item must be a plain integer. */
export function parseIntList(value: string, what: string, noun: string): number[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.length === 1 && items[0] === '') throw new UsageError(`${what} is empty: expected comma-separated ${noun}s`);
  return items.map((item, i) => {
    if (item === '') throw new UsageError(`${what} '${value}': item ${i + 1} is empty (expected comma-separated ${noun}s, e.g. 300,275,283)`);
    if (!/^\d+$/.test(item)) throw new UsageError(`${what} '${value}': '${item}' is not a ${noun} (a whole number ≥ 0)`);
    const n = Number(item);
    if (!Number.isSafeInteger(n)) throw new UsageError(`${what} '${value}': ${item} is too large to be a ${noun}`);
    return n;
  });
}

export function parseIdList(value: string, what: string): number[] {
  return parseIntList(value, what, 'token id');
}

/** Comma-separated names, empty items refused; duplicates dropped (first kept). */
export function parseNameList(value: string | undefined, what: string): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim());
  if (items.every((s) => s === '')) throw new UsageError(`${what} '${value}' names nothing: give at least one`);
  const empty = items.indexOf('');
  if (empty >= 0) throw new UsageError(`${what} '${value}': item ${empty + 1} is empty`);
  return [...new Set(items)];
}

export function positiveInt(value: string | undefined, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n <= 0) throw new UsageError(`${what}: expected a positive whole number, got '${value}'`);
  return n;
}
