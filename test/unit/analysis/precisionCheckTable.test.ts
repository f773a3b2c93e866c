/** checkPatchTable: max |Δ| and its share of the fp32 gap, and the strongest cells (by |effect|, weak ones left out) both tables share. */
import * as assert from 'node:assert/strict';
import { checkPatchTable, strongestCells } from '../../../src/analysis/precisionCheck';

// clean 3, corrupt −1 (gap 4); denoising effects are patched − corrupt
const table = (values: number[], clean = 3, corrupt = -1) => ({ values: Float32Array.from(values), metricClean: clean, metricCorrupt: corrupt });

describe('precisionCheck: one patching table, int8 against fp32', () => {
  it('max |Δ| over the cells, as a share of the fp32 gap', () => {
    const c = checkPatchTable(table([-1, 3, 1, -0.5]), table([-1, 2.8, 1.1, -0.5], 2.9, -1.1), 'denoise');
    assert.ok(Math.abs(c.maxAbs - 0.2) < 1e-6);
    assert.ok(Math.abs(c.maxAbsShare! - 0.05) < 1e-6);
    assert.deepEqual(c.metric, { fp32: { clean: 3, corrupt: -1 }, int8: { clean: 2.9, corrupt: -1.1 } });
    assert.equal(checkPatchTable(table([1, 2], 1, 1), table([1, 2.5], 1, 1), 'noise').maxAbsShare, null, 'no gap, no share');
  });

  it('strongest by |patched − unpatched| of the direction (corrupt when denoising, clean when noising)', () => {
    const t = table([3, -1, -2, 0.5]);
    assert.deepEqual(strongestCells(t, 'denoise', 2), [0, 3]); // effects 4, 0, −1, 1.5
    assert.deepEqual(strongestCells(t, 'noise', 2), [2, 1]); // effects 0, −4, −5, −2.5
  });

  it('counts shared strongest cells, leaving out cells under 10% of the largest move', () => {
    // fp32 effects: 4, 2, 1, 0.3, 0.1 (the last two weak); int8 swaps the third for a weak one
    const fp32 = table([3, 1, 0, -0.7, -0.9, -1]);
    const int8 = table([3, 1, -0.9, -0.7, 0.1, -1]);
    const c = checkPatchTable(fp32, int8, 'denoise');
    assert.equal(c.top.k, 3);
    assert.deepEqual(c.top.fp32, [0, 1, 2]);
    assert.deepEqual(c.top.int8, [0, 1, 4]);
    assert.equal(c.top.shared, 2);
    assert.equal(checkPatchTable(fp32, fp32, 'denoise').top.shared, 3, 'a table against itself shares all');
  });
});
