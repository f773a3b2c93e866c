/**
 * The training corpus of the shipped model: the Python source that Debian packages install.
 *
 * Files: every regular `*.py` file (symlinks are not followed) under {@link CORPUS_ROOTS}, in sorted path
 * order, that is valid UTF-8, non-empty and at most {@link MAX_FILE_BYTES} bytes; exact duplicates (same
 * content) are kept once, at their first path. CRLF line ends become LF.
 * Split: a file is held out iff the first 32 bits of sha256(its absolute path), read big-endian, are
 * below {@link HELDOUT_PERCENT}% of 2^32. This depends on the path only, so adding or removing other
 * files never moves a file between splits.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CORPUS_ROOTS: readonly string[] = ['/usr/lib/python3/dist-packages', '/usr/lib/python3.11'];
export const MAX_FILE_BYTES = 1_000_000;
export const HELDOUT_PERCENT = 2;

export type Split = 'train' | 'heldout';

export interface CorpusFile {
  readonly path: string;
  readonly bytes: number;
  readonly split: Split;
}

export interface CorpusListing {
  readonly files: CorpusFile[];
  readonly skipped: { readonly tooLarge: number; readonly empty: number; readonly notUtf8: number; readonly duplicate: number };
}

export function splitOf(file: string): Split {
  const first32 = createHash('sha256').update(file).digest().readUInt32BE(0);
  return first32 < (HELDOUT_PERCENT / 100) * 2 ** 32 ? 'heldout' : 'train';
}

function* pythonFiles(dir: string): Generator<string> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* pythonFiles(full);
    else if (entry.isFile() && entry.name.endsWith('.py')) yield full;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text of a corpus file as the model sees it (CRLF → LF), or undefined if it is not UTF-8. */
export function readCorpusText(file: string): string | undefined {
  try {
    return strictUtf8.decode(fs.readFileSync(file)).replace(/\r\n/g, '\n');
  } catch {
    return undefined;
  }
}

export function listCorpus(): CorpusListing {
  const files: CorpusFile[] = [];
  const skipped = { tooLarge: 0, empty: 0, notUtf8: 0, duplicate: 0 };
  const seen = new Set<string>();
  for (const root of CORPUS_ROOTS) {
    for (const file of pythonFiles(root)) {
      const size = fs.statSync(file).size;
      if (size === 0) {
        skipped.empty++;
        continue;
      }
      if (size > MAX_FILE_BYTES) {
        skipped.tooLarge++;
        continue;
      }
      const text = readCorpusText(file);
      if (text === undefined) {
        skipped.notUtf8++;
        continue;
      }
      if (text.trim() === '') {
        skipped.empty++;
        continue;
      }
      const digest = createHash('sha256').update(text).digest('hex');
      if (seen.has(digest)) {
        skipped.duplicate++;
        continue;
      }
      seen.add(digest);
      files.push({ path: file, bytes: Buffer.byteLength(text), split: splitOf(file) });
    }
  }
  return { files, skipped };
}

export interface CorpusStats {
  readonly roots: readonly string[];
  readonly maxFileBytes: number;
  readonly heldoutPercent: number;
  readonly splitRule: string;
  readonly skipped: CorpusListing['skipped'];
  readonly train: { readonly files: number; readonly bytes: number };
  readonly heldout: { readonly files: number; readonly bytes: number };
}

export function corpusStats(listing: CorpusListing): CorpusStats {
  const sum = (split: Split): { files: number; bytes: number } => {
    const of = listing.files.filter((f) => f.split === split);
    return { files: of.length, bytes: of.reduce((s, f) => s + f.bytes, 0) };
  };
  return {
    roots: CORPUS_ROOTS,
    maxFileBytes: MAX_FILE_BYTES,
    heldoutPercent: HELDOUT_PERCENT,
    splitRule: `held out iff the first 4 bytes of sha256(absolute path), big-endian, < ${HELDOUT_PERCENT}% of 2^32`,
    skipped: listing.skipped,
    train: sum('train'),
    heldout: sum('heldout'),
  };
}
