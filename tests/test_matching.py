"""Matching: table tests per scheme and task, order independence, and a differential test
against the ``nervaluate`` package."""

from __future__ import annotations

import itertools
import random

import pytest
from factories import KIM, NATO, RUSKO, entity, figure, flat_spans, pred_entity, stance
from nervaluate import Evaluator
from nervaluate.entities import Entity as NvEntity
from nervaluate.strategies import EntityTypeEvaluation, ExactEvaluation, PartialEvaluation, StrictEvaluation

from nkru_bench.gold.records import ENTITY_TYPES, Span
from nkru_bench.scoring.counts import SCHEMES, Confusion, SchemeCounts, SetCounts, Tally
from nkru_bench.scoring.figure_matching import match_figures
from nkru_bench.scoring.matching import match_entities, scheme_counts
from nkru_bench.scoring.predictions import PredFigure, PredStance
from nkru_bench.scoring.stance_matching import match_stance

GOLD = [KIM, RUSKO, NATO]

C, I, P, M, S = (  # noqa: E741
    SchemeCounts(correct=1),
    SchemeCounts(incorrect=1),
    SchemeCounts(partial=1),
    SchemeCounts(missed=1),
    SchemeCounts(spurious=1),
)


def counts(gold, pred) -> dict[str, SchemeCounts]:
    return {scheme: scheme_counts(scheme, gold, pred) for scheme in SCHEMES}


# The SemEval-2013 scenarios (Segura-Bedmar et al. 2013; nervaluate's README), one gold entity each.
@pytest.mark.parametrize(
    ("case", "pred", "expected"),
    [
        ("exact span, same type", [pred_entity(0, 11, "PER")], (C, C, C, C)),
        ("exact span, other type", [pred_entity(0, 11, "ORG")], (I, C, C, I)),
        ("overlap, same type", [pred_entity(4, 11, "PER")], (I, I, P, C)),
        ("overlap, other type", [pred_entity(4, 20, "LOC")], (I, I, P, I)),
        ("no overlap", [pred_entity(12, 18, "PER")], (SchemeCounts(missed=1, spurious=1),) * 4),
        ("nothing predicted", [], (M, M, M, M)),
    ],
)
def test_semeval_scenarios(case: str, pred, expected) -> None:
    assert counts([KIM], pred) == dict(zip(SCHEMES, expected, strict=True)), case


def test_spurious_only() -> None:
    assert counts([], [pred_entity(0, 11)]) == dict.fromkeys(SCHEMES, S)


def test_empty_document() -> None:
    assert counts([], []) == dict.fromkeys(SCHEMES, SchemeCounts())


def test_all_right_and_all_wrong() -> None:
    right = [pred_entity(e.start, e.end, e.type) for e in GOLD]
    assert counts(GOLD, right) == dict.fromkeys(SCHEMES, SchemeCounts(correct=3))
    wrong = [pred_entity(60, 65), pred_entity(70, 75), pred_entity(80, 85)]
    assert counts(GOLD, wrong) == dict.fromkeys(SCHEMES, SchemeCounts(missed=3, spurious=3))


def test_overlap_threshold_is_one_percent_of_the_gold_span() -> None:
    long_text = "a" * 300
    gold = [entity(long_text, 0, 200, "ORG")]
    one_char = scheme_counts("strict", gold, [pred_entity(199, 250, "ORG")])  # 0.5 % of the gold span
    two_chars = scheme_counts("strict", gold, [pred_entity(198, 250, "ORG")])  # 1 %
    assert one_char == SchemeCounts(missed=1, spurious=1)
    assert two_chars == SchemeCounts(incorrect=1)


