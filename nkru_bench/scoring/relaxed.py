"""``entities.relaxed`` (the official BSNLP relaxed exact, ``matching.relaxed_counts``) of every document
at once, from columns: each mention's form becomes an integer code (one pass over the texts; a
prediction on a gold mention's span takes that mention's code), then found entities and wrong forms
are counted with sorted integer keys. ``tests/test_counting.py`` checks it against ``matching``.
"""

from __future__ import annotations

import numpy as np

from nkru_bench.gold.records import ENTITY_TYPES
from nkru_bench.scoring.matching import bsnlp_form
from nkru_bench.scoring.tables import EntityColumns, GoldTable


def _per_doc(doc: np.ndarray, n_docs: int) -> np.ndarray:
    return np.bincount(doc, minlength=n_docs).astype(np.int64)


class _FormCodes(dict):
    """Surface text -> code of its ``matching.bsnlp_form`` (equal forms, equal codes), made on demand."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, int] = {}

    def __missing__(self, surface: str) -> int:
        code = self[surface] = self.forms.setdefault(bsnlp_form(surface), len(self.forms))
        return code


def _form_codes(
    table: GoldTable, doc: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, int]:
    """The form code of every span (any order), equal codes for equal forms; and how many forms.
    One pass over the documents' texts."""
    codes = _FormCodes()
    order = np.argsort(doc, kind="stable")
    n_docs = len(table.doc_ids)
    bounds = np.searchsorted(doc[order], np.arange(n_docs + 1)).tolist()
    starts, ends = start[order].tolist(), end[order].tolist()
    found: list[int] = []
    docs = np.flatnonzero(np.diff(bounds)).tolist()
    for d, text in zip(docs, table.texts_of(docs), strict=True):
        lo, hi = bounds[d], bounds[d + 1]
        found += map(codes.__getitem__, [text[a:b] for a, b in zip(starts[lo:hi], ends[lo:hi], strict=True)])
    out = np.empty(len(doc), dtype=np.int64)
    out[order] = found
    return out, len(codes.forms)


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
    forms, n_forms = _form_codes(
        table,
        np.concatenate([gold.doc, pred.doc[off]]),
        np.concatenate([gold.start, pred.start[off]]),
        np.concatenate([gold.end, pred.end[off]]),
    )
    g_form = forms[: len(gold)]
    p_form = np.empty(len(pred), dtype=np.int64)
    p_form[on_gold] = g_form[order[at[on_gold]]]
    p_form[off] = forms[len(gold) :]
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
