/**
 * `--sae hf:OWNER/REPO[@REV]:SUBFOLDER` → a local SAE folder: the subfolder's cfg.json, weights and
 * sparsity downloaded through the hub client (resume, checksums) into the CLI's cache
 * (`$XDG_CACHE_HOME/circuit-inspector/saes/…`), or found there. HF_ENDPOINT, HF_TOKEN and
 * HF_HUB_OFFLINE apply as for --model.
 */
import { downloadSae } from '../hub/saeDownload';
import type { SaeSource } from '../model/sae';
import { cliStorageDir } from './resolveModelArg';

type Env = Readonly<Record<string, string | undefined>>;

export interface ResolveSaeHubOptions {
  readonly env?: Env;
  /** progress, one line each (stderr) */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export async function resolveSaeHub(source: Extract<SaeSource, { kind: 'hub' }>, text: string, o: ResolveSaeHubOptions = {}): Promise<string> {
  const env = o.env ?? process.env;
  const log = o.log ?? ((line: string) => process.stderr.write(`circuit-inspector: ${line}\n`));
  let lastPct = -1;
  return downloadSae(source.repo, source.subfolder, {
    cacheRoot: cliStorageDir(env),
    ...(source.revision ? { revision: source.revision } : {}),
    env,
    signal: o.signal,
    onProgress: (p) => {
      if (!p.overallTotal) return;
      const pct = Math.floor((100 * p.overallReceived) / p.overallTotal / 10) * 10;
      if (pct !== lastPct) {
        lastPct = pct;
        log(`${text}: ${pct}% (${p.file})`);
      }
    },
  });
}
