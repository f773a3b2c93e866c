/**
 * Harness page script for the Inspect Residual Stream webview: a fake `acquireVsCodeApi()` that
 * records what the panel posts and answers like the host: `ready` with a run state and a fixture
 * record, `setVariant` / `setAnswer` / `setPosition` with a recomputed record (or `inputRejected`
 * for an answer of several words). Query: theme=dark|light|hc, n=N tokens (default 30), nobos,
 * nowrong, tiny (a tiny logit difference), badsum (components that do not add up), cached
 * (the cached-scale lens), running (a cancellable run in progress), stale, doc (a document run's
 * norms in windows), empty (no result), saved (a view state kept from before: answer colours, readable cells, centred norms),
 * partial (the record without its lens, the lens 42% computed; `finishLens()` sends the whole record).
 * `cancelRun` answers a cancelled run state, as the host does.
 */
import { DocumentNorms, InputRejected, ResidualStream, RunState, Stale, type ResidualHostToWebview } from '../../src/features/residual/shared/protocol';
import type { LensVariant } from '../../src/shared/residualStream';
import { makeResidualFixture, makeResidualPartial, type ResidualFixtureOptions } from './residualFixtures';
import { startHarnessPage } from './harnessPage';

const { q, posted, violations } = startHarnessPage();

const send = (msg: ResidualHostToWebview) => window.postMessage(msg, '*');

let options: ResidualFixtureOptions = {
  nTokens: Number(q.get('n') ?? 30),
  noBos: q.has('nobos'),
  noWrong: q.has('nowrong'),
  tinyDiff: q.has('tiny'),
  badSum: q.has('badsum'),
  variant: q.has('cached') ? 'cached-scale' : 'recompute',
};
let answerText = '';
let wrongText = q.has('nowrong') ? '' : ' value';
const notes: string[] = q.has('notes') ? ['The answer " returns" is two tokens; its first token \' returns\' is used.'] : [];

function sendRecord(): void {
  send(ResidualStream.create({ record: makeResidualFixture(options), stale: q.has('stale'), notes, answerText, wrongText }));
}

/** What a run shows before its lens: the record without it, and the lens's progress in the run state. */
function sendPartial(progress: number): void {
  send(RunState.create({ state: 'running', message: `Logit lens ${Math.round(progress * 390)}/390 rows…`, progress, cancellable: true }));
  send(ResidualStream.create({ record: makeResidualPartial(options), stale: q.has('stale'), notes, answerText, wrongText }));
}

/** The lens arrives: the whole record, then the run is done. */
function finishLens(): void {
  sendRecord();
  send(RunState.create({ state: 'done', message: '30 tokens · forward 80 ms · analysis 900 ms' }));
}

function sendDocument(): void {
  const windows = [0, 1, 2].map((i) => makeResidualFixture({ nTokens: 200, inspectionId: `w${i}` }).norms);
  const all = makeResidualFixture({ nTokens: 598 }).norms;
  send(
    DocumentNorms.create({
      runId: 'fixture-doc',
      source: 'param_store.py',
      modelName: 'gpt2-python-mini',
      n_layers: 12,
      n_boundaries: 13,
      totalTokens: 597,
      windowTokens: 200,
      windows,
      windowStarts: [0, 199, 398],
      rawGrowth: all.rawGrowth,
      centredGrowth: all.centredGrowth,
      notes: [],
      stale: false,
    }),
  );
}

// What vscode.setState keeps; `saved` starts the page as if the webview had been shown before.
let saved: unknown = q.has('saved') ? { colourBy: 'answer', zoom: 'read', normMode: 'centred' } : undefined;

(window as unknown as { __ciResidualHarness: unknown }).__ciResidualHarness = {
  posted,
  violations,
  send,
  makeResidualFixture,
  makeResidualPartial,
  sendPartial,
  finishLens,
  state: () => saved,
};
(window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
  postMessage(msg: unknown) {
    posted.push(msg);
    const m = msg as { method?: string; params?: Record<string, unknown> };
    const p = m.params ?? {};
    if (m.method === 'ready') {
      if (q.has('running')) send(RunState.create({ state: 'running', message: 'window 2 of 5', progress: 0.4, cancellable: true }));
      else send(RunState.create({ state: 'done' }));
      if (q.has('empty')) return;
      if (q.has('partial')) sendPartial(0.42);
      else if (q.has('doc')) sendDocument();
      else sendRecord();
      if (q.has('stale')) send(Stale.create({ stale: true, reason: 'the document was edited' }));
    } else if (m.method === 'setVariant') {
      options = { ...options, variant: p.variant as LensVariant };
      setTimeout(sendRecord, 20);
    } else if (m.method === 'setAnswer') {
      const answer = String(p.answer);
      if (answer.trim().includes(' ')) {
        setTimeout(
          () => send(InputRejected.create({ inspectionId: 'fixture-residual', field: 'answer', message: `'${answer}' is several words; give one token.` })),
          20,
        );
        return;
      }
      answerText = answer;
      wrongText = String(p.wrong);
      options = { ...options, noWrong: wrongText === '' };
      setTimeout(sendRecord, 20);
    } else if (m.method === 'cancelRun') {
      setTimeout(() => send(RunState.create({ state: 'cancelled', message: 'Cancelled during the logit lens: the norms and attribution are shown.' })), 20);
    } else if (m.method === 'setPosition') {
      options = { ...options, position: Number(p.position) };
      setTimeout(sendRecord, 20);
    }
  },
  getState: () => saved,
  setState: (state: unknown) => {
    saved = state;
  },
});
