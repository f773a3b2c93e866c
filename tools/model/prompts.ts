/**
 * Step 5a of the model pipeline: the analysis prompts, tokenized with the project's tokenizer and the
 * shipped vocabulary, for tools/model/analyze.py (which has no BPE of its own).
 *
 *     npx tsx tools/model/prompts.ts [--n 200] [--seed 7]   → .tmp/model/prompts.json
 *
 * The docstring task (after Heimersheim & Janiak's docstring circuit):
 *
 *     def {fn}(self, {A}, {B}, {C}):
 *         """{w} {w} {w}
 *
 *         :param {A}: {w} {w}
 *         :param {B}: {w} {w}
 *         :param
 *
 * The answer is ` {C}`; A, B, C are distinct names from DOCSTRING_ARG_NAMES, each one token. Ids do not
 * include the BOS token; analyze.py prepends `<|endoftext|>`.
 */
import * as path from 'node:path';
import { Gpt2Tokenizer } from '../../src/model/tokenizer';
import { MODEL_DIR, WORK_DIR, writeJson } from './gpt2Files';
import { docstringPrompt } from './docstringTask';
import { DESCRIPTION_WORDS, DOCSTRING_ARG_NAMES } from './identifiers';
import { mulberry32 } from '../seededRandom';

const FUNCTION_NAMES = ['load', 'run', 'update', 'get', 'set', 'add', 'check', 'build', 'parse', 'write', 'read', 'send'];

function argValue(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

export interface DocstringPrompt {
  readonly text: string;
  readonly ids: number[];
  /** token ids of ` A`, ` B`, ` C` (the answer is the last) */
  readonly argIds: [number, number, number];
  readonly answerId: number;
}

function oneToken(tokenizer: Gpt2Tokenizer, text: string): number {
  const ids = tokenizer.encode(text).ids;
  if (ids.length !== 1) throw new Error(`${JSON.stringify(text)} is ${ids.length} tokens`);
  return ids[0];
}

function main(): void {
  const n = argValue('--n', 200);
  const random = mulberry32(argValue('--seed', 7));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
  const tokenizer = Gpt2Tokenizer.fromFolder(MODEL_DIR);
  const docstring: DocstringPrompt[] = [];
  while (docstring.length < n) {
    const args = new Set<string>();
    while (args.size < 3) args.add(pick(DOCSTRING_ARG_NAMES));
    const [a, b, c] = [...args];
    const text = docstringPrompt(
      pick(FUNCTION_NAMES),
      [a, b, c],
      Array.from({ length: 7 }, () => pick(DESCRIPTION_WORDS)),
    );
    const argIds: [number, number, number] = [oneToken(tokenizer, ` ${a}`), oneToken(tokenizer, ` ${b}`), oneToken(tokenizer, ` ${c}`)];
    docstring.push({ text, ids: tokenizer.encode(text).ids, argIds, answerId: argIds[2] });
  }
  // Each ends in a non-space: a prompt ending in spaces tokenizes them apart from the next word (" if"),
  // unlike the training text.
  const completions = [
    'def __init__(self',
    'import numpy as np\nimport',
    'class Foo(object):\n    def __init__(self, name):\n        self.name =',
    'for i in range(len(items)):\n    if items[i] is None:\n        continue\n    total +=',
    'if __name__ == "__main__":\n    main(',
    'try:\n    import json\nexcept ImportError:\n    json =',
    'def get_value(self, key, default=None):\n        return self._data.get(key,',
  ].map((text) => ({ text, ids: tokenizer.encode(text).ids }));
  const special = Object.fromEntries(['self', ' self', 'param', ' param', ',', ')', '):', ' :'].map((t) => [t, oneToken(tokenizer, t)]));
  const out = {
    vocabSize: tokenizer.vocabSize,
    bosId: tokenizer.endOfTextId,
    special,
    argNameIds: DOCSTRING_ARG_NAMES.map((name) => oneToken(tokenizer, ` ${name}`)),
    docstring,
    completions,
    /** the display text of every token, for printing predictions */
    tokenText: Array.from({ length: tokenizer.vocabSize }, (_, id) => tokenizer.displayText(id)),
  };
  writeJson(path.join(WORK_DIR, 'prompts.json'), out);
  console.log(`${docstring.length} docstring prompts, e.g.\n${docstring[0].text}  → ${JSON.stringify(tokenizer.displayText(docstring[0].answerId))}`);
}

main();
