import * as assert from 'node:assert/strict';
import { activationsCsv } from '../../../../src/features/sae/export';

describe('sae: the CSV export', () => {
  it('one row per active feature; token text that a spreadsheet would run is written as text, spaces and newlines kept', () => {
    const tokens = [
      { id: 1, text: '<|endoftext|>', isBos: true, start: 0, end: 0 },
      { id: 2, text: '=', isBos: false, start: 0, end: 1 },
      { id: 3, text: '\n    ', isBos: false, start: 1, end: 6 },
      { id: 4, text: ' param', isBos: false, start: 6, end: 12 },
    ];
    const csv = activationsCsv({
      tokens,
      position: Int32Array.from([1, 2, 3, 3]),
      feature: Int32Array.from([7, 8, 9, 10]),
      act: Float32Array.from([0.5, 0.25, 2, 1]),
    });
    assert.equal(csv, `position,token_id,token,feature,act\n1,2,'=,7,0.5\n2,3,"\n    ",8,0.25\n3,4," param",9,2\n3,4," param",10,1\n`);
  });
});
