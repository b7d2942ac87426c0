"""Matching figures, one document at a time: values within a relative tolerance, then unit, hedge and
source; one-to-one by maximum-weight assignment. Ties between pairings go by the rule of
``matching`` (``tie_levels``): the most correct qualifiers and sources, then the fewest wrong ones,
then the most correct qualifiers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from nkru_bench.gold.numbers import values_agree
from nkru_bench.scoring.assignment import assign, lexicographic
from nkru_bench.scoring.counts import (
    FigureCounts,
    Tally,
    UnitCounts,
    one_to_one,
)
from nkru_bench.scoring.matching import inside, paired, tie_levels

if TYPE_CHECKING:
    from nkru_bench.gold.records import Figure, Span
    from nkru_bench.scoring.predictions import PredFigure

FIGURE_REL_TOL = 1e-6


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


def figure_gold_key(g: Figure) -> tuple:
    return (g.start, g.end, g.value, g.unit, g.qualifier, g.source_id or "")


def figure_pred_key(p: PredFigure) -> tuple:
    return (
        p.start if p.start is not None else -1,
        p.end if p.end is not None else -1,
        p.value,
        p.unit,
        p.qualifier or "",
        p.source_id or "",
    )


def figure_tie_levels(g: Figure, p: PredFigure) -> tuple[int, int, int, int]:
    """``tie_levels`` of a matched pair: its qualifier, then its source_id."""
    return tie_levels(
        (p.qualifier is not None, p.qualifier == g.qualifier),
        (p.source_id is not None, p.source_id == g.source_id),
    )


def value_matches(gold: Sequence[Figure], pred: Sequence[PredFigure]) -> list[tuple[int, int]]:
    """The (gold index, pred index) pairs whose values match (``figure_matches`` without the unit)."""
    return [
        (gi, pi)
        for gi, g in enumerate(gold)
        for pi, p in enumerate(pred)
        if figure_matches(g, p, with_unit=False)
    ]


def figure_pairs(
    gold: Sequence[Figure], pred: Sequence[PredFigure], matches: list[tuple[int, int]], *, with_unit: bool
) -> list:
    """Most matches first; among those, by ``figure_tie_levels``. ``matches`` are the
    ``value_matches``; with the unit, those of them with the same unit."""
    most = min(len(gold), len(pred))
    weights = [[0] * len(pred) for _ in gold]
    for gi, pi in matches:
        if not with_unit or gold[gi].unit == pred[pi].unit:
            weights[gi][pi] = lexicographic((1, *figure_tie_levels(gold[gi], pred[pi])), 2, most)
    return paired(assign(weights), gold, pred)


def match_figures(
    gold: Sequence[Figure], pred: Sequence[PredFigure], boilerplate: Sequence[Span] = ()
) -> FigureCounts:
    """All figure counts of one document. Predictions with offsets wholly inside boilerplate are
    not scored."""
    kept = [p for p in pred if p.start is None or p.end is None or not inside(p.start, p.end, boilerplate)]
    gold_sorted, pred_sorted = sorted(gold, key=figure_gold_key), sorted(kept, key=figure_pred_key)
    matches = value_matches(gold_sorted, pred_sorted)
    if len({gi for gi, _ in matches}) == len({pi for _, pi in matches}) == len(matches):
        # no item in two matches: both pairings are these (as in ``_overlap_pairs``), no assignment
        value = paired(matches, gold_sorted, pred_sorted)
        value_unit = [(g, p) for g, p in value if g.unit == p.unit]
    else:  # pairs compete for a figure: assign
        value = figure_pairs(gold_sorted, pred_sorted, matches, with_unit=False)
        value_unit = figure_pairs(gold_sorted, pred_sorted, matches, with_unit=True)
    qualifier = [(g.qualifier, p.qualifier) for g, p in value_unit if p.qualifier is not None]
    source = [(g.source_id, p.source_id) for g, p in value_unit if p.source_id is not None]
    units = sorted({g.unit for g in gold} | {p.unit for p in kept})
    n_gold, n_pred = Counter(g.unit for g in gold), Counter(p.unit for p in kept)
    n_matched = Counter(g.unit for g, _ in value_unit)
    by_unit = tuple((u, UnitCounts(one_to_one(n_gold[u], n_pred[u], n_matched[u]))) for u in units)
    return FigureCounts(
        value=one_to_one(len(gold), len(kept), len(value)),
        value_unit=one_to_one(len(gold), len(kept), len(value_unit)),
        qualifier=Tally(
            sum(g == p for g, p in qualifier), len(qualifier), sum(p.qualifier is not None for p in kept)
        ),
        source=Tally(sum(g == p for g, p in source), len(source), sum(p.source_id is not None for p in kept)),
        by_unit=by_unit,
        ignored=len(pred) - len(kept),
    )
