"""Counting: the match counts of every document at once, from columns (``tables``) to count matrices.

``matching`` is the definition: it matches one document's records. This module gives the same counts
for all documents together with array operations, so that scoring a large gold costs about as much
as reading it. Where a document's pairs compete (a prediction overlaps two gold mentions, two
predictions overlap one, two figures match one), a maximum-weight assignment is needed: figures are
assigned for every document at once (``assignment.choose_edges``, the weights of
``figure_matching``); entity documents whose pairs compete are counted by ``matching`` itself, from
records made of their columns. Everywhere else each overlapping pair stands alone (see
``matching._overlap_pairs``), and its counts follow from the pair's own attributes.
``tests/test_counting.py`` checks that both give the same counts.

A count matrix has a row per gold document and a column per flat count name (``metrics.flatten``),
every name the vocabularies allow (``KEYS``), so that no document's breakdown changes the columns.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from nkru_bench.gold.vocabularies import ENTITY_TYPES, LABELS, TARGETS, UNITS
from nkru_bench.scoring.assignment import choose_edges
from nkru_bench.scoring.contested import mentions, rows_by_doc, spans_of
from nkru_bench.scoring.counts import (
    SCHEMES,
    Confusion,
    EntityCounts,
    FigureCounts,
    SchemeCounts,
    Schemes,
    SetCounts,
    StanceCounts,
    StanceTargetCounts,
    Tally,
    UnitCounts,
)
from nkru_bench.scoring.figure_matching import FIGURE_REL_TOL
from nkru_bench.scoring.matching import (
    CORRECT_KINDS,
    MIN_OVERLAP_PERCENT,
    SCHEME_TABLE,
    match_entities,
)
from nkru_bench.scoring.metrics import flatten
from nkru_bench.scoring.relaxed import relaxed_columns
from nkru_bench.scoring.stance_relaxed import actors, count_relaxed
from nkru_bench.scoring.tables import (
    EntityColumns,
    FigureColumns,
    GoldTable,
    SpanColumns,
    StanceColumns,
    in_order,
)

# --- the columns of each task --------------------------------------------------------------------

_SCHEMES = Schemes(*(SchemeCounts() for _ in SCHEMES))
KEYS: dict[str, tuple[str, ...]] = {
    task: tuple(sorted(flatten(record)))
    for task, record in (
        (
            "entities",
            EntityCounts(
                *(SchemeCounts(),) * 4,
                SetCounts(),
                Tally(),
                Tally(),
                tuple((t, _SCHEMES) for t in ENTITY_TYPES),
            ),
        ),
        (
            "figures",
            FigureCounts(
                SetCounts(), SetCounts(), Tally(), Tally(), tuple((u, UnitCounts(SetCounts())) for u in UNITS)
            ),
        ),
        (
            "stance",
            StanceCounts(
                SetCounts(),
                SetCounts(),
                Confusion(),
                tuple((t, StanceTargetCounts(SetCounts(), SetCounts())) for t in TARGETS),
            ),
        ),
    )
}


class CountMatrix:
    """A task's counts being filled: a row per document, a column per name in ``KEYS[task]``."""

    def __init__(self, task: str, n_docs: int) -> None:
        self.keys = KEYS[task]
        self.index = {key: i for i, key in enumerate(self.keys)}
        self.data = np.zeros((n_docs, len(self.keys)), dtype=np.int64, order="F")  # filled a column at a time

    def put(self, name: str, values: np.ndarray) -> None:
        self.data[:, self.index[name]] = values

    def put_row(self, row: int, counts: dict[str, int]) -> None:
        """One document's counts from ``matching`` (flattened), in place of what was there."""
        self.data[row] = 0
        for name, value in counts.items():
            self.data[row, self.index[name]] = value


def _per_doc(doc: np.ndarray, n_docs: int) -> np.ndarray:
    """How many items each document has."""
    return np.bincount(doc, minlength=n_docs).astype(np.int64)


def _per_doc_and(doc: np.ndarray, key: np.ndarray, n_keys: int, n_docs: int) -> np.ndarray:
    """Counts by (document, key): shape ``(n_docs, n_keys)``."""
    return np.bincount(doc * n_keys + key, minlength=n_docs * n_keys).reshape(n_docs, n_keys)


