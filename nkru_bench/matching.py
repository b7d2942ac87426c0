"""Matching predictions to gold, one document at a time: records in, counts out.

Everything here is pure: no I/O and no rates. Each function takes the gold records of one
document and the predicted records for it and returns small frozen count records; ``metrics``
turns sums of them into rates.

Matching is one-to-one and never depends on input order: both sides are put in a canonical order
and paired by a maximum-weight assignment (``scipy.optimize.linear_sum_assignment``), so a gold
item is matched at most once, a predicted item at most once, and shuffling the input changes
nothing.

Entities follow the four SemEval-2013 Task 9.1 schemes with the definitions of the ``nervaluate``
package (the overlap rule included: a predicted span overlaps a gold span when at least 1% of the
gold span is covered). ``nervaluate`` pairs greedily in input order; here every scheme takes, among
all one-to-one pairings, one with the most ``correct`` pairs and then the most ``incorrect`` (or
``partial``) pairs. The two agree whenever the greedy answer does not depend on the order
(``tests/test_matching.py`` checks this against the package).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import attrgetter

from nkru_bench.numbers import values_agree
from nkru_bench.predictions import PredEntity, PredFigure, PredStance
from nkru_bench.records import LABELS, Entity, Figure, Span, Stance

# nervaluate's default ``min_overlap_percentage``: the share of the gold span a prediction must cover.
MIN_OVERLAP_PERCENT = 1.0
FIGURE_REL_TOL = 1e-6
SCHEMES = ("strict", "exact", "partial", "ent_type")


# --- count records -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchemeCounts:
    """SemEval-2013 counts of one scheme: possible = correct + incorrect + partial + missed."""

    correct: int = 0
    incorrect: int = 0
    partial: int = 0
    missed: int = 0
    spurious: int = 0


@dataclass(frozen=True, slots=True)
class SetCounts:
    """Counts for P/R/F1 where recall counts gold items found and precision predicted items correct.

    For one-to-one matching ``found == correct``; document-level relaxed matching can differ.
    """

    gold: int = 0
    predicted: int = 0
    found: int = 0
    correct: int = 0


@dataclass(frozen=True, slots=True)
class Tally:
    """An attribute's accuracy counts: ``correct`` out of ``total`` matched items whose prediction
    gives the attribute; ``given`` counts all predictions that give it (0: not attempted)."""

    correct: int = 0
    total: int = 0
    given: int = 0


@dataclass(frozen=True, slots=True)
class Schemes:
    strict: SchemeCounts
    exact: SchemeCounts
    partial: SchemeCounts
    ent_type: SchemeCounts


@dataclass(frozen=True, slots=True)
class EntityCounts:
    strict: SchemeCounts
    exact: SchemeCounts
    partial: SchemeCounts
    ent_type: SchemeCounts
    relaxed: SetCounts
    lemma: Tally
    linking: Tally
    by_type: tuple[tuple[str, Schemes], ...]  # entity types seen in gold or predictions, sorted
    ignored: int = 0  # predictions inside boilerplate, not scored


@dataclass(frozen=True, slots=True)
class FigureCounts:
    value: SetCounts
    value_unit: SetCounts
    qualifier: Tally
    source: Tally
    by_unit: tuple[tuple[str, UnitCounts], ...]  # units seen in gold or predictions, sorted
    ignored: int = 0


@dataclass(frozen=True, slots=True)
class UnitCounts:
    value_unit: SetCounts


@dataclass(frozen=True, slots=True)
class Confusion:
    """Gold label x predicted label counts over matched (holder, target) pairs, in ``LABELS`` order."""

    cells: tuple[tuple[int, ...], ...] = tuple(tuple(0 for _ in LABELS) for _ in LABELS)


@dataclass(frozen=True, slots=True)
class StanceCounts:
    tuple: SetCounts
    pair: SetCounts
    label: Confusion
    by_target: tuple[tuple[str, StanceTargetCounts], ...]  # targets seen, sorted


@dataclass(frozen=True, slots=True)
class StanceTargetCounts:
    tuple: SetCounts
    pair: SetCounts


# --- one-to-one assignment -----------------------------------------------------------------------


def assign(weights: Sequence[Sequence[int]]) -> list[tuple[int, int]]:
    """Row/column pairs of a maximum-weight one-to-one assignment, only where the weight is > 0.

    Deterministic for a given matrix; callers build the matrix from canonically sorted items.
    """
    if not weights or not weights[0]:
        return []
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    matrix = np.asarray(weights, dtype=np.int64)
    if not matrix.any():
        return []
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return [(int(r), int(c)) for r, c in zip(rows, cols, strict=True) if matrix[r, c] > 0]


# --- entities ------------------------------------------------------------------------------------


def overlaps(pred_start: int, pred_end: int, gold_start: int, gold_end: int) -> bool:
    """nervaluate's rule: the prediction covers at least ``MIN_OVERLAP_PERCENT`` of the gold span.

    Computed as nervaluate does (it uses inclusive ends; the arithmetic is the same).
    """
    covered = min(pred_end, gold_end) - max(pred_start, gold_start)
    if covered <= 0:
        return False
    return (covered / (gold_end - gold_start)) * 100.0 >= MIN_OVERLAP_PERCENT


def _same_span(p: PredEntity, g: Entity) -> bool:
    return p.start == g.start and p.end == g.end


def _overlap(p: PredEntity, g: Entity) -> bool:
    return overlaps(p.start, p.end, g.start, g.end)


@dataclass(frozen=True)
class _Scheme:
    """A SemEval-2013 scheme as a table row: what a correct pair needs (the same boundaries, or only an
    overlap; the same type or any), and what any other overlapping pair counts as."""

    boundaries: str  # "same" or "overlap"
    same_type: bool
    other_kind: str  # "incorrect" or "partial"

    def correct(self, p: PredEntity, g: Entity) -> bool:
        span = _same_span(p, g) if self.boundaries == "same" else _overlap(p, g)
        return span and (not self.same_type or p.type == g.type)

    def other(self, p: PredEntity, g: Entity) -> bool:
        return _overlap(p, g)

    def correct_when_overlapping(self, same_span: bool, same_type: bool) -> bool:
        """``correct`` for a pair known to overlap, from whether its boundaries and types agree."""
        return (same_span or self.boundaries == "overlap") and (same_type or not self.same_type)


SCHEME_TABLE: dict[str, _Scheme] = {
    # same boundaries and type; any other overlap is incorrect
    "strict": _Scheme("same", True, "incorrect"),
    # same boundaries, any type; any other overlap is incorrect
    "exact": _Scheme("same", False, "incorrect"),
    # same boundaries, any type; any other overlap is partial (half a hit)
    "partial": _Scheme("same", False, "partial"),
    # overlap with the same type; an overlap with another type is incorrect
    "ent_type": _Scheme("overlap", True, "incorrect"),
}


_type = attrgetter("type")


def _gold_key(g: Entity) -> tuple:
    return (g.start, g.end, g.type, g.lemma, g.entity_id)


def _pred_key(p: PredEntity) -> tuple:
    return (p.start, p.end, p.type, p.lemma or "", p.entity_id or "")


def _scheme_pairs(
    scheme: str, gold: Sequence[Entity], pred: Sequence[PredEntity]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(correct pairs, other pairs) as (gold index, pred index); inputs already canonically sorted."""
    rule = SCHEME_TABLE[scheme]
    top = min(len(gold), len(pred)) + 1  # one correct pair outweighs any number of other pairs
    weights = [[top if rule.correct(p, g) else (1 if rule.other(p, g) else 0) for p in pred] for g in gold]
    pairs = assign(weights)
    correct = [(gi, pi) for gi, pi in pairs if weights[gi][pi] == top]
    other = [(gi, pi) for gi, pi in pairs if weights[gi][pi] == 1]
    return correct, other


