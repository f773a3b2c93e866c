/**
 * Writes a residual-stream record computed by the real analysis on the shipped model (the Python
 * fixture prompt) to .tmp/residual-real.json, typed arrays as { $f32 | $i32: [...] }, for the
 * screenshot script's `real-*` scenarios: the view checked on a real model's numbers and shape
 * (2 layers × 4 heads), not only on the synthetic fixture.
 *
 *   npx tsx test/webview/residualRealRecord.ts [modelDir]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadHookedGpt2 } from '../../src/model/loadHookedGpt2';
import { releaseLensSessions, runResidualStream } from '../../src/analysis/residual';
import type { ResidualStreamRecord } from '../../src/shared/residualStream';
import { PROMPT } from './residualFixtures';

const ROOT = resolve(__dirname, '../..');
const dir = process.argv[2] ?? join(ROOT, 'models', 'gpt2-python-mini');

function plain(v: unknown): unknown {
  if (v instanceof Float32Array) return { $f32: Array.from(v) };
  if (v instanceof Int32Array) return { $i32: Array.from(v) };
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

async function main(): Promise<void> {
  const loaded = await loadHookedGpt2(dir);
  try {
    const prompt = loaded.toPrompt(PROMPT);
    const wrong = loaded.tokenizer.encode(' value').ids[0];
    const r = await runResidualStream(loaded.model, prompt.tokens, { wrongId: wrong, decode: (id) => loaded.tokenizer.displayText(id) });
    const record: ResidualStreamRecord = {
      inspectionId: 'real-residual',
      modelName: 'gpt2-python-mini',
      n_layers: loaded.model.config.nLayers,
      n_heads: loaded.model.config.nHeads,
      tokens: prompt.tokens,
      ...r,
    };
    mkdirSync(join(ROOT, '.tmp'), { recursive: true });
    const out = join(ROOT, '.tmp', 'residual-real.json');
    writeFileSync(out, JSON.stringify(plain(record)));
    console.log(
      `${out}: ${record.tokens.length} tokens, answer ${JSON.stringify(r.lens.answer.text)}, logit diff ${r.dla.logitDiff.toFixed(3)}, total ${r.dla.total.toFixed(3)}`,
    );
  } finally {
    await releaseLensSessions(loaded.model);
    await loaded.dispose();
  }
}

void main();
