/**
 * Collects ONNX nodes with generated value names, plus small helpers for the ops the GPT-2
 * builder uses. It does no I/O and knows nothing of GPT-2.
 */
import { OnnxDataType, type OnnxAttribute, type OnnxDim, type OnnxGraph, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './onnxModel';

export type AttrValue = number | readonly number[] | OnnxTensor;

function toAttribute(v: AttrValue, asFloat: boolean): OnnxAttribute {
  if (typeof v === 'number') return asFloat ? { kind: 'float', value: v } : { kind: 'int', value: v };
  if (Array.isArray(v)) return { kind: 'ints', value: v as readonly number[] };
  return { kind: 'tensor', value: v as OnnxTensor };
}

export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly inputs: OnnxValueInfo[] = [];
  private readonly outputs: OnnxValueInfo[] = [];
  private readonly initializers: OnnxTensor[] = [];
  private readonly constCache = new Map<string, string>();
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(private readonly name: string) {}

  private fresh(hint: string): string {
    let n: string;
    do n = `${hint}_${this.counter++}`;
    while (this.used.has(n));
    this.used.add(n);
    return n;
  }

  input(name: string, elemType: OnnxDataType, dims: readonly OnnxDim[]): string {
    if (this.used.has(name)) throw new Error(`graph value '${name}' defined twice`);
    this.used.add(name);
    this.inputs.push({ name, elemType, dims });
    return name;
  }

  /** Declares `value` as a graph output under `name` (through an Identity node when renamed). */
  output(value: string, name: string, elemType: OnnxDataType, dims: readonly OnnxDim[]): void {
    if (value !== name) this.op('Identity', [value], {}, name);
    this.outputs.push({ name, elemType, dims });
  }

  initializer(t: OnnxTensor): string {
    if (this.used.has(t.name)) throw new Error(`graph value '${t.name}' defined twice`);
    this.used.add(t.name);
    this.initializers.push(t);
    return t.name;
  }

  /**
   * Adds a node and returns its output name. `floatAttrs` lists attribute names that are floats
   * (ONNX distinguishes `alpha: 1` as int from `alpha: 1.0` as float).
   */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, outName?: string, floatAttrs: readonly string[] = []): string {
    const out = outName ?? this.fresh(opType.toLowerCase());
    if (outName) {
      if (this.used.has(outName)) throw new Error(`graph value '${outName}' defined twice`);
      this.used.add(outName);
    }
    const attributes: Record<string, OnnxAttribute> = {};
    for (const [k, v] of Object.entries(attrs)) attributes[k] = toAttribute(v, floatAttrs.includes(k));
    this.nodes.push({ opType, inputs, outputs: [out], name: `${opType}:${out}`, attributes });
    return out;
  }

  /** A node with several outputs (e.g. Split). */
  opMulti(opType: string, inputs: readonly string[], nOutputs: number, attrs: Record<string, AttrValue> = {}): string[] {
    const outs = Array.from({ length: nOutputs }, () => this.fresh(opType.toLowerCase()));
    const attributes: Record<string, OnnxAttribute> = {};
    for (const [k, v] of Object.entries(attrs)) attributes[k] = toAttribute(v, false);
    this.nodes.push({ opType, inputs, outputs: outs, name: `${opType}:${outs[0]}`, attributes });
    return outs;
  }

  /**
   * x [..., K] · Wᵀ for W [N, K] → [..., N], as one Gemm with transB (MLAS reads W transposed in
   * place: no transposed copy, per run or kept). Gemm takes 2-D operands, so an x of rank 3 is
   * flattened to [rows, K] and the result shaped back.
   */
  matmulTransposed(x: string, w: string, k: number, n: number, rank: 2 | 3): string {
    if (rank === 2) return this.op('Gemm', [x, w], { transB: 1 }); // [rows, N]
    const lead = this.op('Slice', [this.op('Shape', [x]), this.int64s([0]), this.int64s([2])]); // [2]: x's first two dims
    const y = this.op('Gemm', [this.op('Reshape', [x, this.int64s([-1, k])]), w], { transB: 1 }); // [rows, N]
    return this.op('Reshape', [y, this.op('Concat', [lead, this.int64s([n])], { axis: 0 })]);
  }

  /** An int64 constant (cached, so each distinct value is one node). */
  int64s(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const key = `i64:${dims.join('x')}:${values.join(',')}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const raw = new Uint8Array(new BigInt64Array(values.map(BigInt)).buffer);
    const name = this.op('Constant', [], { value: { name: '', elemType: OnnxDataType.Int64, dims, raw } });
    this.constCache.set(key, name);
    return name;
  }

  /** A float32 scalar constant (cached). */
  float(value: number): string {
    const key = `f32:${Object.is(value, -0) ? '-0' : String(value)}`;
    const hit = this.constCache.get(key);
    if (hit) return hit;
    const raw = new Uint8Array(new Float32Array([value]).buffer);
    const name = this.op('Constant', [], { value: { name: '', elemType: OnnxDataType.Float, dims: [], raw } });
    this.constCache.set(key, name);
    return name;
  }

  build(): OnnxGraph {
    return { name: this.name, nodes: this.nodes, inputs: this.inputs, outputs: this.outputs, initializers: this.initializers };
  }
}
