/**
 * A local stand-in for the Hugging Face hub, on two real HTTP servers bound to 127.0.0.1:
 *
 * - the hub: `/{repo}/resolve/{revision}/{file}`. Plain files are served directly with their git
 *   blob id as ETag; LFS files (by default *.safetensors and *.bin) answer 302 to the CDN with
 *   X-Linked-Etag (sha256), X-Linked-Size and X-Repo-Commit, as the real hub does. Errors carry
 *   X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo).
 * - the "CDN": `/blobs/{sha256}`, on another port, so it is another origin.
 *
 * Both honour Range and If-Range (206 + Content-Range, 416) and can be told to cut a response
 * mid-way, stall it, corrupt it or ignore Range. A cut sends its first bytes and holds the
 * connection until the test drops it (once the client reports those bytes), so that the cut point
 * is exact: dropping right away could lose bytes the client had not read yet. Every request is logged with its headers and the
 * status it got.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoggedRequest {
  readonly server: 'hub' | 'cdn';
  readonly method: string;
  /** the raw request path */
  readonly path: string;
  /** the file it was for, when known */
  file?: string;
  readonly headers: http.IncomingHttpHeaders;
  status?: number;
}

export interface RepoOptions {
  /** files served through the CDN (default: names ending in .safetensors or .bin) */
  readonly lfs?: readonly string[];
  /** when set, the hub answers 401 unless `Authorization: Bearer <token>` */
  readonly token?: string;
  /** extra branch names pointing at the first commit, e.g. `refs/pr/1` */
  readonly branches?: readonly string[];
}

interface Blob {
  readonly file: string;
  readonly data: Buffer;
}

interface Repo {
  readonly id: string;
  readonly options: RepoOptions;
  /** commit sha → files */
  readonly commits: Map<string, Map<string, Buffer>>;
  /** branch → commit sha */
  readonly branches: Map<string, string>;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function gitBlobSha1(data: Buffer): string {
  return createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');
}

function randomCommit(): string {
  return randomBytes(20).toString('hex');
}

export class FakeHub {
  readonly requests: LoggedRequest[] = [];
  /** file → N: the next body for it sends N bytes and hangs until dropCutConnections() (once) */
  readonly cutOnce = new Map<string, number>();
  /** file → bytes after which responses for it stall until the server closes */
  readonly stall = new Map<string, number>();
  /** files whose bodies are served with every byte flipped */
  readonly corrupt = new Set<string>();
  /** file → status the CDN answers instead of the body (e.g. 403 for an expired signed link) */
  readonly cdnStatus = new Map<string, number>();
  /** file → the next `times` hub requests for it answer `status` (default 429) with this Retry-After */
  readonly throttle = new Map<string, { times: number; retryAfter: string; status?: number }>();
  /** files whose GET bodies are sent chunked: no Content-Length (and, with `noEtagOnGet`, no ETag) */
  readonly chunked = new Set<string>();
  /** files whose GET responses carry no ETag (HEAD still does) */
  readonly noEtagOnGet = new Set<string>();
  /** files whose HEAD announces no Content-Length / no ETag (a mirror that says little) */
  readonly noSizeOnHead = new Set<string>();
  readonly noEtagOnHead = new Set<string>();
  /** file → bytes appended to its GET body (a server sending more than it should) */
  readonly extraBytes = new Map<string, number>();
  /** when true, both servers ignore Range and always answer 200 */
  ignoreRange = false;
  /** when true, no X-Repo-Commit header (like some mirrors) */
  omitCommit = false;

  private urls = { hub: '', cdn: '' };
  private readonly held = new Set<http.ServerResponse>();
  private readonly repos = new Map<string, Repo>();
  /** legacy id → canonical id; the hub answers a relative 307 like the real one does for renamed repos */
  private readonly aliases = new Map<string, string>();
  private readonly blobs = new Map<string, Blob>();
  private readonly hubServer = http.createServer((req, res) => this.handleHub(req, res));
  private readonly cdnServer = http.createServer((req, res) => this.handleCdn(req, res));

  private constructor() {}

  static async start(): Promise<FakeHub> {
    const hub = new FakeHub();
    const [hubPort, cdnPort] = await Promise.all([listen(hub.hubServer), listen(hub.cdnServer)]);
    hub.urls = { hub: `http://127.0.0.1:${hubPort}`, cdn: `http://127.0.0.1:${cdnPort}` };
    return hub;
  }

