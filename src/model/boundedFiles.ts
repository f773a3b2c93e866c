/**
 * Reading the files of a model folder safely: only regular files (a FIFO would block forever, a
 * folder gives a bare EISDIR), with a size bound per kind of file, and JSON whose nesting depth is
 * checked before it is parsed (a value nested thousands deep overflows the stack of code that walks
 * it). Errors name the path and say what was expected; the caller picks the error class.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** The error class a caller wants (CheckpointError, or plain Error for the tokenizer). */
export type ErrorClass = new (message: string) => Error;

/** No file of a GPT-2 folder nests deeper than a few levels; tokenizer.json is the deepest, at about 6. */
export const MAX_JSON_DEPTH = 64;

/**
 * Opening with O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer, so
 * fstat can refuse it; for regular files the flag changes nothing. (Windows has no FIFOs to open.)
 */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** `a named pipe (FIFO)`, `a folder`, …: what a non-regular file is, for messages. */
function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function checkStats(stats: Stats, path: string, what: string, maxBytes: number | undefined, Err: ErrorClass): void {
  if (!stats.isFile()) throw new Err(`${path}: is ${kindOf(stats)}, not a regular file; expected the ${what}`);
  if (maxBytes !== undefined && stats.size > maxBytes) {
    throw new Err(`${path}: ${stats.size} bytes is more than the ${maxBytes}-byte limit for the ${what}; is it the right file?`);
  }
}

function openError(e: unknown, path: string, what: string, Err: ErrorClass): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new Err(`${path}: cannot open the ${what}: no such file`);
  return new Err(`${path}: cannot open the ${what} (${(e as Error).message})`);
}

/** Opens a regular file for reading (refusing folders, FIFOs, devices, and files over `maxBytes`). */
export async function openRegularFile(
  path: string,
  what: string,
  Err: ErrorClass,
  maxBytes?: number,
): Promise<{ readonly handle: FileHandle; readonly size: number }> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (e) {
    throw openError(e, path, what, Err);
  }
  try {
    const stats = await handle.stat();
    checkStats(stats, path, what, maxBytes, Err);
    return { handle, size: stats.size };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

function decodeUtf8(bytes: Uint8Array, path: string, what: string, Err: ErrorClass): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Err(`${path}: the ${what} is not valid UTF-8 text`);
  }
}

/** The text of a regular file of at most `maxBytes` bytes. */
export async function readRegularTextFile(path: string, what: string, maxBytes: number, Err: ErrorClass): Promise<string> {
  const { handle, size } = await openRegularFile(path, what, Err, maxBytes);
  try {
    const bytes = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const { bytesRead } = await handle.read(bytes, done, size - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return decodeUtf8(bytes.subarray(0, done), path, what, Err);
  } catch (e) {
    if (e instanceof Err) throw e;
    throw new Err(`${path}: cannot read the ${what} (${(e as Error).message})`);
  } finally {
    await handle.close();
  }
}

/** `readRegularTextFile`, synchronously (the tokenizer loads synchronously). */
export function readRegularTextFileSync(path: string, what: string, maxBytes: number, Err: ErrorClass): string {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    throw openError(e, path, what, Err);
  }
  try {
    const stats = fstatSync(fd);
    checkStats(stats, path, what, maxBytes, Err);
    const bytes = new Uint8Array(stats.size);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(fd, bytes, done, bytes.length - done, done);
      if (n === 0) break;
      done += n;
    }
    return decodeUtf8(bytes.subarray(0, done), path, what, Err);
  } catch (e) {
    if (e instanceof Err) throw e;
    throw new Err(`${path}: cannot read the ${what} (${(e as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Scans JSON text for its bracket depth, skipping strings; returns the offset where the depth first
 * exceeds `maxDepth`, or -1. It reads any text (valid JSON or not) in one pass without recursion.
 */
export function jsonDepthExceeded(text: string, maxDepth = MAX_JSON_DEPTH): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return i;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return -1;
}

/** JSON.parse after the depth check; errors name `where` (a path) and say what was expected. */
export function parseJsonText(text: string, where: string, what: string, Err: ErrorClass, maxDepth = MAX_JSON_DEPTH): unknown {
  const deep = jsonDepthExceeded(text, maxDepth);
  if (deep >= 0) {
    throw new Err(`${where}: the ${what} nests JSON more than ${maxDepth} levels deep (at character ${deep}); it is corrupt or not a ${what}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Err(`${where}: the ${what} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * The keys that occur more than once in the top-level object of valid JSON text, decoded (so `"a"`
 * and `"\u0061"` are the same key). JSON.parse silently keeps the last of duplicates.
 */
export function duplicateTopLevelKeys(text: string): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      if (depth === 1 && expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (seen.has(key)) duplicates.add(key);
        seen.add(key);
        expectKey = false;
      }
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth === 1) expectKey = c === 0x7b;
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x2c && depth === 1) expectKey = true;
  }
  return [...duplicates];
}