def scheme_counts(scheme: str, gold: Sequence[Entity], pred: Sequence[PredEntity]) -> SchemeCounts:
    """The SemEval-2013 counts of one scheme for one document."""
    gold, pred = sorted(gold, key=_gold_key), sorted(pred, key=_pred_key)
    correct, other = _scheme_pairs(scheme, gold, pred)
    matched = len(correct) + len(other)
    kind = SCHEME_TABLE[scheme].other_kind
    return SchemeCounts(
        correct=len(correct),
        incorrect=len(other) if kind == "incorrect" else 0,
        partial=len(other) if kind == "partial" else 0,
        missed=len(gold) - matched,
        spurious=len(pred) - matched,
    )


def _schemes(gold: Sequence[Entity], pred: Sequence[PredEntity]) -> Schemes:
    return Schemes(*(scheme_counts(name, gold, pred) for name in SCHEMES))


def inside(start: int, end: int, spans: Sequence[Span]) -> bool:
    """Whether [start, end) lies wholly inside one of ``spans``."""
    return any(s.start <= start and end <= s.end for s in spans)


def _relaxed(text: str, gold: Sequence[Entity], pred: Sequence[PredEntity]) -> SetCounts:
    """BSNLP relaxed, document level.

    Recall: a gold entity (its ``entity_id`` in this document) is found when one of its mentions is
    predicted with exactly its boundaries and type. Precision: the predictions are the distinct
    (surface text, type) pairs; one is correct when one of its mentions is such an exact match.
    """
    exact_gold = {(g.start, g.end, g.type) for g in gold}
    exact_pred = {(p.start, p.end, p.type) for p in pred}
    entity_ids = {g.entity_id for g in gold}
    found_ids = {g.entity_id for g in gold if (g.start, g.end, g.type) in exact_pred}
    units: dict[tuple[str, str], bool] = {}
    for p in pred:
        key = (text[p.start : p.end], p.type)
        units[key] = units.get(key, False) or (p.start, p.end, p.type) in exact_gold
    return SetCounts(
        gold=len(entity_ids), predicted=len(units), found=len(found_ids), correct=sum(units.values())
    )


