import { strict as assert } from 'node:assert';
import { statusText } from '../../../../src/features/attention/statusText';

describe('statusText', () => {
  it('names the model given, with the state', () => {
    assert.equal(statusText('ready', 'f32-bare', '12 tokens').text, '$(circuit-board) f32-bare · 12 tokens');
    assert.equal(statusText('idle', 'gpt2').text, '$(circuit-board) gpt2');
    assert.equal(statusText('running', 'gpt2').text, '$(loading~spin) gpt2 · running');
  });

  it('after a model change names the new model and keeps the shown run’s model in the tooltip', () => {
    const s = statusText('stale', 'openai-community/gpt2@main', undefined, 'f32-bare');
    assert.equal(s.text, '$(warning) openai-community/gpt2@main · stale');
    assert.doesNotMatch(s.text, /f32-bare/);
    assert.match(s.tooltip, /inspection shown was run with f32-bare/);
  });

  it('says nothing of the shown model when it is the one named', () => {
    assert.doesNotMatch(statusText('stale', 'f32-bare', undefined, 'f32-bare').tooltip, /run with/);
  });
});
