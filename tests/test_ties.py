"""The tie rule: where several one-to-one pairings have the same weight, no number depends on how ids or
values sort, on the input order, or on predictions that compete with nothing.

The rule (``matching.tie_levels``): among the maximum-weight pairings, the most correct attributes
(lemma and entity_id of strict entity pairs; qualifier and source_id of figure pairs), then the fewest
wrong ones, then the most correct lemmas (qualifiers). The assignment itself is exact
(``assignment.assign`` equals scipy's optimum).
"""

from __future__ import annotations

import numpy as np
from factories import entity, figure
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from nkru_bench.scoring.assignment import assign, lexicographic
from nkru_bench.scoring.figure_matching import match_figures
from nkru_bench.scoring.matching import match_entities
from nkru_bench.scoring.metrics import flatten
from nkru_bench.scoring.predictions import PredEntity, PredFigure

TEXT = "Kim Čong-un poslal vojáky do Ruska a Soul to potvrdil " * 2
HALF = len(TEXT) // 2


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.integers(0, 9), min_size=1, max_size=7), min_size=1, max_size=7))
def test_assignment_reaches_the_optimum(rows: list[list[int]]) -> None:
    width = min(len(r) for r in rows)
    weights = [r[:width] for r in rows]
    pairs = assign(weights)
    assert len({r for r, _ in pairs}) == len(pairs) == len({c for _, c in pairs})
    assert all(weights[r][c] > 0 for r, c in pairs)
    matrix = np.array(weights)
    r, c = linear_sum_assignment(matrix, maximize=True)
    assert sum(weights[r][c] for r, c in pairs) == matrix[r, c].sum()


def test_lexicographic_weights_order_pairings_level_by_level() -> None:
    """Two pairs at most, levels in 0..2: one unit of a level beats both pairs' maximum of the next."""
    assert lexicographic((1, 0), 2, 2) > lexicographic((0, 2), 2, 2) + lexicographic((0, 2), 2, 2)


# --- the cases ---------------------------------------------------------------------------

KIM = entity(TEXT, 0, 11, "PER", "PER-Kim-Jong-un", "Kim Čong-un")
SOUL = entity(TEXT, 37, 41, "LOC", "GPE-Seoul", "Soul")


def test_linking_does_not_depend_on_how_a_wrong_id_sorts() -> None:
    """Two predictions of Kim's span and type, one with the right id and one with a wrong id: the
    right one is paired whether the wrong id sorts first ("A-...") or last ("Z-...")."""
    for wrong in ("A-wrong", "Z-wrong"):
        pred = [
            PredEntity(start=0, end=11, type="PER", lemma="Kim Čong-un", entity_id=wrong),
            PredEntity(start=0, end=11, type="PER", lemma="Kim Čong-un", entity_id="PER-Kim-Jong-un"),
        ]
        counts = match_entities(TEXT, [KIM], pred)
        assert (counts.linking.correct, counts.linking.total) == (1, 1)
        assert (counts.strict.correct, counts.strict.spurious) == (1, 1)


def test_a_lemma_and_an_id_tie_goes_to_fewer_wrong_then_to_the_lemma() -> None:
    """One prediction right on the lemma and wrong on the id, one right on the id and giving no
    lemma: one correct attribute each; the second has no wrong one, so it is paired."""
    pred = [
        PredEntity(start=0, end=11, type="PER", lemma="Kim Čong-un", entity_id="PER-Other"),
        PredEntity(start=0, end=11, type="PER", entity_id="PER-Kim-Jong-un"),
    ]
    counts = match_entities(TEXT, [KIM], pred)
    assert (counts.lemma.correct, counts.lemma.total) == (0, 0)
    assert (counts.linking.correct, counts.linking.total) == (1, 1)


def test_figure_attributes_do_not_depend_on_which_tied_prediction_sorts_first() -> None:
    """Two predictions of the gold value: the one with the right qualifier and source is paired,
    whatever the wrong source is called."""
    gold = [figure(TEXT, 0, 11, 12000.0, qualifier="at_most", source_id="ORG-NIS")]
    for wrong in ("A-source", "Z-source"):
        pred = [
            PredFigure(value=12000.0, unit="person", qualifier="at_most", source_id="ORG-NIS"),
            PredFigure(value=12000.0, unit="person", qualifier="at_most", source_id=wrong),
        ]
        counts = match_figures(gold, pred)
        assert (counts.qualifier.correct, counts.qualifier.total) == (1, 1)
        assert (counts.source.correct, counts.source.total) == (1, 1)


