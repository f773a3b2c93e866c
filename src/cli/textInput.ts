/**
 * Prompt text from `--<name> TEXT` or `--<name>-file FILE`. A file must be a regular file of at
 * most MAX_TEXT_FILE_BYTES holding UTF-8 text: folders, FIFOs and devices (/dev/zero) are refused
 * from their file type, before anything is read, so nothing blocks or fills memory.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { UsageError, stringOption, type OptionValues } from './cliArgs';

/** 1 MiB, as the editor's own limit for a selection: far more text than any GPT-2 context holds. */
export const MAX_TEXT_FILE_BYTES = 2 ** 20;

/** O_NONBLOCK: opening a FIFO returns at once (no writer needed), so fstat can refuse it. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function sizeText(bytes: number): string {
  return bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${bytes} bytes`;
}

/** Reads a text file given to `option`, refusing anything but a regular UTF-8 file of at most `maxBytes`. */
export function readTextFile(path: string, option: string, maxBytes = MAX_TEXT_FILE_BYTES): string {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${option} ${path}: no such file`);
    if (code === 'EACCES' || code === 'EPERM') throw new UsageError(`${option} ${path}: no permission to read it`);
    if (code === 'EISDIR') throw new UsageError(`${option} ${path}: is a folder, not a text file`);
    throw new UsageError(`${option} ${path}: cannot open it (${code ?? (e as Error).message})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new UsageError(`${option} ${path}: is ${kindOf(stats)}, not a regular text file`);
    const limit = `the limit is ${sizeText(maxBytes)}`;
    if (stats.size > maxBytes) throw new UsageError(`${option} ${path}: ${sizeText(stats.size)} is too large for a prompt (${limit})`);
    // Read at most one byte more than the limit, whatever fstat said (the file may be growing).
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (let got = 1; got > 0 && n < buf.length; n += got) got = readSync(fd, buf, n, buf.length - n, null);
    if (n > maxBytes) throw new UsageError(`${option} ${path}: more than ${sizeText(maxBytes)} (${limit})`);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, n));
    } catch {
      throw new UsageError(`${option} ${path}: is not UTF-8 text`);
    }
  } finally {
    closeSync(fd);
  }
}

/** Text from --<name> or --<name>-file (at most one; `required` asks for exactly one). */
export function textArg(values: OptionValues, name: string, required: boolean): string | undefined {
  const inline = stringOption(values, name);
  const file = stringOption(values, `${name}-file`);
  if (inline !== undefined && file !== undefined) throw new UsageError(`give --${name} or --${name}-file, not both`);
  if (file !== undefined) return readTextFile(file, `--${name}-file`);
  if (inline === undefined && required) throw new UsageError(`missing --${name} (or --${name}-file)`);
  return inline;
}
