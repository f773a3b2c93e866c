/**
 * The CLI's JSON output, written as it is produced: tensors go out row by row, so `--logits all` on
 * 1024 × 50257 logits never builds one giant string (V8's limit is about 512 M characters). Plain
 * values are indented as JSON.stringify(value, null, 1) would; a tensor's `data` is the flat array
 * of its values, one line per row of its last axis. `--out` is checked before the model runs.
 */
import { accessSync, closeSync, constants, openSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './cliArgs';

/** A tensor to write as `data`: a flat array, one line per row of `rowLength` values. */
export class JsonRows {
  constructor(
    readonly data: ArrayLike<number>,
    readonly rowLength: number,
  ) {}
}

/** Where output goes: each call gets one chunk; a returned promise is awaited (backpressure). */
export type ChunkSink = (chunk: string) => void | Promise<void>;

/** Chunks are flushed once they reach this many characters. */
export const CHUNK_CHARS = 1 << 16;

function numberText(v: number): string {
  return Number.isFinite(v) ? String(v) : 'null';
}

/** Writes `value` as JSON to `sink` in chunks of about `chunkChars` characters. */
export async function writeJson(value: unknown, sink: ChunkSink, chunkChars = CHUNK_CHARS): Promise<void> {
  let buffer = '';
  const put = async (s: string) => {
    buffer += s;
    if (buffer.length >= chunkChars) {
      const chunk = buffer;
      buffer = '';
      await sink(chunk);
    }
  };
  const walk = async (v: unknown, indent: string): Promise<void> => {
    if (v instanceof JsonRows) {
      const inner = `${indent} `;
      const n = v.data.length;
      if (n === 0) return put('[]');
      await put('[');
      for (let start = 0; start < n; start += v.rowLength) {
        const end = Math.min(start + v.rowLength, n);
        let line = `\n${inner}`;
        for (let i = start; i < end; i++) {
          line += numberText(v.data[i]);
          if (i < n - 1) line += ',';
          if (line.length >= chunkChars) {
            await put(line);
            line = '';
          }
        }
        await put(line);
      }
      return put(`\n${indent}]`);
    }
    if (Array.isArray(v)) {
      if (v.length === 0) return put('[]');
      const inner = `${indent} `;
      await put('[');
      for (let i = 0; i < v.length; i++) {
        await put(`\n${inner}`);
        await walk(v[i] === undefined || typeof v[i] === 'function' ? null : v[i], inner);
        if (i < v.length - 1) await put(',');
      }
      return put(`\n${indent}]`);
    }
    if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined && typeof x !== 'function');
      if (entries.length === 0) return put('{}');
      const inner = `${indent} `;
      await put('{');
      for (let i = 0; i < entries.length; i++) {
        await put(`\n${inner}${JSON.stringify(entries[i][0])}: `);
        await walk(entries[i][1], inner);
        if (i < entries.length - 1) await put(',');
      }
      return put(`\n${indent}}`);
    }
    return put(JSON.stringify(v, null, 1).replace(/\n/g, `\n${indent}`));
  };
  await walk(value, '');
  await put('\n');
  if (buffer) await sink(buffer);
}

function outError(path: string, e: unknown): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'no permission to write there' : (code ?? (e as Error).message);
  return new UsageError(`--out ${path}: cannot write the output (${why})`);
}

/** Refuses an --out path that cannot be written, before anything runs. Nothing is created. */
export function checkOutPath(path: string): void {
  if (path === '') throw new UsageError('--out needs a value: the JSON file to write');
  let stats;
  try {
    stats = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw outError(path, e);
  }
  if (stats) {
    if (stats.isDirectory()) throw new UsageError(`--out ${path}: is a folder; give the path of a file to write`);
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      throw outError(path, e);
    }
    return;
  }
  const folder = dirname(resolve(path));
  let folderStats;
  try {
    folderStats = statSync(folder);
  } catch {
    throw new UsageError(`--out ${path}: the folder ${folder} does not exist`);
  }
  if (!folderStats.isDirectory()) throw new UsageError(`--out ${path}: ${folder} is not a folder`);
  try {
    accessSync(folder, constants.W_OK);
  } catch (e) {
    throw outError(path, e);
  }
}

/** Writes `value` to the file `path` (sync writes, so memory stays bounded). */
export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw new Error(`--out ${path}: cannot write the output (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    await writeJson(value, (chunk) => {
      try {
        writeSync(fd, chunk);
      } catch (e) {
        throw new Error(`--out ${path}: writing failed (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    });
  } finally {
    closeSync(fd);
  }
}

/** Writes `value` to stdout, waiting for 'drain' when the stream's buffer is full. */
export async function writeJsonStdout(value: unknown): Promise<void> {
  await writeJson(value, (chunk) => {
    if (process.stdout.write(chunk)) return;
    return new Promise<void>((res, rej) => {
      const done = (e?: Error) => {
        process.stdout.off('drain', done);
        process.stdout.off('error', done);
        if (e) rej(new Error(`writing to stdout failed (${(e as NodeJS.ErrnoException).code ?? e.message})`));
        else res();
      };
      process.stdout.once('drain', done);
      process.stdout.once('error', done);
    });
  });
}
