/**
 * Checkpoint loading refuses bad input quickly and clearly: non-finite weights (named), duplicate tensor
 * names, a config that does not fit the file (before allocating), non-regular files, deep JSON, and
 * the pickle conversion hint never runs code hidden in a folder name.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadGpt2Checkpoint } from '../../../../src/model/checkpoint/loadCheckpoint';
import { SafetensorsFile } from '../../../../src/model/checkpoint/safetensors';
import type { FloatDtype } from '../../../../src/model/checkpoint/safetensorsDtype';
import { checkHeaderLength, parseSafetensorsHeader } from '../../../../src/model/checkpoint/safetensorsHeader';
import type { TensorToWrite } from '../../../../src/model/checkpoint/safetensorsWriter';
import { makeTempRoot, rejectsWith, throwsWith, tinyConfigJson, tinyGpt2Tensors, writeCheckpointFolder } from './fixtures';

/** A raw safetensors file from header text and a data section of `dataBytes` zero bytes. */
function rawFile(header: string, dataBytes = 0): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + dataBytes);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

function parseRaw(bytes: Uint8Array): void {
  const length = checkHeaderLength(new DataView(bytes.buffer).getBigUint64(0, true), bytes.length, 'raw.safetensors');
  parseSafetensorsHeader(bytes.subarray(8, 8 + length), bytes.length, 'raw.safetensors');
}

function withValue(tensors: Map<string, TensorToWrite>, name: string, index: number, value: number): Map<string, TensorToWrite> {
  const t = tensors.get(name);
  if (!t || !('data' in t)) throw new Error(`no float tensor ${name}`);
  const data = Float32Array.from(typeof t.data === 'function' ? t.data() : t.data);
  data[index] = value;
  return new Map(tensors).set(name, { ...t, data });
}

const isLinux = process.platform === 'linux';

