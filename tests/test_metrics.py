"""Metrics from counts: rate conventions, stance label scores against scikit-learn, the bootstrap,
slices and their underpowered flags."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import accuracy_score, f1_score

from nkru_bench.gold.records import LABELS
from nkru_bench.scoring.bootstrap import interval, paired_test, resample_weights
from nkru_bench.scoring.counts import (
    Confusion,
    SchemeCounts,
    SetCounts,
    StanceCounts,
    StanceTargetCounts,
    Tally,
)
from nkru_bench.scoring.metrics import (
    METRICS,
    CountTable,
    flatten,
    label_rates,
    label_scores,
    metric,
    resampled,
    resampled_tasks,
    set_rates,
    summarize_task,
    tally_rates,
)


def getter(**counts: int):
    return lambda name: np.asarray(counts.get(name, 0))


def test_flatten_names_every_count() -> None:
    counts = StanceCounts(
        tuple=SetCounts(1, 2, 3, 4),
        pair=SetCounts(),
        label=Confusion(((1, 0, 0), (0, 2, 0), (0, 0, 0))),
        by_target=(("nk_arms_to_russia", StanceTargetCounts(SetCounts(gold=1), SetCounts())),),
    )
    flat = flatten(counts)
    assert flat["tuple.predicted"] == 2
    assert flat["label.against.against"] == 2
    assert flat["by_target.nk_arms_to_russia.tuple.gold"] == 1
    assert len([k for k in flat if k.startswith("label.")]) == 9


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        (SchemeCounts(correct=2, missed=2), (1.0, 0.5, 2 / 3)),
        (SchemeCounts(partial=2), (0.5, 0.5, 0.5)),
        (SchemeCounts(missed=3), (0.0, 0.0, 0.0)),  # predicted nothing: P is 0, as in nervaluate
        (SchemeCounts(spurious=3), (0.0, 0.0, 0.0)),
        (SchemeCounts(), (None, None, None)),  # nothing to find, nothing predicted: undefined
    ],
)
def test_semeval_rates(counts: SchemeCounts, expected) -> None:
    got = metric("semeval", lambda name: getattr(counts, name))
    values = (got["precision"], got["recall"], got["f1"])
    assert values == (expected if expected[0] is None else pytest.approx(expected))
    assert got["counts"]["possible"] == counts.correct + counts.incorrect + counts.partial + counts.missed


def test_set_and_tally_rates() -> None:
    rates = set_rates(getter(gold=4, predicted=2, found=1, correct=2))
    assert (float(rates["precision"]), float(rates["recall"])) == (1.0, 0.25)
    assert np.isnan(tally_rates(getter(correct=0, total=0))["accuracy"])
    obj = metric("tally", lambda name: {"correct": 0, "total": 0, "given": 3}[name])
    assert obj["accuracy"] is None and obj["attempted"] is True


def _confusion_getter(cells):
    return lambda name: np.asarray(cells[LABELS.index(name.split(".")[0])][LABELS.index(name.split(".")[1])])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=9, max_size=9))
def test_label_scores_equal_scikit_learn(flat: list[int]) -> None:
    """The vectorized label scores (used for the bootstrap) equal scikit-learn's, which give the
    point estimates; labels that neither side uses are left out of macro-F1, and count F = 0 in
    F_avg (SemEval-2016's eval.pl: ``tests/test_semeval2016.py``)."""
    cells = [flat[i : i + 3] for i in range(0, 9, 3)]
    y_true = [g for gi, g in enumerate(LABELS) for pi in range(3) for _ in range(cells[gi][pi])]
    y_pred = [p for gi in range(3) for pi, p in enumerate(LABELS) for _ in range(cells[gi][pi])]
    ours = {k: float(v) for k, v in label_rates(_confusion_getter(cells)).items()}
    points = label_scores(cells)
    if not y_true:
        assert all(np.isnan(v) for v in ours.values())
        assert all(v is None for v in points.values())
        return
    macro = f1_score(y_true, y_pred, labels=list(LABELS), average="macro", zero_division=np.nan)
    f_avg = f1_score(y_true, y_pred, labels=["favor", "against"], average=None, zero_division=0.0).mean()
    expected = {"macro_f1": macro, "f_avg": f_avg, "accuracy": accuracy_score(y_true, y_pred)}
    for name, value in expected.items():
        if np.isnan(value):
            assert np.isnan(ours[name]) and points[name] is None, name
        else:
            assert ours[name] == pytest.approx(value, abs=1e-12), name
            assert points[name] == pytest.approx(value, abs=1e-12), name


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ([[3, 0, 0], [0, 0, 0], [0, 0, 0]], (1.0, 0.5, 1.0)),  # all right, favor only: F(against) = 0
        ([[0, 3, 0], [0, 0, 0], [0, 0, 0]], (0.0, 0.0, 0.0)),  # all wrong
        ([[0, 0, 0], [0, 0, 0], [0, 0, 2]], (1.0, 0.0, 1.0)),  # neutral only: F_avg 0, as eval.pl
        ([[0, 0, 0], [0, 0, 0], [0, 0, 0]], (None, None, None)),  # no matched pairs
    ],
)
def test_label_scores_degenerate(cells, expected) -> None:
    got = label_scores(cells)
    assert (got["macro_f1"], got["f_avg"], got["accuracy"]) == expected


