/**
 * Model references: which repo and revision to fetch, or a local folder to use as is.
 *
 * Accepted forms: `openai-community/gpt2`, legacy ids without an org (`gpt2`, `distilgpt2`,
 * `gpt2-medium`), and either with `@revision` (`apollo-research/gpt2_noLN@main`,
 * `gpt2@refs/pr/1`, `gpt2@<commit sha>`). The revision may also come as a separate argument
 * (a setting); it defaults to `main`.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HubError } from './errors';

export const DEFAULT_REVISION = 'main';

export interface ModelRef {
  /** `org/name` or a legacy `name` */
  readonly repoId: string;
  /** absent for legacy ids such as `gpt2` */
  readonly org?: string;
  readonly name: string;
  /** a branch, tag, `refs/pr/N` or a commit sha */
  readonly revision: string;
}

export type ModelSource = { readonly kind: 'local'; readonly path: string } | { readonly kind: 'hub'; readonly ref: ModelRef };

const MAX_NAME_LENGTH = 96;
/** starts and ends with a letter, digit or underscore; '.', '-' allowed inside */
const NAME_PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;
const COMMIT_SHA = /^[0-9a-f]{40}$/;

/** Why `repoId` is not a valid hub repo id, or undefined when it is. */
export function repoIdProblem(repoId: string): string | undefined {
  if (repoId.length === 0) return 'it is empty';
  const parts = repoId.split('/');
  if (parts.length > 2) return 'it has more than one "/"';
  for (const part of parts) {
    if (part.length === 0) return 'a part is empty';
    if (part.length > MAX_NAME_LENGTH) return `"${part}" is longer than ${MAX_NAME_LENGTH} characters`;
    if (!NAME_PART.test(part)) {
      return `"${part}" may only contain letters, digits, "-", "_" and "." and must start and end with a letter, digit or "_"`;
    }
  }
  if (repoId.includes('--') || repoId.includes('..')) return 'it contains "--" or ".."';
  if (repoId.endsWith('.git')) return 'it ends with ".git"';
  return undefined;
}

/** Why `revision` is not a usable git revision, or undefined when it is (rules of git check-ref-format). */
export function revisionProblem(revision: string): string | undefined {
  if (revision.length === 0) return 'it is empty';
  if (revision.length > 256) return 'it is longer than 256 characters';
  if (/[\s\x00-\x1f\x7f~^:?*[\\]/.test(revision)) return 'it contains whitespace, a control character or one of ~^:?*[\\';
  if (revision.startsWith('/') || revision.endsWith('/') || revision.includes('//')) return 'it has an empty path segment';
  if (revision.includes('..') || revision.includes('@{')) return 'it contains ".." or "@{"';
  if (revision.split('/').some((seg) => seg.startsWith('.') || seg.endsWith('.lock'))) {
    return 'a segment starts with "." or ends with ".lock"';
  }
  return undefined;
}

export function isCommitSha(revision: string): boolean {
  return COMMIT_SHA.test(revision);
}

/**
 * Parses `repo` or `repo@revision`. `revision` (e.g. a setting) is used when the input has no
 * `@revision`; an empty string counts as absent. Both given and different is an error.
 */
export function parseModelRef(input: string, revision?: string): ModelRef {
  const trimmed = input.trim();
  const at = trimmed.indexOf('@');
  const repoId = at < 0 ? trimmed : trimmed.slice(0, at);
  const inlineRevision = at < 0 ? undefined : trimmed.slice(at + 1);
  const argRevision = revision?.trim() || undefined;

  const problem = repoIdProblem(repoId);
  if (problem !== undefined) {
    throw new HubError(
      'invalid-ref',
      `Invalid model id "${input}": ${problem}. Expected "name" or "org/name" (letters, digits, "-", "_", "."), ` +
        'optionally followed by "@revision", or a local folder path.',
    );
  }
  if (inlineRevision !== undefined && argRevision !== undefined && inlineRevision !== argRevision) {
    throw new HubError('invalid-ref', `Model "${input}" names revision "${inlineRevision}" but revision "${argRevision}" was also given; use one of them.`);
  }
  const rev = inlineRevision ?? argRevision ?? DEFAULT_REVISION;
  const revProblem = revisionProblem(rev);
  if (revProblem !== undefined) {
    throw new HubError('invalid-ref', `Invalid revision "${rev}" for model "${repoId}": ${revProblem}.`);
  }

  const slash = repoId.indexOf('/');
  return slash < 0 ? { repoId, name: repoId, revision: rev } : { repoId, org: repoId.slice(0, slash), name: repoId.slice(slash + 1), revision: rev };
}

/** `org/name` for `main`, `org/name@rev` otherwise. parseModelRef reads it back. */
export function formatModelRef(ref: ModelRef): string {
  return ref.revision === DEFAULT_REVISION ? ref.repoId : `${ref.repoId}@${ref.revision}`;
}

/**
 * True when `input` is written as a filesystem path rather than a repo id: absolute (POSIX or
 * Windows), `./` or `../` relative, `~`, containing a backslash, or a `file:` URL. A bare `org/name`
 * is always a repo id; write `./org/name` for a relative folder.
 */
export function looksLikeLocalPath(input: string): boolean {
  const s = input.trim();
  return (
    s === '.' ||
    s === '..' ||
    s === '~' ||
    s.startsWith('/') ||
    s.startsWith('./') ||
    s.startsWith('../') ||
    s.startsWith('~/') ||
    s.startsWith('file:') ||
    s.includes('\\') ||
    /^[A-Za-z]:([\\/]|$)/.test(s)
  );
}

/**
 * A local folder or a hub reference. Local paths get `~` expanded and `file:` URLs converted;
 * relative paths are returned as written (the caller knows what they are relative to).
 */
export function parseModelSource(input: string, revision?: string, homeDir: string = os.homedir()): ModelSource {
  const s = input.trim();
  if (!looksLikeLocalPath(s)) return { kind: 'hub', ref: parseModelRef(s, revision) };
  if (s.startsWith('file:')) return { kind: 'local', path: fileURLToPath(s) };
  if (s === '~' || s.startsWith('~/')) return { kind: 'local', path: path.join(homeDir, s.slice(1)) };
  return { kind: 'local', path: s };
}