describe('checkpoint hardening', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ root, cleanup } = await makeTempRoot()));
  after(() => cleanup());

  describe('non-finite weights are refused at load, naming the tensor', () => {
    const cases: [FloatDtype, string, number, number, string][] = [
      ['F32', 'transformer.wte.weight', 13, NaN, 'NaN (first at [1, 5]'],
      ['F16', 'transformer.ln_f.weight', 3, Infinity, '+Inf (first at [3]'],
      ['BF16', 'transformer.h.1.attn.c_attn.weight', 0, -Infinity, '-Inf (first at [0, 0]'],
      ['F16', 'transformer.h.0.attn.c_attn.bias', 7, NaN, 'NaN (first at [7]'],
    ];
    for (const [dtype, name, index, value, where] of cases) {
      it(`${dtype} ${name} holding ${value}`, async () => {
        const tensors = withValue(tinyGpt2Tensors(tinyConfigJson(), { dtype }), name, index, value);
        const dir = await writeCheckpointFolder(root, `nonfinite-${dtype}-${name}`, { tensors });
        await rejectsWith(loadGpt2Checkpoint(dir), join(dir, 'model.safetensors'), `tensor '${name}'`, where, 'must be finite');
      });
    }

    it('a finite checkpoint still loads (the check does not refuse large values)', async () => {
      const tensors = withValue(tinyGpt2Tensors(tinyConfigJson(), { dtype: 'F16' }), 'transformer.wte.weight', 0, 65504);
      const dir = await writeCheckpointFolder(root, 'finite-max-f16', { tensors });
      assert.equal((await loadGpt2Checkpoint(dir)).weights.wte[0], 65504);
    });

    it('reading a tensor without asking for finiteness keeps NaN (goldens hold -Inf attention scores)', async () => {
      const tensors = withValue(tinyGpt2Tensors(tinyConfigJson()), 'transformer.wte.weight', 2, NaN);
      const dir = await writeCheckpointFolder(root, 'nonfinite-raw', { tensors });
      const file = await SafetensorsFile.open(join(dir, 'model.safetensors'));
      try {
        assert.ok(Number.isNaN((await file.readFloat32('transformer.wte.weight'))[2]));
      } finally {
        await file.close();
      }
    });
  });

  describe('duplicate tensor names in a header', () => {
    const entry = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    const entry2 = '{"dtype":"F32","shape":[1],"data_offsets":[4,8]}';
    it('are refused, naming the tensor', () => {
      throwsWith(() => parseRaw(rawFile(`{"a":${entry},"a":${entry2}}`, 8)), 'raw.safetensors', "'a'", 'more than once');
    });
    it('are refused when written with different escapes of the same name', () => {
      throwsWith(() => parseRaw(rawFile(`{"wte":${entry},"w\\u0074e":${entry2}}`, 8)), "'wte'", 'more than once');
    });
    it('equal keys nested inside entries, or in __metadata__, are not tensor names', () => {
      parseRaw(rawFile(`{"__metadata__":{"a":"x"},"a":${entry},"b":${entry2}}`, 8));
    });
    it('are refused through the loader', async () => {
      const dir = await writeCheckpointFolder(root, 'dup', { tensors: null });
      await writeFile(join(dir, 'model.safetensors'), rawFile(`{"x":${entry},"x":${entry2}}`, 8));
      await rejectsWith(loadGpt2Checkpoint(dir), join(dir, 'model.safetensors'), "'x'", 'more than once');
    });
  });

  describe('the config is checked against the file before anything is sized by it', () => {
    it('n_layer 10000000 on a 2-layer file fails in milliseconds', async () => {
      const dir = await writeCheckpointFolder(root, 'huge-n-layer', {
        config: tinyConfigJson({ n_layer: 10_000_000 }),
        tensors: tinyGpt2Tensors(tinyConfigJson()),
      });
      const t0 = performance.now();
      await rejectsWith(loadGpt2Checkpoint(dir), join(dir, 'model.safetensors'), 'n_layer 10000000', 'h.0 … h.1 (2 layers)');
      const ms = performance.now() - t0;
      assert.ok(ms < 1000, `took ${ms} ms`);
    });

    it('n_layer 3 on a 2-layer file names the layer count', async () => {
      const dir = await writeCheckpointFolder(root, 'n-layer-3', { config: tinyConfigJson({ n_layer: 3 }), tensors: tinyGpt2Tensors(tinyConfigJson()) });
      await rejectsWith(loadGpt2Checkpoint(dir), 'config.json says n_layer 3', '2 layers');
    });
  });

  describe('only regular files of bounded size are read', () => {
    it('model.safetensors that is a folder gives a message with its path', async () => {
      const dir = await writeCheckpointFolder(root, 'st-folder', { tensors: null });
      await mkdir(join(dir, 'model.safetensors'));
      const message = await rejectsWith(loadGpt2Checkpoint(dir), join(dir, 'model.safetensors'), 'is a folder, not a regular file');
      assert.ok(!message.includes('EISDIR'), message);
    });

    it('config.json that is a folder is refused with its path', async () => {
      const dir = await writeCheckpointFolder(root, 'config-folder', { config: null });
      await mkdir(join(dir, 'config.json'));
      await rejectsWith(loadGpt2Checkpoint(dir), join(dir, 'config.json'), 'is a folder');
    });

    (isLinux ? it : it.skip)('a FIFO as model.safetensors, config.json or the shard index is refused at once', async function () {
      this.timeout(10_000);
      for (const file of ['model.safetensors', 'config.json']) {
        const dir = await writeCheckpointFolder(root, `fifo-${file}`, {
          tensors: file === 'model.safetensors' ? null : undefined,
          config: file === 'config.json' ? null : undefined,
        });
        execFileSync('mkfifo', [join(dir, file)]);
        await rejectsWith(loadGpt2Checkpoint(dir), join(dir, file), 'named pipe (FIFO)');
      }
      const dir = await writeCheckpointFolder(root, 'fifo-index', { tensors: null });
      execFileSync('mkfifo', [join(dir, 'model.safetensors.index.json')]);
      await rejectsWith(loadGpt2Checkpoint(dir), join(dir, 'model.safetensors.index.json'), 'named pipe (FIFO)');
    });

    it('an oversized config.json is refused before it is read', async () => {
      const dir = await writeCheckpointFolder(root, 'big-config', { config: `{"pad": "${'x'.repeat(17 * 1024 * 1024)}"}` });
      await rejectsWith(loadGpt2Checkpoint(dir), join(dir, 'config.json'), 'byte limit');
    });

    it('a safetensors header nested thousands deep is a clear error, not a stack overflow', () => {
      const deep = '['.repeat(100_000) + ']'.repeat(100_000);
      throwsWith(() => parseRaw(rawFile(`{"a":{"dtype":"F32","shape":${deep},"data_offsets":[0,0]}}`)), 'raw.safetensors', 'more than 64 levels deep');
      throwsWith(() => parseRaw(rawFile(`{"__metadata__":${deep}}`)), 'more than 64 levels deep');
    });

    it('a deeply nested config.json is a clear error', async () => {
      const dir = await writeCheckpointFolder(root, 'deep-config', { config: `{"a":${'{"b":'.repeat(50_000)}1${'}'.repeat(50_000)}}` });
      await rejectsWith(loadGpt2Checkpoint(dir), join(dir, 'config.json'), 'more than 64 levels deep');
    });
  });

  describe('the pickle refusal', () => {
    it('suggests a command whose folder cannot run code when pasted into a shell', async function () {
      if (process.platform === 'win32') this.skip();
      const name = "pk$(touch pwned)`touch pwned2`'; touch pwned3; '\\";
      const dir = await writeCheckpointFolder(root, name, { tensors: null, extraFiles: { 'pytorch_model.bin': 'x' } });
      const message = await rejectsWith(loadGpt2Checkpoint(dir), 'pytorch_model.bin', 'sys.argv[1]');
      const command = message.split('\n').at(-1)!.trim();
      assert.ok(command.startsWith('python -c '), command);
      // Run the pasted command with `python` replaced by a shell function that prints its arguments.
      const cwd = join(root, 'pickle-cwd');
      await mkdir(cwd, { recursive: true });
      const out = execFileSync('sh', ['-c', `python() { printf '%s\\n' "$@"; }; ${command}`], { cwd, encoding: 'utf8' });
      const args = out.split('\n');
      assert.equal(args[0], '-c');
      assert.ok(args[1].includes('sys.argv[1]') && !args[1].includes(name), args[1]);
      assert.equal(out, `-c\n${args[1]}\n${dir}\n`);
      for (const f of ['pwned', 'pwned2', 'pwned3']) assert.ok(!existsSync(join(cwd, f)), `${f} was created`);
    });
  });
});
