"""Matching predictions to gold, one document at a time: records in, counts out.

Everything here is pure: no I/O and no rates. Each function takes the gold records of one
document and the predicted records for it and returns small frozen count records; ``metrics``
turns sums of them into rates.

Matching is one-to-one and never depends on input order: both sides are put in a canonical order
and paired by an exact maximum-weight assignment (``assignment.assign``), so a gold item is matched
at most once, a predicted item at most once, and shuffling the input changes nothing.

**Ties.** Where several pairings reach the maximum, the weights break the tie by a stated rule that
gives the system the benefit of the doubt (``tie_levels``): among them, the most correct attributes
(a strict pair's lemma and entity_id), then the fewest wrong ones (given, and not the gold's), then
the most correct lemmas. Every count follows from those totals, so none depends on how ids sort, on
the input order or on predictions that compete with nothing here (``tests/test_ties.py``).

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import attrgetter
from typing import TYPE_CHECKING

from nkru_bench.scoring.assignment import assign, lexicographic
from nkru_bench.scoring.bsnlp_measures import java_trim
from nkru_bench.scoring.counts import (
    SCHEMES,
    EntityCounts,
    SchemeCounts,
    Schemes,
    SetCounts,
    Tally,
)

if TYPE_CHECKING:
    from nkru_bench.gold.records import Entity, Span
    from nkru_bench.scoring.predictions import PredEntity

# nervaluate's default ``min_overlap_percentage``: the share of the gold span a prediction must cover.
MIN_OVERLAP_PERCENT = 1.0


# --- count records -------------------------------------------------------------------------------


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


def gold_key(g: Entity) -> tuple:
    return (g.start, g.end, g.type, g.lemma, g.entity_id)


def pred_key(p: PredEntity) -> tuple:
    return (p.start, p.end, p.type, p.lemma or "", p.entity_id or "")


def tie_levels(first: tuple[bool, bool], second: tuple[bool, bool]) -> tuple[int, int, int, int]:
    """The tie-breaking levels of a pair from two attributes, each as (given, equal to the gold's):
    correct attributes, attributes not wrong (2 minus the wrong ones), the first correct, the first
    not wrong. Maximized in this order after the primary weight."""
    right = [given and equal for given, equal in (first, second)]
    wrong = [given and not equal for given, equal in (first, second)]
    return sum(right), 2 - sum(wrong), int(right[0]), 1 - int(wrong[0])


def entity_tie_levels(g: Entity, p: PredEntity) -> tuple[int, int, int, int]:
    """``tie_levels`` of a strict pair: its lemma, then its entity_id."""
    return tie_levels(
        (p.lemma is not None, p.lemma == g.lemma), (p.entity_id is not None, p.entity_id == g.entity_id)
    )


NO_TIE_LEVELS = (0, 0, 0, 0)


def scheme_pairs(
    scheme: str, gold: Sequence[Entity], pred: Sequence[PredEntity]
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(correct pairs, other pairs) as (gold index, pred index); inputs already canonically sorted.

    The most correct pairs, then the most other pairs; for ``strict`` (whose pairs carry the lemma
    and linking scores) ties go by ``entity_tie_levels``."""
    rule = SCHEME_TABLE[scheme]
    most = min(len(gold), len(pred))
    top = most + 1  # one correct pair outweighs any number of other pairs
    kinds = [[2 if rule.correct(p, g) else (1 if rule.other(p, g) else 0) for p in pred] for g in gold]

    def weight(kind: int, g: Entity, p: PredEntity) -> int:
        if kind == 0:
            return 0
        levels = entity_tie_levels(g, p) if kind == 2 and scheme == "strict" else NO_TIE_LEVELS
        return lexicographic((top if kind == 2 else 1, *levels), top, most)

    weights = [
        [weight(k, g, p) for k, p in zip(row, pred, strict=True)] for row, g in zip(kinds, gold, strict=True)
    ]
    pairs = assign(weights)
    correct = [(gi, pi) for gi, pi in pairs if kinds[gi][pi] == 2]
    other = [(gi, pi) for gi, pi in pairs if kinds[gi][pi] == 1]
    return correct, other


def scheme_counts(scheme: str, gold: Sequence[Entity], pred: Sequence[PredEntity]) -> SchemeCounts:
    """The SemEval-2013 counts of one scheme for one document."""
    gold, pred = sorted(gold, key=gold_key), sorted(pred, key=pred_key)
    correct, other = scheme_pairs(scheme, gold, pred)
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


def bsnlp_form(surface: str) -> str:
    """A span's text as the BSNLP evaluator reads it from an exported line: white-space runs made one
    space (the exporter), trimmed as Java trims and lower-cased (the evaluator)."""
    return java_trim(" ".join(surface.split())).lower()


def relaxed_counts(gold: Iterable[tuple[str, str, str]], pred: Iterable[tuple[str, str]]) -> SetCounts:
    """The official BSNLP evaluator's *relaxed exact* counts of one document, summed over types.

    ``gold`` holds (form, type, entity_id), ``pred`` (form, type), forms as ``bsnlp_form`` makes them.
    A gold entity is an (entity_id, type); it is found when one of its forms is among the distinct
    predicted forms of its type. ``found`` = ``correct`` = entities found; ``predicted`` = found +
    distinct predicted forms that are no form of a gold entity of their type (so several right forms
    of one entity count once, each wrong form once); ``gold`` = entities.
    """
    entities: dict[tuple[str, str], set[str]] = {}
    for form, type_, entity_id in gold:
        entities.setdefault((type_, entity_id), set()).add(form)
    forms = {(type_, form) for form, type_ in pred}
    gold_forms = {(type_, form) for (type_, _), fs in entities.items() for form in fs}
    found = sum(any((type_, form) in forms for form in fs) for (type_, _), fs in entities.items())
    wrong = len(forms - gold_forms)
    return SetCounts(gold=len(entities), predicted=found + wrong, found=found, correct=found)


def _relaxed(text: str, gold: Sequence[Entity], pred: Sequence[PredEntity]) -> SetCounts:
    """``relaxed_counts`` of a document's gold and predicted spans (offsets play no other part)."""
    return relaxed_counts(
        ((bsnlp_form(text[g.start : g.end]), g.type, g.entity_id) for g in gold),
        ((bsnlp_form(text[p.start : p.end]), p.type) for p in pred),
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
        gold_sorted, pred_sorted = sorted(gold, key=gold_key), sorted(kept, key=pred_key)
        strict_pairs = paired(scheme_pairs("strict", gold_sorted, pred_sorted)[0], gold_sorted, pred_sorted)
        overall = _schemes(gold, kept)
        by_type = tuple(
            (t, _schemes([g for g in gold if g.type == t], [p for p in kept if p.type == t])) for t in types
        )
    else:  # each overlapping pair stands alone: every scheme pairs exactly these
        pairs = paired(overlapping, gold_by_start, kept)
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


def paired(pairs: list[tuple[int, int]], gold: Sequence, pred: Sequence) -> list[tuple]:
    return [(gold[gi], pred[pi]) for gi, pi in pairs]


# --- figures -------------------------------------------------------------------------------------


# --- stance --------------------------------------------------------------------------------------


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