def test_a_correct_pair_wins_over_an_overlap_whatever_the_order() -> None:
    """nervaluate pairs greedily in input order: given [overlapping, exact] it counts the first as
    incorrect (taking the gold entity) and the exact one as spurious; given [exact, overlapping] it
    counts one correct and one spurious (its issues #39, #40, #84). Here both orders give the
    latter: among all one-to-one pairings, the one with the most correct pairs."""
    overlapping, exact = pred_entity(0, 5, "PER"), pred_entity(0, 11, "PER")
    expected = SchemeCounts(correct=1, spurious=1)
    assert scheme_counts("strict", [KIM], [overlapping, exact]) == expected
    assert scheme_counts("strict", [KIM], [exact, overlapping]) == expected
    greedy = [
        _nervaluate([[KIM]], [[p, q]])["strict"] for p, q in ((overlapping, exact), (exact, overlapping))
    ]
    assert greedy == [SchemeCounts(incorrect=1, spurious=1), expected]


def test_where_nervaluate_depends_on_the_input_order() -> None:
    """README, "Where nervaluate differs" (1): Kim's exact span with the wrong type and a prediction
    inside it with the right type. nervaluate pairs the first in input order, in every scheme; here
    each scheme takes its best pairing: ``exact`` the exact span, ``ent_type`` the right type."""
    wrong_type, inside = pred_entity(0, 11, "LOC"), pred_entity(4, 11, "PER")
    orders = ((wrong_type, inside), (inside, wrong_type))
    nervaluate = [_nervaluate([[KIM]], [list(order)]) for order in orders]
    assert nervaluate[0]["exact"] == SchemeCounts(correct=1, spurious=1)
    assert nervaluate[1]["exact"] == SchemeCounts(incorrect=1, spurious=1)
    assert nervaluate[0]["partial"] == SchemeCounts(correct=1, spurious=1)
    assert nervaluate[1]["partial"] == SchemeCounts(partial=1, spurious=1)
    assert nervaluate[0]["ent_type"] == SchemeCounts(incorrect=1, spurious=1)
    assert nervaluate[1]["ent_type"] == SchemeCounts(correct=1, spurious=1)
    for order in orders:
        ours = counts([KIM], list(order))
        assert ours["exact"] == ours["ent_type"] == SchemeCounts(correct=1, spurious=1)


def test_where_nervaluate_differs_on_flat_predictions() -> None:
    """README, "Where nervaluate differs" (2): flat predictions, the first of the wrong type, the
    second of the right type, both overlapping one gold mention. nervaluate's ``ent_type`` pairs the
    first (incorrect); ours pairs the second (correct). strict, exact and partial agree."""
    first, second = pred_entity(0, 3, "LOC"), pred_entity(4, 11, "PER")
    nervaluate, ours = _nervaluate([[KIM]], [[first, second]]), counts([KIM], [first, second])
    assert nervaluate["ent_type"] == SchemeCounts(incorrect=1, spurious=1)
    assert ours["ent_type"] == SchemeCounts(correct=1, spurious=1)
    assert all(nervaluate[s] == ours[s] for s in ("strict", "exact", "partial"))


def test_one_prediction_spanning_two_gold_entities_matches_one() -> None:
    text = "Soul a Washington" + " " * 20
    gold = [entity(text, 0, 4, "LOC"), entity(text, 7, 17, "LOC")]
    assert scheme_counts("ent_type", gold, [pred_entity(0, 17, "LOC")]) == SchemeCounts(correct=1, missed=1)


def test_relaxed_lemma_linking() -> None:
    text = "NATO a NATO a Soul" + " " * 20
    gold = [
        entity(text, 0, 4, "ORG", "ORG-NATO"),
        entity(text, 7, 11, "ORG", "ORG-NATO"),
        entity(text, 14, 18, "LOC"),
    ]
    pred = [
        pred_entity(0, 4, "ORG", lemma="NATO", entity_id="ORG-NATO"),  # strict match, right lemma and id
        pred_entity(7, 11, "ORG", lemma="Nato"),  # strict match, wrong lemma, no id given
        pred_entity(14, 17, "LOC", entity_id="LOC-Soul"),  # overlap only: not in lemma/linking
    ]
    result = match_entities(text, gold, pred)
    # BSNLP relaxed exact: gold entities (ORG, ORG-NATO) found by the form "nato", (LOC, LOC-Soul) not;
    # predicted forms: ORG "nato" (twice, counted once), LOC "sou" (no gold form): P = 1 / (1 + 1)
    assert result.relaxed == SetCounts(gold=2, predicted=2, found=1, correct=1)
    assert result.lemma == Tally(correct=1, total=2, given=2)
    assert result.linking == Tally(correct=1, total=1, given=2)
    assert [t for t, _ in result.by_type] == ["LOC", "ORG"]


