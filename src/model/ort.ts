/**
 * The only module that touches onnxruntime-node: create a session from model bytes, run it with
 * feeds checked against the graph's declared inputs, release it. ORT silently ignores feed names a
 * graph does not declare (a patch would silently be a no-op), so unknown and missing feeds are errors.
 */
import * as ort from 'onnxruntime-node';
import type { Float32Tensor } from './tensor';

export type FeedTensor =
  | { readonly type: 'float32'; readonly dims: readonly number[]; readonly data: Float32Array }
  | { readonly type: 'int64'; readonly dims: readonly number[]; readonly data: BigInt64Array }
  | { readonly type: 'int8'; readonly dims: readonly number[]; readonly data: Int8Array }
  | { readonly type: 'bool'; readonly dims: readonly number[]; readonly data: Uint8Array };

export interface OrtSessionOptions {
  /** Intra-op threads; default: ORT's choice (physical cores). */
  readonly threads?: number;
  /** Spin-waiting thread pools are faster for one session in a tight loop, slower when sessions alternate. */
  readonly spinning?: boolean;
  /** The CPU arena never shrinks; off by default so big batches don't pin memory. */
  readonly memArena?: boolean;
  /**
   * Session config entries by their full key (onnxruntime_session_options_config_keys.h), e.g.
   * `session.disable_prepacking`. `spinning` wins over an `session.intra_op.allow_spinning` here.
   */
  readonly config?: Readonly<Record<string, string>>;
  /** External data files held in memory, by the `location` the graph's tensors name: ORT reads them in place. */
  readonly externalData?: readonly { readonly path: string; readonly data: Uint8Array }[];
  /** Where ORT writes the optimized graph (with `session.optimized_model_external_initializers_file_name` and friends in `config`). */
  readonly optimizedModelPath?: string;
}

/** ORT's session options for ours; exported for tests. */
export function ortSessionOptions(options: OrtSessionOptions = {}): ort.InferenceSession.SessionOptions {
  const config: Record<string, string> = { ...options.config };
  if (options.spinning !== undefined || !('session.intra_op.allow_spinning' in config)) {
    config['session.intra_op.allow_spinning'] = options.spinning === false ? '0' : '1';
  }
  return {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    enableCpuMemArena: options.memArena ?? false,
    enableMemPattern: true,
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    ...(options.externalData?.length ? { externalData: options.externalData.map((f) => ({ path: f.path, data: f.data })) } : {}),
    ...(options.optimizedModelPath ? { optimizedModelFilePath: options.optimizedModelPath } : {}),
    // The binding joins nested keys with '.', and takes a dotted key as it is.
    extra: config,
  };
}

/** ort.Tensor wrappers are cached per typed array, so weights fed on every run are wrapped once. */
const wrapped = new WeakMap<object, { dims: string; tensor: ort.Tensor }>();

function toOrtTensor(f: FeedTensor): ort.Tensor {
  const key = f.dims.join(',');
  const hit = wrapped.get(f.data);
  if (hit && hit.dims === key && hit.tensor.type === f.type) return hit.tensor;
  const tensor = new ort.Tensor(f.type, f.data as never, f.dims as number[]);
  wrapped.set(f.data, { dims: key, tensor });
  return tensor;
}

export class OrtSession {
  private released = false;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly label: string,
  ) {}

  /** From the model's bytes, or from a file path (its external data files are then mapped from beside it). */
  static async create(model: Uint8Array | string, label: string, options: OrtSessionOptions = {}): Promise<OrtSession> {
    const sessionOptions = ortSessionOptions(options);
    try {
      const session =
        typeof model === 'string' ? await ort.InferenceSession.create(model, sessionOptions) : await ort.InferenceSession.create(model, sessionOptions);
      return new OrtSession(session, label);
    } catch (e) {
      throw new Error(`onnxruntime could not create the session for graph '${label}': ${(e as Error).message}`);
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /**
   * Runs the graph; returns the requested float outputs. `feeds` must all be declared inputs
   * (an undeclared patch would silently do nothing). `sharedFeeds` (the weights) are a pool from
   * which the graph takes the inputs it declares. Together they must cover every input.
   */
  async run(
    feeds: Readonly<Record<string, FeedTensor>>,
    fetches: readonly string[],
    sharedFeeds: Readonly<Record<string, FeedTensor>> = {},
  ): Promise<Record<string, Float32Tensor>> {
    if (this.released) throw new Error(`session '${this.label}' was released`);
    const declared = new Set(this.session.inputNames);
    const unknown = Object.keys(feeds).filter((k) => !declared.has(k));
    if (unknown.length) throw new Error(`graph '${this.label}' has no input(s) ${unknown.join(', ')}; it declares ${this.session.inputNames.length} inputs`);
    const missing = this.session.inputNames.filter((k) => !(k in feeds) && !(k in sharedFeeds));
    if (missing.length) throw new Error(`graph '${this.label}' is missing feed(s): ${missing.join(', ')}`);
    const outputs = new Set(this.session.outputNames);
    const badFetch = fetches.filter((f) => !outputs.has(f));
    if (badFetch.length) throw new Error(`graph '${this.label}' has no output(s) ${badFetch.join(', ')}`);
    if (fetches.length === 0) throw new Error(`nothing to fetch from graph '${this.label}'`);

    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const k of this.session.inputNames) ortFeeds[k] = toOrtTensor(feeds[k] ?? sharedFeeds[k]);
    let result: ort.InferenceSession.ReturnType;
    try {
      result = await this.session.run(ortFeeds, fetches as string[]);
    } catch (e) {
      const shapes = Object.entries(feeds)
        .filter(([k]) => !k.startsWith('weight:'))
        .map(([k, f]) => `${k}: ${f.type}[${f.dims.join(',')}]`)
        .join('; ');
      throw new Error(`onnxruntime failed running graph '${this.label}' (${shapes}): ${(e as Error).message}`);
    }
    const out: Record<string, Float32Tensor> = {};
    for (const name of fetches) {
      const t = result[name];
      if (t.type !== 'float32') throw new Error(`output '${name}' of graph '${this.label}' is ${t.type}, expected float32`);
      out[name] = { dims: t.dims.map(Number), data: t.data as Float32Array };
    }
    return out;
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.session.release();
  }
}
