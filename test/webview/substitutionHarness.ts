/**
 * Harness page script for the Compare Token Substitution webview: a fake `acquireVsCodeApi()`
 * that records what the panel posts, answers `ready` with a fixture comparison and tables, and
 * `requestHeadPatterns` with fixture patterns. Query: theme=dark|light|hc, source=attribution|exact|mixed,
 * sweeping (send a run state with progress), equal (equal metrics), smallgap (a 0.015-nat gap),
 * special (a literal <|endoftext|> in the prompt), layers=N, heads=N, empty, sae=no-sae|estimating|exact|done|cancelled|error
 * (the SAE features section, saeFeaturesFixtures.ts), int8=close|notable|running|error (an int8 run: its logits error, and
 * "Check against fp32" answered with a check of that kind, tableCheckFixtures.ts).
 */
import {
  Comparison,
  HeadPatterns,
  PatchTables,
  SaeFeatures,
  SubstitutionRunState,
  TableCheck,
  type PatchTable,
  type SaeFeaturesState,
  type SubstitutionHostToWebview,
} from '../../src/features/substitution/shared/protocol';
import { fixtureHeadPatterns, makeSubstitutionFixture } from './substitutionFixtures';
import { makeSaeFeaturesFixture } from './saeFeaturesFixtures';
import { startHarnessPage } from './harnessPage';
import { fixtureTableCheck, int8Comparison } from './tableCheckFixtures';

const { q, posted, violations } = startHarnessPage();

const fixture = makeSubstitutionFixture({
  nLayers: q.has('layers') ? Number(q.get('layers')) : undefined,
  nHeads: q.has('heads') ? Number(q.get('heads')) : undefined,
  equalMetric: q.has('equal'),
  smallGap: q.has('smallgap'),
  specialToken: q.has('special'),
});
const int8 = q.get('int8');
const comparison = int8 ? int8Comparison(fixture.comparison) : fixture.comparison;
/** The table whose fp32 check the fake host is running. */
let checking: { runId: string; sweep: PatchTable['sweep']; direction: PatchTable['direction'] } | undefined;
const send = (msg: SubstitutionHostToWebview) => window.postMessage(msg, '*');

function tables(): PatchTable[] {
  const source = q.get('source') ?? 'mixed';
  if (source === 'attribution' || source === 'exact') return fixture.tables(source);
  // Mixed: z, resid_pre and attn_out exact, the rest still estimated.
  const exact = new Set(['z', 'resid_pre', 'attn_out']);
  return [...fixture.tables('attribution').filter((t) => !exact.has(t.sweep)), ...fixture.tables('exact').filter((t) => exact.has(t.sweep))];
}

(window as unknown as { __ciSubstitutionHarness: unknown }).__ciSubstitutionHarness = { posted, violations, send };
(window as unknown as { acquireVsCodeApi: () => unknown }).acquireVsCodeApi = () => ({
  postMessage(msg: unknown) {
    posted.push(msg);
    const m = msg as { method?: string; id?: number; params?: { layer: number; head: number } };
    if (m.method === 'ready' && !q.has('empty')) {
      send(Comparison.create(comparison));
      send(PatchTables.create({ runId: fixture.comparison.runId, tables: tables() }));
      if (q.has('sweeping')) {
        send(
          SubstitutionRunState.create({
            runId: fixture.comparison.runId,
            state: 'sweeping',
            message: 'Attribution-patching estimate shown; exact sweeps replace it table by table.',
            progress: {
              direction: 'noise',
              sweep: 'mlp_out',
              tablesDone: 7,
              tablesTotal: 18,
              layer: 3,
              cellsDone: 10,
              cellsTotal: 17,
              // 41% of the work in 28 s: about 40 s left
              workDone: 4100,
              workTotal: 10000,
              elapsedMs: 28000,
            },
          }),
        );
      } else {
        send(SubstitutionRunState.create({ runId: fixture.comparison.runId, state: 'done', message: 'All 18 tables exact.' }));
      }
      if (q.has('sae')) send(SaeFeatures.create(makeSaeFeaturesFixture(fixture.comparison, q.get('sae') as SaeFeaturesState)));
    }
    if (m.method === 'checkTable' && int8) {
      const ref = (msg as { params: { sweep: string; direction: string } }).params;
      const t = tables().find((x) => x.sweep === ref.sweep && x.direction === ref.direction)!;
      const base = { runId: comparison.runId, sweep: t.sweep, direction: t.direction };
      send(TableCheck.create({ ...base, state: 'running', message: 'Recomputing with the fp32 weights…', progress: 0.4 }));
      checking = base;
      if (int8 === 'error') setTimeout(() => send(TableCheck.create({ ...base, state: 'error', message: 'The fp32 check failed: out of memory' })), 30);
      else if (int8 !== 'running') setTimeout(() => send(TableCheck.create(fixtureTableCheck(comparison, t, int8 === 'notable' ? 'notable' : 'close'))), 30);
    }
    if (m.method === 'cancelTableCheck' && checking) {
      send(TableCheck.create({ ...checking, state: 'cancelled', message: 'Cancelled: the fp32 check was not finished; the table is as it was.' }));
      checking = undefined;
    }
    if (m.method === 'requestHeadPatterns' && m.id !== undefined && m.params) {
      const p = fixtureHeadPatterns(fixture.comparison.clean.tokens.length, m.params.layer, m.params.head);
      setTimeout(() => send(HeadPatterns.result(m.id!, p)), 30);
    }
  },
  getState: () => undefined,
  setState: () => undefined,
});
