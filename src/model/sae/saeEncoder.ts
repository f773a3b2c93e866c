import type { Float32Tensor } from '../tensor';
import type { LoadedSae } from './saeTypes';

export interface SaeEncoderOptions {
  readonly threads?: number;
}

export interface SaeEncoding {
  /** feature activations */ readonly acts: Float32Tensor<'rows d_sae'>;
  /** reconstruction in the MODEL's coordinates (the removed row mean added back for 'center') */ readonly recon: Float32Tensor<'rows d_in'>;
  /** [rows] ‖x − recon‖₂ */ readonly errorNorm: Float32Array;
}

/** rows [rows, d_in] in the model's coordinates → the SAE's outputs; an ONNX graph, chunked. */
export class SaeEncoder {
  private constructor(readonly sae: LoadedSae) {}

  static async create(sae: LoadedSae, options: SaeEncoderOptions = {}): Promise<SaeEncoder> {
    void options;
    void new SaeEncoder(sae);
    throw new Error('SaeEncoder.create: not yet');
  }

  async encode(rows: Float32Tensor<'rows d_in'>, signal?: AbortSignal): Promise<SaeEncoding> {
    void rows;
    void signal;
    throw new Error('SaeEncoder.encode: not yet');
  }

  async release(): Promise<void> {}
}
