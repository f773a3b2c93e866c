/** Argument helpers for the headless CLI: parsing lists, reading text or token ids, clear usage errors. */
import { readFileSync } from 'node:fs';

export class UsageError extends Error {}

export function parseIdList(value: string, what: string): number[] {
  const ids = value.split(/[\s,]+/).filter(Boolean).map(Number);
  if (!ids.length || ids.some((n) => !Number.isInteger(n) || n < 0)) throw new UsageError(`${what}: expected comma-separated token ids, got '${value}'`);
  return ids;
}

export function parseNameList(value: string | undefined): string[] {
  return value ? value.split(',').map((s) => s.trim()).filter(Boolean) : [];
}

/** Text from --<name> or --<name>-file (exactly one). */
export function textArg(values: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const inline = values[name] as string | undefined;
  const file = values[`${name}-file`] as string | undefined;
  if (inline !== undefined && file !== undefined) throw new UsageError(`give --${name} or --${name}-file, not both`);
  if (file !== undefined) return readFileSync(file, 'utf8');
  if (inline === undefined && required) throw new UsageError(`missing --${name} (or --${name}-file)`);
  return inline;
}

export function positiveInt(value: string | undefined, what: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${what}: expected a positive integer, got '${value}'`);
  return n;
}