def _overlap_pairs(gold: Sequence[Entity], pred: Sequence[PredEntity]) -> list[tuple[int, int]] | None:
    """Every overlapping (gold index, pred index) pair, when the gold (sorted by start) is flat and
    no gold mention or prediction is in two of them; ``None`` otherwise.

    In every scheme a pair has a positive weight exactly when it overlaps, so when the overlapping
    pairs are disjoint, every maximum-weight assignment holds all of them and nothing else (one left
    out could be added): each scheme's pairing is these pairs, and its counts need no assignment.
    """
    for a, b in pairwise(gold):
        if b.start < a.end:
            return None
    ends = [g.end for g in gold]
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for pi, p in enumerate(pred):
        found = None
        gi = bisect_right(ends, p.start)  # the gold mentions before gi end before p starts
        while gi < len(gold) and gold[gi].start < p.end:
            if overlaps(p.start, p.end, gold[gi].start, gold[gi].end):
                if found is not None or gi in used:
                    return None
                found = gi
            gi += 1
        if found is not None:
            used.add(found)
            pairs.append((found, pi))
    return pairs


# Per scheme, whether an overlapping pair of each kind (2 * same span + same type) is correct.
CORRECT_KINDS = {
    name: tuple(rule.correct_when_overlapping(kind > 1, kind % 2 == 1) for kind in range(4))
    for name, rule in SCHEME_TABLE.items()
}


def _paired_schemes(pairs: list[tuple], n_gold: int, n_pred: int) -> Schemes:
    """The counts of every scheme when ``pairs`` (gold, pred) are its whole pairing (see
    ``_overlap_pairs``): every pair overlaps, so whether it is correct depends only on whether its
    boundaries and its types agree."""
    kinds = [0, 0, 0, 0]  # pairs by 2 * (same span) + (same type)
    for g, p in pairs:
        kinds[2 * (p.start == g.start and p.end == g.end) + (p.type == g.type)] += 1
    counts = []
    for name in SCHEMES:
        rule = SCHEME_TABLE[name]
        correct = sum(n for n, right in zip(kinds, CORRECT_KINDS[name], strict=True) if right)
        other = len(pairs) - correct
        counts.append(
            SchemeCounts(
                correct=correct,
                incorrect=other if rule.other_kind == "incorrect" else 0,
                partial=other if rule.other_kind == "partial" else 0,
                missed=n_gold - len(pairs),
                spurious=n_pred - len(pairs),
            )
        )
    return Schemes(*counts)


