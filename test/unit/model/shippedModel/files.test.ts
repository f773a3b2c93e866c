/**
 * The shipped model folder (models/gpt2-python-mini) is complete and self-consistent, without running it:
 * config.json against the safetensors header, the vocabulary against the config, merges closed over the
 * vocabulary, and the tokens the docstring analysis needs are single tokens with the project's tokenizer.
 * No torch and no ONNX Runtime needed.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Gpt2Tokenizer } from '../../../../src/model/tokenizer';
import { DOCSTRING_ARG_NAMES, REQUIRED_SINGLE_TOKENS } from '../../../../tools/model/identifiers';
import { END_OF_TEXT, closureProblems } from '../../../../tools/model/vocabSubset';
import { REPO_ROOT } from '../../../repoRoot';

const MODELS = path.join(REPO_ROOT, 'models');
/** SHIPPED_MODEL_DIR checks another folder the same way (e.g. a fresh export before it is committed). */
const DIR = process.env.SHIPPED_MODEL_DIR ?? path.join(MODELS, 'gpt2-python-mini');
const MAX_MODELS_BYTES = 40 * 1024 * 1024;

interface TensorInfo {
  readonly dtype: string;
  readonly shape: number[];
  readonly data_offsets: [number, number];
}

function readHeader(file: string): { header: Record<string, TensorInfo>; dataBytes: number; headerBytes: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const lengthBytes = Buffer.alloc(8);
    fs.readSync(fd, lengthBytes, 0, 8, 0);
    const n = Number(lengthBytes.readBigUInt64LE(0));
    const json = Buffer.alloc(n);
    fs.readSync(fd, json, 0, n, 8);
    const parsed = JSON.parse(json.toString('utf8')) as Record<string, unknown>;
    delete parsed.__metadata__;
    return { header: parsed as Record<string, TensorInfo>, dataBytes: fs.statSync(file).size - 8 - n, headerBytes: n };
  } finally {
    fs.closeSync(fd);
  }
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? folderBytes(full) : fs.statSync(full).size;
  }
  return total;
}