def test_predictions_inside_boilerplate_are_not_scored() -> None:
    text = "Kim " + "Read more: NATO" + " " * 20
    gold = [entity(text, 0, 3, "PER")]
    pred = [pred_entity(0, 3), pred_entity(15, 19, "ORG")]
    assert match_entities(text, gold, pred).strict == SchemeCounts(correct=1, spurious=1)
    result = match_entities(text, gold, pred, [Span(start=4, end=19)])
    assert result.strict == SchemeCounts(correct=1)
    assert result.ignored == 1


# --- figures -------------------------------------------------------------------------------------

FTEXT = "až 12 000 vojáků a 1,6 mln granátů" + " " * 20
TROOPS = figure(FTEXT, 3, 9, 12000.0, "person", "at_most", "ORG-NIS")
SHELLS = figure(FTEXT, 19, 26, 1.6e6, "munition", "exact", None)


@pytest.mark.parametrize(
    ("case", "pred", "value", "value_unit"),
    [
        ("exact", [PredFigure(value=12000, unit="person", start=3, end=9)], 1, 1),
        ("no offsets", [PredFigure(value=12000, unit="person")], 1, 1),
        ("within 1e-6", [PredFigure(value=12000.01, unit="person")], 1, 1),
        ("beyond 1e-6", [PredFigure(value=12001, unit="person")], 0, 0),
        ("wrong unit", [PredFigure(value=12000, unit="munition")], 1, 0),
        ("offsets elsewhere", [PredFigure(value=12000, unit="person", start=19, end=26)], 0, 0),
        ("offsets overlap", [PredFigure(value=12000, unit="person", start=6, end=12)], 1, 1),
        ("twice", [PredFigure(value=12000, unit="person")] * 2, 1, 1),
    ],
)
def test_figure_matching(case: str, pred, value: int, value_unit: int) -> None:
    result = match_figures([TROOPS], pred)
    assert result.value == SetCounts(gold=1, predicted=len(pred), found=value, correct=value), case
    assert result.value_unit == SetCounts(
        gold=1, predicted=len(pred), found=value_unit, correct=value_unit
    ), case


def test_figure_attributes_scored_over_matches_where_given() -> None:
    pred = [
        PredFigure(value=12000, unit="person", qualifier="approximately", source_id="ORG-NIS"),
        PredFigure(value=1.6e6, unit="munition", qualifier="exact"),
        PredFigure(value=5, unit="missile", qualifier="exact", source_id="X"),  # spurious: not scored
    ]
    result = match_figures([TROOPS, SHELLS], pred)
    assert result.qualifier == Tally(correct=1, total=2, given=3)
    assert result.source == Tally(correct=1, total=1, given=2)
    assert [u for u, _ in result.by_unit] == ["missile", "munition", "person"]


def test_figure_pairing_prefers_agreeing_attributes() -> None:
    """Two gold figures with the same value and unit, predictions without offsets: the pairing is
    the one that agrees on qualifiers, whatever the order."""
    a = figure(FTEXT, 0, 2, 3.0, "times", "exact")
    b = figure(FTEXT, 10, 12, 3.0, "times", "vague")
    pred = [
        PredFigure(value=3, unit="times", qualifier="vague"),
        PredFigure(value=3, unit="times", qualifier="exact"),
    ]
    for order in (pred, pred[::-1]):
        assert match_figures([a, b], order).qualifier == Tally(correct=2, total=2, given=2)


def test_figures_degenerate() -> None:
    assert match_figures([], []).value == SetCounts()
    assert match_figures([TROOPS], []).value == SetCounts(gold=1)
    assert match_figures([], [PredFigure(value=1, unit="other")]).value == SetCounts(predicted=1)


# --- stance --------------------------------------------------------------------------------------


