/**
 * Tokens the shipped model's vocabulary must hold as single tokens: the ones the docstring-circuit
 * analysis is about (` self`, `self`, ` param`, `param`), common Python keywords and identifiers, and the
 * argument names of the docstring task (each must be one token ` name` after `, ` and after `:param`).
 */
export const REQUIRED_SINGLE_TOKENS: readonly string[] = [
  'self', ' self', 'param', ' param', 'def', ' def', ' return', ' None', ' True', ' False', ' import', 'import',
  ' from', 'from', ' class', 'class', ' if', ' else', ' for', ' in', ' is', ' not', ' and', ' or', ' raise',
  ' args', ' type', ' returns', ' str', ' int', ' list', ' dict',
];

/**
 * Argument names for the docstring task: short common identifiers that GPT-2 writes as one token with a
 * leading space. Disjoint from `self` and the task's fixed words.
 */
export const DOCSTRING_ARG_NAMES: readonly string[] = [
  'name', 'value', 'data', 'key', 'path', 'size', 'index', 'items', 'text', 'url', 'file', 'mode', 'line',
  'func', 'obj', 'node', 'result', 'options', 'config', 'source', 'target', 'context', 'request', 'response',
  'message', 'filename', 'count', 'length', 'width', 'height', 'start', 'end', 'offset', 'limit', 'timeout',
  'level', 'parent', 'child', 'state', 'status', 'event', 'callback', 'default', 'prefix', 'label', 'tag',
  'x', 'y', 'z', 'n', 'i', 'j', 'k', 'a', 'b', 'c', 'd', 'e', 'f', 'p', 's', 't', 'v', 'w',
];

/** Words for the docstring task's descriptions (`:param x: <word> <word>`). */
export const DESCRIPTION_WORDS: readonly string[] = [
  'the', 'a', 'new', 'current', 'first', 'last', 'list', 'number', 'string', 'object', 'value', 'file', 'name',
  'path', 'of', 'to', 'for', 'used', 'given', 'default', 'optional', 'input', 'output', 'maximum', 'minimum',
];
