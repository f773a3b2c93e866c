/** Type-predicate checks for message payloads: callers narrow `unknown` without casts. */

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
export function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
export function isPositiveInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
}
export function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}
export function isOptional<T>(v: unknown, check: (x: unknown) => x is T): v is T | undefined {
  return v === undefined || check(v);
}
export function isOneOf<T extends string>(values: readonly T[]) {
  return (v: unknown): v is T => typeof v === 'string' && values.some((x) => x === v);
}
export function isString(v: unknown): v is string {
  return typeof v === 'string';
}
export function isArrayOf<T>(v: unknown, check: (x: unknown) => x is T): v is T[] {
  return Array.isArray(v) && v.every((x) => check(x));
}
