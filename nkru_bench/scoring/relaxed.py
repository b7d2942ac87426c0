"""``entities.relaxed`` (the official BSNLP relaxed exact, ``matching.relaxed_counts``) of every document
at once, from columns: each mention's form becomes an integer code (one pass over the texts; a
prediction on a gold mention's span takes that mention's code), then found entities and wrong forms
are counted with sorted integer keys. ``tests/test_counting.py`` checks it against ``matching``.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa

from nkru_bench.gold.vocabularies import ENTITY_TYPES
from nkru_bench.scoring.arrow_compute import dictionary_encode
from nkru_bench.scoring.arrow_numpy import ints
from nkru_bench.scoring.matching import bsnlp_form
from nkru_bench.scoring.tables import EntityColumns, GoldTable, in_order


def _per_doc(doc: np.ndarray, n_docs: int) -> np.ndarray:
    return np.bincount(doc, minlength=n_docs).astype(np.int64)


def _utf8(strings: Any) -> tuple[np.ndarray, np.ndarray]:
    """(the byte offset of each string and one past the last, the bytes) of an Arrow string array."""
    offsets_type = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    buffers = strings.buffers()
    first = strings.offset
    offsets = np.frombuffer(buffers[1], dtype=offsets_type)[first : first + len(strings) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    return offsets.astype(np.int64), data


def _substrings(texts: Any, doc: np.ndarray, start: np.ndarray, end: np.ndarray) -> Any:
    """The Arrow strings ``texts[doc][start:end]`` (offsets in code points), cut from the UTF-8 bytes
    with array operations: a code point starts at each byte that is not a continuation byte. Only the
    bytes of the texts from ``doc.min()`` to ``doc.max()`` are read."""
    offsets, data = _utf8(texts)
    low, high = (int(doc.min()), int(doc.max()) + 1) if len(doc) else (0, 0)
    offsets = offsets[low : high + 1]
    region = data[offsets[0] : offsets[-1]]
    points = np.append(np.flatnonzero((region & 0xC0) != 0x80), len(region))  # byte of each code point
    first = np.searchsorted(points, offsets - offsets[0])  # the first code point of each text
    base = first[doc - low]
    byte_start, byte_end = points[base + start], points[base + end]
    lengths = byte_end - byte_start
    bounds = np.zeros(len(doc) + 1, dtype=np.int64)
    np.cumsum(lengths, out=bounds[1:])
    gather = np.repeat(byte_start - bounds[:-1], lengths) + np.arange(bounds[-1], dtype=np.int64)
    return pa.LargeStringArray.from_buffers(len(doc), pa.py_buffer(bounds), pa.py_buffer(region[gather]))


# ``matching.bsnlp_form`` of many strings at once, on one str that holds them all between NULs: white
# space runs (``\s`` is what ``str.split`` splits on) made one space, what Java's trim strips removed
# beside each NUL, then lower case. NUL is neither cased nor case-ignorable, so each string's lower
# case is the one it has alone (final sigma included); strings that hold a NUL take the definition.
_WHITE_SPACE = re.compile(r"\s+")
_TRIMMED = re.compile("[\x01-\x20]*\x00[\x01-\x20]*")


def _bsnlp_forms(strings: Any) -> Any:
    """``matching.bsnlp_form`` of each string of an Arrow string array, as an Arrow string array."""
    offsets, data = _utf8(strings)
    data = data[offsets[0] : offsets[-1]]
    offsets = offsets - offsets[0]
    if not len(strings) or np.any(data == 0):
        return pa.array([bsnlp_form(s) for s in strings.to_pylist()], type=pa.large_string())
    # the bytes with a NUL before each string and after the last
    joined = np.zeros(len(data) + len(strings) + 1, dtype=np.uint8)
    keep = np.ones(len(joined), dtype=bool)
    keep[offsets + np.arange(len(offsets))] = False
    joined[keep] = data
    text = joined.tobytes().decode("utf-8")
    text = _TRIMMED.sub("\x00", _WHITE_SPACE.sub(" ", text)).lower()
    out = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    nuls = np.flatnonzero(out == 0)
    bounds = nuls - np.arange(len(nuls))  # each string's start once the NULs are taken out
    return pa.LargeStringArray.from_buffers(len(strings), pa.py_buffer(bounds), pa.py_buffer(out[out != 0]))


def _form_codes(
    table: GoldTable, parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]]
) -> tuple[list[np.ndarray], int]:
    """The form code of every span of each part (``(doc, start, end)``), equal codes for equal forms
    across all parts; and how many forms there are.

    The spans' texts (of all parts together) are cut from the documents' UTF-8 bytes with array
    operations, a chunk of documents at a time; ``matching.bsnlp_form`` (the definition) is then made
    of every distinct text at once (``_bsnlp_forms``)."""
    sizes = [len(doc) for doc, _, _ in parts]
    doc, start, end = (np.concatenate(columns) for columns in zip(*parts, strict=True))
    if not len(doc):
        return [np.zeros(0, dtype=np.int64) for _ in parts], 0
    order = None if in_order((doc,)) else np.argsort(doc, kind="stable")
    if order is not None:
        doc, start, end = doc[order], start[order], end[order]
    pieces = []
    chunk_bounds = np.searchsorted(doc, [*table.text_starts, len(table.doc_ids)])
    for chunk, texts in enumerate(table.texts):
        lo, hi = chunk_bounds[chunk], chunk_bounds[chunk + 1]
        if hi > lo:
            local = doc[lo:hi] - table.text_starts[chunk]
            pieces.append(_substrings(texts, local, start[lo:hi], end[lo:hi]))
    surfaces = dictionary_encode(pa.concat_arrays(pieces))
    forms = dictionary_encode(_bsnlp_forms(surfaces.dictionary))
    codes = ints(forms.indices)[ints(surfaces.indices)]
    if order is not None:
        codes[order] = codes.copy()
    return np.split(codes, np.cumsum(sizes[:-1])), len(forms.dictionary)


def _distinct(keys: np.ndarray) -> np.ndarray:
    """The distinct keys, sorted."""
    keys = np.sort(keys)
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = keys[1:] != keys[:-1]
    return keys[keep]


def _member(keys: np.ndarray, distinct: np.ndarray) -> np.ndarray:
    """Whether each key is in ``distinct`` (sorted, no repeats)."""
    if not len(distinct):
        return np.zeros(len(keys), dtype=bool)
    at = np.minimum(np.searchsorted(distinct, keys), len(distinct) - 1)
    return distinct[at] == keys


def relaxed_columns(table: GoldTable, gold: EntityColumns, pred: EntityColumns) -> np.ndarray:
    """``matching.relaxed_counts`` of every document at once: shape ``(n_docs, 4)`` as gold, predicted,
    found, correct (gold and predictions sorted by document)."""
    n_docs, n_types = len(table.doc_ids), len(ENTITY_TYPES)
    # a prediction on a gold mention's span has its form; only the others are cut from the text
    scale = int(max(gold.end.max(initial=0), pred.end.max(initial=0))) + 1
    g_span = (gold.doc * scale + gold.start) * scale + gold.end
    p_span = (pred.doc * scale + pred.start) * scale + pred.end
    order = np.argsort(g_span, kind="stable")
    at = np.minimum(np.searchsorted(g_span[order], p_span), max(len(order) - 1, 0))
    on_gold = g_span[order][at] == p_span if len(order) else np.zeros(len(pred), dtype=bool)
    off = np.flatnonzero(~on_gold)
    (g_form, off_form), n_forms = _form_codes(
        table, [(gold.doc, gold.start, gold.end), (pred.doc[off], pred.start[off], pred.end[off])]
    )
    p_form = np.empty(len(pred), dtype=np.int64)
    p_form[on_gold] = g_form[order[at[on_gold]]]
    p_form[off] = off_form
    n_forms = max(n_forms, 1)
    # keys (document, type, form) of every mention; entities are (document, type, entity_id)
    g_key = (gold.doc * n_types + gold.type) * n_forms + g_form
    p_key = _distinct((pred.doc * n_types + pred.type) * n_forms + p_form)
    n_ids = int(gold.entity_id.max()) + 2 if len(gold) else 1
    entity = (gold.doc * n_types + gold.type) * n_ids + gold.entity_id + 1
    entities = _distinct(entity)
    found = _distinct(entity[_member(g_key, p_key)])
    wrong = p_key[~_member(p_key, _distinct(g_key))]
    per_doc = n_types * n_ids
    n_gold = _per_doc(entities // per_doc, n_docs)
    n_found = _per_doc(found // per_doc, n_docs)
    n_wrong = _per_doc(wrong // (n_types * n_forms), n_docs)
    return np.stack([n_gold, n_found + n_wrong, n_found, n_found], axis=1)
