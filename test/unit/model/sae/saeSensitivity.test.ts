/**
 * The SAE parity tolerance catches typical bugs: tools/reference/make_saes.py measures how far each
 * one moves the outputs of the golden SAEs (sae_sensitivity.json); each must exceed the tolerance
 * many times over, while the same formulas in float32 stay well inside it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Sensitivity {
  readonly rel_tolerance: number;
  readonly cases: Record<string, { times_rel_tolerance: Record<string, number> }>;
}

const report = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'tools', 'reference', 'sae_sensitivity.json'), 'utf8')) as Sensitivity;
const BASELINE = '(no bug) same formulas in float32';

describe('SAE parity tolerance vs typical bugs (sae_sensitivity.json)', () => {
  it('is the tolerance the parity test uses', () => assert.equal(report.rel_tolerance, 1e-4));

  it('float32 rounding stays well inside the tolerance in every case', () => {
    for (const [name, c] of Object.entries(report.cases)) assert.ok(c.times_rel_tolerance[BASELINE] < 0.1, `${name}: ${c.times_rel_tolerance[BASELINE]}`);
  });

  it('every bug moves some output past the tolerance, in every case where it applies', () => {
    const seen = new Set<string>();
    for (const [name, c] of Object.entries(report.cases)) {
      for (const [bug, times] of Object.entries(c.times_rel_tolerance)) {
        if (bug === BASELINE) continue;
        seen.add(bug);
        assert.ok(times > 10, `${name}: "${bug}" moves the outputs only ${times}× the tolerance`);
      }
    }
    for (const bug of [
      'no b_dec subtraction',
      'topk keeps k+1',
      'topk threshold at the k-th value (keeps every tie)',
      'gated magnitude path uses W_enc without exp(r_mag)',
      "no centring for a 'center' SAE",
      'jumprelu threshold ignored (plain relu)',
      'layer_norm with the biased std',
      'normalisation not undone on the reconstruction',
    ]) {
      assert.ok(seen.has(bug), `no case measures "${bug}"`);
    }
  });
});
