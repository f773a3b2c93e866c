/**
 * Plain-data ONNX model description and its protobuf encoding (field numbers from onnx.proto3).
 * Only the subset the GPT-2 builder uses: tensors of float/int8/int64/bool, and node attributes of
 * type int, float, ints and tensor.
 */
import { ProtobufWriter } from './protobufWriter';

export const enum OnnxDataType {
  Float = 1,
  Int8 = 3,
  Int64 = 7,
  Bool = 9,
}

export type OnnxDim = number | string;

export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxDataType;
  /** A number is a fixed size, a string a symbolic dim (e.g. 'batch', 'pos'). */
  readonly dims: readonly OnnxDim[];
}

export interface OnnxTensor {
  readonly name: string;
  readonly elemType: OnnxDataType;
  readonly dims: readonly number[];
  /** Little-endian bytes of the elements (empty when `external` says where they are). */
  readonly raw: Uint8Array;
  /**
   * The elements live in an external data file instead (`location` relative to the model's folder,
   * or a name that `externalData` maps to a buffer when the model is loaded from bytes).
   */
  readonly external?: { readonly location: string; readonly offset: number; readonly length: number };
}

export type OnnxAttribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'tensor'; readonly value: OnnxTensor };

export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
  readonly domain?: string;
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly initializers: readonly OnnxTensor[];
}

export const OPSET_VERSION = 17;
/** onnxruntime's contrib operator domain. */
export const MS_DOMAIN = 'com.microsoft';
const IR_VERSION = 8; // IR 8 goes with opset 17

// onnx.proto3 field numbers
const MODEL = { irVersion: 1, producerName: 2, producerVersion: 3, graph: 7, opsetImport: 8 } as const;
const OPSET = { domain: 1, version: 2 } as const;
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTR = { name: 1, f: 2, i: 3, t: 5, ints: 8, type: 20 } as const;
const ATTR_TYPE = { float: 1, int: 2, tensor: 4, ints: 7 } as const;
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9, externalData: 13, dataLocation: 14 } as const;
const STRING_ENTRY = { key: 1, value: 2 } as const;
const DATA_LOCATION_EXTERNAL = 1;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensorType: 1 } as const;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIM = { value: 1, param: 2 } as const;

function encodeTensor(t: OnnxTensor): ProtobufWriter {
  const w = new ProtobufWriter();
  if (t.dims.length) w.packedInts(TENSOR.dims, t.dims);
  w.int(TENSOR.dataType, t.elemType).string(TENSOR.name, t.name);
  if (!t.external) return w.bytes(TENSOR.rawData, t.raw);
  const entries: [string, string][] = [
    ['location', t.external.location],
    ['offset', String(t.external.offset)],
    ['length', String(t.external.length)],
  ];
  for (const [k, v] of entries) w.message(TENSOR.externalData, new ProtobufWriter().string(STRING_ENTRY.key, k).string(STRING_ENTRY.value, v));
  return w.int(TENSOR.dataLocation, DATA_LOCATION_EXTERNAL);
}

function encodeValueInfo(v: OnnxValueInfo): ProtobufWriter {
  const shape = new ProtobufWriter();
  for (const d of v.dims) {
    const dim = new ProtobufWriter();
    if (typeof d === 'number') dim.int(DIM.value, d);
    else dim.string(DIM.param, d);
    shape.message(SHAPE.dim, dim);
  }
  const tensorType = new ProtobufWriter().int(TENSOR_TYPE.elemType, v.elemType).message(TENSOR_TYPE.shape, shape);
  const type = new ProtobufWriter().message(TYPE.tensorType, tensorType);
  return new ProtobufWriter().string(VALUE_INFO.name, v.name).message(VALUE_INFO.type, type);
}

function encodeAttribute(name: string, a: OnnxAttribute): ProtobufWriter {
  const w = new ProtobufWriter().string(ATTR.name, name);
  switch (a.kind) {
    case 'int':
      return w.int(ATTR.i, a.value).int(ATTR.type, ATTR_TYPE.int);
    case 'float':
      return w.float(ATTR.f, a.value).int(ATTR.type, ATTR_TYPE.float);
    case 'ints':
      return w.packedInts(ATTR.ints, a.value).int(ATTR.type, ATTR_TYPE.ints);
    case 'tensor':
      return w.message(ATTR.t, encodeTensor(a.value)).int(ATTR.type, ATTR_TYPE.tensor);
  }
}

function encodeNode(n: OnnxNode): ProtobufWriter {
  const w = new ProtobufWriter();
  for (const i of n.inputs) w.string(NODE.input, i);
  for (const o of n.outputs) w.string(NODE.output, o);
  w.string(NODE.name, n.name).string(NODE.opType, n.opType);
  for (const [k, a] of Object.entries(n.attributes)) w.message(NODE.attribute, encodeAttribute(k, a));
  if (n.domain) w.string(NODE.domain, n.domain);
  return w;
}

/** Serialises a graph as an ONNX ModelProto (opset 17). */
export function encodeOnnxModel(graph: OnnxGraph, producer = 'circuit-inspector'): Uint8Array {
  const g = new ProtobufWriter();
  for (const n of graph.nodes) g.message(GRAPH.node, encodeNode(n));
  g.string(GRAPH.name, graph.name);
  for (const t of graph.initializers) g.message(GRAPH.initializer, encodeTensor(t));
  for (const i of graph.inputs) g.message(GRAPH.input, encodeValueInfo(i));
  for (const o of graph.outputs) g.message(GRAPH.output, encodeValueInfo(o));
  const opset = new ProtobufWriter().string(OPSET.domain, '').int(OPSET.version, OPSET_VERSION);
  const model = new ProtobufWriter()
    .int(MODEL.irVersion, IR_VERSION)
    .string(MODEL.producerName, producer)
    .string(MODEL.producerVersion, '0.1.0')
    .message(MODEL.graph, g)
    .message(MODEL.opsetImport, opset);
  // onnxruntime's contrib ops (e.g. DynamicQuantizeMatMul, the int8 mode) need their domain imported.
  if (graph.nodes.some((n) => n.domain === MS_DOMAIN))
    model.message(MODEL.opsetImport, new ProtobufWriter().string(OPSET.domain, MS_DOMAIN).int(OPSET.version, 1));
  return model.finish();
}