describe('shipped model: files', () => {
  let config: Record<string, unknown>;
  let vocab: Record<string, number>;
  let mergeLines: string[];
  let merges: string[];
  before(() => {
    config = JSON.parse(fs.readFileSync(path.join(DIR, 'config.json'), 'utf8')) as Record<string, unknown>;
    vocab = JSON.parse(fs.readFileSync(path.join(DIR, 'vocab.json'), 'utf8')) as Record<string, number>;
    mergeLines = fs.readFileSync(path.join(DIR, 'merges.txt'), 'utf8').split('\n');
    merges = mergeLines.filter((line, i) => line !== '' && !(i === 0 && line.startsWith('#version')));
  });

  it('has every file a GPT-2 folder needs, and a model card', () => {
    for (const f of ['config.json', 'model.safetensors', 'vocab.json', 'merges.txt', 'README.md']) {
      assert.ok(fs.existsSync(path.join(DIR, f)), `${f} is missing`);
    }
    assert.ok(mergeLines[0].startsWith('#version'), "merges.txt starts with a #version comment, as GPT-2's does");
  });

  it('keeps models/ under 40 MB', () => {
    const bytes = folderBytes(MODELS);
    assert.ok(bytes <= MAX_MODELS_BYTES, `models/ holds ${bytes} bytes`);
  });

  it('has a GPT-2 config.json (the openai-community/gpt2 code path)', () => {
    assert.equal(config.model_type, 'gpt2');
    assert.equal(config.n_inner, null);
    assert.equal(config.activation_function, 'gelu_new');
    assert.equal(config.layer_norm_epsilon, 1e-5);
    assert.equal(config.tie_word_embeddings, true);
    assert.equal(config.scale_attn_by_inverse_layer_idx, false);
    assert.equal((config.n_embd as number) % (config.n_head as number), 0, 'n_embd divisible by n_head');
    assert.equal(config.vocab_size, Object.keys(vocab).length, 'vocab_size = number of tokens in vocab.json');
    assert.equal(config.bos_token_id, vocab[END_OF_TEXT], 'BOS is <|endoftext|>');
    assert.equal(config.eos_token_id, vocab[END_OF_TEXT], 'EOS is <|endoftext|>');
  });

  it("has exactly GPT-2's tensors, with shapes that match config.json and contiguous data", () => {
    const { header, dataBytes, headerBytes } = readHeader(path.join(DIR, 'model.safetensors'));
    assert.equal(headerBytes % 8, 0, 'header padded to a multiple of 8');
    const d = config.n_embd as number;
    const expected: Record<string, number[]> = {
      'wte.weight': [config.vocab_size as number, d],
      'wpe.weight': [config.n_positions as number, d],
      'ln_f.weight': [d],
      'ln_f.bias': [d],
    };
    for (let i = 0; i < (config.n_layer as number); i++) {
      Object.assign(expected, {
        [`h.${i}.ln_1.weight`]: [d],
        [`h.${i}.ln_1.bias`]: [d],
        [`h.${i}.attn.c_attn.weight`]: [d, 3 * d],
        [`h.${i}.attn.c_attn.bias`]: [3 * d],
        [`h.${i}.attn.c_proj.weight`]: [d, d],
        [`h.${i}.attn.c_proj.bias`]: [d],
        [`h.${i}.ln_2.weight`]: [d],
        [`h.${i}.ln_2.bias`]: [d],
        [`h.${i}.mlp.c_fc.weight`]: [d, 4 * d],
        [`h.${i}.mlp.c_fc.bias`]: [4 * d],
        [`h.${i}.mlp.c_proj.weight`]: [4 * d, d],
        [`h.${i}.mlp.c_proj.bias`]: [d],
      });
    }
    assert.deepEqual(Object.keys(header).sort(), Object.keys(expected).sort());
    const spans: [number, number][] = [];
    for (const [name, info] of Object.entries(header)) {
      assert.deepEqual(info.shape, expected[name], name);
      assert.ok(info.dtype === 'F32' || info.dtype === 'F16', `${name}: dtype ${info.dtype}`);
      const bytes = info.shape.reduce((a, b) => a * b, 1) * (info.dtype === 'F32' ? 4 : 2);
      assert.equal(info.data_offsets[1] - info.data_offsets[0], bytes, `${name}: data size`);
      spans.push(info.data_offsets);
    }
    spans.sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [begin, end] of spans) {
      assert.equal(begin, at, 'tensor data is contiguous');
      at = end;
    }
    assert.equal(at, dataBytes, 'the data section holds exactly the tensors');
  });

  it('has a vocabulary with ids 0..n-1 whose merges are closed over it', () => {
    assert.deepEqual(closureProblems(vocab, merges), []);
    assert.equal(merges.length, Object.keys(vocab).length - 256 - 1, 'one merge per non-byte token');
    assert.equal(vocab[END_OF_TEXT], Object.keys(vocab).length - 1, '<|endoftext|> is the last id, as in GPT-2');
  });

  it('loads with the project tokenizer; self, param and the docstring names are single tokens', () => {
    const tokenizer = Gpt2Tokenizer.fromFolder(DIR);
    assert.equal(tokenizer.vocabSize, config.vocab_size);
    assert.equal(tokenizer.endOfTextId, config.bos_token_id);
    for (const text of [' self', 'self', ' param', 'param', ...REQUIRED_SINGLE_TOKENS, ...DOCSTRING_ARG_NAMES.map((n) => ` ${n}`)]) {
      assert.equal(tokenizer.encode(text).ids.length, 1, `${JSON.stringify(text)} is one token`);
    }
    assert.equal(tokenizer.idToToken(tokenizer.encode(' param').ids[0]), 'Ġparam');
  });

  it('tokenizes Python into ids below vocab_size and decodes it back exactly', () => {
    const tokenizer = Gpt2Tokenizer.fromFolder(DIR);
    const source = [
      'class Parser(object):',
      '    """Parse a file.\n\n    :param path: the path\n    """',
      '    def __init__(self, path, encoding="utf-8"):',
      '        self.path = path  # ünïcödé, emoji 🐍, tabs\tand CRs\r',
      '        return {k: v for k, v in zip(keys, values) if v is not None}',
      '<|endoftext|> as ordinary text',
    ].join('\n');
    const { ids } = tokenizer.encode(source);
    assert.ok(ids.every((id) => id >= 0 && id < (config.vocab_size as number)));
    assert.equal(tokenizer.decode(ids), source);
  });
});
