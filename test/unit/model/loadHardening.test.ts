/**
 * Loading and running a model folder end to end: a padded vocab_size (ids without text shown as
 * `<id N>`), a BOS missing from vocab.json, a tokenizer fallback reported as a warning in the engine's
 * log, and runs whose finite weights overflow float32 refused by Inspect Attention's engine handler
 * and by `inspect`, naming the first hook where NaN/Inf appears.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectCommand } from '../../../src/cli/inspectCommand';
import type { EngineToHost } from '../../../src/engine/protocol';
import { EngineServer } from '../../../src/engine/server';
import { attentionEngine } from '../../../src/features/attention/engine/handlers';
import { readSafetensorsFloat32 } from '../../../src/model/checkpoint/safetensors';
import { writeSafetensorsFile, type TensorToWrite } from '../../../src/model/checkpoint/safetensorsWriter';
import { assertFiniteRun, NonFiniteRunError } from '../../../src/model/finiteChecks';
import { loadHookedGpt2 } from '../../../src/model/loadHookedGpt2';
import { topK } from '../../../src/model/logitsMath';
import type { HookName } from '../../../src/shared/hookNames';
import { REPO_ROOT } from '../../repoRoot';
import { cli } from '../cli/runCli';

const golden = join(REPO_ROOT, 'test/golden/checkpoints/f32-bare');
const FILES = ['config.json', 'vocab.json', 'merges.txt', 'model.safetensors'];

async function rejectsWith(promise: Promise<unknown>, ...parts: string[]): Promise<string> {
  let message: string | undefined;
  try {
    await promise;
  } catch (e) {
    message = (e as Error).message;
  }
  assert.ok(message !== undefined, 'expected a rejection');
  for (const part of parts) assert.ok(message.includes(part), `error message lacks '${part}':\n${message}`);
  return message;
}

describe('loading and running hardened model folders', function () {
  this.timeout(60_000);
  let root: string;
  before(() => (root = mkdtempSync(join(tmpdir(), 'ci-load-hardening-'))));
  after(() => rmSync(root, { recursive: true, force: true }));

  /** A copy of the golden f32-bare folder, with its tensors and files changed as asked. */
  async function variant(
    name: string,
    change: { tensors?: (t: Map<string, Float32Array>) => void; config?: Record<string, unknown>; files?: Record<string, string> },
  ) {
    const dir = join(root, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    for (const f of FILES) copyFileSync(join(golden, f), join(dir, f));
    if (change.tensors) {
      const read = await readSafetensorsFloat32(join(golden, 'model.safetensors'));
      const data = new Map([...read].map(([k, v]) => [k, v.data]));
      change.tensors(data);
      const shapes = new Map([...read].map(([k, v]) => [k, v.dims]));
      const out = new Map<string, TensorToWrite>();
      for (const [k, v] of data) out.set(k, { dtype: 'F32', shape: k === 'wte.weight' ? [v.length / 32, 32] : [...shapes.get(k)!], data: v });
      await writeSafetensorsFile(join(dir, 'model.safetensors'), out, { format: 'pt' });
    }
    if (change.config) {
      const config = JSON.parse(readFileSync(join(golden, 'config.json'), 'utf8')) as Record<string, unknown>;
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, ...change.config }));
    }
    for (const [f, text] of Object.entries(change.files ?? {})) writeFileSync(join(dir, f), text);
    return dir;
  }

  it('a padded vocab_size loads, and ids without text show as <id N> in top tokens (inspect --top-k)', async () => {
    const dir = await variant('padded', {
      config: { vocab_size: 310 },
      tensors: (t) => {
        const wte = new Float32Array(310 * 32);
        wte.set(t.get('wte.weight')!);
        wte.fill(0.5, 305 * 32, 306 * 32); // make id 305 a likely next token
        t.set('wte.weight', wte);
      },
    });
    const loaded = await loadHookedGpt2(dir);
    try {
      assert.equal(loaded.tokenizer.displayText(305), '<id 305>');
      const run = await loaded.model.run(loaded.toPrompt('def f').ids);
      assert.equal(run.logits!.dims[2], 310);
      const texts = topK(run.logits!.data, 310).map((t) => loaded.tokenizer.displayText(t.id));
      assert.ok(texts.includes('<id 309>') && texts.includes('<id 305>'));
    } finally {
      await loaded.dispose();
    }
    const out = (await inspectCommand({ text: 'def f', 'top-k': '310' }, () => loadHookedGpt2(dir))) as { nextTokens: { id: number; text: string }[] };
    assert.equal(out.nextTokens.length, 310);
    assert.equal(out.nextTokens.find((t) => t.id === 301)?.text, '<id 301>');
  });

  it('a BOS id missing from vocab.json says so, naming the file', async () => {
    const vocab = JSON.parse(readFileSync(join(golden, 'vocab.json'), 'utf8')) as Record<string, number>;
    delete vocab['<|endoftext|>'];
    const dir = await variant('no-bos', { files: { 'vocab.json': JSON.stringify(vocab) } });
    const message = await rejectsWith(loadHookedGpt2(dir), 'BOS token id 300', `not in the vocabulary file ${join(dir, 'vocab.json')}`);
    assert.ok(!message.includes('unknown token id'), message);
    const loaded = await loadHookedGpt2(dir, { prependBos: false });
    await loaded.dispose();
  });

  it('a corrupt vocab.json beside a good tokenizer.json loads with a warning, logged by the engine', async () => {
    const vocab = JSON.parse(readFileSync(join(golden, 'vocab.json'), 'utf8')) as unknown;
    const merges = readFileSync(join(golden, 'merges.txt'), 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l !== '');
    const dir = await variant('fallback', {
      files: { 'vocab.json': '{ corrupt', 'tokenizer.json': JSON.stringify({ model: { type: 'BPE', vocab, merges } }) },
    });
    const loaded = await loadHookedGpt2(dir);
    await loaded.dispose();
    assert.equal(loaded.warnings.length, 1);
    assert.ok(loaded.warnings[0].includes(join(dir, 'vocab.json')) && loaded.warnings[0].includes('using tokenizer.json instead'));

    const replies: EngineToHost[] = [];
    const server = new EngineServer(loadHookedGpt2, (m) => replies.push(m), [attentionEngine], 1);
    const spec = { dir, displayName: 'fallback', layerNorm: 'as_configured' as const, prependBos: true };
    server.handle({ type: 'request', id: 1, method: 'inspect', params: { model: spec, inspectionId: 'i1', text: 'def f', watchTokens: [] } });
    const deadline = Date.now() + 30_000;
    while (!replies.some((r) => r.type === 'result' || r.type === 'error') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await server.dispose();
    assert.ok(
      replies.some((r) => r.type === 'result'),
      JSON.stringify(replies.filter((r) => r.type === 'error')),
    );
    assert.ok(replies.some((r) => r.type === 'log' && r.level === 'warn' && r.message.includes('using tokenizer.json instead')));

    const run = await cli(['inspect', '--model', dir, '--text', 'def f']);
    assert.equal(run.code, 0, run.err);
    assert.match(run.err, /circuit-inspector: warning: .*using tokenizer\.json instead/, 'the command line shows the warning too');
  });

  describe('finite weights whose activations overflow float32', () => {
    /** Layer 0's MLP scaled by 1e20 twice: its output overflows to Inf, so layer 1's LayerNorm gives NaN. */
    const overflow = () =>
      variant('overflow', {
        tensors: (t) => {
          for (const name of ['h.0.mlp.c_fc.weight', 'h.0.mlp.c_proj.weight'])
            t.set(
              name,
              t.get(name)!.map((x) => x * 1e20),
            );
        },
      });

    it('load (the weights are finite), and assertFiniteRun names the first hook in run order', async () => {
      const loaded = await loadHookedGpt2(await overflow());
      try {
        const hooks: HookName[] = ['blocks.1.attn.hook_pattern', 'blocks.0.attn.hook_pattern', 'blocks.0.hook_mlp_out'];
        const run = await loaded.model.runWithCache(loaded.toPrompt('def f').ids, hooks);
        assert.throws(
          () => assertFiniteRun(run.cache, hooks, run.logits),
          (e: Error) => e instanceof NonFiniteRunError && e.found.where === 'blocks.0.hook_mlp_out' && e.message.includes('at blocks.0.hook_mlp_out'),
        );
        assert.throws(() => assertFiniteRun(run.cache, ['blocks.0.attn.hook_pattern', 'blocks.1.attn.hook_pattern']), /NaN at blocks\.1\.attn\.hook_pattern/);
        assertFiniteRun(run.cache, ['blocks.0.attn.hook_pattern']);
      } finally {
        await loaded.dispose();
      }
    });

    it('Inspect Attention refuses the run, naming the first hook it fetches where the overflow shows', async () => {
      const dir = await overflow();
      const replies: EngineToHost[] = [];
      const server = new EngineServer(loadHookedGpt2, (m) => replies.push(m), [attentionEngine], 1);
      const spec = { dir, displayName: 'overflow', layerNorm: 'as_configured' as const, prependBos: true };
      server.handle({ type: 'request', id: 1, method: 'inspect', params: { model: spec, inspectionId: 'i1', text: 'def f(x):', watchTokens: [] } });
      const deadline = Date.now() + 30_000;
      while (!replies.some((r) => r.type === 'result' || r.type === 'error') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await server.dispose();
      const error = replies.find((r) => r.type === 'error');
      assert.ok(error && error.type === 'error', JSON.stringify(replies.at(-1)));
      // Its fetch includes the residual-stream hooks: MLP out of layer 0 overflows before layer 1's pattern turns NaN.
      assert.match(error.error.message, /\+Inf at blocks\.0\.hook_mlp_out/);
    });

    it('inspect refuses the run, naming the first hook asked for where NaN/Inf appears, or the logits', async () => {
      const dir = await overflow();
      await rejectsWith(
        inspectCommand({ text: 'def f', hooks: 'blocks.1.hook_resid_pre,blocks.0.hook_mlp_out' }, () => loadHookedGpt2(dir)),
        '+Inf at blocks.0.hook_mlp_out',
      );
      await rejectsWith(
        inspectCommand({ text: 'def f' }, () => loadHookedGpt2(dir)),
        'NaN at logits',
      );
    });
  });
});
