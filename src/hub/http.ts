/**
 * One HTTP(S) exchange with the hub, on Node's http/https: redirects followed by hand (bounded,
 * relative Location allowed), the token sent only to the hub's own origin, and failures turned into
 * HubErrors that name the host and the file.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { HubError, abortError } from './errors';

export type Headers = http.IncomingHttpHeaders;

export interface Hop {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
}

export interface OpenOptions {
  readonly method: 'GET' | 'HEAD';
  readonly url: string;
  /** repo-relative file name, for messages */
  readonly file: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as `Authorization: Bearer …`, and only to `tokenOrigin` (never to a CDN we are redirected to). */
  readonly token?: string;
  readonly tokenOrigin: string;
  readonly signal?: AbortSignal;
  /** idle socket timeout, also while the body streams */
  readonly timeoutMs?: number;
  readonly maxRedirects?: number;
  /** Return false to stop at a redirect and get it back as the response. */
  readonly followRedirect?: (from: URL, to: URL) => boolean;
  /** Sees each redirect before it is followed; may edit the headers sent to the next hop. */
  readonly onRedirect?: (hop: Hop, next: URL, headers: Record<string, string>) => void;
}

export interface OpenResponse {
  /** the URL that gave this response */
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  /** unread; the caller consumes or destroys it */
  readonly body: http.IncomingMessage;
  /** the redirects followed to get here, first first */
  readonly hops: readonly Hop[];
}

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_REDIRECTS = 10;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const USER_AGENT = 'circuit-inspector-hub/0.1 (node)';

export async function openUrl(o: OpenOptions): Promise<OpenResponse> {
  const headers: Record<string, string> = { ...o.headers };
  const maxRedirects = o.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const hops: Hop[] = [];
  let url = new URL(o.url);
  let method = o.method;
  for (;;) {
    const res = await requestOnce(url, method, headersFor(url, headers, o), o);
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (!REDIRECT_STATUSES.has(status) || location === undefined) {
      return { url: url.href, status, headers: res.headers, body: res, hops };
    }
    res.resume();
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new HubError('http', `${o.file}: ${url.href} redirected to an invalid location "${location}".`, {
        file: o.file,
        url: url.href,
        status,
      });
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new HubError('http', `${o.file}: ${url.href} redirected to a non-http URL (${next.protocol}).`, {
        file: o.file,
        url: url.href,
        status,
      });
    }
    const hop: Hop = { url: url.href, status, headers: res.headers };
    if (o.followRedirect && !o.followRedirect(url, next)) {
      return { url: url.href, status, headers: res.headers, body: res, hops };
    }
    if (hops.length >= maxRedirects) {
      throw new HubError('http', `${o.file}: more than ${maxRedirects} redirects, last from ${url.href}.`, {
        file: o.file,
        url: o.url,
        status,
      });
    }
    hops.push(hop);
    o.onRedirect?.(hop, next, headers);
    if (status === 303 && method !== 'HEAD') method = 'GET';
    url = next;
  }
}

function headersFor(url: URL, headers: Record<string, string>, o: OpenOptions): Record<string, string> {
  const out: Record<string, string> = { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...headers };
  if (o.token !== undefined && url.origin === o.tokenOrigin) out.authorization = `Bearer ${o.token}`;
  return out;
}

