import * as assert from 'node:assert/strict';
import { bosAttentionScores, inductionScores, inductionTargets, meanEntropies, patternShape, previousTokenScores } from '../../../src/analysis/headScores';
import { float32Tensor } from '../../../src/model/tensor';
import { causalPattern, patternFromRows } from './patternHelpers';

const close = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${a} ≉ ${b}`);

describe('head scores', () => {
  // Head 0: pure previous-token head (row 0 attends to itself). Head 1: pure BOS sink.
  const prevHead = [
    [1, 0, 0, 0],
    [1, 0, 0, 0],
    [0, 1, 0, 0],
    [0, 0, 1, 0],
  ];
  const sinkHead = [
    [1, 0, 0, 0],
    [1, 0, 0, 0],
    [1, 0, 0, 0],
    [1, 0, 0, 0],
  ];
  const p = patternFromRows([prevHead, sinkHead]);

  it('checks the pattern shape', () => {
    assert.deepEqual(patternShape(p), { nHeads: 2, nTokens: 4 });
    assert.throws(() => patternShape(float32Tensor([2, 3, 4])), /square/);
    assert.throws(() => patternShape(float32Tensor([12, 12])), /\[head, query, key\]/);
  });

  it('previous-token score is the mean attention from q to q − 1 over q ≥ 1', () => {
    const [prev, sink] = previousTokenScores(p);
    close(prev, 1);
    close(sink, 1 / 3); // only q = 1 attends to q − 1 = 0
    assert.ok(Number.isNaN(previousTokenScores(patternFromRows([[[1]]]))[0]));
  });

  it('attention to BOS averages over q ≥ 1', () => {
    const [prev, sink] = bosAttentionScores(p);
    close(prev, 1 / 3);
    close(sink, 1);
  });

  it('entropy is 0 for one-hot rows and ln(q + 1) for uniform rows', () => {
    close(meanEntropies(p)[0], 0);
    const n = 5;
    const uniform = causalPattern(1, n, () => 0);
    const expected = [1, 2, 3, 4].reduce((s, q) => s + Math.log(q + 1), 0) / 4;
    close(meanEntropies(uniform)[0], expected, 1e-5);
  });

  describe('induction', () => {
    it('targets the token after each earlier occurrence, ignoring BOS', () => {
      //          BOS  A  B  C  A  B  A
      const ids = [0, 1, 2, 3, 1, 2, 1];
      const bos = [true, false, false, false, false, false, false];
      assert.deepEqual(inductionTargets(ids, bos), [[], [], [], [], [2], [3], [2, 5]]);
      // A BOS id that repeats later (a second <|endoftext|>) is not matched with the BOS.
      assert.deepEqual(inductionTargets([9, 9], [true, false]), [[], []]);
    });

    it('scores an induction head 1 and a previous-token head lower', () => {
      const ids = [0, 1, 2, 3, 1, 2, 3];
      const bos = [true, false, false, false, false, false, false];
      const targets = inductionTargets(ids, bos);
      // Head 0: attends exactly to the induction target when there is one, else to BOS.
      // Head 1: previous-token head.
      const n = ids.length;
      const pat = causalPattern(2, n, (h, q, k) => {
        if (h === 0) return (targets[q].length ? targets[q].includes(k) : k === 0) ? 50 : 0;
        return k === q - 1 || (q === 0 && k === 0) ? 50 : 0;
      });
      const [ind, prev] = inductionScores(pat, ids, bos);
      close(ind, 1, 1e-6);
      assert.ok(prev < 0.01, `previous-token head scored ${prev}`);
    });

    it('does not count the query itself: a head attending to the current token in a run of spaces is no induction head', () => {
      //          BOS  def ␠  ␠  ␠  x  ␠
      const ids = [0, 5, 7, 7, 7, 8, 7];
      const bos = [true, false, false, false, false, false, false];
      // ␠ at 3 follows ␠ at 2, whose successor is 3 itself: no target; at 4, only 3; at 6, 3, 4 and 5.
      assert.deepEqual(inductionTargets(ids, bos), [[], [], [], [], [3], [], [3, 4, 5]]);
      const self = causalPattern(1, ids.length, (_h, q, k) => (k === q ? 50 : 0));
      assert.ok(inductionScores(self, ids, bos)[0] < 0.01, 'a current-token head');
    });

    it('is NaN when no token repeats', () => {
      const pat = causalPattern(1, 4, () => 0);
      assert.ok(Number.isNaN(inductionScores(pat, [0, 1, 2, 3], [true])[0]));
      assert.throws(() => inductionScores(pat, [0, 1, 2]), /4 token ids/);
    });
  });
});
