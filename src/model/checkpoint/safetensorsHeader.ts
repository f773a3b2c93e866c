import { duplicateTopLevelKeys, parseJsonText } from '../boundedFiles';
import { CheckpointError, formatShape, listSome } from './checkpointError';
import { SAFETENSORS_DTYPE_BYTES, isSafetensorsDtype } from './safetensorsDtype';
import type { StoredTensorInfo } from './tensorSource';

/**
 * Parsing and strict validation of a safetensors header. The file is: an 8-byte little-endian u64 N,
 * N bytes of JSON `{"__metadata__"?: {string: string}, name: {dtype, shape, data_offsets: [begin, end]}}`,
 * then the data section; offsets are relative to the start of the data section (byte 8 + N).
 */

/** Real headers are a few hundred KiB at most; anything beyond this is a corrupt length field. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export interface SafetensorsTensorEntry extends StoredTensorInfo {
  /** [begin, end) relative to the data section */
  readonly dataOffsets: readonly [number, number];
}

export interface SafetensorsHeader {
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, SafetensorsTensorEntry>;
  /** Absolute file offset of the data section: 8 + N. */
  readonly dataStart: number;
}

/** Checks the u64 length field against the bound and the file's size; returns N. */
export function checkHeaderLength(lengthField: bigint, fileSize: number, file: string): number {
  if (fileSize < 8) {
    throw new CheckpointError(`${file}: only ${fileSize} bytes, too short for a safetensors file (it starts with an 8-byte header length)`);
  }
  if (lengthField > BigInt(MAX_HEADER_BYTES)) {
    throw new CheckpointError(`${file}: header length ${lengthField} exceeds the ${MAX_HEADER_BYTES}-byte limit; not a safetensors file, or corrupt`);
  }
  const length = Number(lengthField);
  if (length > fileSize - 8) {
    throw new CheckpointError(
      `${file}: header length ${length} is larger than the ${fileSize - 8} bytes after the length field; not a safetensors file, or a truncated download?`,
    );
  }
  if (length < 2) throw new CheckpointError(`${file}: header length ${length} is too small to hold a JSON object`);
  return length;
}

export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  const dataStart = 8 + headerBytes.length;
  const json = parseJsonObject(headerBytes, file);
  let metadata: Record<string, string> = {};
  const tensors = new Map<string, SafetensorsTensorEntry>();
  for (const [name, value] of Object.entries(json)) {
    if (name === '__metadata__') metadata = parseMetadata(value, file);
    else tensors.set(name, parseTensorEntry(name, value, file));
  }
  checkDataLayout(tensors, fileSize - dataStart, file);
  return { metadata, tensors, dataStart };
}

function parseJsonObject(headerBytes: Uint8Array, file: string): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new CheckpointError(`${file}: the safetensors header is not valid UTF-8`);
  }
  const json = parseJsonText(text, file, 'safetensors header', CheckpointError);
  if (!isPlainObject(json)) throw new CheckpointError(`${file}: the safetensors header must be a JSON object`);
  // JSON.parse keeps the last of two equal keys: a tensor stored twice would silently lose its first copy.
  const duplicates = duplicateTopLevelKeys(text);
  if (duplicates.length > 0) {
    throw new CheckpointError(
      `${file}: the safetensors header names ${duplicates.length === 1 ? 'a tensor' : 'tensors'} more than once: ${listSome(duplicates.map((d) => `'${d}'`))}`,
    );
  }
  return json;
}

function parseMetadata(value: unknown, file: string): Record<string, string> {
  if (!isPlainObject(value)) throw new CheckpointError(`${file}: '__metadata__' must be an object of strings`);
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new CheckpointError(`${file}: '__metadata__.${key}' must be a string, got ${JSON.stringify(v)}`);
  }
  return value as Record<string, string>;
}

function parseTensorEntry(name: string, value: unknown, file: string): SafetensorsTensorEntry {
  const where = `${file}: tensor '${name}'`;
  if (!isPlainObject(value)) throw new CheckpointError(`${where}: entry must be an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (typeof dtype !== 'string' || !isSafetensorsDtype(dtype)) {
    throw new CheckpointError(`${where}: unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegativeInteger)) {
    throw new CheckpointError(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegativeInteger) || offsets[0] > offsets[1]) {
    throw new CheckpointError(`${where}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${JSON.stringify(offsets)}`);
  }
  const byteLength = shape.reduce((n: number, d: number) => n * d, SAFETENSORS_DTYPE_BYTES[dtype]);
  const span = offsets[1] - offsets[0];
  if (!Number.isSafeInteger(byteLength)) throw new CheckpointError(`${where}: shape ${formatShape(shape)} is implausibly large`);
  if (byteLength !== span) {
    throw new CheckpointError(
      `${where}: shape ${formatShape(shape)} of ${dtype} needs ${byteLength} bytes but data_offsets ${formatShape(offsets)} span ${span}`,
    );
  }
  return { dtype, shape, dataOffsets: [offsets[0], offsets[1]] };
}

/**
 * No two tensors may share bytes, and every tensor must lie inside the data section. Gaps between
 * tensors are tolerated (they waste space but are harmless). When the tensors tile [0, end) without
 * gaps and the file simply stops early, the error says it looks like a truncated download.
 */
function checkDataLayout(tensors: ReadonlyMap<string, SafetensorsTensorEntry>, dataLength: number, file: string): void {
  const byBegin = [...tensors].sort(([, a], [, b]) => a.dataOffsets[0] - b.dataOffsets[0]);
  let contiguous = true;
  let end = 0;
  let previous: [string, SafetensorsTensorEntry] | undefined;
  for (const entry of byBegin) {
    const [name, t] = entry;
    if (t.dataOffsets[1] === t.dataOffsets[0]) continue; // empty tensors occupy no bytes
    if (previous && t.dataOffsets[0] < end) {
      throw new CheckpointError(
        `${file}: tensors '${previous[0]}' and '${name}' overlap (data_offsets ${formatShape(previous[1].dataOffsets)} and ${formatShape(t.dataOffsets)})`,
      );
    }
    if (t.dataOffsets[0] !== end) contiguous = false;
    end = t.dataOffsets[1];
    previous = entry;
  }
  const outside = byBegin.find(([, t]) => t.dataOffsets[1] > dataLength);
  if (!outside) return;
  const [name, t] = outside;
  if (contiguous && t.dataOffsets[1] > t.dataOffsets[0]) {
    throw new CheckpointError(
      `${file}: file is truncated: its data section holds ${dataLength} bytes but the tensors need ${end}` +
        ` (tensor '${name}' ends at ${t.dataOffsets[1]}); truncated download?`,
    );
  }
  throw new CheckpointError(
    `${file}: tensor '${name}': data_offsets ${formatShape(t.dataOffsets)} lie outside the data section (${dataLength} bytes); corrupt header?`,
  );
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