# --- the invariances, with Hypothesis ------------------------------------------------------------

IDS = ("PER-Kim-Jong-un", "GPE-Seoul", "A-wrong", "M-wrong", "Z-wrong")


@st.composite
def entity_case(draw: st.DrawFn, lo: int, hi: int) -> tuple[list, list]:
    """Flat gold in [lo, hi) and up to 5 predictions near or over it, attributes right, wrong or absent."""
    cuts = sorted(draw(st.sets(st.integers(lo, hi), min_size=0, max_size=6)))
    gold = [
        entity(TEXT, a, b, draw(st.sampled_from(("PER", "LOC"))), draw(st.sampled_from(IDS[:2])), TEXT[a:b])
        for a, b in zip(cuts[::2], cuts[1::2], strict=False)
        if b > a
    ]
    pred = []
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(lo, hi - 1))
        end = draw(st.integers(start + 1, hi))
        lemma = draw(st.sampled_from((None, "wrong", TEXT[start:end])))
        pred.append(
            PredEntity(
                start=start,
                end=end,
                type=draw(st.sampled_from(("PER", "LOC"))),
                lemma=lemma,
                entity_id=draw(st.sampled_from((None, *IDS))),
            )
        )
    return gold, pred


def _counts(gold: list, pred: list) -> dict[str, int]:
    """Every count but BSNLP relaxed's, which is over a document's distinct forms by definition."""
    counts = flatten(match_entities(TEXT, gold, pred))
    return {k: v for k, v in counts.items() if not k.startswith("relaxed.")}


def _sum(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in a.keys() | b.keys() if a.get(k, 0) + b.get(k, 0)}


def _nonzero(a: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in a.items() if v}


@settings(max_examples=300, deadline=None)
@given(entity_case(0, 24), st.permutations(range(3)), st.data())
def test_renaming_wrong_ids_and_reordering_change_nothing(case, perm, data) -> None:
    """Wrong ids renamed among themselves (so that they sort otherwise) and predictions shuffled:
    every count is the same."""
    gold, pred = case
    wrong = list(IDS[2:])
    renaming = dict(zip(wrong, [wrong[i] for i in perm], strict=True))
    renamed = [p.model_copy(update={"entity_id": renaming.get(p.entity_id, p.entity_id)}) for p in pred]
    shuffled = data.draw(st.permutations(renamed))
    assert _counts(gold, shuffled) == _counts(gold, pred)


@settings(max_examples=300, deadline=None)
@given(entity_case(0, HALF - 1), entity_case(HALF, len(TEXT)))
def test_unrelated_predictions_change_nothing_else(a, b) -> None:
    """Two halves of a text compete with nothing across them: the counts of the whole are the sums
    of the halves' counts, lemma and linking included, whatever either half holds. (Before the rule,
    removing an unrelated correct prediction could change which of two tied predictions was paired.)"""
    (gold_a, pred_a), (gold_b, pred_b) = a, b
    whole = _nonzero(_counts(gold_a + gold_b, pred_a + pred_b))
    assert whole == _sum(_counts(gold_a, pred_a), _counts(gold_b, pred_b))


@st.composite
def figure_case(draw: st.DrawFn) -> tuple[list, list]:
    values = (1000.0, 12000.0)
    gold = [
        figure(
            TEXT, 10 * i, 10 * i + 5, draw(st.sampled_from(values)), qualifier="at_most", source_id="ORG-NIS"
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    pred = [
        PredFigure(
            value=draw(st.sampled_from(values)),
            unit="person",
            qualifier=draw(st.sampled_from((None, "at_most", "exact"))),
            source_id=draw(st.sampled_from((None, "ORG-NIS", "A-wrong", "Z-wrong"))),
        )
        for _ in range(draw(st.integers(0, 4)))
    ]
    return gold, pred


@settings(max_examples=300, deadline=None)
@given(figure_case(), st.data())
def test_figure_counts_do_not_depend_on_names_or_order(case, data) -> None:
    gold, pred = case
    swap = {"A-wrong": "Z-wrong", "Z-wrong": "A-wrong"}
    renamed = [p.model_copy(update={"source_id": swap.get(p.source_id, p.source_id)}) for p in pred]
    assert match_figures(gold, data.draw(st.permutations(renamed))) == match_figures(gold, pred)
