import * as assert from 'node:assert/strict';
import {
  ClearFocus,
  ExportActivations,
  FocusChanged,
  FocusToken,
  HeadPattern,
  Inspection,
  PROTOCOL_VERSION,
  Ready,
  RequestHeadPattern,
  RunState,
  Stale,
  Timing,
  isClearFocus,
  isExportActivations,
  isFocusChanged,
  isFocusToken,
  isHeadPattern,
  isHostToWebviewMessage,
  isInspection,
  isReady,
  isRequestHeadPattern,
  isRunState,
  isStale,
  isTiming,
  isWebviewToHostMessage,
} from '../../../../../src/features/attention/shared/protocol';
import { headLabel, type InspectionParams } from '../../../../../src/shared/inspection';

function inspectionParams(over: Partial<InspectionParams> = {}): InspectionParams {
  const nLayers = 2;
  const nHeads = 2;
  const thumbSize = 3;
  return {
    inspectionId: 'abc',
    modelName: 'gpt2',
    n_layers: nLayers,
    n_heads: nHeads,
    tokens: ['<|endoftext|>', 'def', ' param'].map((text, i) => ({
      text,
      id: i === 0 ? 50256 : i,
      start: i === 0 ? 0 : i * 3,
      end: i === 0 ? 0 : i * 3 + text.length,
      isBos: i === 0,
      isWatched: i === 2,
    })),
    thumbSize,
    thumbnails_layer_head_q_k: new Float32Array(nLayers * nHeads * thumbSize * thumbSize),
    headSummaries: [0, 1, 2, 3].map((i) => ({ layer: i >> 1, head: i & 1, prevToken: 0.5, induction: null, bos: 0.4, entropy: 1 })),
    specialTokens: [
      {
        tokenId: 2,
        text: ' param',
        kind: 'identifier',
        tokenIndices: [2],
        direction: 'more',
        comparedWith: 4,
        strength: 2,
        heads: [{ layer: 0, head: 1, ratio: 8, robustZ: 6, support: 40 }],
        message: 'head 0.1 attends to ` param` 8.0× more than to other identifier tokens',
      },
    ],
    watchTokens: ['self', 'param'],
    stale: false,
    ...over,
  };
}

// One valid example of every message.
const EXAMPLES = {
  ready: Ready.create({ protocolVersion: PROTOCOL_VERSION }),
  focusChanged: FocusChanged.create({
    inspectionId: 'abc',
    layer: 0,
    head: 1,
    tokenIndex: 2,
    direction: 'to',
    locked: true,
    weights_token: [0.25, 0.5, 0.25],
  }),
  clearFocus: ClearFocus.create({}),
  timing: Timing.create({ inspectionId: 'abc', name: 'gridFirstPaint', ms: 41.5 }),
  exportActivations: ExportActivations.create({ inspectionId: 'abc' }),
  requestHeadPattern: RequestHeadPattern.create(7, { inspectionId: 'abc', layer: 1, head: 0 }),
  headPattern: HeadPattern.result(7, { inspectionId: 'abc', layer: 1, head: 0, n_tokens: 3, pattern_q_k: new Float32Array(9) }),
  headPatternError: HeadPattern.error(7, 'the model was unloaded'),
  inspection: Inspection.create(inspectionParams()),
  focusToken: FocusToken.create({ tokenIndex: 2, direction: 'from', layer: 0, head: 1 }),
  stale: Stale.create({ stale: true, reason: 'document changed' }),
  runState: RunState.create({ state: 'running', progress: 0.5, message: 'layer 6/12' }),
};

const GUARDS = {
  isReady,
  isFocusChanged,
  isClearFocus,
  isTiming,
  isExportActivations,
  isRequestHeadPattern,
  isHeadPattern,
  isInspection,
  isFocusToken,
  isStale,
  isRunState,
};

const guardFor: Record<keyof typeof EXAMPLES, keyof typeof GUARDS> = {
  ready: 'isReady',
  focusChanged: 'isFocusChanged',
  clearFocus: 'isClearFocus',
  timing: 'isTiming',
  exportActivations: 'isExportActivations',
  requestHeadPattern: 'isRequestHeadPattern',
  headPattern: 'isHeadPattern',
  headPatternError: 'isHeadPattern',
  inspection: 'isInspection',
  focusToken: 'isFocusToken',
  stale: 'isStale',
  runState: 'isRunState',
};

