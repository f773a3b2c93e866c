/** The CLI's int8 mode: --int8 output says so, and precision-check reports the error against fp32. */
import * as assert from 'node:assert/strict';
import { corruptPair } from '../../../src/cli/precisionCheckCommand';
import { INT8_NOTE } from '../../../src/shared/precision';
import { MODEL, cli } from './runCli';

describe('circuit-inspector: the int8 approximate mode', function () {
  this.timeout(120_000);

  it('--int8: the JSON starts with precision int8 and its note, stderr says so, and the logits differ from the exact run', async () => {
    const args = ['inspect', '--model', MODEL, '--text', 'def f(self, param):', '--logits', 'last'];
    const exact = await cli(args);
    const int8 = await cli([...args, '--int8']);
    assert.equal(int8.code, 0, int8.err);
    const j = JSON.parse(int8.out);
    assert.deepEqual(Object.keys(j).slice(0, 2), ['precision', 'note']);
    assert.equal(j.precision, 'int8');
    assert.equal(j.note, INT8_NOTE);
    assert.match(int8.err, /int8 approximate mode/);
    const e = JSON.parse(exact.out);
    assert.equal(e.precision, undefined, 'an exact run is unchanged');
    assert.notDeepEqual(j.logits.data, e.logits.data);
  });

  it('precision-check reports the logits error, top-1 agreement, KL and the z patching table difference', async () => {
    const r = await cli(['precision-check', '--model', MODEL, '--text', 'def f(self, param):\n    return self.param + param\n']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out);
    assert.equal(j.precision, 'int8');
    const l = j.logits;
    assert.equal(l.positions, j.tokens);
    assert.ok(l.maxAbs > 0 && l.meanAbs > 0 && l.meanAbs <= l.maxAbs);
    assert.ok(l.top1Agree >= 0 && l.top1Agree <= l.positions);
    assert.ok(l.meanKl >= 0 && l.maxKl >= l.meanKl);
    assert.match(l.summary, /^int8 vs fp32 logits: max \|Δ\| /);
    assert.deepEqual(
      j.patching.tables.map((t: { direction: string; sweep: string }) => `${t.direction} ${t.sweep}`),
      ['denoise z', 'noise z'],
    );
    for (const t of j.patching.tables) assert.ok(Number.isFinite(t.maxAbs) && t.maxAbs >= 0 && t.cells > 0);
    assert.ok(j.forwardMs.fp32 > 0 && j.forwardMs.int8 > 0);
    assert.match(r.err, /int8 vs fp32 patching \(denoise z/);
  });

  it('the patching pair swaps the first token that recurs, else the middle one', () => {
    assert.deepEqual(corruptPair([9, 4, 5, 4, 6], 10), { position: 1, corrupt: [9, 5, 5, 4, 6] });
    assert.deepEqual(corruptPair([9, 1, 2, 3, 4], 10), { position: 1, corrupt: [9, 2, 2, 3, 4] });
    assert.deepEqual(corruptPair([9, 1, 2, 3, 4, 5, 6], 10).position, 2);
    assert.deepEqual(corruptPair([9, 7, 7], 10), { position: 1, corrupt: [9, 8, 7] });
  });
});