function requestOnce(url: URL, method: string, headers: Record<string, string>, o: OpenOptions): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    if (o.signal?.aborted) {
      reject(abortError(o.file));
      return;
    }
    const mod = url.protocol === 'https:' ? https : http;
    const req = mod.request(url, { method, headers, signal: o.signal }, resolve);
    req.setTimeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS, () => {
      req.destroy(Object.assign(new Error(`no data for ${o.timeoutMs ?? DEFAULT_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' }));
    });
    req.on('error', (err) => reject(o.signal?.aborted ? abortError(o.file) : networkError(url, o.file, err)));
    req.end();
  });
}

/** Not worth retrying: the name does not resolve or nothing listens there. */
const HARD_NETWORK_CODES = new Set(['ENOTFOUND', 'ECONNREFUSED', 'EAI_FAIL', 'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT']);

export function networkError(url: URL, file: string, err: unknown, received?: number, total?: number): HubError {
  const code = (err as { code?: unknown }).code;
  const why = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  const where =
    received === undefined
      ? `Could not reach ${url.host} while downloading ${file} (${why}).`
      : `The connection to ${url.host} dropped after ${received}${total === undefined ? '' : ` of ${total}`} bytes of ${file} (${why}); the partial file is kept and the next attempt resumes it.`;
  return new HubError(
    'network',
    `${where} If you are offline, use a cached model or a local folder; if huggingface.co is blocked, set HF_ENDPOINT to a reachable mirror.`,
    { file, url: url.href, retryable: !(typeof code === 'string' && HARD_NETWORK_CODES.has(code)) },
    { cause: err },
  );
}

function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Who the request went to, for saying whether the token had anything to do with a refusal. */
export interface TokenScope {
  readonly token?: string;
  /** the hub's own origin: the only one the token is sent to */
  readonly tokenOrigin: string;
}

/** The longest Retry-After we wait for; a longer one fails at once, saying when to try again. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Retry-After in ms: delta-seconds (`120`) or an HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`),
 * never negative; undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | readonly string[] | undefined, now: number = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (v === undefined || v === '') return undefined;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A HubError for a status that is not a success, naming the file and the URL. */
export function statusError(file: string, url: string, status: number, headers: Headers, scope: TokenScope): HubError {
  const code = header(headers, 'x-error-code');
  const serverMessage = header(headers, 'x-error-message');
  const said = serverMessage ? ` The hub said: ${serverMessage}` : '';
  const details = { file, url, status };
  const target = new URL(url);
  const hubHost = new URL(scope.tokenOrigin).host;
  if ((status === 401 || status === 403 || code === 'GatedRepo') && target.origin !== scope.tokenOrigin) {
    // Not the hub: a storage host (CDN) the hub redirected to. It never gets the token.
    return new HubError(
      'unauthorized',
      `Access to ${file} was refused (HTTP ${status}) by ${target.host}, the download host the hub (${hubHost}) redirected to. ` +
        `The Hugging Face token is only sent to ${hubHost} and was not sent to ${target.host}, so the token is not the cause: ` +
        `the signed download link may have expired, or a proxy or firewall blocks ${target.host}. Try again; if it keeps failing, check your network or set HF_ENDPOINT to a mirror.${said}`,
      details,
    );
  }
  if (status === 401 || status === 403 || code === 'GatedRepo') {
    const token =
      scope.token !== undefined
        ? `The token was sent to ${hubHost} and refused: check that it is valid and that its account has access.`
        : 'No token was sent: run Circuit Inspector: Set Hugging Face Token (or set HF_TOKEN for the command line).';
    return new HubError(
      'unauthorized',
      `Access to ${file} was refused (HTTP ${status}) at ${url}. The repo may be private or gated (accept its terms on the model page), or may not exist. ${token}${said}`,
      details,
    );
  }
  if (status === 404) {
    const what =
      code === 'RepoNotFound'
        ? 'The repo was not found'
        : code === 'RevisionNotFound'
          ? 'The revision was not found'
          : code === 'EntryNotFound'
            ? `The repo has no file ${file} at this revision`
            : 'The repo, revision or file was not found';
    return new HubError('not-found', `${file}: not found (HTTP 404) at ${url}. ${what}; check the model id and revision.${said}`, details);
  }
  const retryable = status === 429 || status >= 500;
  const retryAfterMs = retryable ? parseRetryAfter(headers['retry-after']) : undefined;
  if (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_AFTER_MS) {
    const when = new Date(Date.now() + retryAfterMs).toISOString();
    return new HubError(
      'http',
      `${file}: ${status === 429 ? 'rate limited' : `HTTP ${status}`} by ${target.host} (${url}), which asks to wait ${Math.ceil(retryAfterMs / 1000)} s ` +
        `(Retry-After), longer than the ${MAX_RETRY_AFTER_MS / 1000} s Circuit Inspector waits. Try again after ${when}.${said}`,
      { ...details, retryable: false, retryAfterMs },
    );
  }
  const rateLimited = status === 429 ? ` ${target.host} is rate limiting requests (HTTP 429).` : '';
  return new HubError('http', `${file}: unexpected HTTP ${status} from ${url}.${rateLimited}${said}`, {
    ...details,
    retryable,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}
