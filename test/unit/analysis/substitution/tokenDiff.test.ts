import assert from 'node:assert/strict';
import { diffTokens } from '../../../../src/analysis/substitution/tokenDiff';

describe('diffTokens', () => {
  it('aligned prompts: the differing positions and the first difference', () => {
    const d = diffTokens([1, 2, 3, 4, 5], [1, 2, 9, 4, 8]);
    assert.equal(d.aligned, true);
    assert.deepEqual(d.differingPositions, [2, 4]);
    assert.equal(d.firstDifference, 2);
    assert.deepEqual(
      d.ops.map((o) => o.kind),
      ['equal', 'equal', 'replace', 'equal', 'replace'],
    );
  });

  it('identical prompts have no differing position', () => {
    const d = diffTokens([1, 2, 3], [1, 2, 3]);
    assert.deepEqual(d.differingPositions, []);
    assert.equal(d.firstDifference, 3);
  });

  it('a replacement that became two tokens shows as replace + insert, and is not aligned', () => {
    const d = diffTokens([1, 2, 3, 4], [1, 7, 8, 3, 4]);
    assert.equal(d.aligned, false);
    assert.equal(d.firstDifference, 1);
    const kinds = d.ops.map((o) => o.kind);
    assert.deepEqual(kinds.filter((k) => k === 'equal').length, 3);
    assert.equal(kinds.filter((k) => k === 'insert').length + kinds.filter((k) => k === 'replace').length, 2);
    // every token of both prompts appears exactly once
    const aSeen = d.ops.flatMap((o) => ('a' in o ? [o.a] : []));
    const bSeen = d.ops.flatMap((o) => ('b' in o ? [o.b] : []));
    assert.deepEqual(aSeen, [0, 1, 2, 3]);
    assert.deepEqual(bSeen, [0, 1, 2, 3, 4]);
  });

  it('deletions', () => {
    const d = diffTokens([1, 2, 3, 4], [1, 4]);
    assert.deepEqual(
      d.ops.map((o) => o.kind),
      ['equal', 'delete', 'delete', 'equal'],
    );
  });
});
