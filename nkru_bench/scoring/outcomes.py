"""Outcomes: what happened to each gold and predicted item of one document (for error analysis)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from nkru_bench.gold.records import Entity, Figure, Span, Stance
from nkru_bench.scoring.figure_matching import figure_gold_key, figure_pairs, figure_pred_key, value_matches
from nkru_bench.scoring.matching import gold_key, inside, paired, pred_key, scheme_pairs
from nkru_bench.scoring.predictions import PredEntity, PredFigure, PredStance

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
    gold_sorted, pred_sorted = sorted(gold, key=gold_key), sorted(kept, key=pred_key)
    strict, _ = scheme_pairs("strict", gold_sorted, pred_sorted)
    rest_gold, rest_pred = _unpaired(gold_sorted, strict, 0), _unpaired(pred_sorted, strict, 1)
    same_span, overlapping = scheme_pairs("exact", rest_gold, rest_pred)
    out = [Outcome("correct", g, p) for g, p in paired(strict, gold_sorted, pred_sorted)]
    out += [Outcome("wrong_type", g, p) for g, p in paired(same_span, rest_gold, rest_pred)]
    out += [Outcome("partial", g, p) for g, p in paired(overlapping, rest_gold, rest_pred)]
    out += [Outcome("missed", g, None) for g in _unpaired(rest_gold, same_span + overlapping, 0)]
    out += [Outcome("spurious", None, p) for p in _unpaired(rest_pred, same_span + overlapping, 1)]
    out += [Outcome("ignored", None, p) for p in sorted(pred, key=pred_key) if p not in kept]
    return sorted(out, key=_entity_outcome_key)


def _entity_outcome_key(o: Outcome) -> tuple:
    spans = [x for x in (o.gold, o.pred) if x is not None]
    return (
        min(x.start for x in spans),
        max(x.end for x in spans),
        ENTITY_OUTCOMES.index(o.kind),
        gold_key(o.gold) if o.gold is not None else (),
        pred_key(o.pred) if o.pred is not None else (),
    )


def figure_outcomes(
    gold: Sequence[Figure], pred: Sequence[PredFigure], boilerplate: Sequence[Span] = ()
) -> list[Outcome]:
    """Every gold and predicted figure of one document: ``matched`` (the ``value_unit`` pairing of
    ``match_figures``), ``missed``, ``spurious``, or ``ignored`` (offsets wholly inside boilerplate).
    Gold items in text order, then the predictions nobody matched."""
    kept = [p for p in pred if p.start is None or p.end is None or not inside(p.start, p.end, boilerplate)]
    gold_sorted, pred_sorted = sorted(gold, key=figure_gold_key), sorted(kept, key=figure_pred_key)
    pairs = figure_pairs(gold_sorted, pred_sorted, value_matches(gold_sorted, pred_sorted), with_unit=True)
    paired_gold = {id(g) for g, _ in pairs}
    paired_pred = {id(p) for _, p in pairs}
    out = [Outcome("matched", g, p) for g, p in pairs]
    out += [Outcome("missed", g, None) for g in gold_sorted if id(g) not in paired_gold]
    out += [Outcome("spurious", None, p) for p in pred_sorted if id(p) not in paired_pred]
    out += [Outcome("ignored", None, p) for p in sorted(pred, key=figure_pred_key) if p not in kept]
    return sorted(out, key=_figure_outcome_key)


def _figure_outcome_key(o: Outcome) -> tuple:
    return (
        figure_gold_key(o.gold) if o.gold is not None else (float("inf"),),
        FIGURE_OUTCOMES.index(o.kind),
        figure_pred_key(o.pred) if o.pred is not None else (),
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