def test_stance_tuples_pairs_and_confusion() -> None:
    gold = [
        stance("GPE-Russia", "nk_troops_in_russia", "against"),
        stance("ORG-NATO", "russia_war_in_ukraine", "against"),
    ]
    pred = [
        PredStance(holder_id="GPE-Russia", target="nk_troops_in_russia", label="against"),
        PredStance(holder_id="ORG-NATO", target="russia_war_in_ukraine", label="neutral"),
        PredStance(holder_id="ORG-NATO", target="russia_nk_alliance", label="against"),
    ]
    result = match_stance(gold, pred)
    assert result.tuple == SetCounts(gold=2, predicted=3, found=1, correct=1)
    assert result.pair == SetCounts(gold=2, predicted=3, found=2, correct=2)
    # rows: gold favor, against, neutral; columns: predicted
    assert result.label == Confusion(((0, 0, 0), (0, 1, 1), (0, 0, 0)))
    assert [t for t, _ in result.by_target] == [
        "nk_troops_in_russia",
        "russia_nk_alliance",
        "russia_war_in_ukraine",
    ]


def test_stance_degenerate() -> None:
    assert match_stance([], []).pair == SetCounts()
    assert match_stance([stance("A")], []).tuple == SetCounts(gold=1)


# --- differential test against nervaluate --------------------------------------------------------


def _to_nervaluate(entities) -> list[dict]:
    # nervaluate's spans are inclusive at both ends
    return [{"label": e.type, "start": e.start, "end": e.end - 1} for e in entities]


def _nervaluate_results(gold_docs, pred_docs) -> dict:
    gold = [_to_nervaluate(d) for d in gold_docs]
    pred = [_to_nervaluate(d) for d in pred_docs]
    results = Evaluator(gold, pred, list(ENTITY_TYPES), loader="dict").evaluate()
    overall = {s: results["overall"][s] for s in SCHEMES}
    return overall | {f"{t}.{s}": r[s] for t, r in results["entities"].items() for s in SCHEMES}


def _nervaluate(gold_docs, pred_docs) -> dict[str, SchemeCounts]:
    return {key: _counts_of(r) for key, r in _nervaluate_results(gold_docs, pred_docs).items()}


def _counts_of(r) -> SchemeCounts:
    return SchemeCounts(r.correct, r.incorrect, r.partial, r.missed, r.spurious)


def _random_case(rnd: random.Random, length: int = 40, most: int = 4) -> tuple[list, list]:
    """1-4 documents, each with up to ``most`` flat gold entities and ``most`` predictions that are
    near them (shifted, retyped) or anywhere, overlapping each other or not."""
    gold_docs, pred_docs = [], []
    for _ in range(rnd.randint(1, 4)):
        text = "x" * length
        gold = [entity(text, s, e, rnd.choice(ENTITY_TYPES[:3])) for s, e in flat_spans(rnd, length, most, 8)]
        pred = []
        for g in gold:
            if rnd.random() < 0.8:
                start = max(0, g.start + rnd.choice([0, 0, 0, -1, 1, 2]))
                end = min(length, max(start + 1, g.end + rnd.choice([0, 0, 0, -1, 1, 3])))
                pred.append(
                    pred_entity(start, end, g.type if rnd.random() < 0.7 else rnd.choice(ENTITY_TYPES[:3]))
                )
        for _ in range(rnd.randint(0, 2)):
            start = rnd.randrange(length - 2)
            pred.append(
                pred_entity(start, min(length, start + rnd.randint(1, 6)), rnd.choice(ENTITY_TYPES[:3]))
            )
        gold_docs.append(gold)
        pred_docs.append(pred[:most])
    return gold_docs, pred_docs


_STRATEGIES = {"strict": StrictEvaluation(), "exact": ExactEvaluation(), "partial": PartialEvaluation(),
               "ent_type": EntityTypeEvaluation()}  # fmt: skip


