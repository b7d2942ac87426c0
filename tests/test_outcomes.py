"""Item outcomes (``outcomes.entity_outcomes`` and friends): what the error report shows.

The report must agree with the JSON result, so every per-kind total is checked against the counts
of the same matching: the relations documented in ``nkru_bench/scoring/matching.py``.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from factories import (
    KIM,
    NATO,
    RUSKO,
    figure,
    golds,
    pred_entity,
    random_predictions,
    seeds,
    stance,
)
from hypothesis import given, settings
from report_dom import expected_totals

from nkru_bench.gold.records import Span
from nkru_bench.scoring.outcomes import (
    ENTITY_OUTCOMES,
    FIGURE_OUTCOMES,
    STANCE_OUTCOMES,
    entity_outcomes,
    figure_outcomes,
    stance_outcomes,
)
from nkru_bench.scoring.predictions import PredFigure, PredStance
from nkru_bench.scoring.scorer import score


def kinds(outcomes) -> list[str]:
    return [o.kind for o in outcomes]


@pytest.mark.parametrize(
    ("case", "pred", "expected"),
    [
        ("exact span, same type", [pred_entity(0, 11, "PER")], ["correct"]),
        ("exact span, other type", [pred_entity(0, 11, "ORG")], ["wrong_type"]),
        ("overlap, same type", [pred_entity(4, 11, "PER")], ["partial"]),
        ("overlap, other type", [pred_entity(4, 20, "LOC")], ["partial"]),
        ("no overlap", [pred_entity(12, 18, "PER")], ["missed", "spurious"]),
        ("nothing predicted", [], ["missed"]),
        (
            "a correct pair wins over an overlap",
            [pred_entity(0, 5), pred_entity(0, 11)],
            ["spurious", "correct"],
        ),
        (
            "the same span wins over an overlap",
            [pred_entity(0, 5), pred_entity(0, 11, "LOC")],
            ["spurious", "wrong_type"],
        ),
    ],
)
def test_entity_scenarios(case: str, pred, expected: list[str]) -> None:
    """One gold entity (Kim Čong-un, PER, 0-11); outcomes in text order (start, then end)."""
    found = entity_outcomes([KIM], pred)
    assert kinds(found) == expected, case
    assert all(o.gold is KIM for o in found if o.gold is not None)


def test_entity_outcomes_carry_both_sides_and_come_in_text_order() -> None:
    pred = [pred_entity(42, 46, "LOC"), pred_entity(60, 64, "ORG"), pred_entity(0, 11)]
    found = entity_outcomes([NATO, KIM, RUSKO], pred)
    assert kinds(found) == ["correct", "missed", "wrong_type", "spurious"]
    assert (found[2].gold, found[2].pred) == (NATO, pred[0])
    assert found[1].pred is None and found[3].gold is None


def test_entities_inside_boilerplate_are_ignored() -> None:
    pred = [pred_entity(0, 11), pred_entity(60, 64, "ORG")]
    found = entity_outcomes([KIM], pred, [Span(start=55, end=70)])
    assert kinds(found) == ["correct", "ignored"]


def test_figure_outcomes() -> None:
    text = "až 12 000 vojáků a 1,6 mln granátů" + " " * 20
    troops = figure(text, 3, 9, 12000.0, "person", "at_most", "ORG-NIS")
    shells = figure(text, 19, 26, 1.6e6, "munition")
    pred = [
        PredFigure(value=12000, unit="person", qualifier="at_most"),
        PredFigure(value=1.6e6, unit="missile"),
    ]
    found = figure_outcomes([troops, shells], pred)
    assert kinds(found) == ["matched", "missed", "spurious"]
    assert (found[0].gold, found[0].pred) == (troops, pred[0])
    assert found[2].pred == pred[1]


def test_stance_outcomes() -> None:
    gold = [stance("ORG-NATO"), stance("PER-Putin", label="against"), stance("ORG-UN", "nk_arms_to_russia")]
    pred = [
        PredStance(holder_id="ORG-NATO", target="nk_troops_in_russia", label="favor"),
        PredStance(holder_id="PER-Putin", target="nk_troops_in_russia", label="favor"),
        PredStance(holder_id="PER-Kim", target="russia_nk_alliance", label="favor"),
    ]
    found = stance_outcomes(gold, pred)
    assert [(o.kind, (o.gold or o.pred).holder_id) for o in found] == [
        ("correct", "ORG-NATO"),
        ("missed", "ORG-UN"),
        ("spurious", "PER-Kim"),
        ("wrong_label", "PER-Putin"),
    ]


def test_degenerate() -> None:
    assert entity_outcomes([], []) == [] and figure_outcomes([], []) == [] and stance_outcomes([], []) == []


def _totals(result, gold, predictions) -> dict[str, Counter]:
    totals = {"entities": Counter(), "figures": Counter(), "stance": Counter()}
    for doc, pred in zip(gold.documents, predictions, strict=True):
        totals["entities"].update(kinds(entity_outcomes(doc.entities, pred.entities, doc.boilerplate)))
        totals["figures"].update(kinds(figure_outcomes(doc.figures, pred.figures, doc.boilerplate)))
        totals["stance"].update(kinds(stance_outcomes(doc.stance, pred.stance)))
    return totals


@settings(max_examples=60, deadline=None)
@given(golds(), seeds)
def test_per_kind_totals_equal_the_result_counts(gold, seed) -> None:
    predictions = random_predictions(seed, gold)
    result = score(predictions, gold, resamples=0).to_json()
    expected = expected_totals(result)
    found = _totals(result, gold, predictions)
    vocabularies = {"entities": ENTITY_OUTCOMES, "figures": FIGURE_OUTCOMES, "stance": STANCE_OUTCOMES}
    for task, vocabulary in vocabularies.items():
        assert {k: found[task][k] for k in vocabulary} == expected[task], task
    e = result["entities"]
    assert (
        found["entities"]["wrong_type"] + found["entities"]["partial"] == e["strict"]["counts"]["incorrect"]
    )
    assert found["entities"]["partial"] == e["exact"]["counts"]["incorrect"]
    assert found["entities"]["missed"] == e["exact"]["counts"]["missed"]


@settings(max_examples=30, deadline=None)
@given(golds(max_docs=2), seeds)
def test_outcomes_do_not_depend_on_the_order(gold, seed) -> None:
    rnd = random.Random(seed)
    for doc, pred in zip(gold.documents, random_predictions(seed, gold), strict=True):
        shuffled = list(pred.entities)
        rnd.shuffle(shuffled)
        assert entity_outcomes(doc.entities, shuffled, doc.boilerplate) == entity_outcomes(
            doc.entities, pred.entities, doc.boilerplate
        )
        figures = list(pred.figures)
        rnd.shuffle(figures)
        assert figure_outcomes(doc.figures, figures) == figure_outcomes(doc.figures, pred.figures)
