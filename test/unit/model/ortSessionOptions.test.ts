/**
 * The session options ORT gets from ours (config entries, external data, optimized model path), and
 * that they reach onnxruntime: a config entry changes how a model loads, a weight held in an external
 * buffer or file gives the same result as the same weight embedded, and a wrong external length fails.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeOnnxModel, OnnxDataType, type OnnxGraph, type OnnxTensor } from '../../../src/model/graph/onnxModel';
import { OrtSession, ortSessionOptions } from '../../../src/model/ort';

const W = Float32Array.from({ length: 12 }, (_, i) => (i - 5) / 3); // [3, 4]
const X = Float32Array.from([1, -2, 0.5, 4, 0.25, -1]); // [2, 3]
const wBytes = new Uint8Array(W.buffer);

function matmulGraph(weight: OnnxTensor): OnnxGraph {
  return {
    name: 'mm',
    nodes: [{ opType: 'MatMul', inputs: ['x', 'w'], outputs: ['y'], name: 'mm', attributes: {} }],
    inputs: [{ name: 'x', elemType: OnnxDataType.Float, dims: [2, 3] }],
    outputs: [{ name: 'y', elemType: OnnxDataType.Float, dims: [2, 4] }],
    initializers: [weight],
  };
}
const embedded = matmulGraph({ name: 'w', elemType: OnnxDataType.Float, dims: [3, 4], raw: wBytes });
const external = (location: string, length = wBytes.byteLength) =>
  matmulGraph({ name: 'w', elemType: OnnxDataType.Float, dims: [3, 4], raw: new Uint8Array(0), external: { location, offset: 0, length } });

async function runOnce(model: Uint8Array | string, options: Parameters<typeof OrtSession.create>[2] = {}): Promise<Float32Array> {
  const s = await OrtSession.create(model, 'test', options);
  try {
    return (await s.run({ x: { type: 'float32', dims: [2, 3], data: X } }, ['y'])).y.data;
  } finally {
    await s.release();
  }
}

describe('ORT session options', () => {
  it('maps spinning, config entries, external data and the optimized model path', () => {
    const data = new Uint8Array(8);
    const o = ortSessionOptions({
      spinning: false,
      threads: 2,
      config: { 'session.disable_prepacking': '1' },
      externalData: [{ path: 'w.bin', data }],
      optimizedModelPath: '/x/m.onnx',
    });
    assert.deepEqual(o.extra, { 'session.disable_prepacking': '1', 'session.intra_op.allow_spinning': '0' });
    assert.equal(o.intraOpNumThreads, 2);
    assert.deepEqual(o.externalData, [{ path: 'w.bin', data }]);
    assert.equal(o.optimizedModelFilePath, '/x/m.onnx');
    assert.equal(o.enableCpuMemArena, false);
  });

  it('spins by default; an explicit spinning wins over the same config entry, which is kept otherwise', () => {
    assert.equal((ortSessionOptions().extra as Record<string, string>)['session.intra_op.allow_spinning'], '1');
    assert.equal(
      (ortSessionOptions({ spinning: true, config: { 'session.intra_op.allow_spinning': '0' } }).extra as Record<string, string>)[
        'session.intra_op.allow_spinning'
      ],
      '1',
    );
    assert.equal(
      (ortSessionOptions({ config: { 'session.intra_op.allow_spinning': '0' } }).extra as Record<string, string>)['session.intra_op.allow_spinning'],
      '0',
    );
  });

  it('a config entry reaches onnxruntime (an ONNX model read as ORT format fails to load)', async () => {
    const bytes = encodeOnnxModel(embedded);
    await runOnce(bytes); // loads as it is
    await assert.rejects(runOnce(bytes, { config: { 'session.load_model_format': 'ORT' } }), /could not create the session/);
  });

  it('a weight in an external buffer gives the same result as the weight embedded; a wrong length fails', async () => {
    const want = await runOnce(encodeOnnxModel(embedded));
    const got = await runOnce(encodeOnnxModel(external('w.bin')), { externalData: [{ path: 'w.bin', data: wBytes }] });
    assert.deepEqual([...got], [...want]);
    assert.ok(want.some((v) => v !== 0));
    await assert.rejects(runOnce(encodeOnnxModel(external('w.bin', 8)), { externalData: [{ path: 'w.bin', data: wBytes }] }));
  });

  it('a model loaded by path reads its external data file from beside it, and can write an optimized copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-ort-'));
    try {
      writeFileSync(join(dir, 'w.bin'), wBytes);
      writeFileSync(join(dir, 'm.onnx'), encodeOnnxModel(external('w.bin')));
      const want = await runOnce(encodeOnnxModel(embedded));
      assert.deepEqual([...(await runOnce(join(dir, 'm.onnx')))], [...want]);
      await runOnce(join(dir, 'm.onnx'), { optimizedModelPath: join(dir, 'opt.onnx') });
      assert.ok(existsSync(join(dir, 'opt.onnx')));
      assert.deepEqual([...(await runOnce(join(dir, 'opt.onnx')))], [...want]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
