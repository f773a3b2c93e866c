/**
 * The logit lens's unavoidable part, for the residual bench: the bare unembedding matmul
 * [rows, d_model] × W_U [d_model, d_vocab] (a Gemm with transB on W_Uᵀ, as the lens runs it), chunked exactly as `lensUnembed` chunks
 * (`lensChunkRows`), with W_U fed from the model's own weight buffers as the lens feeds it, and a
 * session created with the lens's options. No ln_final, softmax, top-k, entropy or rank: only a
 * ReduceMax per row leaves the graph (one read of the logits), so the logits never reach JS either.
 */
import type { HookedGpt2 } from '../../src/model/hookedGpt2';
import type { Gpt2Config } from '../../src/model/gpt2Config';
import { GraphBuilder } from '../../src/model/graph/graphBuilder';
import { OnnxDataType, encodeOnnxModel, type OnnxGraph } from '../../src/model/graph/onnxModel';
import { WEIGHT } from '../../src/model/graph/weightNames';
import { lensChunkRows } from '../../src/model/lensUnembed';
import { OrtSession } from '../../src/model/ort';

const F = OnnxDataType.Float;
const ROWS = 'rows';
const ROW_MAX = 'row_max';

/** rows [rows, d_model] → max over d_vocab of rows · W_U [rows, 1]. */
export function buildBareUnembedGraph(c: Gpt2Config): OnnxGraph {
  const g = new GraphBuilder('bare_unembed');
  const rows = g.input(ROWS, F, ['rows', c.dModel]); // [rows, d_model]
  const logits = g.matmulTransposed(rows, g.input(WEIGHT.unembed, F, [c.dVocab, c.dModel]), c.dModel, c.dVocab, 2); // [rows, d_vocab]: W_U fed as W_Uᵀ, as the lens does
  g.output(g.op('ReduceMax', [logits], { axes: [-1], keepdims: 1 }), ROW_MAX, F, ['rows', 1]); // [rows, 1]
  return g.build();
}

export interface BareUnembed {
  /** Unembeds `rows` [nRows, d_model] chunk by chunk; returns the per-row max logit [nRows]. */
  run(rows: Float32Array): Promise<Float32Array>;
  release(): Promise<void>;
}

export async function createBareUnembed(model: HookedGpt2): Promise<BareUnembed> {
  const { dModel: d, dVocab: V } = model.config;
  const session = await OrtSession.create(encodeOnnxModel(buildBareUnembedGraph(model.config)), 'bare unembed', { spinning: false });
  const chunk = lensChunkRows(V);
  return {
    async run(rows) {
      const nRows = rows.length / d;
      const out = new Float32Array(nRows);
      for (let r0 = 0; r0 < nRows; r0 += chunk) {
        const n = Math.min(chunk, nRows - r0);
        const o = await session.run({ [ROWS]: { type: 'float32', dims: [n, d], data: rows.subarray(r0 * d, (r0 + n) * d) } }, [ROW_MAX], model.weightInputs);
        out.set(o[ROW_MAX].data, r0);
      }
      return out;
    },
    release: () => session.release(),
  };
}
