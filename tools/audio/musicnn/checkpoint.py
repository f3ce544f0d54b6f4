"""Read a TensorFlow 1 checkpoint (TensorBundle: `.index` table + `.data-*` shards) without TensorFlow.

The `.index` file is a LevelDB-format sorted table (uncompressed blocks) whose keys are variable
names and whose values are `BundleEntryProto` messages saying where in which data shard each
tensor's raw little-endian bytes lie. This reader parses exactly that, enough for float tensors
(musicnn's checkpoints hold only float32 variables and an int64 step counter).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

_TABLE_MAGIC = 0xDB4775248B80FB57  # LevelDB table footer magic number
_FOOTER_BYTES = 48
_BLOCK_TRAILER_BYTES = 5  # one compression-type byte and a 4-byte CRC after every block
# TensorFlow DataType enum values -> numpy dtypes (types.proto)
_DTYPES = {1: np.float32, 2: np.float64, 3: np.int32, 9: np.int64, 10: np.bool_, 19: np.float16}


class CheckpointError(ValueError):
    """The files are not a TensorFlow checkpoint this reader understands; the message says why."""


@dataclass(frozen=True)
class TensorEntry:
    """Where one variable's bytes are: its dtype, shape, shard number, byte offset and byte size."""

    dtype: type
    shape: tuple[int, ...]
    shard: int
    offset: int
    size: int


def _varint(buffer: bytes, position: int) -> tuple[int, int]:
    """(value, next position) of a protobuf/LevelDB base-128 varint starting at `position`."""
    value = shift = 0
    while True:
        if position >= len(buffer):
            raise CheckpointError("a varint runs past the end of its buffer; the index file is truncated")
        byte = buffer[position]
        position += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, position
        shift += 7


def _proto_fields(message: bytes) -> list[tuple[int, int | bytes]]:
    """(field number, value) pairs of a protobuf message: ints for varint/fixed fields, bytes for others."""
    fields, position = [], 0
    while position < len(message):
        tag, position = _varint(message, position)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, position = _varint(message, position)
        elif wire == 1:
            value, position = struct.unpack_from("<Q", message, position)[0], position + 8
        elif wire == 2:
            length, position = _varint(message, position)
            value, position = message[position : position + length], position + length
        elif wire == 5:
            value, position = struct.unpack_from("<I", message, position)[0], position + 4
        else:
            raise CheckpointError(f"protobuf wire type {wire} is not one a TensorBundle entry uses")
        fields.append((number, value))
    return fields


def _shape(message: bytes) -> tuple[int, ...]:
    """Dimensions of a TensorShapeProto (field 2: repeated Dim, whose field 1 is the size)."""
    dims = []
    for number, value in _proto_fields(message):
        if number == 2:
            size = next((v for n, v in _proto_fields(value) if n == 1), 0)
            dims.append(int(size))
    return tuple(dims)


def _entry(message: bytes) -> TensorEntry:
    fields = dict(_proto_fields(message))  # BundleEntryProto fields are not repeated (slices aside)
    if 7 in fields:
        raise CheckpointError("the checkpoint stores sliced (partitioned) variables, which this reader does not join")
    dtype = _DTYPES.get(int(fields.get(1, 0)))
    if dtype is None:
        raise CheckpointError(f"TensorFlow dtype {fields.get(1)} is not supported; float and int tensors are")
    return TensorEntry(dtype, _shape(fields.get(2, b"")), int(fields.get(3, 0)), int(fields.get(4, 0)),
                       int(fields.get(5, 0)))


def _block_entries(table: bytes, offset: int, size: int) -> list[tuple[bytes, bytes]]:
    """(key, value) pairs of one uncompressed table block (keys are prefix-compressed)."""
    if offset + size + _BLOCK_TRAILER_BYTES > len(table):
        raise CheckpointError("a block of the index file lies past its end; the file is truncated")
    if table[offset + size] != 0:
        raise CheckpointError("the index file uses block compression, which TensorBundle files do not")
    block = table[offset : offset + size]
    restarts = struct.unpack_from("<I", block, len(block) - 4)[0]
    end = len(block) - 4 - 4 * restarts
    entries, position, key = [], 0, b""
    while position < end:
        shared, position = _varint(block, position)
        unshared, position = _varint(block, position)
        value_length, position = _varint(block, position)
        key = key[:shared] + block[position : position + unshared]
        position += unshared
        entries.append((key, block[position : position + value_length]))
        position += value_length
    return entries


def read_index(index_path: Path) -> dict[str, TensorEntry]:
    """Variable name -> TensorEntry for every tensor listed in a checkpoint's `.index` file."""
    table = Path(index_path).read_bytes()
    if len(table) < _FOOTER_BYTES or struct.unpack_from("<Q", table, len(table) - 8)[0] != _TABLE_MAGIC:
        raise CheckpointError(f"{index_path} is not a TensorFlow checkpoint index (no table footer)")
    footer = table[-_FOOTER_BYTES:]
    _, position = _varint(footer, 0)  # the metaindex block (filters) is not needed
    _, position = _varint(footer, position)
    index_offset, position = _varint(footer, position)
    index_size, _ = _varint(footer, position)
    entries: dict[str, TensorEntry] = {}
    for _, handle in _block_entries(table, index_offset, index_size):
        block_offset, position = _varint(handle, 0)
        block_size, _ = _varint(handle, position)
        for key, value in _block_entries(table, block_offset, block_size):
            if key:  # the empty key holds the BundleHeaderProto (shard count, endianness)
                entries[key.decode("utf-8")] = _entry(value)
    return entries


def load_checkpoint(folder: Path, prefix: str = "") -> dict[str, np.ndarray]:
    """Every tensor of the checkpoint `<folder>/<prefix>.index` (+ data shards), as numpy arrays.

    musicnn saved its checkpoints with an empty prefix (files `.index`, `.data-00000-of-00001`).
    Raises CheckpointError for missing files, sizes that do not match a tensor's shape, or formats
    this reader does not handle.
    """
    folder = Path(folder)
    index = folder / f"{prefix}.index"
    if not index.is_file():
        raise CheckpointError(f"no checkpoint index at {index}")
    entries = read_index(index)
    shards = sorted(folder.glob(f"{prefix}.data-*-of-*"))
    if not shards:
        raise CheckpointError(f"no checkpoint data shard next to {index}")
    data = [shard.read_bytes() for shard in shards]
    tensors = {}
    for name, entry in entries.items():
        expected = int(np.prod(entry.shape, dtype=np.int64)) * np.dtype(entry.dtype).itemsize
        if entry.size != expected or entry.shard >= len(data) or entry.offset + entry.size > len(data[entry.shard]):
            raise CheckpointError(f"tensor {name!r} of shape {entry.shape} does not fit its recorded bytes")
        raw = data[entry.shard][entry.offset : entry.offset + entry.size]
        tensors[name] = np.frombuffer(raw, dtype=np.dtype(entry.dtype).newbyteorder("<")).reshape(entry.shape).copy()
    return tensors
