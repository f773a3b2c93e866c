"""Minimal safetensors reader/writer (no `safetensors` package).

Layout: 8-byte little-endian u64 header length N, N bytes of JSON
`{"__metadata__": {...}, name: {"dtype", "shape", "data_offsets": [begin, end]}}`, then the data
(offsets relative to the end of the header). We read by offsets, never by key order. The writer
pads the header with spaces to a multiple of 8 and lays tensors out in sorted-name order, so the
same tensors always give the same bytes.
"""

import json
import struct

import numpy as np
import torch

# safetensors dtype string -> (numpy dtype used for the raw bytes, torch dtype after viewing)
_DTYPES = {
    "F64": (np.float64, torch.float64),
    "F32": (np.float32, torch.float32),
    "F16": (np.float16, torch.float16),
    "BF16": (np.int16, torch.bfloat16),  # numpy has no bfloat16: read as int16, view in torch
    "I64": (np.int64, torch.int64),
    "I32": (np.int32, torch.int32),
    "I16": (np.int16, torch.int16),
    "I8": (np.int8, torch.int8),
    "U8": (np.uint8, torch.uint8),
    "BOOL": (np.bool_, torch.bool),
}
_TORCH_TO_ST = {t: name for name, (_, t) in _DTYPES.items()}


def read_safetensors(path):
    """Returns ({name: torch.Tensor in its stored dtype}, metadata dict)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    data = raw[8 + n :]
    meta = header.pop("__metadata__", {}) or {}
    out = {}
    for name, info in header.items():
        dtype = info["dtype"]
        if dtype not in _DTYPES:
            raise ValueError(f"{path}: tensor '{name}' has unsupported dtype {dtype}")
        np_dtype, torch_dtype = _DTYPES[dtype]
        begin, end = info["data_offsets"]
        shape = list(info["shape"])
        count = int(np.prod(shape)) if shape else 1
        if end - begin != count * np.dtype(np_dtype).itemsize:
            raise ValueError(f"{path}: tensor '{name}' offsets {begin}..{end} do not match shape {shape} {dtype}")
        arr = np.frombuffer(data, dtype=np_dtype, count=count, offset=begin).copy().reshape(shape)
        t = torch.from_numpy(arr)
        if dtype == "BF16":
            t = t.view(torch.bfloat16)
        out[name] = t
    return out, meta


def write_safetensors(path, tensors, metadata=None):
    """Writes {name: torch.Tensor} (dtype kept as given). Deterministic: sorted names, space padding."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    chunks = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous().cpu()
        if t.dtype not in _TORCH_TO_ST:
            raise ValueError(f"tensor '{name}': unsupported dtype {t.dtype}")
        st = _TORCH_TO_ST[t.dtype]
        if t.dtype == torch.bfloat16:
            b = t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            b = t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": st, "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        chunks.append(b)
        offset += len(b)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((-len(hjson)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in chunks:
            f.write(b)
