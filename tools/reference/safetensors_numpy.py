"""Read a safetensors file with numpy only (no torch, no `safetensors` package).

Same layout as safetensors_io.py: an 8-byte little-endian header length, the JSON header (with an
optional "__metadata__" of strings), then the data, addressed by each tensor's data_offsets.
"""

import json
import struct

import numpy as np

_DTYPES = {
    "F64": "<f8",
    "F32": "<f4",
    "F16": "<f2",
    "I64": "<i8",
    "I32": "<i4",
    "I16": "<i2",
    "I8": "i1",
    "U8": "u1",
    "BOOL": "?",
}


def load_numpy(path):
    """Returns ({name: np.ndarray}, metadata dict). BF16 is not supported (numpy has no bfloat16)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: too short for a safetensors file ({len(raw)} bytes)")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        raise ValueError(f"{path}: header length {n} runs past the end of the file ({len(raw)} bytes)")
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = raw[8 + n :]
    meta = header.pop("__metadata__", {}) or {}
    out = {}
    for name, info in header.items():
        dtype = info["dtype"]
        if dtype not in _DTYPES:
            raise ValueError(f"{path}: tensor '{name}' has dtype {dtype}, which this reader does not support")
        np_dtype = np.dtype(_DTYPES[dtype])
        begin, end = info["data_offsets"]
        shape = list(info["shape"])
        count = int(np.prod(shape)) if shape else 1
        if end - begin != count * np_dtype.itemsize or end > len(data):
            raise ValueError(f"{path}: tensor '{name}' offsets {begin}..{end} do not match shape {shape} {dtype}")
        out[name] = np.frombuffer(data, dtype=np_dtype, count=count, offset=begin).reshape(shape)
    return out, meta