def match_entities(
    text: str, gold: Sequence[Entity], pred: Sequence[PredEntity], boilerplate: Sequence[Span] = ()
) -> EntityCounts:
    """All entity counts of one document. Predictions wholly inside boilerplate are not scored."""
    kept = [p for p in pred if not inside(p.start, p.end, boilerplate)] if boilerplate else list(pred)
    types = sorted({g.type for g in gold} | {p.type for p in kept})
    gold_by_start = sorted(gold, key=attrgetter("start"))
    overlapping = _overlap_pairs(gold_by_start, kept)
    if overlapping is None:  # pairs compete for a mention: assign, scheme by scheme
        gold_sorted, pred_sorted = sorted(gold, key=_gold_key), sorted(kept, key=_pred_key)
        strict_pairs = _pairs(_scheme_pairs("strict", gold_sorted, pred_sorted)[0], gold_sorted, pred_sorted)
        overall = _schemes(gold, kept)
        by_type = tuple(
            (t, _schemes([g for g in gold if g.type == t], [p for p in kept if p.type == t])) for t in types
        )
    else:  # each overlapping pair stands alone: every scheme pairs exactly these
        pairs = _pairs(overlapping, gold_by_start, kept)
        strict = SCHEME_TABLE["strict"].correct
        strict_pairs = [(g, p) for g, p in pairs if strict(p, g)]
        overall = _paired_schemes(pairs, len(gold), len(kept))
        n_gold, n_pred = Counter(map(_type, gold)), Counter(map(_type, kept))
        typed: dict[str, list[tuple]] = {}  # a type's sub-problem: the pairs whose sides both have it
        for g, p in pairs:
            if g.type == p.type:
                typed.setdefault(g.type, []).append((g, p))
        by_type = tuple((t, _paired_schemes(typed.get(t, []), n_gold[t], n_pred[t])) for t in types)
    lemma = [(g.lemma, p.lemma) for g, p in strict_pairs if p.lemma is not None]
    link = [(g.entity_id, p.entity_id) for g, p in strict_pairs if p.entity_id is not None]
    return EntityCounts(
        strict=overall.strict,
        exact=overall.exact,
        partial=overall.partial,
        ent_type=overall.ent_type,
        relaxed=_relaxed(text, gold, kept),
        lemma=Tally(sum(g == p for g, p in lemma), len(lemma), sum(p.lemma is not None for p in kept)),
        linking=Tally(sum(g == p for g, p in link), len(link), sum(p.entity_id is not None for p in kept)),
        by_type=by_type,
        ignored=len(pred) - len(kept),
    )


def _pairs(pairs: list[tuple[int, int]], gold: Sequence, pred: Sequence) -> list[tuple]:
    return [(gold[gi], pred[pi]) for gi, pi in pairs]


# --- figures -------------------------------------------------------------------------------------


def figure_matches(g: Figure, p: PredFigure, *, with_unit: bool) -> bool:
    """Values equal within ``FIGURE_REL_TOL``, the same unit if asked, and overlapping offsets
    where the prediction gives them (the gold always does)."""
    if not values_agree(g.value, p.value, FIGURE_REL_TOL):
        return False
    if with_unit and g.unit != p.unit:
        return False
    if p.start is not None and p.end is not None:
        return min(g.end, p.end) > max(g.start, p.start)
    return True


def _figure_gold_key(g: Figure) -> tuple:
    return (g.start, g.end, g.value, g.unit, g.qualifier, g.source_id or "")


