import { strict as assert } from 'node:assert';
import { stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadGpt2Checkpoint } from '../../../../src/model/checkpoint/loadCheckpoint';
import { writeSafetensorsFile, type TensorToWrite } from '../../../../src/model/checkpoint/safetensorsWriter';
import { makeTempRoot, patternFor, rejectsWith, tinyConfigJson, tinyGpt2Tensors, writeCheckpointFolder } from './fixtures';

describe('loadGpt2Checkpoint', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ root, cleanup } = await makeTempRoot()));
  after(() => cleanup());

  it('loads a folder saved by recent transformers (prefixed names, no masks)', async () => {
    const dir = await writeCheckpointFolder(root, 'modern');
    const loaded = await loadGpt2Checkpoint(dir);
    assert.equal(loaded.config.nLayers, 2);
    assert.equal(loaded.config.dMlp, 32);
    assert.deepEqual(loaded.weights.blocks[1].attn.wO, patternFor('h.1.attn.c_proj.weight', 64));
    assert.deepEqual(loaded.storage, { dtypes: { F32: 2 + 2 * 12 + 2 }, ignoredTensors: [] });
    assert.equal(loaded.files.config, join(dir, 'config.json'));
    assert.deepEqual(loaded.files.weightFiles, [join(dir, 'model.safetensors')]);
    assert.deepEqual(loaded.files.tokenizer, { kind: 'vocab+merges', vocabJson: join(dir, 'vocab.json'), mergesTxt: join(dir, 'merges.txt') });
  });

  it('loads an openai-community/gpt2-style folder (bare names, F32 mask buffers) and a tokenizer.json', async () => {
    const dir = await writeCheckpointFolder(root, 'openai', {
      tensors: tinyGpt2Tensors(tinyConfigJson(), { prefix: false, masks: 'f32' }),
      tokenizer: 'tokenizer.json',
    });
    const loaded = await loadGpt2Checkpoint(dir);
    assert.deepEqual(loaded.weights.wte, patternFor('wte.weight', 32 * 8));
    assert.deepEqual([...loaded.storage.ignoredTensors].sort(), ['h.0.attn.bias', 'h.1.attn.bias']);
    assert.deepEqual(loaded.files.tokenizer, { kind: 'tokenizer.json', tokenizerJson: join(dir, 'tokenizer.json') });
  });

  it('loads an old fine-tune (BOOL/U8 mask buffers, tied lm_head.weight stored anyway)', async () => {
    const dir = await writeCheckpointFolder(root, 'old', {
      tensors: tinyGpt2Tensors(tinyConfigJson(), { masks: 'bool+u8', lmHead: true }),
    });
    const loaded = await loadGpt2Checkpoint(dir);
    assert.equal(loaded.weights.lmHead, undefined);
    assert.equal(loaded.storage.ignoredTensors.length, 5);
    assert.ok(loaded.storage.ignoredTensors.includes('lm_head.weight'));
  });

  for (const dtype of ['F16', 'BF16'] as const) {
    it(`loads ${dtype} weights as float32`, async () => {
      const dir = await writeCheckpointFolder(root, `half-${dtype}`, { tensors: tinyGpt2Tensors(tinyConfigJson(), { dtype }) });
      const loaded = await loadGpt2Checkpoint(dir);
      assert.ok(loaded.weights.blocks[0].mlp.wOut instanceof Float32Array);
      assert.deepEqual(loaded.weights.blocks[0].mlp.wOut, patternFor('h.0.mlp.c_proj.weight', 32 * 8));
      assert.deepEqual(loaded.storage.dtypes, { [dtype]: 28 });
    });
  }

  it('keeps layer_norm_epsilon 1e12 (gpt2_noLN) and an untied lm_head', async () => {
    const configJson = tinyConfigJson({ layer_norm_epsilon: 1e12, tie_word_embeddings: false });
    const dir = await writeCheckpointFolder(root, 'noln', { config: configJson });
    const loaded = await loadGpt2Checkpoint(dir);
    assert.equal(loaded.config.layerNormEps, 1e12);
    assert.deepEqual(loaded.weights.lmHead, patternFor('lm_head.weight', 32 * 8));
  });

  it('names the key and both shapes when a tensor does not fit the config', async () => {
    const dir = await writeCheckpointFolder(root, 'mismatch', {
      config: tinyConfigJson({ n_inner: 16 }),
      tensors: tinyGpt2Tensors(tinyConfigJson()),
    });
    await rejectsWith(loadGpt2Checkpoint(dir), "'transformer.h.0.mlp.c_fc.weight' has shape [8, 32], expected [8, 16]");
  });

  it('refuses a missing folder, or a file in its place', async () => {
    await rejectsWith(loadGpt2Checkpoint(join(root, 'nowhere')), 'checkpoint folder not found', join(root, 'nowhere'));
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    await rejectsWith(loadGpt2Checkpoint(file), 'not a folder');
  });

  it('refuses a folder without config.json', async () => {
    const dir = await writeCheckpointFolder(root, 'no-config', { config: null });
    await rejectsWith(loadGpt2Checkpoint(dir), 'no config.json');
  });

  it('refuses a config.json that is not JSON, naming it', async () => {
    const dir = await writeCheckpointFolder(root, 'bad-config', { config: '{ n_layer: 2' });
    await rejectsWith(loadGpt2Checkpoint(dir), join(dir, 'config.json'), 'not valid JSON');
  });

  it('refuses a folder without model.safetensors', async () => {
    const dir = await writeCheckpointFolder(root, 'no-weights', { tensors: null });
    await rejectsWith(loadGpt2Checkpoint(dir), 'no model.safetensors');
  });

  it('refuses pickle checkpoints, explaining why and how to convert', async () => {
    const dir = await writeCheckpointFolder(root, 'pickle', { tensors: null, extraFiles: { 'pytorch_model.bin': 'PK' } });
    await rejectsWith(
      loadGpt2Checkpoint(dir),
      'pytorch_model.bin',
      'arbitrary code',
      `GPT2LMHeadModel.from_pretrained(sys.argv[1]).save_pretrained(sys.argv[1], safe_serialization=True)" '${dir}'`,
    );
  });

  it('ignores stray .bin files when model.safetensors is there', async () => {
    const dir = await writeCheckpointFolder(root, 'with-training-args', { extraFiles: { 'training_args.bin': 'PK' } });
    assert.equal((await loadGpt2Checkpoint(dir)).config.nLayers, 2);
  });

  it('refuses missing tokenizer files, naming both accepted layouts', async () => {
    const none = await writeCheckpointFolder(root, 'no-tokenizer', { tokenizer: 'none' });
    await rejectsWith(loadGpt2Checkpoint(none), 'no tokenizer files', 'vocab.json + merges.txt', 'tokenizer.json');
    const half = await writeCheckpointFolder(root, 'vocab-only', { tokenizer: 'vocab only' });
    await rejectsWith(loadGpt2Checkpoint(half), 'merges.txt is missing');
  });

  it('refuses a truncated model.safetensors', async () => {
    const dir = await writeCheckpointFolder(root, 'truncated');
    const path = join(dir, 'model.safetensors');
    await truncate(path, (await stat(path)).size - 10);
    await rejectsWith(loadGpt2Checkpoint(dir), path, 'truncated download?');
  });

  describe('sharded checkpoints', () => {
    /** Splits the tiny checkpoint into two shards and writes the index (`tamper` may edit its weight_map). */
    async function writeSharded(name: string, tamper?: (weightMap: Record<string, string>) => void): Promise<string> {
      const dir = await writeCheckpointFolder(root, name, { tensors: null });
      const shards: Map<string, TensorToWrite>[] = [new Map(), new Map()];
      const weightMap: Record<string, string> = {};
      const shardName = (i: number) => `model-0000${i + 1}-of-00002.safetensors`;
      for (const [tensor, value] of tinyGpt2Tensors(tinyConfigJson())) {
        const i = tensor.includes('.h.1.') || tensor.includes('ln_f') ? 1 : 0;
        shards[i].set(tensor, value);
        weightMap[tensor] = shardName(i);
      }
      for (let i = 0; i < 2; i++) await writeSafetensorsFile(join(dir, shardName(i)), shards[i]);
      tamper?.(weightMap);
      await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
      return dir;
    }

    it('loads tensors from every shard', async () => {
      const dir = await writeSharded('sharded');
      const loaded = await loadGpt2Checkpoint(dir);
      assert.deepEqual(loaded.weights.blocks[1].mlp.bIn, patternFor('h.1.mlp.c_fc.bias', 32));
      assert.deepEqual(loaded.weights.blocks[0].mlp.bIn, patternFor('h.0.mlp.c_fc.bias', 32));
      assert.equal(loaded.files.weightFiles.length, 2);
    });

    it('refuses an index that disagrees with the shards', async () => {
      const dir = await writeSharded('sharded-wrong', (map) => (map['transformer.wte.weight'] = 'model-00002-of-00002.safetensors'));
      await rejectsWith(loadGpt2Checkpoint(dir), "'transformer.wte.weight'", 'model-00002-of-00002.safetensors', 'stored in');
    });

    it('refuses shard paths outside the folder', async () => {
      const dir = await writeSharded('sharded-escape', (map) => (map['transformer.wte.weight'] = '../model.safetensors'));
      await rejectsWith(loadGpt2Checkpoint(dir), "weight_map['transformer.wte.weight']", 'same folder');
    });

    it('refuses a shard tensor the index does not list', async () => {
      const dir = await writeSharded('sharded-unlisted', (map) => delete map['transformer.ln_f.bias']);
      await rejectsWith(loadGpt2Checkpoint(dir), "'transformer.ln_f.bias'", 'not listed in the index');
    });

    it('names a missing shard', async () => {
      const dir = await writeSharded('sharded-missing', (map) => (map['transformer.wte.weight'] = 'model-00003-of-00003.safetensors'));
      await rejectsWith(loadGpt2Checkpoint(dir), 'model-00003-of-00003.safetensors', 'cannot open');
    });
  });
});
