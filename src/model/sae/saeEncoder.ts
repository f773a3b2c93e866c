/**
 * Runs an SAE's ONNX graph (`saeGraph.ts`) over rows of activations, in chunks so that one chunk's
 * [rows, d_sae] temporaries stay bounded (the graph holds about three: pre-activations, the
 * activations, the topk/gate scratch).
 */
import { encodeOnnxModel } from '../graph/onnxModel';
import { OrtSession, type FeedTensor } from '../ort';
import type { Float32Tensor } from '../tensor';
import { SaeError } from './saeError';
import { buildSaeGraph, saeGraphWeights, SAE_INPUT, SAE_OUTPUT } from './saeGraph';
import type { LoadedSae } from './saeTypes';

export interface SaeEncoderOptions {
  readonly threads?: number;
  /** Largest [chunk rows, d_sae] float32 activation block per run (default 64 MiB). */
  readonly maxChunkBytes?: number;
  /** Embed the weights in the graph (default) or feed them on every run (for the benchmark). */
  readonly weights?: 'embedded' | 'fed';
}

export interface SaeEncoding {
  /** feature activations */ readonly acts: Float32Tensor<'rows d_sae'>;
  /** reconstruction in the MODEL's coordinates (the removed row mean added back for 'center') */ readonly recon: Float32Tensor<'rows d_in'>;
  /** [rows] ‖x − recon‖₂ */ readonly errorNorm: Float32Array;
}

/** Rows per run: as many as keep one chunk's [rows, d_sae] float32 block under `maxChunkBytes` (at least one). */
export function saeChunkRows(dSae: number, maxChunkBytes = 64 * 2 ** 20): number {
  return Math.max(1, Math.floor(maxChunkBytes / (dSae * 4)));
}

/** rows [rows, d_in] in the model's coordinates → the SAE's outputs; an ONNX graph, chunked. */
export class SaeEncoder {
  private constructor(
    readonly sae: LoadedSae,
    private readonly session: OrtSession,
    private readonly fed: Readonly<Record<string, FeedTensor>>,
    private readonly chunkRows: number,
  ) {}

  static async create(sae: LoadedSae, options: SaeEncoderOptions = {}): Promise<SaeEncoder> {
    const c = sae.config;
    if (c.architecture === 'topk' && !(Number.isInteger(c.k) && c.k! >= 1 && c.k! <= c.dSae)) {
      throw new SaeError('malformed-config', `the topk SAE ${sae.label} has k ${String(c.k)}; it needs an integer in 1..d_sae (${c.dSae})`);
    }
    for (const [name, dims] of saeGraphWeights(c)) {
      const data = sae.weights[name];
      const n = dims.reduce((a, b) => a * b, 1);
      if (data?.length !== n)
        throw new SaeError(
          data ? 'tensor-shape' : 'missing-tensor',
          `the ${c.architecture} SAE ${sae.label} needs ${name} [${dims.join(', ')}], got ${data ? data.length + ' values' : 'none'}`,
        );
    }
    const embed = (options.weights ?? 'embedded') === 'embedded';
    const fed: Record<string, FeedTensor> = {};
    if (!embed) {
      for (const [name, dims] of saeGraphWeights(c)) fed[SAE_INPUT[name]] = { type: 'float32', dims, data: sae.weights[name]! };
    }
    const bytes = encodeOnnxModel(buildSaeGraph(c, embed ? sae.weights : undefined));
    const session = await OrtSession.create(bytes, `SAE ${sae.label}`, { spinning: false, ...(options.threads ? { threads: options.threads } : {}) });
    return new SaeEncoder(sae, session, fed, saeChunkRows(c.dSae, options.maxChunkBytes));
  }

  async encode(rows: Float32Tensor<'rows d_in'>, signal?: AbortSignal): Promise<SaeEncoding> {
    const { dIn, dSae } = this.sae.config;
    const n = rows.dims[0];
    if (rows.dims.length !== 2 || rows.dims[1] !== dIn) {
      throw new SaeError('d-in-mismatch', `SAE input has shape [${rows.dims.join(', ')}], expected [rows, ${dIn}] (the SAE's d_in)`);
    }
    const acts = new Float32Array(n * dSae);
    const recon = new Float32Array(n * dIn);
    const errorNorm = new Float32Array(n);
    for (let r0 = 0; r0 < n; r0 += this.chunkRows) {
      signal?.throwIfAborted();
      const m = Math.min(this.chunkRows, n - r0);
      const feeds = { [SAE_INPUT.rows]: { type: 'float32', dims: [m, dIn], data: rows.data.subarray(r0 * dIn, (r0 + m) * dIn) } } as const;
      const o = await this.session.run(feeds, Object.values(SAE_OUTPUT), this.fed);
      acts.set(o[SAE_OUTPUT.acts].data, r0 * dSae);
      recon.set(o[SAE_OUTPUT.recon].data, r0 * dIn);
      errorNorm.set(o[SAE_OUTPUT.errorNorm].data, r0);
    }
    signal?.throwIfAborted();
    return { acts: { dims: [n, dSae], data: acts }, recon: { dims: [n, dIn], data: recon }, errorNorm };
  }

  /** Frees the ONNX session; the encoder cannot run afterwards. */
  async release(): Promise<void> {
    await this.session.release();
  }
}
