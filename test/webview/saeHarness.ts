/**
 * Harness page script for the Inspect Features webview: a fake `acquireVsCodeApi()` that records
 * what the panel posts and answers like the host: `ready` with a run state and the fixture's
 * features; `selectToken` with every feature active there; `selectFeature` with the card;
 * `runAblation` with a running state then the ablation; `scanWorkspace` with progress, then the
 * result (`slowscan`: progress only, until `cancelScan` answers a partial result); `cancelScan`
 * with a partial result; a folder scan with nothing (as if the user closed the folder picker). Query: theme=dark|light|hc, n=N tokens (default 46), bad (the SAE explains
 * the prompt badly), noquality, other (an SAE for another model), nodensity (no sparsity file),
 * running (a cancellable run in progress), empty (no result), stale, cached (scans come from the
 * cache), slowscan, pick=F (pick feature F at start), token=P (click token P at start).
 */
import {
  Ablation,
  FeatureCard,
  Features,
  RunState,
  ScanProgress,
  ScanResult,
  Stale,
  TokenFeatures,
  type SaeHostToWebview,
} from '../../src/features/sae/shared/protocol';
import { makeAblation, makeFeatureCard, makeSaeFixture, makeScanResult, makeTokenFeatures } from './saeFixtures';
import { startHarnessPage } from './harnessPage';

const { q, posted, violations } = startHarnessPage();

const send = (msg: SaeHostToWebview) => window.postMessage(msg, '*');
const later = (f: () => void, ms = 20) => setTimeout(f, ms);

const fx = makeSaeFixture({
  nTokens: Number(q.get('n') ?? 46),
  bad: q.has('bad'),
  noQuality: q.has('noquality'),
  otherModel: q.has('other'),
  noDensity: q.has('nodensity'),
});
let scanned = false;
let scanFeature = -1;

function scanProgress(done: number): void {
  send(ScanProgress.create({ scanId: 'scan-1', feature: scanFeature, filesDone: done, filesTotal: 42, tokens: done * 2113, tokensPerSecond: 3480 }));
}

let saved: unknown = undefined;

(window as unknown as { __ciSaeHarness: unknown }).__ciSaeHarness = { posted, violations, send, fx, state: () => saved };
(window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
  postMessage(msg: unknown) {
    posted.push(msg);
    const m = msg as { method?: string; params?: Record<string, unknown> };
    const p = m.params ?? {};
    if (m.method === 'ready') {
      if (q.has('running')) send(RunState.create({ state: 'running', message: 'Encoding 46 tokens…', progress: 0.4, cancellable: true, job: 'features' }));
      else send(RunState.create({ state: 'done', message: `${fx.tokens.length} tokens · features 38 ms · quality 61 ms` }));
      if (q.has('empty')) return;
      send(Features.create(fx.features));
      if (q.has('stale')) send(Stale.create({ stale: true, reason: 'the document was edited' }));
    } else if (m.method === 'selectToken') {
      later(() => send(TokenFeatures.create(makeTokenFeatures(fx, Number(p.position)))));
    } else if (m.method === 'selectFeature') {
      later(() => send(FeatureCard.create(makeFeatureCard(fx, Number(p.feature), { scanned }))));
    } else if (m.method === 'runAblation') {
      send(RunState.create({ state: 'running', message: 'Ablating each earlier token (1 batch)…', cancellable: true, job: 'ablation' }));
      later(() => {
        send(Ablation.create(makeAblation(fx, Number(p.feature), Number(p.position))));
        send(RunState.create({ state: 'done', message: 'ablation 24 ms', job: 'ablation' }));
      }, 60);
    } else if (m.method === 'scanWorkspace') {
      if (p.scope === 'folder') return; // as if the user closed the folder picker: the host sends nothing
      scanFeature = Number(p.feature);
      send(RunState.create({ state: 'running', job: 'scan', message: 'Scanning 42 files…', progress: 0, cancellable: true }));
      later(() => scanProgress(5));
      later(() => scanProgress(17), 60);
      if (q.has('slowscan')) return;
      later(() => {
        scanned = true;
        send(ScanResult.create(makeScanResult(fx, scanFeature, { cached: q.has('cached') })));
        send(RunState.create({ state: 'done', message: 'scan: 88,731 tokens in 25.5 s', job: 'scan' }));
      }, 120);
    } else if (m.method === 'cancelScan') {
      later(() => {
        send(ScanResult.create(makeScanResult(fx, scanFeature, { partial: true })));
        send(RunState.create({ state: 'cancelled', message: 'Scan cancelled after 17 of 42 files', job: 'scan' }));
      });
    } else if (m.method === 'cancel') {
      later(() => send(RunState.create({ state: 'cancelled', message: 'Cancelled' })));
    }
  },
  getState: () => saved,
  setState: (state: unknown) => {
    saved = state;
  },
});
