/**
 * Writes the Inspect Features messages computed by the real analysis on the shipped model and its
 * shipped SAE (the Python fixture prompt) to .tmp/sae-real.json, typed arrays as { $f32: [...] },
 * for the screenshot script's `real-*` scenarios: the view checked on real activations, a real
 * reconstruction quality and a real ablation, not only on the synthetic fixture. The feature shown
 * is the strongest one outside BOS; the token is where it peaks.
 *
 *   npx tsx test/webview/saeRealRecord.ts [modelDir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { featureLogitLens, runAblatedText, runFeatureActivations, runReconstructionQuality, topActive } from '../../src/analysis/sae';
import { fileDensity, qualitySummary, saeInfo } from '../../src/features/sae/engine/saeInfo';
import type { AblationParams, FeatureCardParams, FeaturesParams, TokenFeaturesParams } from '../../src/features/sae/shared/protocol';
import { loadHookedGpt2 } from '../../src/model/loadHookedGpt2';
import { checkSaeFitsModel, loadSaeFolder, SaeEncoder, shippedSaeFolder } from '../../src/model/sae';
import { PROMPT } from './residualFixtures';

const ROOT = resolve(__dirname, '../..');
const dir = process.argv[2] ?? join(ROOT, 'models', 'gpt2-python-mini');
const ID = 'real-sae';

function plain(v: unknown): unknown {
  if (v instanceof Float32Array) return { $f32: Array.from(v) };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

async function main(): Promise<void> {
  const loaded = await loadHookedGpt2(dir);
  const sae = await loadSaeFolder(shippedSaeFolder());
  const encoder = await SaeEncoder.create(sae);
  try {
    const prompt = loaded.toPrompt(PROMPT.split('\n').slice(0, 6).join('\n'));
    const tokens = prompt.tokens;
    const ids = tokens.map((t) => t.id);
    const warnings = checkSaeFitsModel(sae, { config: loaded.model.config, name: 'gpt2-python-mini' });
    const f = await runFeatureActivations(loaded.model, encoder, sae, ids, { topK: 5 });
    const q = await runReconstructionQuality(loaded.model, encoder, sae, ids);
    const dSae = sae.config.dSae;
    const l0 = new Float32Array(tokens.length);
    let best = { feature: 0, act: -1, position: 0 };
    for (let p = 0; p < tokens.length; p++) {
      for (let j = p * dSae; j < (p + 1) * dSae; j++) if (f.acts.data[j] > 0) l0[p]++;
      const t = f.top[p][0];
      if (!tokens[p].isBos && t && t.act > best.act) best = { ...t, position: p };
    }
    const features: FeaturesParams = {
      inspectionId: ID,
      modelName: 'gpt2-python-mini',
      sae: saeInfo(sae, ''),
      warnings,
      notes: [],
      tokens,
      k: 5,
      top: f.top,
      l0_pos: l0,
      resid_norm_pos: f.residNorm,
      error_norm_pos: f.errorNorm,
      quality: qualitySummary(q),
      stale: false,
    };
    const acts_pos = new Float32Array(tokens.length);
    for (let p = 0; p < tokens.length; p++) acts_pos[p] = f.acts.data[p * dSae + best.feature];
    const lens = featureLogitLens(loaded.model, sae, best.feature, 10);
    const text = (id: number) => loaded.tokenizer.displayText(id);
    const card: FeatureCardParams = {
      inspectionId: ID,
      feature: best.feature,
      acts_pos,
      density: fileDensity(sae, best.feature),
      densitySource: sae.logDensity ? 'sparsity file' : 'unknown',
      maxAct: Math.max(...acts_pos),
      maxActSource: 'prompt',
      logitLens: {
        basis: lens.basis,
        top: lens.top.map((t) => ({ id: t.token, text: text(t.token), value: t.value })),
        bottom: lens.bottom.map((t) => ({ id: t.token, text: text(t.token), value: t.value })),
      },
    };
    const tokenFeatures: TokenFeaturesParams = {
      inspectionId: ID,
      position: best.position,
      features: topActive(f.acts.data, best.position * dSae, dSae, dSae).map((x) => ({ ...x, density: fileDensity(sae, x.feature) })),
      densitySource: sae.logDensity ? 'sparsity file' : 'unknown',
    };
    const ab = await runAblatedText(loaded.model, encoder, sae, ids, best.feature, best.position);
    const ablation: AblationParams = {
      inspectionId: ID,
      feature: best.feature,
      position: best.position,
      clean: ab.clean,
      ablated_pos: ab.ablated,
      method: 'hook_embed[j] → mean token embedding (over the vocabulary)',
    };
    mkdirSync(join(ROOT, '.tmp'), { recursive: true });
    const out = join(ROOT, '.tmp', 'sae-real.json');
    writeFileSync(out, JSON.stringify(plain({ features, card, tokenFeatures, ablation })));
    const qs = features.quality;
    console.log(
      `${out}: ${tokens.length} tokens, feature ${best.feature} peaks ${best.act.toFixed(2)} at #${best.position} ${JSON.stringify(tokens[best.position].text)}; ` +
        `VE ${qs?.varianceExplained.toFixed(3)}, CE ${qs?.ceClean.toFixed(3)} → ${qs?.ceSpliced.toFixed(3)}, top-1 ${qs?.top1Agreement.toFixed(3)}, ` +
        `L0 mean ${(l0.reduce((a, b) => a + b, 0) / l0.length).toFixed(1)}`,
    );
  } finally {
    await encoder.release();
    await loaded.dispose();
  }
}

void main();