def _figure_pred_key(p: PredFigure) -> tuple:
    return (
        p.start if p.start is not None else -1,
        p.end if p.end is not None else -1,
        p.value,
        p.unit,
        p.qualifier or "",
        p.source_id or "",
    )


def _agreement(g: Figure, p: PredFigure) -> int:
    return int(p.qualifier is not None and p.qualifier == g.qualifier) + int(
        p.source_id is not None and p.source_id == g.source_id
    )


def _value_matches(gold: Sequence[Figure], pred: Sequence[PredFigure]) -> list[tuple[int, int]]:
    """The (gold index, pred index) pairs whose values match (``figure_matches`` without the unit)."""
    return [
        (gi, pi)
        for gi, g in enumerate(gold)
        for pi, p in enumerate(pred)
        if figure_matches(g, p, with_unit=False)
    ]


def _figure_pairs(
    gold: Sequence[Figure], pred: Sequence[PredFigure], matches: list[tuple[int, int]], *, with_unit: bool
) -> list:
    """Most matches first; among those, the pairing that agrees most on qualifier and source.
    ``matches`` are the ``_value_matches``; with the unit, those of them with the same unit."""
    top = 2 * min(len(gold), len(pred)) + 1
    weights = [[0] * len(pred) for _ in gold]
    for gi, pi in matches:
        if not with_unit or gold[gi].unit == pred[pi].unit:
            weights[gi][pi] = top + _agreement(gold[gi], pred[pi])
    return _pairs(assign(weights), gold, pred)


def match_figures(
    gold: Sequence[Figure], pred: Sequence[PredFigure], boilerplate: Sequence[Span] = ()
) -> FigureCounts:
    """All figure counts of one document. Predictions with offsets wholly inside boilerplate are
    not scored."""
    kept = [p for p in pred if p.start is None or p.end is None or not inside(p.start, p.end, boilerplate)]
    gold_sorted, pred_sorted = sorted(gold, key=_figure_gold_key), sorted(kept, key=_figure_pred_key)
    matches = _value_matches(gold_sorted, pred_sorted)
    if len({gi for gi, _ in matches}) == len({pi for _, pi in matches}) == len(matches):
        # no item in two matches: both pairings are these (as in ``_overlap_pairs``), no assignment
        value = _pairs(matches, gold_sorted, pred_sorted)
        value_unit = [(g, p) for g, p in value if g.unit == p.unit]
    else:  # pairs compete for a figure: assign
        value = _figure_pairs(gold_sorted, pred_sorted, matches, with_unit=False)
        value_unit = _figure_pairs(gold_sorted, pred_sorted, matches, with_unit=True)
    qualifier = [(g.qualifier, p.qualifier) for g, p in value_unit if p.qualifier is not None]
    source = [(g.source_id, p.source_id) for g, p in value_unit if p.source_id is not None]
    units = sorted({g.unit for g in gold} | {p.unit for p in kept})
    n_gold, n_pred = Counter(g.unit for g in gold), Counter(p.unit for p in kept)
    n_matched = Counter(g.unit for g, _ in value_unit)
    by_unit = tuple((u, UnitCounts(_one_to_one(n_gold[u], n_pred[u], n_matched[u]))) for u in units)
    return FigureCounts(
        value=_one_to_one(len(gold), len(kept), len(value)),
        value_unit=_one_to_one(len(gold), len(kept), len(value_unit)),
        qualifier=Tally(
            sum(g == p for g, p in qualifier), len(qualifier), sum(p.qualifier is not None for p in kept)
        ),
        source=Tally(sum(g == p for g, p in source), len(source), sum(p.source_id is not None for p in kept)),
        by_unit=by_unit,
        ignored=len(pred) - len(kept),
    )


def _one_to_one(gold: int, predicted: int, matched: int) -> SetCounts:
    return SetCounts(gold=gold, predicted=predicted, found=matched, correct=matched)


# --- stance --------------------------------------------------------------------------------------


