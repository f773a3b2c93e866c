/**
 * The element types a safetensors header may name, with their size in bytes. The loader converts only
 * the float types; it knows the others' sizes so that it can validate, and skip, buffers such as the
 * causal masks (`attn.bias`, BOOL/U8 in old checkpoints) without reading them.
 */
export const SAFETENSORS_DTYPE_BYTES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
  C64: 8,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_BYTES;

/** The dtypes we convert to float32 (weights); everything else can only be skipped. */
export type FloatDtype = 'F32' | 'F16' | 'BF16';

export const FLOAT_DTYPES: readonly FloatDtype[] = ['F32', 'F16', 'BF16'];

export function isSafetensorsDtype(name: string): name is SafetensorsDtype {
  return Object.prototype.hasOwnProperty.call(SAFETENSORS_DTYPE_BYTES, name);
}

export function isFloatDtype(dtype: SafetensorsDtype): dtype is FloatDtype {
  return (FLOAT_DTYPES as readonly string[]).includes(dtype);
}
