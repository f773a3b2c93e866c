/**
 * Step 7b of the model pipeline: recompute the head scores of tools/model/analyze.py (PyTorch) with the
 * project's own engine and analysis code, on the very same tokens, and record both and their difference.
 *
 *     npx tsx tools/model/engineScores.ts [models/gpt2-python-mini]
 *
 * Reads .tmp/model/analysis-inputs.json (written by analyze.py); runs the model through HookedGpt2 (ONNX
 * Runtime) and scores each prompt's `blocks.{l}.attn.hook_pattern` with src/analysis/headScores.ts
 * (previousTokenScores, inductionScores). Writes the "engine" section of evaluation.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inductionScores, previousTokenScores, type LayerPattern } from '../../src/analysis/headScores';
import { loadHookedGpt2 } from '../../src/model/loadHookedGpt2';
import { sliceLeading } from '../../src/model/tensor';
import { blockHook } from '../../src/shared/hookNames';
import { MODEL_DIR, WORK_DIR } from './gpt2Files';

interface Inputs {
  readonly code: number[][];
  readonly repeated: number[][];
  readonly repeatedCode: number[][];
  readonly repeatLength: number;
}

type HeadTable = Record<string, number>;

async function main(): Promise<void> {
  const dir = path.resolve(process.argv[2] ?? MODEL_DIR);
  const inputs = JSON.parse(fs.readFileSync(path.join(WORK_DIR, 'analysis-inputs.json'), 'utf8')) as Inputs;
  const evaluationFile = path.join(dir, 'evaluation.json');
  const evaluation = JSON.parse(fs.readFileSync(evaluationFile, 'utf8')) as Record<string, Record<string, Record<string, HeadTable>>>;
  const loaded = await loadHookedGpt2(dir);
  const { nLayers, nHeads, bosTokenId } = loaded.model.config;
  const hooks = Array.from({ length: nLayers }, (_, l) => blockHook(l, 'attn.hook_pattern'));

  /** Mean over rows of a per-row, per-layer head score → "layer.head" → score. */
  async function meanScores(rows: number[][], score: (p: LayerPattern, row: number[]) => number[]): Promise<HeadTable> {
    const sums = new Float64Array(nLayers * nHeads);
    for (let start = 0; start < rows.length; start += 8) {
      const batch = rows.slice(start, start + 8);
      const { cache } = await loaded.model.runWithCache(batch, hooks, { logits: 'none' });
      for (let l = 0; l < nLayers; l++) {
        const pattern = cache.get(hooks[l]); // [batch, head_index, query_pos, key_pos]
        batch.forEach((row, b) => {
          score(sliceLeading(pattern, b) as LayerPattern, row).forEach((s, h) => (sums[l * nHeads + h] += s));
        });
      }
    }
    const table: HeadTable = {};
    for (let l = 0; l < nLayers; l++) for (let h = 0; h < nHeads; h++) table[`${l}.${h}`] = Math.round((sums[l * nHeads + h] / rows.length) * 1e4) / 1e4;
    return table;
  }

  const previous = await meanScores(inputs.code, (p) => previousTokenScores(p));
  const isBos = (row: number[]): boolean[] => row.map((id, i) => i === 0 && id === bosTokenId);
  const induction = await meanScores(inputs.repeated, (p, row) => inductionScores(p, row, isBos(row)));
  const inductionCode = await meanScores(inputs.repeatedCode, (p, row) => inductionScores(p, row, isBos(row)));
  await loaded.dispose();

  const torch = evaluation.analysis;
  const maxDiff = (a: HeadTable, b: HeadTable): number => Math.max(...Object.keys(a).map((k) => Math.abs(a[k] - b[k])));
  const best = (t: HeadTable): [string, number][] =>
    Object.entries(t)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 5);
  const engine = {
    measured_by: 'tools/model/engineScores.ts: src/model HookedGpt2 (ONNX Runtime) + src/analysis/headScores.ts, on the same tokens as analyze.py',
    previous_token_score_heldout_code: previous,
    induction_score: induction,
    /** counts every earlier occurrence: code repeats tokens (spaces) inside C, so this differs from analyze.py's score */
    induction_score_repeated_code: inductionCode,
    top_previous_token: best(previous),
    top_induction: best(induction),
    top_induction_repeated_code: best(inductionCode),
    max_abs_diff_vs_pytorch: {
      previous_token: maxDiff(previous, torch.previous_token_score.heldout_code),
      induction: maxDiff(induction, torch.induction_score.scores),
    },
    note:
      'headScores.inductionScores sums attention over every earlier occurrence of the query token; on BOS + R + R that is ' +
      "analyze.py's q -> q - |R| + 1 unless R repeats a token",
  };
  (evaluation as Record<string, unknown>).engine = engine;
  fs.writeFileSync(evaluationFile, JSON.stringify(evaluation, null, 2) + '\n');
  console.log(
    JSON.stringify({
      top_previous_token: engine.top_previous_token,
      top_induction: engine.top_induction,
      max_abs_diff_vs_pytorch: engine.max_abs_diff_vs_pytorch,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
