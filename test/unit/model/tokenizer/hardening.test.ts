/**
 * Tokenizer hardening: ids of a padded model vocabulary shown as `<id N>`, errors for invalid ids that
 * give both sizes, one documented rule for which tokenizer files win (with a warned fallback), and only
 * regular, bounded, shallow files read.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Gpt2Tokenizer } from '../../../../src/model/tokenizer';
import { REPO_ROOT } from '../../../repoRoot';
import { cleanUpTempFolders, makeTempFolder } from './gpt2Fixture';

const golden = path.join(REPO_ROOT, 'test/golden/checkpoints/f32-bare');
const vocabText = fs.readFileSync(path.join(golden, 'vocab.json'), 'utf8');
const mergesText = fs.readFileSync(path.join(golden, 'merges.txt'), 'utf8');
const tokenizerJsonText = JSON.stringify({
  model: {
    type: 'BPE',
    vocab: JSON.parse(vocabText) as unknown,
    merges: mergesText
      .split('\n')
      .slice(1)
      .filter((l) => l !== ''),
  },
});

function folder(files: Record<string, string>): string {
  const dir = makeTempFolder();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

function throwsWith(fn: () => unknown, ...parts: string[]): string {
  let message: string | undefined;
  try {
    fn();
  } catch (e) {
    message = (e as Error).message;
  }
  assert.ok(message !== undefined, 'expected an error');
  for (const part of parts) assert.ok(message.includes(part), `error message lacks '${part}':\n${message}`);
  return message;
}

describe('tokenizer hardening', () => {
  after(cleanUpTempFolders);
  const sample = 'def f(self, x):\n    return x';

  describe('padded model vocabularies', () => {
    it('ids past the tokenizer but inside the model vocab_size show as <id N> (displayText and decode)', () => {
      const t = Gpt2Tokenizer.fromFolder(golden, { modelVocabSize: 320 });
      assert.equal(t.vocabSize, 301);
      assert.equal(t.displayText(301), '<id 301>');
      assert.equal(t.displayText(319), '<id 319>');
      assert.equal(t.hasText(301), false);
      const ids = t.encode('x').ids;
      assert.equal(t.decode([...ids, 305]), 'x<id 305>');
      assert.equal(t.forModelVocabSize(302).displayText(301), '<id 301>');
    });

    it('an id outside both vocabularies is refused with both sizes, stated correctly', () => {
      const t = Gpt2Tokenizer.fromFolder(golden, { modelVocabSize: 320 });
      throwsWith(() => t.displayText(320), 'token id 320', "tokenizer's ids are 0..300 (301 ids)", "model's vocab_size is 320", '0..319');
      throwsWith(() => t.displayText(-1), 'token id -1');
      const plain = Gpt2Tokenizer.fromFolder(golden);
      const message = throwsWith(() => plain.displayText(301), 'token id 301', '0..300 (301 ids)');
      assert.ok(!message.includes('size 301)'), message);
    });
  });

  describe('which tokenizer files are used', () => {
    it('vocab.json + merges.txt win over tokenizer.json: a corrupt tokenizer.json does not matter', () => {
      const warnings: string[] = [];
      const t = Gpt2Tokenizer.fromFolder(folder({ 'vocab.json': vocabText, 'merges.txt': mergesText, 'tokenizer.json': '{ corrupt' }), {
        onWarning: (w) => warnings.push(w),
      });
      assert.deepEqual(t.encode(sample), Gpt2Tokenizer.fromFolder(golden).encode(sample));
      assert.deepEqual(warnings, []);
      assert.ok(t.vocabFile?.endsWith('vocab.json'));
    });

    it('a corrupt vocab.json falls back to tokenizer.json, with a warning that names the file', () => {
      const warnings: string[] = [];
      const dir = folder({ 'vocab.json': '{"a": "not an id"}', 'merges.txt': mergesText, 'tokenizer.json': tokenizerJsonText });
      const t = Gpt2Tokenizer.fromFolder(dir, { onWarning: (w) => warnings.push(w) });
      assert.deepEqual(t.encode(sample), Gpt2Tokenizer.fromFolder(golden).encode(sample));
      assert.equal(warnings.length, 1);
      assert.ok(warnings[0].includes(path.join(dir, 'vocab.json')) && warnings[0].includes('using tokenizer.json instead'), warnings[0]);
    });

    it('when both layouts are broken, the error names both', () => {
      const dir = folder({ 'vocab.json': '[]', 'merges.txt': mergesText, 'tokenizer.json': '{ corrupt' });
      throwsWith(() => Gpt2Tokenizer.fromFolder(dir), path.join(dir, 'vocab.json'), 'tokenizer.json, cannot be used either', 'not valid JSON');
    });
  });

  describe('only regular, bounded, shallow files are read', () => {
    (process.platform === 'linux' ? it : it.skip)('a FIFO as vocab.json is refused at once, naming it', () => {
      const dir = folder({ 'merges.txt': mergesText });
      execFileSync('mkfifo', [path.join(dir, 'vocab.json')]);
      throwsWith(() => Gpt2Tokenizer.fromFolder(dir), path.join(dir, 'vocab.json'), 'named pipe (FIFO)');
    });

    it('a folder named tokenizer.json is refused, naming it', () => {
      const dir = makeTempFolder();
      fs.mkdirSync(path.join(dir, 'tokenizer.json'));
      throwsWith(() => Gpt2Tokenizer.fromFolder(dir), path.join(dir, 'tokenizer.json'), 'is a folder');
    });

    it('tokenizer.json nested thousands deep is a clear error', () => {
      const dir = folder({ 'tokenizer.json': `{"model": ${'['.repeat(100_000)}${']'.repeat(100_000)}}` });
      throwsWith(() => Gpt2Tokenizer.fromFolder(dir), path.join(dir, 'tokenizer.json'), 'more than 64 levels deep');
    });
  });
});
