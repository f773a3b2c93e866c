/**
 * `--model` → a model folder. Absent: the shipped model. An existing folder, or a value written as
 * a path (`./x`, `/x`, `~/x`): that folder. Otherwise a hub id as the extension takes it
 * (`openai-community/gpt2`, `gpt2@<commit>`): looked up in the Hugging Face cache first (the same
 * lookup as the extension), and downloaded into it only when it is not there.
 */
import { existsSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HubError, VerifiedBlobs, downloadModel, formatModelRef, hfCacheDirs, locateModel, parseModelSource } from '../hub';
import { shippedModelDir } from '../model/shippedModel';
import { UsageError } from './cliArgs';

type Env = Readonly<Record<string, string | undefined>>;

export interface ResolveModelArgOptions {
  readonly env?: Env;
  /** progress and notes, one line each (stderr) */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** hub base URL; default HF_ENDPOINT, then https://huggingface.co */
  readonly endpoint?: string;
}

/** Where the CLI remembers checked blobs: `$XDG_CACHE_HOME/circuit-inspector` or `~/.cache/circuit-inspector`. */
export function cliStorageDir(env: Env = process.env, home: string = os.homedir()): string {
  return path.join(env.XDG_CACHE_HOME?.trim() || path.join(home, '.cache'), 'circuit-inspector');
}

export async function resolveModelArg(value: string | undefined, o: ResolveModelArgOptions = {}): Promise<string> {
  if (value === undefined) return shippedModelDir();
  const env = o.env ?? process.env;
  const log = o.log ?? (() => undefined);
  if (isFolder(value)) return path.resolve(value);
  let source;
  try {
    source = parseModelSource(value);
  } catch (e) {
    throw new UsageError(`--model: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (source.kind === 'local') {
    const dir = path.resolve(source.path);
    if (!isFolder(dir)) throw new UsageError(`--model: ${dir} is not a folder (a Hugging Face GPT-2 folder, or a hub id such as openai-community/gpt2)`);
    return dir;
  }
  const ref = source.ref;
  const name = formatModelRef(ref);
  const dirs = hfCacheDirs(env);
  const storage = cliStorageDir(env);
  const verified = new VerifiedBlobs(path.join(storage, 'verified-blobs.json'));
  const located = await locateModel(ref, { hfCacheDirs: dirs, verified, signal: o.signal });
  if (located.found) return located.found.folder;
  for (const p of located.problems) log(p);
  log(`${name}: not in the Hugging Face cache; downloading into ${dirs[0]}`);
  let lastPct = -1;
  try {
    const result = await downloadModel(ref, {
      cacheRoot: storage,
      hfCache: dirs[0],
      verifiedBlobs: verified,
      endpoint: o.endpoint,
      env,
      signal: o.signal,
      onProgress: (p) => {
        if (p.overallTotal === undefined || p.overallTotal === 0) return;
        const pct = Math.floor((100 * p.overallReceived) / p.overallTotal / 10) * 10;
        if (pct !== lastPct) {
          lastPct = pct;
          log(`${name}: ${pct}% (${p.file})`);
        }
      },
    });
    return result.folder;
  } catch (e) {
    if (e instanceof HubError) throw new Error(`--model ${value}: ${e.message}`);
    throw e;
  }
}

function isFolder(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isDirectory();
  } catch {
    return false;
  }
}
