/**
 * Harness page script for the Compare Token Substitution webview: a fake `acquireVsCodeApi()`
 * that records what the panel posts, answers `ready` with a fixture comparison and tables, and
 * `requestHeadPatterns` with fixture patterns. Query: theme=dark|light|hc, source=attribution|exact|mixed,
 * sweeping (send a run state with progress), equal (equal metrics), smallgap (a 0.015-nat gap),
 * special (a literal <|endoftext|> in the prompt), layers=N, heads=N, empty, sae=no-sae|estimating|exact|done|cancelled|error
 * (the SAE features section, saeFeaturesFixtures.ts).
 */
import {
  Comparison,
  HeadPatterns,
  PatchTables,
  SaeFeatures,
  SubstitutionRunState,
  type PatchTable,
  type SaeFeaturesState,
  type SubstitutionHostToWebview,
} from '../../src/features/substitution/shared/protocol';
import { fixtureHeadPatterns, makeSubstitutionFixture } from './substitutionFixtures';
import { makeSaeFeaturesFixture } from './saeFeaturesFixtures';
import { startHarnessPage } from './harnessPage';

const { q, posted, violations } = startHarnessPage();

const fixture = makeSubstitutionFixture({
  nLayers: q.has('layers') ? Number(q.get('layers')) : undefined,
  nHeads: q.has('heads') ? Number(q.get('heads')) : undefined,
  equalMetric: q.has('equal'),
  smallGap: q.has('smallgap'),
  specialToken: q.has('special'),
});
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
      send(Comparison.create(fixture.comparison));
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
    if (m.method === 'requestHeadPatterns' && m.id !== undefined && m.params) {
      const p = fixtureHeadPatterns(fixture.comparison.clean.tokens.length, m.params.layer, m.params.head);
      setTimeout(() => send(HeadPatterns.result(m.id!, p)), 30);
    }
  },
  getState: () => undefined,
  setState: () => undefined,
});