def _order_free(gold, pred, rnd: random.Random) -> bool:
    """Whether nervaluate counts this document the same for every order of the predictions (all
    permutations) and several orders of the gold."""
    gold_ne = [NvEntity(**d) for d in _to_nervaluate(gold)]
    pred_ne = [NvEntity(**d) for d in _to_nervaluate(pred)]
    gold_orders = [gold_ne, gold_ne[::-1], rnd.sample(gold_ne, len(gold_ne))]
    for strategy in _STRATEGIES.values():
        seen = set()
        for types in [None, *ENTITY_TYPES[:3]]:
            for g in gold_orders:
                g = [e for e in g if types in (None, e.label)]
                for p in itertools.permutations([e for e in pred_ne if types in (None, e.label)]):
                    seen.add((types, _tuple(_counts_of(strategy.evaluate(g, list(p), [])[0]))))
        if len(seen) != 4:
            return False
    return True


def _flatten_predictions(pred_docs) -> list:
    flat = []
    for doc in pred_docs:
        kept = []
        for p in sorted(doc, key=lambda e: (e.start, e.end, e.type)):
            if all(p.end <= k.start or k.end <= p.start for k in kept):
                kept.append(p)
        flat.append(kept)
    return flat


def _ours(gold_docs, pred_docs) -> dict[str, SchemeCounts]:
    total: dict[str, SchemeCounts] = {}
    for gold, pred in zip(gold_docs, pred_docs, strict=True):
        result = match_entities("x" * 60, gold, pred)
        found = {s: getattr(result, s) for s in SCHEMES}
        found |= {f"{t}.{s}": getattr(r, s) for t, r in result.by_type for s in SCHEMES}
        for key, c in found.items():
            old = total.get(key, SchemeCounts())
            total[key] = SchemeCounts(*(a + b for a, b in zip(_tuple(old), _tuple(c), strict=True)))
    return total


def _tuple(c: SchemeCounts) -> tuple[int, ...]:
    return (c.correct, c.incorrect, c.partial, c.missed, c.spurious)


def _assert_same(gold_docs, pred_docs, schemes=SCHEMES) -> None:
    from nkru_bench.scoring.metrics import semeval_rates

    ours = _ours(gold_docs, pred_docs)
    for key, r in _nervaluate_results(gold_docs, pred_docs).items():
        if key.rsplit(".", 1)[-1] not in schemes:
            continue
        assert ours[key] == _counts_of(r), key
        if ours[key] == SchemeCounts():
            continue  # nothing to find, nothing predicted: undefined here, 0 in nervaluate
        rates = semeval_rates(lambda name, c=ours[key]: getattr(c, name))
        assert [float(rates[m]) for m in ("precision", "recall", "f1")] == [r.precision, r.recall, r.f1], key


def test_same_counts_and_scores_as_nervaluate() -> None:
    """Random documents with flat gold and predictions that may overlap each other and compete for
    a gold entity. Where nervaluate's answer does not depend on the order of its input (every
    permutation of each document's predictions, several orders of its gold), its counts, overall
    and per type, and the P/R/F1 it computes from them equal ours exactly. Where it does depend on
    the order, ours is one-to-one with the most correct pairs (see the test above) and the same for
    every order (``test_scoring``'s shuffle property)."""
    rnd = random.Random(20241101)
    compared = 0
    for _ in range(600):
        gold_docs, pred_docs = _random_case(rnd)
        if all(_order_free(g, p, rnd) for g, p in zip(gold_docs, pred_docs, strict=True)):
            compared += 1
            _assert_same(gold_docs, pred_docs)
    assert compared >= 250  # of 600


def test_same_as_nervaluate_for_flat_predictions() -> None:
    """A tagger's output is flat (no two predictions overlap). Then nervaluate, given its input in
    text order, agrees with us on strict, exact and partial in every case; on ent_type a prediction
    of the wrong type can still take a gold entity that another prediction matches with the right
    type, so ent_type is compared only where nervaluate is order free."""
    rnd = random.Random(7)
    for _ in range(300):
        gold_docs, pred_docs = _random_case(rnd, length=60, most=6)
        pred_docs = _flatten_predictions(pred_docs)
        _assert_same(gold_docs, pred_docs, ("strict", "exact", "partial"))
