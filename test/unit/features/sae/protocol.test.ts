/**
 * The Inspect Features protocol's guards: every message the harness fixtures build passes, and a
 * payload with a wrong shape (an array of the wrong length, a feature past d_sae, a PNG export
 * without its data URL) is refused, so neither side acts on a malformed message.
 */
import assert from 'node:assert/strict';
import {
  Ablation,
  Export,
  FeatureCard,
  Features,
  PROTOCOL_VERSION,
  RunState,
  SaeReady,
  ScanProgress,
  ScanResult,
  ScanWorkspace,
  SelectFeature,
  TokenFeatures,
  isSaeHostToWebview,
  isSaeWebviewToHost,
} from '../../../../src/features/sae/shared/protocol';
import { F, makeAblation, makeFeatureCard, makeSaeFixture, makeScanResult, makeTokenFeatures } from '../../../webview/saeFixtures';

describe('Inspect Features protocol', () => {
  const fx = makeSaeFixture();

  it('accepts what the host sends for the fixture prompt', () => {
    const msgs = [
      Features.create(fx.features),
      FeatureCard.create(makeFeatureCard(fx, F.open)),
      TokenFeatures.create(makeTokenFeatures(fx, 11)),
      Ablation.create(makeAblation(fx, F.open, 11)),
      ScanResult.create(makeScanResult(fx, F.open, { partial: true })),
      ScanProgress.create({ scanId: 's', feature: 311, filesDone: 3, filesTotal: 9, tokens: 1000, tokensPerSecond: 250 }),
      RunState.create({ state: 'error', message: 'bad cfg.json', job: 'features' }),
    ];
    for (const m of msgs) assert.ok(isSaeHostToWebview(m), m.method);
    assert.ok(Features.is(Features.create(makeSaeFixture({ noQuality: true }).features)), 'quality may come later');
  });

  it('refuses features whose per-position arrays do not match the tokens, or name a feature past d_sae', () => {
    const f = fx.features;
    assert.equal(Features.is({ method: 'features', params: { ...f, l0_pos: new Float32Array(3) } }), false);
    assert.equal(Features.is({ method: 'features', params: { ...f, top: f.top.slice(1) } }), false);
    const top = f.top.map((row, i) => (i === 3 ? [{ feature: 1024, act: 1 }] : row));
    assert.equal(Features.is({ method: 'features', params: { ...f, top } }), false);
    const q = f.quality;
    assert.ok(q);
    assert.equal(Features.is({ method: 'features', params: { ...f, quality: { ...q, kl_pos: new Float32Array(2) } } }), false);
    assert.equal(Features.is({ method: 'features', params: { ...f, quality: { ...q, top1Agreement: 1.5 } } }), false);
    assert.equal(Features.is({ method: 'features', params: { ...f, tokens: [] } }), false);
    assert.equal(
      Features.is({ method: 'features', params: { ...f, sae: { ...f.sae, reference: { varianceExplained: 0.9 } } } }),
      false,
      'a reference names its source',
    );
    const { reference: _ref, ...noReference } = f.sae;
    assert.ok(Features.is({ method: 'features', params: { ...f, sae: noReference } }), 'the reference is optional');
  });

  it('refuses an ablation whose array is not position + 1 long, and a scan example whose peak is outside its snippet', () => {
    const a = makeAblation(fx, F.open, 11);
    assert.equal(Ablation.is({ method: 'ablation', params: { ...a, ablated_pos: new Float32Array(11) } }), false);
    const r = makeScanResult(fx, F.open);
    const bad = { ...r, top: [{ ...r.top[0], peak: 99 }] };
    assert.equal(ScanResult.is({ method: 'scanResult', params: bad }), false);
    assert.equal(ScanResult.is({ method: 'scanResult', params: { ...r, top: [{ ...r.top[0], quantile: 2 }] } }), false);
  });

  it('accepts the webview commands, a PNG export only with a name and a PNG data URL', () => {
    assert.ok(isSaeWebviewToHost(SaeReady.create({ protocolVersion: PROTOCOL_VERSION })));
    assert.ok(isSaeWebviewToHost(SelectFeature.create({ inspectionId: 'i', feature: 3 })));
    assert.ok(isSaeWebviewToHost(ScanWorkspace.create({ inspectionId: 'i', feature: 3, scope: 'folder' })));
    assert.ok(Export.is(Export.create({ inspectionId: 'i', format: 'json' })));
    assert.ok(Export.is(Export.create({ inspectionId: 'i', format: 'png', name: 'feature-3-strip', dataUrl: 'data:image/png;base64,AAAA' })));
    assert.equal(Export.is({ method: 'export', params: { inspectionId: 'i', format: 'png' } }), false);
    assert.equal(Export.is({ method: 'export', params: { inspectionId: 'i', format: 'png', name: '../x', dataUrl: 'data:image/png;base64,AA' } }), false);
    assert.equal(Export.is({ method: 'export', params: { inspectionId: 'i', format: 'png', name: 'x', dataUrl: 'data:text/html,<b>' } }), false);
    assert.equal(SelectFeature.is({ method: 'selectFeature', params: { inspectionId: 'i', feature: -1 } }), false);
    assert.equal(isSaeWebviewToHost({ method: 'scanWorkspace', params: { inspectionId: 'i', feature: 1, scope: 'everywhere' } }), false);
  });
});
