import * as assert from 'node:assert/strict';
import { batchForBudget, DEFAULT_PATCHING_BUDGET_BYTES, patchElementBytes } from '../../../../src/analysis/patching/runPatchingSweeps';

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
