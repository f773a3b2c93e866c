import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Gpt2Tokenizer } from '../../../../src/model/tokenizer';
import { listPythonCorpusFiles, samplePythonCorpus } from '../../../../tools/tokenizer/pythonCorpus';
import { cleanUpTempFolders, folderWith, gpt2Tokenizer, gpt2TokenizerJson, gpt2VocabAndMergesFolder, readGpt2Fixture } from './gpt2Fixture';

/** Some varied text to compare tokenizers on: a few corpus files plus hand-picked edge cases. */
function comparisonText(): string {
  const files = samplePythonCorpus(listPythonCorpusFiles(), 200_000);
  const edgeCases = " 日本語 😀 naïve <|endoftext|> I'm   \n\n\t x";
  return files.map((file) => fs.readFileSync(file, 'utf8')).join('\n') + edgeCases;
}

function assertSameTokenizer(actual: Gpt2Tokenizer, expected: Gpt2Tokenizer, text: string): void {
  assert.equal(actual.vocabSize, expected.vocabSize);
  assert.equal(actual.endOfTextId, expected.endOfTextId);
  for (let id = 0; id < expected.vocabSize; id++) {
    if (actual.idToToken(id) !== expected.idToToken(id)) assert.fail(`token ${id}: ${actual.idToToken(id)} vs ${expected.idToToken(id)}`);
  }
  assert.deepEqual(actual.encode(text), expected.encode(text));
  assert.deepEqual(actual.encodeWithSpecialTokens(text).ids, expected.encodeWithSpecialTokens(text).ids);
}

describe('loading a tokenizer from a model folder', function () {
  this.timeout(60_000);
  after(cleanUpTempFolders);
  let text = '';
  before(() => {
    text = comparisonText();
  });

  it('vocab.json + merges.txt loads the same tokenizer as the in-memory GPT-2 files', () => {
    assertSameTokenizer(Gpt2Tokenizer.fromFolder(gpt2VocabAndMergesFolder()), gpt2Tokenizer(), text);
  });

  it('tokenizer.json with merges as strings is equivalent to vocab.json + merges.txt', () => {
    const dir = folderWith({ 'tokenizer.json': gpt2TokenizerJson('strings') });
    assertSameTokenizer(Gpt2Tokenizer.fromFolder(dir), gpt2Tokenizer(), text);
  });

  it('tokenizer.json with merges as pairs is equivalent to vocab.json + merges.txt', () => {
    const dir = folderWith({ 'tokenizer.json': gpt2TokenizerJson('pairs') });
    assertSameTokenizer(Gpt2Tokenizer.fromFolder(dir), gpt2Tokenizer(), text);
  });

  it('prefers tokenizer.json when both forms are present', () => {
    const dir = gpt2VocabAndMergesFolder();
    fs.writeFileSync(path.join(dir, 'vocab.json'), '{ not json');
    fs.writeFileSync(path.join(dir, 'tokenizer.json'), gpt2TokenizerJson('pairs'));
    assert.equal(Gpt2Tokenizer.fromFolder(dir).tokenToId('Ġparam'), 5772);
  });

  it('reads added tokens from tokenizer.json, even when the vocabulary lacks them', () => {
    const fixture = readGpt2Fixture();
    const vocab = { ...fixture.vocab };
    delete vocab['<|endoftext|>'];
    const json = {
      added_tokens: [
        { id: 50256, content: '<|endoftext|>', special: true },
        { id: 50257, content: '<|pad|>', special: true },
      ],
      model: { type: 'BPE', vocab, merges: fixture.mergeLines },
    };
    const tokenizer = Gpt2Tokenizer.fromFolder(folderWith({ 'tokenizer.json': JSON.stringify(json) }));
    assert.equal(tokenizer.endOfTextId, 50256);
    assert.equal(tokenizer.vocabSize, 50258);
    assert.deepEqual(tokenizer.encodeWithSpecialTokens('x<|pad|><|endoftext|>').ids, [87, 50257, 50256]);
    assert.equal(tokenizer.encode('<|pad|>').ids.includes(50257), false);
  });

  it('has no end-of-text id when the vocabulary has no <|endoftext|>', () => {
    const fixture = readGpt2Fixture();
    const vocab = { ...fixture.vocab };
    delete vocab['<|endoftext|>'];
    const tokenizer = Gpt2Tokenizer.fromVocabAndMerges(vocab, fixture.mergeLines);
    assert.equal(tokenizer.endOfTextId, undefined);
    assert.equal(tokenizer.vocabSize, 50256);
    assert.deepEqual(tokenizer.encodeWithSpecialTokens('a<|endoftext|>').ids, tokenizer.encode('a<|endoftext|>').ids);
  });
});
