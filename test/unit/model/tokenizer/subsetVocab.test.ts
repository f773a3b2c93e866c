import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { BYTE_TO_SYMBOL, Gpt2Tokenizer } from '../../../../src/model/tokenizer';
import { findTokenRangeProblem } from '../../../../tools/tokenizer/checkTokenRanges';
import { listPythonCorpusFiles, samplePythonCorpus } from '../../../../tools/tokenizer/pythonCorpus';
import { cleanUpTempFolders, folderWith, gpt2Tokenizer, readGpt2Fixture, tokensOf } from './gpt2Fixture';

/**
 * A strict subset of GPT-2's vocabulary, as the project ships: the 256 byte symbols, `<|endoftext|>`,
 * the tokens GPT-2 uses for `text` and every token BPE passes through to build them; ids renumbered
 * (in reverse order, so that no id keeps its GPT-2 value by accident); only the merges whose result is kept.
 */
function subsetFor(text: string): { vocab: Record<string, number>; merges: string[] } {
  const { vocab: fullVocab, mergeLines } = readGpt2Fixture();
  const mergeByResult = new Map(mergeLines.map((line) => [line.replace(' ', ''), line.split(' ')]));
  const kept = new Set<string>([...BYTE_TO_SYMBOL, '<|endoftext|>']);
  const keep = (token: string): void => {
    if (kept.has(token)) return;
    kept.add(token);
    const parts = mergeByResult.get(token);
    assert.ok(parts !== undefined, `no merge builds ${token}`);
    parts.forEach(keep);
  };
  for (const token of tokensOf(gpt2Tokenizer(), gpt2Tokenizer().encode(text).ids)) keep(token as string);

  const byOriginalIdDescending = [...kept].sort((a, b) => fullVocab[b] - fullVocab[a]);
  const vocab = Object.fromEntries(byOriginalIdDescending.map((token, id) => [token, id]));
  return { vocab, merges: mergeLines.filter((line) => kept.has(line.replace(' ', ''))) };
}

describe('subset vocabularies', function () {
  this.timeout(60_000);
  after(cleanUpTempFolders);

  let covered = '';
  let other = '';
  before(() => {
    const files = samplePythonCorpus(listPythonCorpusFiles(), 300_000);
    const half = Math.floor(files.length / 2);
    const read = (some: string[]): string => some.map((file) => fs.readFileSync(file, 'utf8')).join('\n');
    covered = `${read(files.slice(0, half))} 日本語 😀 naïve`;
    other = `${read(files.slice(half))} Größe €12 🇫🇷`;
  });

  it('encodes text it covers exactly as full GPT-2 does, with renumbered ids', () => {
    const subset = subsetFor(covered);
    assert.ok(Object.keys(subset.vocab).length < 20_000, 'the subset should be much smaller than GPT-2');
    const tokenizer = Gpt2Tokenizer.fromFolder(
      folderWith({ 'vocab.json': JSON.stringify(subset.vocab), 'merges.txt': `#version: 0.2\n${subset.merges.join('\n')}\n` }),
    );
    assert.equal(tokenizer.vocabSize, Object.keys(subset.vocab).length);
    assert.equal(tokenizer.endOfTextId, subset.vocab['<|endoftext|>']);
    const full = gpt2Tokenizer().encode(covered);
    const ours = tokenizer.encode(covered);
    assert.notDeepEqual(ours.ids, full.ids);
    assert.deepEqual(tokensOf(tokenizer, ours.ids), tokensOf(gpt2Tokenizer(), full.ids));
    assert.deepEqual(ours.ranges, full.ranges);
  });

  it('still encodes any other text, falling back to shorter tokens down to bytes', () => {
    const subset = subsetFor(covered);
    const tokenizer = Gpt2Tokenizer.fromVocabAndMerges(subset.vocab, subset.merges);
    const encoding = tokenizer.encode(other);
    assert.ok(encoding.ids.length > gpt2Tokenizer().encode(other).ids.length, 'fewer merges should give more tokens');
    assert.equal(tokenizer.decode(encoding.ids), other);
    assert.equal(findTokenRangeProblem(other, encoding, tokenizer), undefined);
  });
});