  /** http://127.0.0.1:<port> of the hub (kept after close) */
  get url(): string {
    return this.urls.hub;
  }

  get cdnUrl(): string {
    return this.urls.cdn;
  }

  async close(): Promise<void> {
    for (const s of [this.hubServer, this.cdnServer]) s.closeAllConnections();
    await Promise.all([this.hubServer, this.cdnServer].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /** Creates a repo with one commit on `main`; returns the commit sha. */
  addRepo(id: string, files: Readonly<Record<string, Buffer | string>>, options: RepoOptions = {}): string {
    const commit = randomCommit();
    const repo: Repo = { id, options, commits: new Map(), branches: new Map([['main', commit]]) };
    for (const b of options.branches ?? []) repo.branches.set(b, commit);
    repo.commits.set(commit, this.toFiles(files));
    this.repos.set(id, repo);
    return commit;
  }

  /** A new commit on `main` that adds or replaces files; returns its sha. */
  commit(id: string, changes: Readonly<Record<string, Buffer | string>>): string {
    const repo = this.repos.get(id);
    if (!repo) throw new Error(`no repo ${id}`);
    const parent = repo.commits.get(repo.branches.get('main') as string) as Map<string, Buffer>;
    const commit = randomCommit();
    repo.commits.set(commit, new Map([...parent, ...this.toFiles(changes)]));
    repo.branches.set('main', commit);
    return commit;
  }

  /** Drops the connections of cut responses, as a flaky network would. */
  dropCutConnections(): void {
    for (const res of this.held) res.socket?.destroy();
    this.held.clear();
  }

  alias(legacyId: string, canonicalId: string): void {
    this.aliases.set(legacyId, canonicalId);
  }

  /** Requests logged for `file` (on either server), optionally filtered. */
  requestsFor(file: string, filter: Partial<Pick<LoggedRequest, 'server' | 'method'>> = {}): LoggedRequest[] {
    return this.requests.filter(
      (r) => r.file === file && (filter.server === undefined || r.server === filter.server) && (filter.method === undefined || r.method === filter.method),
    );
  }

  private toFiles(files: Readonly<Record<string, Buffer | string>>): Map<string, Buffer> {
    return new Map(Object.entries(files).map(([name, data]) => [name, Buffer.isBuffer(data) ? data : Buffer.from(data)]));
  }

  private isLfs(repo: Repo, file: string): boolean {
    return repo.options.lfs ? repo.options.lfs.includes(file) : /\.(safetensors|bin)$/.test(file);
  }

  private log(server: 'hub' | 'cdn', req: http.IncomingMessage, res: http.ServerResponse): LoggedRequest {
    const entry: LoggedRequest = { server, method: req.method ?? '', path: req.url ?? '', headers: req.headers };
    this.requests.push(entry);
    const writeHead = res.writeHead.bind(res);
    res.writeHead = ((status: number, headers?: Record<string, string>) => {
      entry.status = status;
      const h = { ...headers };
      if (this.omitCommit) delete h['x-repo-commit'];
      return writeHead(status, h);
    }) as typeof res.writeHead;
    return entry;
  }

  private handleHub(req: http.IncomingMessage, res: http.ServerResponse): void {
    const entry = this.log('hub', req, res);
    const pathname = (req.url ?? '').split('?')[0];
    const m = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(pathname);
    if (!m) return void end(res, 404, { 'x-error-code': 'RepoNotFound' });
    const [, repoId, revRaw, fileRaw] = m;
    const revision = decodeURIComponent(revRaw);
    const file = fileRaw.split('/').map(decodeURIComponent).join('/');
    entry.file = file;

    const throttled = this.throttle.get(file);
    if (throttled !== undefined && throttled.times > 0) {
      throttled.times--;
      return void end(res, throttled.status ?? 429, { 'retry-after': throttled.retryAfter });
    }
    const canonical = this.aliases.get(repoId);
    if (canonical !== undefined) {
      return void end(res, 307, { location: `/${canonical}/resolve/${revRaw}/${fileRaw}` });
    }
    const repo = this.repos.get(repoId);
    if (!repo) return void end(res, 404, { 'x-error-code': 'RepoNotFound', 'x-error-message': 'Repository not found' });
    if (repo.options.token !== undefined && req.headers.authorization !== `Bearer ${repo.options.token}`) {
      return void end(res, 401, { 'x-error-code': 'GatedRepo', 'x-error-message': 'Access to this model is restricted.' });
    }
    const commit = repo.commits.has(revision) ? revision : repo.branches.get(revision);
    const files = commit === undefined ? undefined : repo.commits.get(commit);
    if (commit === undefined || files === undefined) {
      return void end(res, 404, { 'x-error-code': 'RevisionNotFound', 'x-error-message': 'Invalid rev id' });
    }
    const data = files.get(file);
    if (data === undefined) return void end(res, 404, { 'x-error-code': 'EntryNotFound', 'x-repo-commit': commit });

    if (this.isLfs(repo, file)) {
      const sha = sha256(data);
      this.blobs.set(sha, { file, data });
      return void end(res, 302, {
        location: `${this.cdnUrl}/blobs/${sha}`,
        etag: `"${sha}"`,
        'x-linked-etag': `"${sha}"`,
        'x-linked-size': String(data.length),
        'x-repo-commit': commit,
      });
    }
    this.serveBytes(req, res, file, data, `"${gitBlobSha1(data)}"`, { 'x-repo-commit': commit });
  }

  private handleCdn(req: http.IncomingMessage, res: http.ServerResponse): void {
    const entry = this.log('cdn', req, res);
    const m = /^\/blobs\/([0-9a-f]{64})$/.exec(req.url ?? '');
    const blob = m ? this.blobs.get(m[1]) : undefined;
    if (!blob) return void end(res, 404, {});
    entry.file = blob.file;
    const denied = this.cdnStatus.get(blob.file);
    if (denied !== undefined) return void end(res, denied, {});
    const cdnEtag = `"${createHash('md5').update(blob.data).digest('hex')}"`;
    this.serveBytes(req, res, blob.file, blob.data, cdnEtag, {});
  }

  private serveBytes(req: http.IncomingMessage, res: http.ServerResponse, file: string, original: Buffer, etag: string, extra: Record<string, string>): void {
    if (req.method === 'HEAD') {
      const h: Record<string, string> = { ...extra, etag, 'content-length': String(original.length) };
      if (this.noEtagOnHead.has(file)) delete h.etag;
      if (this.noSizeOnHead.has(file)) {
        delete h['content-length'];
        res.writeHead(200, h);
        return void res.end();
      }
      return void end(res, 200, h);
    }
    const flipped = this.corrupt.has(file) ? Buffer.from(original.map((b) => b ^ 0xff)) : original;
    const data = Buffer.concat([flipped, Buffer.alloc(this.extraBytes.get(file) ?? 0, 0x20)]);
    const headers: Record<string, string> = { ...extra, etag, 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream' };
    if (this.noEtagOnGet.has(file)) delete headers.etag;
    let start = 0;
    let status = 200;
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && !this.ignoreRange && (ifRange === undefined || ifRange === etag)) {
      start = Number(range[1]);
      if (start >= data.length) {
        return void end(res, 416, { ...headers, 'content-range': `bytes */${data.length}` });
      }
      const last = range[2] === '' ? data.length - 1 : Math.min(Number(range[2]), data.length - 1);
      status = 206;
      headers['content-range'] = `bytes ${start}-${last}/${data.length}`;
      headers['content-length'] = String(last - start + 1);
      this.sendBody(res, file, status, headers, data.subarray(start, last + 1));
      return;
    }
    headers['content-length'] = String(data.length);
    this.sendBody(res, file, status, headers, data);
  }

  private sendBody(res: http.ServerResponse, file: string, status: number, headers: Record<string, string>, body: Buffer): void {
    if (this.chunked.has(file)) delete headers['content-length'];
    res.writeHead(status, headers);
    const cutAt = this.cutOnce.get(file);
    this.cutOnce.delete(file);
    const stallAt = this.stall.get(file);
    if (cutAt !== undefined && cutAt < body.length) {
      res.write(body.subarray(0, cutAt));
      this.held.add(res);
      return;
    }
    if (stallAt !== undefined && stallAt < body.length) {
      res.write(body.subarray(0, stallAt)); // and never finish: the client has to give up or cancel
      return;
    }
    res.end(body);
  }
}

function listen(server: http.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

function end(res: http.ServerResponse, status: number, headers: Record<string, string>): void {
  res.writeHead(status, { 'content-length': '0', ...headers });
  res.end();
}