describe('protocol guards', () => {
  for (const [name, msg] of Object.entries(EXAMPLES) as [keyof typeof EXAMPLES, unknown][]) {
    it(`${name}: accepted by its own guard only, also after structured clone`, () => {
      for (const [guardName, guard] of Object.entries(GUARDS)) {
        assert.equal(guard(msg), guardName === guardFor[name], `${guardName}(${name})`);
      }
      assert.ok(GUARDS[guardFor[name]](structuredClone(msg)), 'structured clone keeps typed arrays');
    });
  }

  it('sorts messages by direction', () => {
    const toHost = ['ready', 'focusChanged', 'clearFocus', 'timing', 'exportActivations', 'requestHeadPattern'];
    for (const [name, msg] of Object.entries(EXAMPLES)) {
      assert.equal(isWebviewToHostMessage(msg), toHost.includes(name), name);
      assert.equal(isHostToWebviewMessage(msg), !toHost.includes(name), name);
    }
    assert.equal(RequestHeadPattern.direction, 'webviewToHost');
    assert.equal(HeadPattern.direction, 'hostToWebview');
    assert.equal(Inspection.kind, 'notification');
    assert.equal(FocusChanged.kind, 'command');
  });

  it('accepts focus weights as a plain array or a Float32Array', () => {
    const params = { ...EXAMPLES.focusChanged.params, weights_token: new Float32Array([0.5, 0.5, 0]) };
    assert.ok(isFocusChanged(FocusChanged.create(params)));
  });

  it('rejects non-messages and wrong envelopes', () => {
    for (const bad of [null, undefined, 42, 'ready', [], { method: 'ready' }, { params: {} }]) {
      assert.equal(isWebviewToHostMessage(bad), false);
      assert.equal(isHostToWebviewMessage(bad), false);
    }
    assert.equal(isRequestHeadPattern({ ...EXAMPLES.requestHeadPattern, id: -1 }), false);
    assert.equal(isRequestHeadPattern({ ...EXAMPLES.requestHeadPattern, id: 1.5 }), false);
    assert.equal(isRequestHeadPattern({ method: 'requestHeadPattern', params: EXAMPLES.requestHeadPattern.params }), false);
    assert.equal(isHeadPattern({ ...EXAMPLES.headPattern, error: 'both' }), false);
    assert.equal(isHeadPattern({ method: 'headPattern', id: 1 }), false);
  });

  it('rejects malformed payloads', () => {
    const bad: [string, unknown][] = [
      ['ready without version', Ready.create({ protocolVersion: 0 })],
      ['focus with unknown direction', { method: 'focusChanged', params: { ...EXAMPLES.focusChanged.params, direction: 'up' } }],
      ['weights without a token', { method: 'focusChanged', params: { ...EXAMPLES.focusChanged.params, tokenIndex: undefined } }],
      ['weights with NaN', { method: 'focusChanged', params: { ...EXAMPLES.focusChanged.params, weights_token: [0, NaN, 0] } }],
      ['weights as an index-keyed object', { method: 'focusChanged', params: { ...EXAMPLES.focusChanged.params, weights_token: { 0: 1 } } }],
      ['clearFocus with params', { method: 'clearFocus', params: { layer: 1 } }],
      ['negative timing', Timing.create({ inspectionId: 'a', name: 'gridFirstPaint', ms: -1 })],
      ['pattern of the wrong length', HeadPattern.result(1, { inspectionId: 'a', layer: 0, head: 0, n_tokens: 3, pattern_q_k: new Float32Array(8) })],
      ['focusToken with a layer but no head', { method: 'focusToken', params: { tokenIndex: 1, layer: 2 } }],
      ['run state out of range', { method: 'runState', params: { state: 'running', progress: 1.5 } }],
      ['unknown run state', { method: 'runState', params: { state: 'paused' } }],
      ['stale not boolean', { method: 'stale', params: { stale: 'yes' } }],
    ];
    for (const [what, msg] of bad) {
      assert.equal(isWebviewToHostMessage(msg) || isHostToWebviewMessage(msg), false, what);
    }
  });

  it('checks the inspection payload against its own shapes', () => {
    const p = inspectionParams();
    const variants: [string, Partial<InspectionParams>][] = [
      ['thumbnails of the wrong length', { thumbnails_layer_head_q_k: new Float32Array(5) }],
      ['thumbnails as a plain array', { thumbnails_layer_head_q_k: [] as unknown as Float32Array }],
      ['thumbSize above the token count', { thumbSize: 4, thumbnails_layer_head_q_k: new Float32Array(2 * 2 * 16) }],
      ['a missing head summary', { headSummaries: p.headSummaries.slice(1) }],
      ['a head outside the model', { headSummaries: [...p.headSummaries.slice(1), { ...p.headSummaries[0], layer: 5 }] }],
      ['NaN in a summary', { headSummaries: [{ ...p.headSummaries[0], induction: NaN }, ...p.headSummaries.slice(1)] }],
      ['no tokens', { tokens: [] }],
      ['a token range running backwards', { tokens: [{ ...p.tokens[0], start: 5, end: 2 }, ...p.tokens.slice(1)] }],
      ['a finding pointing past the tokens', { specialTokens: [{ ...p.specialTokens[0], tokenIndices: [3] }] }],
      [
        'a finding naming a head outside the model',
        { specialTokens: [{ ...p.specialTokens[0], heads: [{ layer: 0, head: 2, ratio: 1, robustZ: 1, support: 40 }] }] },
      ],
      ['an unknown token kind', { specialTokens: [{ ...p.specialTokens[0], kind: 'emoji' as 'other' }] }],
    ];
    assert.ok(isInspection(Inspection.create(p)));
    for (const [what, over] of variants) assert.equal(isInspection(Inspection.create(inspectionParams(over))), false, what);
  });

  it('narrows without casts', () => {
    const msg: unknown = structuredClone(EXAMPLES.requestHeadPattern);
    if (!isRequestHeadPattern(msg)) throw new Error('expected a request');
    // These property reads type-check only because the guard narrowed `unknown`.
    const reply = HeadPattern.error(msg.id, `no pattern for ${headLabel(msg.params)}`);
    assert.equal(reply.id, 7);
    assert.equal(reply.error, 'no pattern for 1.0');
  });
});
