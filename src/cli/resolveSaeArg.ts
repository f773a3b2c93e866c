/** `--sae hf:OWNER/REPO[@REV]:SUBFOLDER` → a local SAE folder. */
import type { SaeSource } from '../model/sae';
import { UsageError } from './cliArgs';

export async function resolveSaeHub(source: Extract<SaeSource, { kind: 'hub' }>, text: string): Promise<string> {
  throw new UsageError(
    `--sae ${text}: Hugging Face SAEs (${source.repo}:${source.subfolder}) are not supported by the CLI yet; download the folder and pass its path`,
  );
}
