/**
 * Harness page script: plays the extension host for the Inspect Attention webview. It installs a
 * fake `acquireVsCodeApi()` (recording every posted message), answers `ready` with a fixture
 * inspection and `requestHeadPattern` with the fixture's full patterns, and sets a VS Code theme.
 * The real panel bundle loads after this script (see harness.html).
 *
 * Query parameters: theme=dark|light|hc, tokens=N, layers=N, heads=N, hostile, stale, special (a
 * literal <|endoftext|> in the prompt, read as the special token),
 * running (send runState running instead of done), noinspect (send no inspection), int8 (an int8
 * approximate run: labelled model name and a measured logits error).
 */
import { HeadPattern, Inspection, RunState, isRequestHeadPattern, isReady, type HostToWebviewMessage } from '../../src/features/attention/shared/protocol';
import { MORE_SOURCE, makeFixture } from './fixtures';
import { startHarnessPage } from './harnessPage';
import { labelModelName } from '../../src/shared/precision';

interface HarnessApi {
  /** Every message the webview posted, in order. */
  readonly posted: unknown[];
  /** CSP violations seen by the page. */
  readonly violations: string[];
  /** Sends a host → webview message. */
  send(msg: HostToWebviewMessage): void;
  /** Sends a new inspection of a different prompt (MORE_SOURCE); later pattern requests answer from it. */
  inspectOther(): void;
  /** The fixture's token texts, to compare with what the strip shows. */
  readonly tokenTexts: string[];
  readonly nLayers: number;
  readonly nHeads: number;
  /** ms spent building the fixture (not part of the first-paint measurement). */
  fixtureMs: number;
  state: unknown;
}

declare global {
  interface Window {
    __ciHarness: HarnessApi;
    acquireVsCodeApi?: () => { postMessage(msg: unknown): void; getState(): unknown; setState(s: unknown): void };
  }
}

const { q, posted, violations } = startHarnessPage();

const t0 = performance.now();
let fixture = makeFixture({
  nTokens: q.has('tokens') ? Number(q.get('tokens')) : undefined,
  nLayers: q.has('layers') ? Number(q.get('layers')) : undefined,
  nHeads: q.has('heads') ? Number(q.get('heads')) : undefined,
  hostile: q.has('hostile'),
  stale: q.has('stale'),
  watchTokens: q.has('watch') ? (q.get('watch') ?? '').split(',') : undefined,
  specialInText: q.has('special'),
});
if (q.has('int8')) {
  const precisionError = { positions: 42, maxAbs: 0.791, meanAbs: 0.14, top1Agree: 41, meanKl: 0.0033, maxKl: 0.021, meanLogitRange: 19.6 };
  fixture = { ...fixture, params: { ...fixture.params, modelName: labelModelName('gpt2-python-mini', 'int8'), precisionError } };
}

const harness: HarnessApi = {
  posted,
  violations,
  send: (msg) => window.postMessage(msg, location.origin),
  inspectOther() {
    fixture = makeFixture({ source: MORE_SOURCE, nLayers: fixture.params.n_layers, nHeads: fixture.params.n_heads, inspectionId: 'fixture-other' });
    harness.send(Inspection.create(fixture.params));
  },
  tokenTexts: fixture.params.tokens.map((t) => t.text),
  nLayers: fixture.params.n_layers,
  nHeads: fixture.params.n_heads,
  fixtureMs: performance.now() - t0,
  state: undefined,
};
window.__ciHarness = harness;

window.acquireVsCodeApi = () => ({
  postMessage(msg: unknown) {
    posted.push(msg);
    if (isReady(msg)) {
      harness.send(RunState.create(q.has('running') ? { state: 'running', progress: 0.4, message: 'layer 5 of 12' } : { state: 'done' }));
      if (!q.has('noinspect')) harness.send(Inspection.create(fixture.params));
    } else if (isRequestHeadPattern(msg)) {
      const { layer, head, inspectionId } = msg.params;
      const n = fixture.params.tokens.length;
      harness.send(
        layer < fixture.params.n_layers && head < fixture.params.n_heads
          ? HeadPattern.result(msg.id, { inspectionId, layer, head, n_tokens: n, pattern_q_k: fixture.pattern(layer, head) })
          : HeadPattern.error(msg.id, `no head ${layer}.${head}`),
      );
    }
  },
  getState: () => harness.state,
  setState: (s: unknown) => {
    harness.state = s;
  },
});