def match_stance(gold: Sequence[Stance], pred: Sequence[PredStance]) -> StanceCounts:
    """Stance counts of one document: a gold row and a prediction match on (holder_id, target)
    (``pair``), and also on ``label`` (``tuple``). Each side has at most one row per pair."""
    gold_labels = {(s.holder_id, s.target): s.label for s in gold}
    pred_labels = {(s.holder_id, s.target): s.label for s in pred}
    cells = [[0] * len(LABELS) for _ in LABELS]
    pairs, tuples = Counter(), Counter()  # by target
    for key in gold_labels.keys() & pred_labels.keys():
        g, p = gold_labels[key], pred_labels[key]
        cells[LABELS.index(g)][LABELS.index(p)] += 1
        pairs[key[1]] += 1
        tuples[key[1]] += int(g == p)
    n_gold, n_pred = Counter(t for _, t in gold_labels), Counter(t for _, t in pred_labels)
    targets = sorted({s.target for s in gold} | {s.target for s in pred})
    by_target = tuple(
        (
            t,
            StanceTargetCounts(
                tuple=_one_to_one(n_gold[t], n_pred[t], tuples[t]),
                pair=_one_to_one(n_gold[t], n_pred[t], pairs[t]),
            ),
        )
        for t in targets
    )
    return StanceCounts(
        tuple=_one_to_one(len(gold_labels), len(pred_labels), sum(tuples.values())),
        pair=_one_to_one(len(gold_labels), len(pred_labels), sum(pairs.values())),
        label=Confusion(tuple(tuple(row) for row in cells)),
        by_target=by_target,
    )


# --- item outcomes (for error analysis) ----------------------------------------------------------
#
# The same pairings as the counts above, item by item, so that a report can show every gold and
# predicted item with what the matching made of it. Relations to the counts of the same document
# (``tests/test_matching.py`` checks them; gold spans are flat, as the validator guarantees):
#
#   entities   correct == strict.correct            missed   == strict.missed == exact.missed
#              wrong_type + partial == strict.incorrect   spurious == strict.spurious
#              correct + wrong_type == exact.correct == partial.correct
#              partial == exact.incorrect == partial.partial        ignored == ignored
#   figures    matched == value_unit.correct        missed   == value_unit.gold - value_unit.found
#              spurious == value_unit.predicted - value_unit.correct    ignored == ignored
#   stance     correct == tuple.correct             correct + wrong_label == pair.correct
#              missed == pair.gold - pair.found     spurious == pair.predicted - pair.correct

ENTITY_OUTCOMES = ("correct", "wrong_type", "partial", "missed", "spurious", "ignored")
FIGURE_OUTCOMES = ("matched", "missed", "spurious", "ignored")
STANCE_OUTCOMES = ("correct", "wrong_label", "missed", "spurious")


@dataclass(frozen=True)
class Outcome:
    """A matched pair, an unmatched gold item (``pred`` None) or an unmatched prediction (``gold`` None),
    with what the matching made of it: one of ``ENTITY_OUTCOMES``, ``FIGURE_OUTCOMES`` or
    ``STANCE_OUTCOMES``."""

    kind: str
    gold: Entity | Figure | Stance | None
    pred: PredEntity | PredFigure | PredStance | None


def _unpaired(items: Sequence, pairs: list[tuple[int, int]], side: int) -> list:
    used = {pair[side] for pair in pairs}
    return [item for i, item in enumerate(items) if i not in used]


