import * as assert from 'node:assert/strict';
import { featureHoverLine } from '../../../../src/features/sae/hoverLine';

describe('sae: the hover line', () => {
  it('lists the strongest features in order, each linking to its card with { feature }', () => {
    const line = featureHoverLine(
      [
        { feature: 412, act: 3.14159 },
        { feature: 87, act: 1.2 },
        { feature: 5, act: 0.4 },
        { feature: 9, act: 0.1 },
      ],
      'circuitInspector.inspectFeatures',
    );
    assert.match(line, /^Features: \[#412\]\(command:circuitInspector\.inspectFeatures\?[^)]*\) 3\.1 · \[#87\]/);
    assert.ok(!line.includes('#9'), 'three at most');
    const arg = decodeURIComponent(/inspectFeatures\?([^ ]+) /.exec(line)![1]);
    assert.deepEqual(JSON.parse(arg), [{ feature: 412 }]);
  });

  it('says when no feature is active', () => {
    assert.equal(featureHoverLine([], 'x'), 'Features: none active');
  });
});
