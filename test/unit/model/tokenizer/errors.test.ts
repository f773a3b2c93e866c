import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Gpt2Tokenizer } from '../../../../src/model/tokenizer';
import { BYTE_TO_SYMBOL } from '../../../../src/model/tokenizer/byteLevel';
import { byteVocab, cleanUpTempFolders, folderWith, makeTempFolder } from './gpt2Fixture';

const tinyVocab = JSON.stringify(byteVocab(['ab', 'abc']));
const tinyMerges = '#version: 0.2\na b\nab c\n';

/** Asserts that loading `dir` fails with a message that names `file` (in `dir`) and matches `pattern`. */
function assertLoadFails(dir: string, file: string | undefined, pattern: RegExp): void {
  assert.throws(
    () => Gpt2Tokenizer.fromFolder(dir),
    (error: Error) => {
      if (file !== undefined) assert.ok(error.message.includes(path.join(dir, file)), `message does not name ${file}: ${error.message}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('tokenizer loading errors', () => {
  after(cleanUpTempFolders);

  it('a well-formed tiny folder loads (control case for the failures below)', () => {
    const tokenizer = Gpt2Tokenizer.fromFolder(folderWith({ 'vocab.json': tinyVocab, 'merges.txt': tinyMerges }));
    assert.deepEqual(tokenizer.encode('abcab').ids, [257, 256]);
  });

  it('a missing folder', () => {
    const dir = path.join(makeTempFolder(), 'nope');
    assert.throws(
      () => Gpt2Tokenizer.fromFolder(dir),
      (error: Error) => error.message === `tokenizer folder not found: ${dir}`,
    );
  });

  it('a folder with no tokenizer files names both accepted layouts', () => {
    assertLoadFails(folderWith({ 'config.json': '{}' }), undefined, /expected vocab\.json with merges\.txt, or tokenizer\.json/);
  });

  it('vocab.json without merges.txt, and the reverse', () => {
    assertLoadFails(folderWith({ 'vocab.json': tinyVocab }), 'merges.txt', /is missing/);
    assertLoadFails(folderWith({ 'merges.txt': tinyMerges }), 'vocab.json', /is missing/);
  });

  it('malformed JSON in vocab.json or tokenizer.json', () => {
    assertLoadFails(folderWith({ 'vocab.json': '{"a": 1,', 'merges.txt': tinyMerges }), 'vocab.json', /not valid JSON/);
    assertLoadFails(folderWith({ 'tokenizer.json': '{"model": ' }), 'tokenizer.json', /not valid JSON/);
  });

  it('JSON of the wrong shape', () => {
    assertLoadFails(
      folderWith({ 'vocab.json': '[1, 2]', 'merges.txt': tinyMerges }),
      'vocab.json',
      /must be an object mapping token strings to ids, not an array/,
    );
    assertLoadFails(folderWith({ 'vocab.json': '{"a": "1"}', 'merges.txt': tinyMerges }), 'vocab.json', /token "a" maps to "1"/);
    assertLoadFails(
      folderWith({ 'tokenizer.json': '{"model": {"type": "WordPiece", "vocab": {}}}' }),
      'tokenizer.json',
      /model\.type is "WordPiece"; only "BPE"/,
    );
    assertLoadFails(folderWith({ 'tokenizer.json': '{"model": {"type": "BPE", "vocab": {}, "merges": [["a"]]}}' }), 'tokenizer.json', /model\.merges\[0\]/);
    assertLoadFails(
      folderWith({ 'tokenizer.json': '{"model": {"type": "BPE", "vocab": {}, "merges": []}, "added_tokens": [{"id": "x"}]}' }),
      'tokenizer.json',
      /added_tokens\[0\]/,
    );
  });

  it('tokenizer.json settings that would tokenize differently from GPT-2', () => {
    const withSettings = (extra: object): string => JSON.stringify({ model: { type: 'BPE', vocab: byteVocab(), merges: [] }, ...extra });
    assertLoadFails(
      folderWith({ 'tokenizer.json': withSettings({ pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true } }) }),
      'tokenizer.json',
      /add_prefix_space/,
    );
    assertLoadFails(folderWith({ 'tokenizer.json': withSettings({ pre_tokenizer: { type: 'Whitespace' } }) }), 'tokenizer.json', /ByteLevel, not "Whitespace"/);
    assertLoadFails(folderWith({ 'tokenizer.json': withSettings({ normalizer: { type: 'NFC' } }) }), 'tokenizer.json', /normalizer/);
  });

  it('a merges.txt line that is not two tokens', () => {
    assertLoadFails(folderWith({ 'vocab.json': tinyVocab, 'merges.txt': '#version: 0.2\na b\na b c\n' }), 'merges.txt', /line 3: "a b c" is not two tokens/);
  });

  it('a merge whose result or part is not in the vocabulary', () => {
    assertLoadFails(
      folderWith({ 'vocab.json': tinyVocab, 'merges.txt': '#version: 0.2\na b\nab x\n' }),
      'merges.txt',
      /merge 2 of 2 \("ab x"\): its result "abx" is not in the vocabulary/,
    );
    assertLoadFails(
      folderWith({ 'vocab.json': tinyVocab, 'merges.txt': 'a b\nab q日\n' }),
      'merges.txt',
      /merge 2 of 2 \("ab q日"\): "q日" is not in the vocabulary/,
    );
    assertLoadFails(folderWith({ 'vocab.json': tinyVocab, 'merges.txt': 'zz b\n' }), 'merges.txt', /"zz" is not in the vocabulary/);
  });

  it('a vocabulary missing a byte-level symbol is refused at load', () => {
    const vocab = byteVocab();
    delete vocab[BYTE_TO_SYMBOL[0x0a]];
    assertLoadFails(
      folderWith({ 'vocab.json': JSON.stringify(vocab), 'merges.txt': '' }),
      'vocab.json',
      /1 of the 256 byte-level symbols are not in the vocabulary, e.g. "Ċ" \(byte 0x0a\)/,
    );
  });

  it('bad ids and tokens in the vocabulary', () => {
    const duplicate = { ...byteVocab(), extra: 5 };
    assertLoadFails(folderWith({ 'vocab.json': JSON.stringify(duplicate), 'merges.txt': '' }), 'vocab.json', /tokens "ą" and "extra" both have id 5/);
    const fractional = { ...byteVocab(), extra: 256.5 };
    assertLoadFails(
      folderWith({ 'vocab.json': JSON.stringify(fractional), 'merges.txt': '' }),
      'vocab.json',
      /token "extra" has id 256.5; ids must be integers/,
    );
    const notByteLevel = { ...byteVocab(), 'a b': 256 };
    assertLoadFails(
      folderWith({ 'vocab.json': JSON.stringify(notByteLevel), 'merges.txt': '' }),
      'vocab.json',
      /token "a b" \(id 256\) holds characters outside GPT-2's byte-level alphabet/,
    );
  });

  it('an added token that disagrees with the vocabulary', () => {
    const json = { added_tokens: [{ id: 300, content: 'ab', special: true }], model: { type: 'BPE', vocab: byteVocab(['ab']), merges: [] } };
    assertLoadFails(folderWith({ 'tokenizer.json': JSON.stringify(json) }), 'tokenizer.json', /added token "ab" has id 300 but the vocabulary gives it 256/);
  });

  it('fromVocabAndMerges reports the same problems without a file', () => {
    assert.throws(() => Gpt2Tokenizer.fromVocabAndMerges(byteVocab(), [['a', 'b']]), /its result "ab" is not in the vocabulary/);
    assert.throws(() => Gpt2Tokenizer.fromVocabAndMerges(byteVocab(), ['a  b']), /"a  b" is not two tokens/);
  });
});