def entity_outcomes(
    gold: Sequence[Entity], pred: Sequence[PredEntity], boilerplate: Sequence[Span] = ()
) -> list[Outcome]:
    """Every gold and predicted entity of one document with its SemEval-2013 category.

    The strict pairing gives the ``correct`` pairs (same span and type); the rest is paired as the
    ``exact`` scheme pairs: the same span with another type is ``wrong_type``, another overlap is
    ``partial``; what is left is ``missed`` or ``spurious``. Predictions wholly inside boilerplate
    are ``ignored``. Sorted by position.
    """
    kept = [p for p in pred if not inside(p.start, p.end, boilerplate)]
    gold_sorted, pred_sorted = sorted(gold, key=_gold_key), sorted(kept, key=_pred_key)
    strict, _ = _scheme_pairs("strict", gold_sorted, pred_sorted)
    rest_gold, rest_pred = _unpaired(gold_sorted, strict, 0), _unpaired(pred_sorted, strict, 1)
    same_span, overlapping = _scheme_pairs("exact", rest_gold, rest_pred)
    out = [Outcome("correct", g, p) for g, p in _pairs(strict, gold_sorted, pred_sorted)]
    out += [Outcome("wrong_type", g, p) for g, p in _pairs(same_span, rest_gold, rest_pred)]
    out += [Outcome("partial", g, p) for g, p in _pairs(overlapping, rest_gold, rest_pred)]
    out += [Outcome("missed", g, None) for g in _unpaired(rest_gold, same_span + overlapping, 0)]
    out += [Outcome("spurious", None, p) for p in _unpaired(rest_pred, same_span + overlapping, 1)]
    out += [Outcome("ignored", None, p) for p in sorted(pred, key=_pred_key) if p not in kept]
    return sorted(out, key=_entity_outcome_key)


def _entity_outcome_key(o: Outcome) -> tuple:
    spans = [x for x in (o.gold, o.pred) if x is not None]
    return (
        min(x.start for x in spans),
        max(x.end for x in spans),
        ENTITY_OUTCOMES.index(o.kind),
        _gold_key(o.gold) if o.gold is not None else (),
        _pred_key(o.pred) if o.pred is not None else (),
    )


def figure_outcomes(
    gold: Sequence[Figure], pred: Sequence[PredFigure], boilerplate: Sequence[Span] = ()
) -> list[Outcome]:
    """Every gold and predicted figure of one document: ``matched`` (the ``value_unit`` pairing of
    ``match_figures``), ``missed``, ``spurious``, or ``ignored`` (offsets wholly inside boilerplate).
    Gold items in text order, then the predictions nobody matched."""
    kept = [p for p in pred if p.start is None or p.end is None or not inside(p.start, p.end, boilerplate)]
    gold_sorted, pred_sorted = sorted(gold, key=_figure_gold_key), sorted(kept, key=_figure_pred_key)
    pairs = _figure_pairs(gold_sorted, pred_sorted, _value_matches(gold_sorted, pred_sorted), with_unit=True)
    paired_gold = {id(g) for g, _ in pairs}
    paired_pred = {id(p) for _, p in pairs}
    out = [Outcome("matched", g, p) for g, p in pairs]
    out += [Outcome("missed", g, None) for g in gold_sorted if id(g) not in paired_gold]
    out += [Outcome("spurious", None, p) for p in pred_sorted if id(p) not in paired_pred]
    out += [Outcome("ignored", None, p) for p in sorted(pred, key=_figure_pred_key) if p not in kept]
    return sorted(out, key=_figure_outcome_key)


def _figure_outcome_key(o: Outcome) -> tuple:
    return (
        _figure_gold_key(o.gold) if o.gold is not None else (float("inf"),),
        FIGURE_OUTCOMES.index(o.kind),
        _figure_pred_key(o.pred) if o.pred is not None else (),
    )


def stance_outcomes(gold: Sequence[Stance], pred: Sequence[PredStance]) -> list[Outcome]:
    """Every gold and predicted stance row of one document, paired on (holder_id, target) as
    ``match_stance`` pairs them: ``correct`` (same label), ``wrong_label``, ``missed``, ``spurious``.
    Sorted by (holder_id, target)."""
    gold_rows = {(s.holder_id, s.target): s for s in gold}
    pred_rows = {(s.holder_id, s.target): s for s in pred}
    out = []
    for key in sorted(gold_rows.keys() | pred_rows.keys()):
        g, p = gold_rows.get(key), pred_rows.get(key)
        if g is None:
            out.append(Outcome("spurious", None, p))
        elif p is None:
            out.append(Outcome("missed", g, None))
        else:
            out.append(Outcome("correct" if g.label == p.label else "wrong_label", g, p))
    return out
