/**
 * Extension-host test of the substitution's SAE features: with the shipped model and the SAE
 * shipped with it (`circuitInspector.sae` empty), a comparison ranks the SAE's features by
 * attribution and patches the top ones exactly in both directions, beside the sweeps.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CompareOptions, CompareOutcome } from '../../../src/features/substitution/session';
import { openSample } from './sample';

type Pair = { denoise: number; noise: number };
type State = {
  runId?: string;
  saeFeatures?: { state: string; message?: string; features: { feature: number; attribution: Pair; exact?: Pair }[] };
};

const compare = async (o: CompareOptions) => (await vscode.commands.executeCommand('circuitInspector.compareSubstitution', o)) as CompareOutcome;
const state = async () => (await vscode.commands.executeCommand('circuitInspector.compareSubstitution.state')) as State;

describe('Compare Token Substitution: SAE features in the extension host', function () {
  this.timeout(180_000);

  it('ranks the shipped SAE’s features and patches the top ones exactly in both directions', async function () {
    const model = vscode.workspace.getConfiguration('circuitInspector').get<string>('model');
    if (model) this.skip(); // the shipped SAE belongs to the shipped model only
    const { doc, editor } = await openSample();
    const line = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.includes('def scale(self'));
    const col = doc.lineAt(line).text.indexOf('(self') + 2;
    editor.selection = new vscode.Selection(line, col, line, col);
    const r = await compare({ position: 'cursor', replacement: 'x', metric: 'logit_diff', sweeps: ['resid_pre'] });
    assert.equal(r.status, 'done', JSON.stringify(r));
    let s = await state();
    for (let i = 0; i < 600 && !['done', 'no-sae', 'error', 'cancelled'].includes(s.saeFeatures?.state ?? ''); i++) {
      await new Promise((ok) => setTimeout(ok, 100));
      s = await state();
    }
    const f = s.saeFeatures;
    assert.equal(f?.state, 'done', JSON.stringify(f));
    assert.ok(f.features.length > 0 && f.features.length <= 10);
    assert.ok(f.features.every((x) => x.exact && Number.isFinite(x.exact.denoise) && Number.isFinite(x.exact.noise)));
    const score = (x: { attribution: Pair }) => Math.max(Math.abs(x.attribution.denoise), Math.abs(x.attribution.noise));
    assert.ok(
      f.features.every((x, i) => i === 0 || score(f.features[i - 1]) >= score(x)),
      'strongest first',
    );
  });
});
