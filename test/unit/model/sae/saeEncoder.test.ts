/** SaeEncoder behaviour the parity goldens do not pin down: exact ties in topk, centring, fed weights, errors, cancel, release. */
import assert from 'node:assert/strict';
import { SaeEncoder, SaeError, type LoadedSae, type SaeConfig, type SaeWeights } from '../../../../src/model/sae';
import type { Float32Tensor } from '../../../../src/model/tensor';

const D_IN = 4;
const D_SAE = 6;

function makeSae(config: Partial<SaeConfig>, weights: Partial<SaeWeights>): LoadedSae {
  return {
    id: 't',
    label: 't',
    folder: '/t',
    config: {
      architecture: 'standard',
      dIn: D_IN,
      dSae: D_SAE,
      dtype: 'float32',
      hookName: 'blocks.0.hook_resid_pre',
      hookLayer: 0,
      applyBDecToInput: true,
      inputTransform: 'none',
      inputTransformReason: 'test',
      configForm: 'v6',
      ...config,
    },
    weights: {
      W_enc: new Float32Array(D_IN * D_SAE),
      W_dec: new Float32Array(D_SAE * D_IN),
      b_enc: new Float32Array(D_SAE),
      b_dec: new Float32Array(D_IN),
      ...weights,
    },
  };
}

const rows = (data: number[]): Float32Tensor<'rows d_in'> => ({ dims: [data.length / D_IN, D_IN], data: Float32Array.from(data) });

describe('SaeEncoder', () => {
  it('topk keeps exactly k when values tie at the boundary, the lower indices first', async () => {
    // W_enc = 0, so pre = b_enc for every row: four features tie at 1
    const enc = await SaeEncoder.create(makeSae({ architecture: 'topk', k: 2 }, { b_enc: Float32Array.of(0.5, 1, 1, 1, 1, 0.25) }));
    try {
      const out = await enc.encode(rows([1, 2, 3, 4, -1, 0, 2, 5]));
      for (let r = 0; r < 2; r++) assert.deepEqual(Array.from(out.acts.data.subarray(r * D_SAE, (r + 1) * D_SAE)), [0, 1, 1, 0, 0, 0]);
    } finally {
      await enc.release();
    }
  });

  it("'center' subtracts each row's mean and adds it back to the reconstruction", async () => {
    // W_dec = 0, b_dec = 0: the reconstruction is the removed mean alone
    const enc = await SaeEncoder.create(makeSae({ inputTransform: 'center' }, {}));
    try {
      const out = await enc.encode(rows([1, 2, 3, 6]));
      assert.deepEqual(Array.from(out.recon.data), [3, 3, 3, 3]);
      assert.ok(Math.abs(out.errorNorm[0] - Math.hypot(-2, -1, 0, 3)) < 1e-6);
    } finally {
      await enc.release();
    }
  });

  it('weights fed per run give the same outputs as embedded ones', async () => {
    const W_enc = Float32Array.from({ length: D_IN * D_SAE }, (_, i) => Math.cos(i));
    const W_dec = Float32Array.from({ length: D_IN * D_SAE }, (_, i) => Math.sin(i));
    const sae = makeSae(
      { architecture: 'gated' },
      { W_enc, W_dec, b_gate: new Float32Array(D_SAE).fill(0.1), b_mag: new Float32Array(D_SAE), r_mag: new Float32Array(D_SAE).fill(0.3) },
    );
    const [a, b] = await Promise.all([SaeEncoder.create(sae), SaeEncoder.create(sae, { weights: 'fed' })]);
    try {
      const x = rows([0.5, -1, 2, 0.25, 1, 1, -1, 0]);
      const [oa, ob] = [await a.encode(x), await b.encode(x)];
      assert.deepEqual(Array.from(oa.acts.data), Array.from(ob.acts.data));
      assert.ok(oa.acts.data.some((v) => v > 0));
    } finally {
      await Promise.all([a.release(), b.release()]);
    }
  });

  it('refuses rows of the wrong width, naming d_in', async () => {
    const enc = await SaeEncoder.create(makeSae({}, {}));
    try {
      await assert.rejects(
        enc.encode({ dims: [1, 5], data: new Float32Array(5) }),
        (e: unknown) => e instanceof SaeError && /expected \[rows, 4\]/.test(e.message),
      );
    } finally {
      await enc.release();
    }
  });

  it('stops when cancelled, and cannot run after release', async () => {
    const enc = await SaeEncoder.create(makeSae({}, {}));
    const ctl = new AbortController();
    ctl.abort();
    await assert.rejects(enc.encode(rows([1, 2, 3, 4]), ctl.signal), { name: 'AbortError' });
    await enc.release();
    await assert.rejects(enc.encode(rows([1, 2, 3, 4])), /released/);
  });

  it('refuses a topk SAE without k and weights of the wrong size before building the graph', async () => {
    await assert.rejects(
      SaeEncoder.create(makeSae({ architecture: 'topk' }, {})),
      (e: unknown) => e instanceof SaeError && e.code === 'malformed-config' && /k undefined/.test(e.message),
    );
    await assert.rejects(
      SaeEncoder.create(makeSae({}, { b_dec: new Float32Array(3) })),
      (e: unknown) => e instanceof SaeError && /b_dec \[4\], got 3 values/.test(e.message),
    );
    await assert.rejects(
      SaeEncoder.create(makeSae({ architecture: 'gated' }, {})),
      (e: unknown) => e instanceof SaeError && e.code === 'missing-tensor' && /b_gate/.test(e.message),
    );
  });

  it('handles zero rows', async () => {
    const enc = await SaeEncoder.create(makeSae({}, {}));
    try {
      const out = await enc.encode({ dims: [0, D_IN], data: new Float32Array(0) });
      assert.deepEqual(out.acts.dims, [0, D_SAE]);
    } finally {
      await enc.release();
    }
  });
});
