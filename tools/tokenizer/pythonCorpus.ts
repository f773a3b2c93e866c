import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * A large real-text corpus that every machine with python3 has: the Python sources Debian installs.
 * Symbolic links are skipped, so no file is read twice and link cycles cannot trap the walk.
 */
export const PYTHON_CORPUS_ROOTS = ['/usr/lib/python3/dist-packages', '/usr/lib/python3.11'];

function collectPythonFiles(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // unreadable or missing folder
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) collectPythonFiles(full, out);
    else if (entry.isFile() && entry.name.endsWith('.py')) out.push(full);
  }
}

/** Every `.py` file under the corpus roots, sorted by path. */
export function listPythonCorpusFiles(roots: readonly string[] = PYTHON_CORPUS_ROOTS): string[] {
  const files: string[] = [];
  for (const root of roots) collectPythonFiles(root, files);
  return files.sort();
}

/** FNV-1a, 32 bits: a fixed, well-mixed order that does not depend on the order files were found in. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * A deterministic sample spread over the whole corpus: files in the order of a hash of their path, taken
 * until `maxBytes` is reached (files larger than `maxFileBytes` are passed over so that one file cannot
 * fill the sample).
 */
export function samplePythonCorpus(files: readonly string[], maxBytes: number, maxFileBytes = maxBytes / 8): string[] {
  const byHash = [...files].sort((a, b) => fnv1a(a) - fnv1a(b) || (a < b ? -1 : 1));
  const sample: string[] = [];
  let total = 0;
  for (const file of byHash) {
    const size = fs.statSync(file).size;
    if (size > maxFileBytes) continue;
    if (total + size > maxBytes) break;
    sample.push(file);
    total += size;
  }
  return sample.sort();
}
