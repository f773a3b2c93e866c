/**
 * Moves a graph's weight inputs into initializers. ORT prepacks constant matrix operands, which
 * makes the small-batch forward ~30% faster (measured at 16–64 tokens), at the cost of a prepacked
 * copy of the weights inside that session: so only the plain forward variant gets it.
 */
import type { FeedTensor } from '../ort';
import { OnnxDataType, type OnnxGraph } from './onnxModel';

/**
 * Only the blocks' weights are embedded: they feed the matmuls that prepacking speeds up. The
 * embedding tables (a Gather) and the unembedding (one row of logits per run, usually) stay shared
 * inputs, which keeps the session's extra memory and its creation peak to the blocks' size.
 */
const isBlockWeight = (name: string) => name.startsWith('weight:blocks.');

function blockWeightBytes(name: string, weights: Readonly<Record<string, FeedTensor>>): { dims: number[]; bytes: Uint8Array } {
  const w = weights[name];
  if (!w || w.type !== 'float32') throw new Error(`no float32 weights for graph input '${name}'`);
  return { dims: [...w.dims], bytes: new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength) };
}

/** The block weights' bytes copied into the protobuf (one message: 2 GiB at most). */
export function embedWeights(graph: OnnxGraph, weights: Readonly<Record<string, FeedTensor>>): OnnxGraph {
  return {
    ...graph,
    inputs: graph.inputs.filter((i) => !isBlockWeight(i.name)),
    initializers: [
      ...graph.initializers,
      ...graph.inputs
        .filter((i) => isBlockWeight(i.name))
        .map((i) => {
          const { dims, bytes } = blockWeightBytes(i.name, weights);
          return { name: i.name, elemType: OnnxDataType.Float, dims, raw: bytes };
        }),
    ],
  };
}

/**
 * The same initializers, their data left in the JS buffers and handed to ORT as in-memory external
 * data files (one per tensor; `OrtSessionOptions.externalData`). Same prepacking, same values, but
 * no protobuf copy of the weights and no 2 GiB limit: GPT-2 small's forward session measured
 * 1083 MiB RSS against 1596 embedded (tools/bench/prepackBench.ts), and builds in half the time.
 */
export function externalWeights(
  graph: OnnxGraph,
  weights: Readonly<Record<string, FeedTensor>>,
): { graph: OnnxGraph; externalData: { path: string; data: Uint8Array }[] } {
  const externalData: { path: string; data: Uint8Array }[] = [];
  const initializers = graph.inputs
    .filter((i) => isBlockWeight(i.name))
    .map((i) => {
      const { dims, bytes } = blockWeightBytes(i.name, weights);
      const path = `w${externalData.length}.bin`;
      externalData.push({ path, data: bytes });
      return { name: i.name, elemType: OnnxDataType.Float, dims, raw: new Uint8Array(0), external: { location: path, offset: 0, length: bytes.byteLength } };
    });
  return {
    graph: { ...graph, inputs: graph.inputs.filter((i) => !isBlockWeight(i.name)), initializers: [...graph.initializers, ...initializers] },
    externalData,
  };
}
