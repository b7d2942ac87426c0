"""The holder-relaxed stance measure: holders match when they act for the same actor.

The strict stance measure asks a system to name the holder as the text does (GUIDELINES S15): the
Kremlin is ``LOC-Kremlin``, unnamed US officials are ``ORG-US-Officials``. Which actor such a holder
stands for is a convention, recorded once in the knowledge base: ``acts_for`` (GUIDELINES K6). Here
every holder is replaced by its *actor*, ``acts_for`` where the KB gives one and the holder itself
otherwise (so ``LOC-Kremlin``, ``PER-Sergey-Lavrov`` and ``GPE-Russia`` are all ``GPE-Russia``), and
rows are matched one to one within each (document, actor, target): as many pairs match as the smaller
side has rows there (``relaxed_pair``), and as many tuples as the smaller side has rows with each
label (``relaxed_tuple``). The matching is a maximum one: any matching of rows with the same actor
and target is at most that large. Two rows of one side with the same actor stay two rows, so the
gold keeps its size: scored against itself every count is matched, and a strict match is always a
relaxed match (relaxed >= strict).

``relaxed_counts`` is the definition, one document at a time; ``count_relaxed`` gives the same counts
for every document at once, from columns (``tests/test_counting.py`` checks they agree).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np

from nkru_bench.scoring.counts import SetCounts, one_to_one

Row = tuple[str, str, str]  # holder_id, target, label


def _matched(gold: Counter, pred: Counter) -> Counter:
    """How many rows match under each key (the smaller count of the two sides), by target (key[1])."""
    out: Counter = Counter()
    for key in gold.keys() & pred.keys():
        out[key[1]] += min(gold[key], pred[key])
    return out


def relaxed_counts(
    gold: list[Row], pred: list[Row], acts_for: Mapping[str, str]
) -> tuple[SetCounts, SetCounts, dict[str, tuple[SetCounts, SetCounts]]]:
    """``(relaxed_tuple, relaxed_pair, {target: (relaxed_tuple, relaxed_pair)})`` of one document.

    ``gold`` and ``pred`` have at most one row per (holder, target), as ``match_stance`` keeps them."""

    def actor(holder: str) -> str:
        return acts_for.get(holder, holder)

    pairs = _matched(Counter((actor(h), t) for h, t, _ in gold), Counter((actor(h), t) for h, t, _ in pred))
    tuples = _matched(
        Counter((actor(h), t, lab) for h, t, lab in gold), Counter((actor(h), t, lab) for h, t, lab in pred)
    )
    n_gold, n_pred = Counter(t for _, t, _ in gold), Counter(t for _, t, _ in pred)
    by_target = {
        t: (one_to_one(n_gold[t], n_pred[t], tuples[t]), one_to_one(n_gold[t], n_pred[t], pairs[t]))
        for t in n_gold.keys() | n_pred.keys()
    }
    return (
        one_to_one(len(gold), len(pred), sum(tuples.values())),
        one_to_one(len(gold), len(pred), sum(pairs.values())),
        by_target,
    )


def actors(n_codes: int, acts_for: Mapping[int, int]) -> np.ndarray:
    """The actor code of every string code: ``acts_for`` where given, the code itself otherwise."""
    out = np.arange(n_codes, dtype=np.int64)
    for code, actor in acts_for.items():
        if code < n_codes:
            out[code] = actor
    return out


def _matched_by(keys_gold: np.ndarray, keys_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The keys present on both sides and how many rows match under each (the smaller count)."""
    ug, ng = np.unique(keys_gold, return_counts=True)
    up, n_p = np.unique(keys_pred, return_counts=True)
    common, gi, pi = np.intersect1d(ug, up, assume_unique=True, return_indices=True)
    return common, np.minimum(ng[gi], n_p[pi])


def count_relaxed(
    gold: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    pred: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    actor: np.ndarray,
    n_docs: int,
    n_targets: int,
    n_labels: int,
) -> dict[str, np.ndarray]:
    """The matched counts of every document: ``relaxed_tuple`` and ``relaxed_pair`` (shape
    ``(n_docs,)``) and ``by_target.relaxed_tuple`` / ``by_target.relaxed_pair`` (``(n_docs,
    n_targets)``). ``gold`` and ``pred`` are ``(doc, holder code, target, label)`` columns with at most
    one row per (doc, holder, target); ``actor`` maps a holder code to its actor's code."""
    n_actors = int(actor.max()) + 1 if len(actor) else 1

    def pair_key(doc: np.ndarray, holder: np.ndarray, target: np.ndarray) -> np.ndarray:
        return (doc * n_actors + actor[holder]) * n_targets + target

    g_pair, p_pair = pair_key(*gold[:3]), pair_key(*pred[:3])
    out: dict[str, np.ndarray] = {}
    for name, g_keys, p_keys, per_pair in (
        ("relaxed_pair", g_pair, p_pair, 1),
        ("relaxed_tuple", g_pair * n_labels + gold[3], p_pair * n_labels + pred[3], n_labels),
    ):
        keys, matched = _matched_by(g_keys, p_keys)
        pair = keys // per_pair
        doc, target = pair // (n_actors * n_targets), pair % n_targets
        out[name] = np.bincount(doc, weights=matched, minlength=n_docs).astype(np.int64)
        by = np.bincount(doc * n_targets + target, weights=matched, minlength=n_docs * n_targets)
        out[f"by_target.{name}"] = by.astype(np.int64).reshape(n_docs, n_targets)
    return out
