"""Arrow arrays as numpy arrays, straight from their buffers.

pyarrow's own conversions (``to_numpy``, ``fill_null`` with a Python value, ``pa.array`` from
Python objects) import pandas the first time they run (a sixth of a second) to check whether the
values are pandas objects. Scoring reads only primitive and string columns, so it reads their
buffers instead: the same numbers, no pandas.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

_DTYPES = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "int64": np.int64, "uint32": np.uint32,
           "uint64": np.uint64, "float": np.float32, "double": np.float64}  # fmt: skip


def _window(array: Any, buffer: Any, dtype: Any) -> np.ndarray:
    return np.frombuffer(buffer, dtype=dtype)[array.offset : array.offset + len(array)]


def valid(array: Any) -> np.ndarray:
    """Whether each value is given (not null), as booleans."""
    bitmap = array.buffers()[0]
    if bitmap is None or array.null_count == 0:
        return np.ones(len(array), dtype=bool)
    bits = np.unpackbits(np.frombuffer(bitmap, dtype=np.uint8), bitorder="little")
    return bits[array.offset : array.offset + len(array)].astype(bool)


def numbers(array: Any, dtype: Any, fill: Any) -> np.ndarray:
    """A primitive array's values as ``dtype`` (a copy), ``fill`` where a value is null."""
    out = _window(array, array.buffers()[1], _DTYPES[str(array.type)]).astype(dtype)
    if array.null_count:
        out[~valid(array)] = fill
    return out


def ints(array: Any, fill: int = -1) -> np.ndarray:
    return numbers(array, np.int64, fill)


def floats(array: Any) -> np.ndarray:
    return numbers(array, np.float64, np.nan)


def list_parents(array: Any) -> np.ndarray:
    """The row of each item of a list array's flattened items (``pc.list_parent_indices``)."""
    from nkru_bench.scoring import arrow_compute as pc

    return ints(pc.list_parent_indices(array))


def mapped(strings: Any, name_to_int: Callable[[str], int], null: int = -1) -> np.ndarray:
    """``name_to_int`` of each string, a distinct string at a time; ``null`` where none is given.
    One that maps many strings at once (``of_strings``, as ``tables.Codes`` has) is given the
    distinct strings as one Arrow array."""
    from nkru_bench.scoring import arrow_compute as pc

    encoded = pc.dictionary_encode(strings)
    many = getattr(name_to_int, "of_strings", None)
    if many is not None:
        known = np.append(many(encoded.dictionary), np.int64(null))
    else:
        known = np.array(
            [name_to_int(name) for name in encoded.dictionary.to_pylist()] + [null], dtype=np.int64
        )
    index = ints(encoded.indices, fill=len(known) - 1)
    return known[index]


def index_in(strings: Any, vocabulary: Sequence[str], null: int = -1, unknown: int = -1) -> np.ndarray:
    """The index of each string in ``vocabulary``; ``null`` where none is given, ``unknown`` where the
    string is not in it."""
    position = {name: i for i, name in enumerate(vocabulary)}
    return mapped(strings, lambda name: position.get(name, unknown), null)
