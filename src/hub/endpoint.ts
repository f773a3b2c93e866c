/** Where files live on the hub, and which token goes with requests to it. */
import { HubError } from './errors';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The hub base URL: the option (a setting), else `HF_ENDPOINT`, else https://huggingface.co.
 * Trailing slashes are dropped; a path prefix (a mirror under `/hf`) is kept.
 */
export function resolveEndpoint(option?: string, env: Env = process.env): string {
  const raw = option?.trim() || env.HF_ENDPOINT?.trim() || DEFAULT_ENDPOINT;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new HubError('invalid-endpoint', `Hub endpoint "${raw}" is not a URL (from ${endpointSource(option, env)}).`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HubError('invalid-endpoint', `Hub endpoint "${raw}" must be an http(s) URL (from ${endpointSource(option, env)}).`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new HubError('invalid-endpoint', `Hub endpoint "${raw}" must not carry a query, fragment or credentials (from ${endpointSource(option, env)}).`);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function endpointSource(option: string | undefined, _env: Env): string {
  return option?.trim() ? 'the endpoint setting' : 'HF_ENDPOINT';
}

/** The caller's token (a setting) when non-empty, else `HF_TOKEN`, else none. */
export function resolveToken(option?: string, env: Env = process.env): string | undefined {
  return option?.trim() || env.HF_TOKEN?.trim() || undefined;
}

/** `{endpoint}/{repoId}/resolve/{revision}/{filename}`; the revision is one encoded segment (`refs%2Fpr%2F1`). */
export function resolveUrl(endpoint: string, repoId: string, revision: string, filename: string): string {
  const file = filename.split('/').map(encodeURIComponent).join('/');
  return `${endpoint.replace(/\/+$/, '')}/${repoId}/resolve/${encodeURIComponent(revision)}/${file}`;
}

/** `protocol://host:port` of a URL: the unit the token is scoped to. */
export function originOf(url: string): string {
  return new URL(url).origin;
}
