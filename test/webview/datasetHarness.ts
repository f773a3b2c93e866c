/**
 * Harness page script for the prompt-set (dataset) webview: a fake `acquireVsCodeApi()` that
 * records what the panel posts and answers `ready` with a fixture set, its summary and tables.
 * Query: theme=dark|light|hc, source=attribution|exact|mixed (default mixed: z, resid_pre and
 * attn_out exact), sweeping (a run state with "pair i of N, table j of M" progress), partial (a
 * cancelled run: 23 of 50 pairs), zerogap, reversed (corrupt beats clean), noisygap (a mean gap within 2 SE of zero), mixed (pairs of different lengths), pairs=N, layers=N,
 * heads=N, empty (no set), nosummary (the set only, before its first pass).
 */
import { Dataset, DatasetRunState, Summary, Tables, type DatasetHostToWebview, type DatasetTable } from '../../src/features/dataset/shared/protocol';
import { makeDatasetFixture } from './datasetFixtures';
import { startHarnessPage } from './harnessPage';

const { q, posted, violations } = startHarnessPage();

const num = (k: string) => (q.has(k) ? Number(q.get(k)) : undefined);
const fixture = makeDatasetFixture({
  nPairs: num('pairs'),
  nLayers: num('layers'),
  nHeads: num('heads'),
  mixedLengths: q.has('mixed'),
  zeroGap: q.has('zerogap'),
  partialDone: q.has('partial') ? 23 : undefined,
  reversed: q.has('reversed'),
  noisyGap: q.has('noisygap'),
});
const send = (msg: DatasetHostToWebview) => window.postMessage(msg, '*');
const runId = fixture.dataset.runId;

function tables(): DatasetTable[] {
  const source = q.get('source') ?? 'mixed';
  if (source === 'attribution' || source === 'exact') return fixture.tables(source);
  const exact = new Set(['z', 'resid_pre', 'attn_out']);
  return [...fixture.tables('attribution').filter((t) => !exact.has(t.sweep)), ...fixture.tables('exact').filter((t) => exact.has(t.sweep))];
}

(window as unknown as { __ciDatasetHarness: unknown }).__ciDatasetHarness = { posted, violations, send, fixture };
(window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
  postMessage(msg: unknown) {
    posted.push(msg);
    const m = msg as { method?: string };
    if (m.method !== 'ready' || q.has('empty')) return;
    send(Dataset.create(fixture.dataset));
    if (q.has('nosummary')) {
      send(DatasetRunState.create({ runId, state: 'checking', message: 'Tokenizing 50 pairs…' }));
      return;
    }
    send(Summary.create(fixture.summary));
    send(Tables.create({ runId, tables: tables() }));
    const total = fixture.dataset.pairs.length;
    const nTables = fixture.dataset.sweeps.length * 2;
    if (q.has('sweeping')) {
      send(
        DatasetRunState.create({
          runId,
          state: 'sweeping',
          message: 'Attribution-patching estimate over the set shown; exact sweeps replace it table by table.',
          progress: {
            pairsDone: 31,
            pairsTotal: total,
            tablesDone: 6,
            tablesTotal: nTables,
            sweep: 'mlp_out',
            direction: 'noise',
            fraction: (6 + 31 / total) / nTables,
          },
        }),
      );
    } else if (fixture.summary.partial) {
      const p = fixture.summary.partial;
      send(DatasetRunState.create({ runId, state: 'cancelled', message: `Cancelled after ${p.done} of ${p.total} pairs.`, partial: p }));
    } else {
      send(DatasetRunState.create({ runId, state: 'done', message: `All ${nTables} tables exact over ${total} pairs.` }));
    }
  },
  getState: () => undefined,
  setState: () => undefined,
});
