// The residual bench's arithmetic floor: the logit lens's multiply-adds over a GPT-2-small forward's.
import * as assert from 'node:assert/strict';
import type { Gpt2Config } from '../../../src/model/gpt2Config';
import { forwardMultiplyAdds, lensMultiplyAdds } from '../../../tools/bench/residualBench';

const small = { nLayers: 12, nHeads: 12, dModel: 768, dHead: 64, dMlp: 3072, dVocab: 50257 } as Gpt2Config;

describe('residual bench multiply-adds', () => {
  it('counts a GPT-2-small forward by hand at 64 tokens: 12 · 64 · 12 · 768² + 12 · 2 · 64² · 768 + 768 · 50257', () => {
    assert.equal(forwardMultiplyAdds(small, 64, 1), 12 * 64 * 12 * 768 ** 2 + 12 * 2 * 64 ** 2 * 768 + 768 * 50257);
    assert.equal(lensMultiplyAdds(small, 64), 13 * 64 * 768 * 50257);
  });

  it('puts the exact lens at 5.6–5.8 forwards of GPT-2 small at 64 and 256 tokens', () => {
    const ratio = (n: number) => lensMultiplyAdds(small, n) / forwardMultiplyAdds(small, n, 1);
    assert.ok(ratio(64) > 5.7 && ratio(64) < 5.85, `64 tokens: ${ratio(64)}`);
    assert.ok(ratio(256) > 5.5 && ratio(256) < 5.65, `256 tokens: ${ratio(256)}`);
  });
});
