/**
 * Coarse token classes, so a token is compared with tokens that play the same role: ` param`
 * with other names, `(` with other punctuation. Keywords are their own class (` return` is no
 * variable name), but `self`/`this` are names: how differently heads treat them is the point.
 */
import type { TokenKind } from '../shared/inspection';
import { stripLeadingSpace } from './watchTokens';

/** Python keywords plus the common C-family ones. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  // Python
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
  // C family / JavaScript
  'case',
  'catch',
  'const',
  'default',
  'do',
  'export',
  'extends',
  'function',
  'let',
  'new',
  'switch',
  'throw',
  'typeof',
  'var',
  'void',
]);

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;
const NUMBER = /^\p{N}+$/u;
const PUNCTUATION = /^[\p{P}\p{S}]+$/u;
const WHITESPACE = /^\s*$/u;

export const KIND_PLURAL: Readonly<Record<TokenKind, string>> = {
  bos: 'BOS tokens',
  whitespace: 'whitespace tokens',
  identifier: 'identifier tokens',
  keyword: 'keyword tokens',
  number: 'number tokens',
  punctuation: 'punctuation tokens',
  other: 'tokens of mixed characters',
};

export function tokenKind(text: string, isBos = false): TokenKind {
  if (isBos) return 'bos';
  if (WHITESPACE.test(text)) return 'whitespace';
  const s = stripLeadingSpace(text);
  if (KEYWORDS.has(s)) return 'keyword';
  if (IDENTIFIER.test(s)) return 'identifier';
  if (NUMBER.test(s)) return 'number';
  if (PUNCTUATION.test(s)) return 'punctuation';
  return 'other';
}