def _sorted(columns: Any, keys: tuple[np.ndarray, ...]) -> Any:
    """``columns`` stably sorted by ``keys`` (the last the primary, as ``np.lexsort``); as they are
    when they already are (the gold usually is, and predictions written in document order)."""
    return columns if in_order(keys) else columns.take(np.lexsort(keys))


def inside_spans(doc: np.ndarray, start: np.ndarray, end: np.ndarray, spans: SpanColumns) -> np.ndarray:
    """Whether each [start, end) lies wholly inside one of its document's spans (``matching.inside``).

    Spans sorted by (document, start): the one that can hold an item is, among those that start at
    or before it, the one that reaches furthest, so a running maximum of the ends is all it takes."""
    if not len(spans) or not len(doc):
        return np.zeros(len(doc), dtype=bool)
    scale = int(max(spans.end.max(), end.max(), start.max())) + 1
    order = np.lexsort((spans.start, spans.doc))
    s_doc, s_start, s_end = spans.doc[order], spans.start[order], spans.end[order]
    reach = np.maximum.accumulate(s_doc * scale + s_end)  # an earlier document's reach is always less
    at = np.searchsorted(s_doc * scale + s_start, doc * scale + start, side="right") - 1
    ok = at >= 0
    at = np.maximum(at, 0)
    return ok & (s_doc[at] == doc) & (reach[at] >= doc * scale + end)


# --- entities ------------------------------------------------------------------------------------


def _scheme_columns(
    out: CountMatrix,
    prefix: str,
    kinds: np.ndarray,
    n_gold: np.ndarray,
    n_pred: np.ndarray,
) -> None:
    """A document's scheme counts when its overlapping pairs are its whole pairing (as
    ``matching._paired_schemes``): ``kinds[:, k]`` pairs of kind 2 * (same span) + (same type)."""
    pairs = kinds.sum(axis=1)
    for name in SCHEMES:
        rule = SCHEME_TABLE[name]
        correct = kinds[:, [k for k in range(4) if CORRECT_KINDS[name][k]]].sum(axis=1)
        other = pairs - correct
        out.put(f"{prefix}{name}.correct", correct)
        out.put(f"{prefix}{name}.incorrect", other if rule.other_kind == "incorrect" else 0)
        out.put(f"{prefix}{name}.partial", other if rule.other_kind == "partial" else 0)
        out.put(f"{prefix}{name}.missed", n_gold - pairs)
        out.put(f"{prefix}{name}.spurious", n_pred - pairs)


def _overlap(p_start: np.ndarray, p_end: np.ndarray, g_start: np.ndarray, g_end: np.ndarray) -> np.ndarray:
    """``matching.overlaps``, element by element, with the same float operations."""
    covered = np.minimum(p_end, g_end) - np.maximum(p_start, g_start)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (covered / (g_end - g_start)) * 100.0
    return (covered > 0) & (share >= MIN_OVERLAP_PERCENT)


def _entity_pairs(gold: EntityColumns, pred: EntityColumns, n_docs: int) -> tuple[np.ndarray, np.ndarray]:
    """(for each prediction the gold row it overlaps, or -1; the documents whose pairs compete).

    ``gold`` is sorted by (document, start). Where a document's gold is flat, the gold mentions a
    prediction can overlap are a run between two binary searches; only the first and the last of
    the run can miss the overlap rule (the others are wholly covered)."""
    contested = np.zeros(n_docs, dtype=bool)
    same_doc = gold.doc[1:] == gold.doc[:-1]
    contested[gold.doc[1:][same_doc & (gold.start[1:] < gold.end[:-1])]] = True  # gold not flat
    matched = np.full(len(pred), -1, dtype=np.int64)
    if not len(gold) or not len(pred):
        return matched, contested
    scale = int(max(gold.end.max(), pred.end.max())) + 1
    first = np.searchsorted(gold.doc * scale + gold.end, pred.doc * scale + pred.start, side="right")
    stop = np.searchsorted(gold.doc * scale + gold.start, pred.doc * scale + pred.end, side="left")
    n = np.maximum(stop - first, 0)
    last = np.clip(stop - 1, 0, len(gold) - 1)
    first_c = np.clip(first, 0, len(gold) - 1)
    hit_first = (n > 0) & _overlap(pred.start, pred.end, gold.start[first_c], gold.end[first_c])
    hit_last = (n > 1) & _overlap(pred.start, pred.end, gold.start[last], gold.end[last])
    hits = hit_first.astype(np.int64) + hit_last + np.maximum(n - 2, 0)
    one = hits == 1
    matched[one] = np.where(hit_first, first, np.where(n >= 3, first + 1, last))[one]
    contested[pred.doc[hits > 1]] = True
    used = np.bincount(matched[one], minlength=len(gold))
    contested[gold.doc[used > 1]] = True
    return matched, contested