def test_resample_weights() -> None:
    w = resample_weights(5, 100, seed=1)
    assert w.shape == (100, 5) and (w.sum(axis=1) == 5).all()
    assert (resample_weights(5, 100, seed=1) == w).all()
    assert not (resample_weights(5, 100, seed=2) == w).all()
    assert resample_weights(0, 10, seed=1).shape == (10, 0)


def test_interval_and_paired_test() -> None:
    assert interval(np.array([np.nan, np.nan])) is None
    assert interval(np.arange(101.0)) == [2.5, 97.5]
    assert paired_test(np.ones(10), np.ones(10)) == ([0.0, 0.0], 1.0)
    ci, p = paired_test(np.ones(99), np.zeros(99))
    assert ci == [1.0, 1.0] and p == pytest.approx(2 / 100)
    assert paired_test(np.array([np.nan]), np.array([1.0])) == (None, None)


def test_bootstrap_interval_contains_the_point_estimate() -> None:
    rnd = random.Random(0)
    rows = [{"strict.correct": rnd.randint(0, 5), "strict.missed": rnd.randint(0, 3),
             "strict.spurious": rnd.randint(0, 3)} for _ in range(20)]  # fmt: skip
    table = CountTable.build([f"d{i}" for i in range(20)], ["cs"] * 20, rows)
    out = summarize_task("entities", table, resample_weights(20, 500, seed=0))
    low, high = out["strict"]["ci"]
    assert low <= out["strict"]["f1"] <= high
    assert 0 <= low < high <= 1


def test_slices_count_documents_and_flag_the_underpowered() -> None:
    rows = [
        flatten(Tally(1, 1, 1), "lemma.") | {"by_type.PER.strict.correct": 1},
        {"by_type.PER.strict.missed": 1, "by_type.LOC.strict.spurious": 1},
        {"by_type.PER.strict.correct": 1},
        {},
    ]
    table = CountTable.build(["a", "b", "c", "d"], ["cs", "cs", "pl", "cs"], rows)
    out = summarize_task("entities", table, None)
    assert out["by_lang"]["cs"]["documents"] == 3 and out["by_lang"]["cs"]["underpowered"] is False
    assert out["by_lang"]["pl"]["documents"] == 1 and out["by_lang"]["pl"]["underpowered"] is True
    assert list(out["by_type"]) == ["PER", "LOC"]  # the order of ENTITY_TYPES
    assert out["by_type"]["PER"]["documents"] == 3 and not out["by_type"]["PER"]["underpowered"]
    assert out["by_type"]["LOC"]["documents"] == 1 and out["by_type"]["LOC"]["underpowered"]
    assert out["strict"]["ci"] is None  # no resamples asked for


def test_every_task_resampled_at_once_gives_each_task_resampled_alone() -> None:
    """``resampled_tasks`` (all tasks' headline columns in one product) gives, count by count and
    resample by resample, what ``resampled`` gives for each task alone: the integer sums of the
    resampled documents' counts, whatever the integer types of the tables."""
    rng = np.random.default_rng(3)
    tables = {}
    for task, dtype in (("entities", np.int8), ("figures", np.int64), ("stance", np.int16)):
        keys = tuple(
            sorted({f"{name}.{c}" for name, _ in METRICS[task] for c in ("correct", "gold", "total")})
        )
        counts = rng.integers(0, 50, size=(30, len(keys))).astype(dtype)
        tables[task] = CountTable(
            tuple(f"d{i}" for i in range(30)),
            ("cs",) * 30,
            (*keys, "by_x.y"),
            np.hstack([counts, counts[:, :1]]),
        )
    weights = resample_weights(30, 40, seed=5)
    together = resampled_tasks(tables, weights)
    for task, table in tables.items():
        alone = resampled(task, table, weights)
        for key in table.keys:
            expected = weights.astype(np.int64) @ table.matrix()[:, table.keys.index(key)].astype(np.int64)
            wanted = expected if key.split(".", 1)[0] != "by_x" else np.zeros(40, dtype=np.int64)
            assert together[task](key).tolist() == alone(key).tolist() == wanted.tolist(), (task, key)
