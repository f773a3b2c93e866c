import * as assert from 'node:assert/strict';
import {
  BATCH_ROWS,
  batchForBudget,
  batchForRows,
  budgetBatches,
  DEFAULT_PATCHING_BUDGET_BYTES,
  patchElementBytes,
  patchFeedBytes,
} from '../../../../src/analysis/patching/runPatchingSweeps';

const GPT2_SMALL = { nHeads: 12, dMlp: 3072, dModel: 768, dVocab: 50257 };

describe('exact patching: batches sized from the memory budget', () => {
  it('GPT-2 small: 32 per batch at 64 tokens, a handful at 1024 within 2 GiB, never none', () => {
    const at64 = batchForBudget(DEFAULT_PATCHING_BUDGET_BYTES, patchElementBytes(GPT2_SMALL, 64, 64), 32);
    assert.equal(at64, 32);
    const el1024 = patchElementBytes(GPT2_SMALL, 1024, 1024);
    const at1024 = batchForBudget(DEFAULT_PATCHING_BUDGET_BYTES, el1024, 32);
    assert.ok(at1024 >= 1 && at1024 < 32, `${at1024}`);
    assert.ok(at1024 * el1024 <= DEFAULT_PATCHING_BUDGET_BYTES, 'the batch fits the budget');
    assert.ok((at1024 + 1) * el1024 > DEFAULT_PATCHING_BUDGET_BYTES, 'and is the largest that does');
    assert.equal(batchForBudget(1, el1024, 32), 1, 'a budget below one element still runs one at a time');
  });

  it('the attention scores dominate long prompts: the estimate grows with suffix × keys', () => {
    const a = patchElementBytes(GPT2_SMALL, 256, 1024);
    const b = patchElementBytes(GPT2_SMALL, 1024, 1024);
    assert.ok(b > 3.5 * a && b < 4.1 * a, `${b / a}`);
  });
});

describe('exact patching: each batch sized from its own suffix and prefix', () => {
  const c = { ...GPT2_SMALL, nLayers: 12 };
  const nPos = 1024;
  const bytes = (start: number) => patchElementBytes(c, nPos - start, nPos) + patchFeedBytes(c, 0, start, nPos - start);

  it('every batch fits the budget; batches late in the prompt (short suffixes) hold more cells', () => {
    const cells = Array.from({ length: 384 }, (_, i) => 256 + 2 * i); // cells at positions 256..1022, sorted
    const batches = budgetBatches(cells, (p) => p, bytes, DEFAULT_PATCHING_BUDGET_BYTES, 32);
    assert.deepEqual(batches.flat(), cells, 'every cell once, in order');
    for (const b of batches) assert.ok(b.length === 1 || b.length * bytes(b[0]) <= DEFAULT_PATCHING_BUDGET_BYTES, `${b.length} at ${b[0]}`);
    assert.ok(batches[0].length < batches.at(-1)!.length, `${batches[0].length} first, ${batches.at(-1)!.length} last`);
    assert.ok(batches.every((b) => b.length <= 32));
  });

  it("a prompt set's per-element prefixes grow with the prefix and the layers left", () => {
    assert.equal(patchFeedBytes(c, 11, 0, 10, true), 4 * 768 * 20);
    assert.equal(patchFeedBytes(c, 0, 1000, 24, true) - patchFeedBytes(c, 6, 1000, 24, true), 4 * 768 * 2 * 6 * 1000);
  });

  it('one prefix shared by the batch costs each element only the running layer’s broadcast keys and values', () => {
    assert.equal(patchFeedBytes(c, 0, 1000, 24), patchFeedBytes(c, 6, 1000, 24));
    assert.equal(patchFeedBytes(c, 0, 1000, 24), 4 * 768 * (2 * 1000 + 2 * 24));
    assert.ok(patchFeedBytes(c, 0, 1000, 24) < patchFeedBytes(c, 0, 1000, 24, true) / 10);
  });
});

describe('exact patching: batches hold about BATCH_ROWS rows, where the matmuls run fastest', () => {
  it('short suffixes keep maxBatch; long ones get fewer elements, never none', () => {
    assert.equal(batchForRows(32, 22), 32, '30 tokens, difference at 8: 704 rows');
    assert.equal(batchForRows(32, 47), Math.floor(BATCH_ROWS / 47), '64 tokens, difference at 17');
    assert.equal(batchForRows(32, 191), 4, '256 tokens, difference at 65');
    assert.equal(batchForRows(32, 5000), 1);
  });

  it('budgetBatches takes the cap per suffix start', () => {
    const nPos = 256;
    const cells = Array.from({ length: 40 }, (_, i) => 65 + i);
    const batches = budgetBatches(
      cells,
      (p) => p,
      () => 1,
      DEFAULT_PATCHING_BUDGET_BYTES,
      (start) => batchForRows(32, nPos - start),
    );
    assert.deepEqual(batches.flat(), cells);
    for (const b of batches) assert.ok(b.length * (nPos - b[0]) <= BATCH_ROWS, `${b.length} × ${nPos - b[0]} rows`);
  });
});
