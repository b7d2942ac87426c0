"""Matching stance rows, one document at a time: (holder, target) tuples and their labels."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from nkru_bench.gold.records import LABELS, Stance
from nkru_bench.scoring.counts import (
    Confusion,
    StanceCounts,
    StanceTargetCounts,
    one_to_one,
)
from nkru_bench.scoring.predictions import PredStance
from nkru_bench.scoring.stance_relaxed import relaxed_counts


def match_stance(
    gold: Sequence[Stance], pred: Sequence[PredStance], acts_for: Mapping[str, str] | None = None
) -> StanceCounts:
    """Stance counts of one document: a gold row and a prediction match on (holder_id, target)
    (``pair``), and also on ``label`` (``tuple``). Each side has at most one row per pair (the last
    one given). ``relaxed_tuple`` and ``relaxed_pair`` match holders that act for the same actor
    (``acts_for``: KB id -> the id it acts for; ``stance_relaxed``)."""
    gold_labels = {(s.holder_id, s.target): s.label for s in gold}
    pred_labels = {(s.holder_id, s.target): s.label for s in pred}
    relaxed_tuple, relaxed_pair, relaxed_by = relaxed_counts(
        [(h, t, lab) for (h, t), lab in gold_labels.items()],
        [(h, t, lab) for (h, t), lab in pred_labels.items()],
        acts_for or {},
    )
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
                tuple=one_to_one(n_gold[t], n_pred[t], tuples[t]),
                pair=one_to_one(n_gold[t], n_pred[t], pairs[t]),
                relaxed_tuple=relaxed_by[t][0],
                relaxed_pair=relaxed_by[t][1],
            ),
        )
        for t in targets
    )
    return StanceCounts(
        tuple=one_to_one(len(gold_labels), len(pred_labels), sum(tuples.values())),
        pair=one_to_one(len(gold_labels), len(pred_labels), sum(pairs.values())),
        label=Confusion(tuple(tuple(row) for row in cells)),
        by_target=by_target,
        relaxed_tuple=relaxed_tuple,
        relaxed_pair=relaxed_pair,
    )
