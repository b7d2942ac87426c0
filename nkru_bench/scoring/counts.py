"""Count records: the small frozen counts that matching gives per document and metrics sums."""

from __future__ import annotations

from dataclasses import dataclass

from nkru_bench.gold.vocabularies import LABELS

SCHEMES = ("strict", "exact", "partial", "ent_type")


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
    # holders matched when they act for the same actor (``stance_relaxed``)
    relaxed_tuple: SetCounts = SetCounts()
    relaxed_pair: SetCounts = SetCounts()


@dataclass(frozen=True, slots=True)
class StanceTargetCounts:
    tuple: SetCounts
    pair: SetCounts
    relaxed_tuple: SetCounts = SetCounts()
    relaxed_pair: SetCounts = SetCounts()


def one_to_one(gold: int, predicted: int, matched: int) -> SetCounts:
    return SetCounts(gold=gold, predicted=predicted, found=matched, correct=matched)