def _distinct_per_doc(doc: np.ndarray, code: np.ndarray, n_docs: int) -> np.ndarray:
    """How many distinct codes each document has."""
    if not len(doc):
        return np.zeros(n_docs, dtype=np.int64)
    scale = int(code.max()) + 1
    keys = np.sort(doc * scale + code)
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    return _per_doc(keys[first] // scale, n_docs)


def count_entities(table: GoldTable, pred: EntityColumns) -> np.ndarray:
    """The entity count matrix (``KEYS["entities"]``) of every gold document."""
    n_docs, n_types = len(table.doc_ids), len(ENTITY_TYPES)
    out = CountMatrix("entities", n_docs)
    gold = _sorted(table.entities, (table.entities.start, table.entities.doc))
    ignored = inside_spans(pred.doc, pred.start, pred.end, table.boilerplate)
    out.put("ignored", _per_doc(pred.doc[ignored], n_docs))
    kept = pred.take(np.flatnonzero(~ignored)) if ignored.any() else pred
    kept = _sorted(kept, (kept.end, kept.start, kept.doc))
    matched, contested = _entity_pairs(gold, kept, n_docs)

    p = np.flatnonzero(matched >= 0)
    g = matched[p]
    same_span = (gold.start[g] == kept.start[p]) & (gold.end[g] == kept.end[p])
    same_type = gold.type[g] == kept.type[p]
    kind = 2 * same_span + same_type
    n_gold, n_pred = _per_doc(gold.doc, n_docs), _per_doc(kept.doc, n_docs)
    _scheme_columns(out, "", _per_doc_and(kept.doc[p], kind, 4, n_docs), n_gold, n_pred)
    typed = same_type  # a type's sub-problem: the pairs whose sides both have it
    by_type = _per_doc_and(
        kept.doc[p][typed] * n_types + kept.type[p][typed], kind[typed], 4, n_docs * n_types
    )
    gold_by_type = _per_doc_and(gold.doc, gold.type, n_types, n_docs)
    pred_by_type = _per_doc_and(kept.doc, kept.type, n_types, n_docs)
    by_type = by_type.reshape(n_docs, n_types, 4)
    for t, name in enumerate(ENTITY_TYPES):
        _scheme_columns(out, f"by_type.{name}.", by_type[:, t], gold_by_type[:, t], pred_by_type[:, t])

    strict = same_span & same_type
    for attribute in ("lemma", "entity_id"):
        mine, theirs = getattr(kept, attribute)[p][strict], getattr(gold, attribute)[g][strict]
        given = mine >= 0
        name = "lemma" if attribute == "lemma" else "linking"
        out.put(f"{name}.correct", _per_doc(kept.doc[p][strict][given & (mine == theirs)], n_docs))
        out.put(f"{name}.total", _per_doc(kept.doc[p][strict][given], n_docs))
        out.put(f"{name}.given", _per_doc(kept.doc[getattr(kept, attribute) >= 0], n_docs))

    # BSNLP relaxed exact, from the spans' text (``matching.relaxed_counts``)
    relaxed = relaxed_columns(table, gold, kept)
    for i, name in enumerate(("gold", "predicted", "found", "correct")):
        out.put(f"relaxed.{name}", relaxed[:, i])

    docs = np.flatnonzero(contested)
    gold_rows, pred_rows = rows_by_doc(table.entities.doc, docs), rows_by_doc(pred.doc, docs)
    spans = rows_by_doc(table.boilerplate.doc, docs)
    for doc in docs.tolist():
        counts = match_entities(
            table.text(doc),
            mentions(table, table.entities, gold_rows.get(doc, ())),
            mentions(table, pred, pred_rows.get(doc, ())),
            spans_of(table.boilerplate, spans.get(doc, ())),
        )
        out.put_row(doc, flatten(counts))
    return out.data


# --- figures -------------------------------------------------------------------------------------


def _pairs_within_docs(
    gold_doc: np.ndarray, pred_doc: np.ndarray, n_docs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Every (gold row, prediction row) of the same document; both sides sorted by document."""
    n_pred = _per_doc(pred_doc, n_docs)
    pred_first = np.concatenate([[0], np.cumsum(n_pred)[:-1]]) if n_docs else n_pred
    repeat = n_pred[gold_doc]
    gi = np.repeat(np.arange(len(gold_doc)), repeat)
    block_first = np.concatenate([[0], np.cumsum(repeat)[:-1]]) if len(repeat) else repeat
    pi = np.arange(len(gi)) - np.repeat(block_first, repeat) + np.repeat(pred_first[gold_doc], repeat)
    return gi.astype(np.int64), pi.astype(np.int64)


def _set_columns(
    out: CountMatrix,
    prefix: str,
    gold: np.ndarray,
    predicted: np.ndarray,
    matched: np.ndarray,
) -> None:
    for name, values in (("gold", gold), ("predicted", predicted), ("found", matched), ("correct", matched)):
        out.put(f"{prefix}.{name}", values)


def count_figures(table: GoldTable, pred: FigureColumns) -> np.ndarray:
    """The figure count matrix (``KEYS["figures"]``) of every gold document."""
    n_docs, n_units = len(table.doc_ids), len(UNITS)
    out = CountMatrix("figures", n_docs)
    gold = _sorted(table.figures, (table.figures.doc,))
    offsets = pred.start >= 0
    ignored = offsets & inside_spans(pred.doc, pred.start, pred.end, table.boilerplate)
    out.put("ignored", _per_doc(pred.doc[ignored], n_docs))
    rows = np.flatnonzero(~ignored)
    kept = pred.take(rows[np.argsort(pred.doc[rows], kind="stable")])

    gi, pi = _pairs_within_docs(gold.doc, kept.doc, n_docs)
    a, b = gold.value[gi], kept.value[pi]
    agree = (np.abs(a - b) <= FIGURE_REL_TOL * np.maximum(np.abs(a), np.abs(b))) | (a == b)
    given = kept.start[pi] >= 0
    overlap = np.minimum(gold.end[gi], kept.end[pi]) > np.maximum(gold.start[gi], kept.start[pi])
    match = agree & (~given | overlap)
    gi, pi = gi[match], pi[match]
    # ``figure_matching.match_figures``: value pairs, the most of them; value-and-unit pairs, the
    # most of them, then by ``figure_tie_levels``
    value = choose_edges(gi, pi, np.zeros((len(gi), 0), dtype=np.int64), 1, gold.doc[gi])
    same_unit = np.flatnonzero(gold.unit[gi] == kept.unit[pi])
    gu, pu = gi[same_unit], pi[same_unit]
    unit = same_unit[choose_edges(gu, pu, _figure_tie_levels(gold, kept, gu, pu), 2, gold.doc[gu])]
    gu, pu = gi[unit], pi[unit]

    doc = gold.doc[gu]
    n_gold, n_pred = _per_doc(gold.doc, n_docs), _per_doc(kept.doc, n_docs)
    _set_columns(out, "value", n_gold, n_pred, _per_doc(gold.doc[gi[value]], n_docs))
    _set_columns(out, "value_unit", n_gold, n_pred, _per_doc(doc, n_docs))
    for name, attribute in (("qualifier", "qualifier"), ("source", "source_id")):
        mine, theirs = getattr(kept, attribute)[pu], getattr(gold, attribute)[gu]
        told = mine >= 0
        out.put(f"{name}.correct", _per_doc(doc[told & (mine == theirs)], n_docs))
        out.put(f"{name}.total", _per_doc(doc[told], n_docs))
        out.put(f"{name}.given", _per_doc(kept.doc[getattr(kept, attribute) >= 0], n_docs))
    gold_by_unit = _per_doc_and(gold.doc, gold.unit, n_units, n_docs)
    pred_by_unit = _per_doc_and(kept.doc, kept.unit, n_units, n_docs)
    matched_by_unit = _per_doc_and(doc, gold.unit[gu], n_units, n_docs)
    for u, name in enumerate(UNITS):
        _set_columns(
            out, f"by_unit.{name}.value_unit", gold_by_unit[:, u], pred_by_unit[:, u], matched_by_unit[:, u]
        )
    return out.data


def _figure_tie_levels(
    gold: FigureColumns, pred: FigureColumns, gi: np.ndarray, pi: np.ndarray
) -> np.ndarray:
    """``figure_matching.figure_tie_levels`` of each pair (``matching.tie_levels``), one row a pair."""
    right, wrong = [], []
    for attribute in ("qualifier", "source_id"):
        mine, theirs = getattr(pred, attribute)[pi], getattr(gold, attribute)[gi]
        told = mine >= 0
        right.append(told & (mine == theirs))
        wrong.append(told & (mine != theirs))
    return np.stack(
        [
            right[0].astype(np.int64) + right[1],
            2 - wrong[0].astype(np.int64) - wrong[1],
            right[0],
            1 - wrong[0].astype(np.int64),
        ],
        axis=1,
    ).astype(np.int64)


# --- stance --------------------------------------------------------------------------------------


def _last_of_each(keys: np.ndarray) -> np.ndarray:
    """The rows of ``keys`` that are the last with their value (a dict built in order keeps those)."""
    _, last = np.unique(keys[::-1], return_index=True)
    return np.sort(len(keys) - 1 - last)


def count_stance(table: GoldTable, pred: StanceColumns) -> np.ndarray:
    """The stance count matrix (``KEYS["stance"]``) of every gold document (as
    ``stance_matching.match_stance`` counts it)."""
    n_docs, n_targets, n_labels = len(table.doc_ids), len(TARGETS), len(LABELS)
    out = CountMatrix("stance", n_docs)
    scale = (len(table.codes) + 1) * n_targets

    def keyed(rows: StanceColumns) -> tuple[StanceColumns, np.ndarray]:
        keys = rows.doc * scale + rows.holder_id * n_targets + rows.target
        kept = _last_of_each(keys)
        return rows.take(kept), keys[kept]

    gold, gold_keys = keyed(table.stance)
    kept, pred_keys = keyed(pred)
    _, gi, pi = np.intersect1d(gold_keys, pred_keys, assume_unique=True, return_indices=True)
    doc, g_label, p_label = gold.doc[gi], gold.label[gi], kept.label[pi]
    same = g_label == p_label
    n_gold, n_pred = _per_doc(gold.doc, n_docs), _per_doc(kept.doc, n_docs)
    _set_columns(out, "tuple", n_gold, n_pred, _per_doc(doc[same], n_docs))
    _set_columns(out, "pair", n_gold, n_pred, _per_doc(doc, n_docs))
    cells = _per_doc_and(doc, g_label * n_labels + p_label, n_labels * n_labels, n_docs)
    for i, g in enumerate(LABELS):
        for j, q in enumerate(LABELS):
            out.put(f"label.{g}.{q}", cells[:, i * n_labels + j])
    target = gold.target[gi]
    gold_by, pred_by = (
        _per_doc_and(gold.doc, gold.target, n_targets, n_docs),
        _per_doc_and(kept.doc, kept.target, n_targets, n_docs),
    )
    pairs_by, tuples_by = (
        _per_doc_and(doc, target, n_targets, n_docs),
        _per_doc_and(doc[same], target[same], n_targets, n_docs),
    )
    relaxed = count_relaxed(
        (gold.doc, gold.holder_id, gold.target, gold.label),
        (kept.doc, kept.holder_id, kept.target, kept.label),
        actors(len(table.codes), table.acts_for),
        n_docs,
        n_targets,
        n_labels,
    )
    for measure in ("relaxed_tuple", "relaxed_pair"):
        _set_columns(out, measure, n_gold, n_pred, relaxed[measure])
    for t, name in enumerate(TARGETS):
        _set_columns(out, f"by_target.{name}.tuple", gold_by[:, t], pred_by[:, t], tuples_by[:, t])
        _set_columns(out, f"by_target.{name}.pair", gold_by[:, t], pred_by[:, t], pairs_by[:, t])
        for measure in ("relaxed_tuple", "relaxed_pair"):
            matched = relaxed[f"by_target.{measure}"][:, t]
            _set_columns(out, f"by_target.{name}.{measure}", gold_by[:, t], pred_by[:, t], matched)
    return out.data


COUNTERS: dict[str, Callable[[GoldTable, Sequence], np.ndarray]] = {
    "entities": count_entities,
    "figures": count_figures,
    "stance": count_stance,
}
