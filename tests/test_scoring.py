"""The scoring API end to end: golden case, properties, degenerate inputs, formats, compare."""

from __future__ import annotations

import json
import random
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from factories import as_dicts, document, entity, gold, golds, random_gold, random_predictions, seeds
from hypothesis import HealthCheck, given, settings

from nkru_bench.common.errors import InputError
from nkru_bench.scoring.predictions import (
    PredEntity,
    PredFigure,
    Prediction,
    PredStance,
    gold_as_predictions,
    write_predictions,
)
from nkru_bench.scoring.scorer import compare, score

GOLDEN = Path(__file__).parent / "golden"
RATE_KEYS = {"precision", "recall", "f1", "accuracy", "macro_f1", "f_avg"}
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FAST = {"resamples": 50}


def rates(tree: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every (path, value) of a rate or an interval in a JSON result."""
    found = []
    if isinstance(tree, dict):
        for key, value in tree.items():
            here = f"{path}.{key}" if path else key
            if key in RATE_KEYS or key == "ci" or key.endswith("_ci"):
                found.append((here, value))
            elif key != "counts":
                found += rates(value, here)
    return found


def _get(tree: Any, path: str) -> Any:
    for part in path.split("."):
        tree = tree[part]
    return tree


def _without_source(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "predictions"}


# --- golden case ---------------------------------------------------------------------------------


def test_golden() -> None:
    """Every count of tests/golden/EXPLANATION.md, derived by hand."""
    result = score(GOLDEN / "predictions.jsonl", GOLDEN / "annotations").to_json()
    expected = json.loads((GOLDEN / "expected.json").read_text(encoding="utf-8"))
    for path, value in expected.items():
        got = _get(result, path)
        if isinstance(value, str):
            assert got == pytest.approx(float(Fraction(value)), rel=1e-12), path
        else:
            assert got == value, path


def test_golden_gold_scores_one() -> None:
    """Every rate is 1, except F_avg where a slice lacks favor or against on both sides: eval.pl
    counts that class 0, so a perfect system scores 0.5 there (``tests/test_semeval2016.py``)."""
    result = score(gold_as_predictions(_golden_gold()), _golden_gold()).to_json()
    _assert_perfect(result, _golden_gold())
    assert result["entities"]["strict"]["f1"] == result["stance"]["label"]["macro_f1"] == 1.0


def _golden_gold():
    from nkru_bench.gold.loading import load_gold

    return load_gold(GOLDEN / "annotations")


# --- the gold written as predictions scores 1.0 --------------------------------------------------


def _assert_perfect(result: dict, g) -> None:
    """Every rate 1; F_avg the share of favor and against that occur (eval.pl counts a class absent on
    both sides F = 0): 1, 0.5 or 0."""
    for path, value in rates(result):
        if "f_avg" in path and isinstance(value, list):  # an interval: percentiles of 0, 0.5 and 1
            assert 0.0 <= value[0] <= value[1] <= 1.0, path
        elif "f_avg" in path:
            assert value in (0.0, 0.5, 1.0, None), path
        else:
            assert value in (1.0, [1.0, 1.0], None), path
    headline = {
        "entities": ("strict", "exact", "partial", "ent_type", "relaxed"),
        "figures": ("value", "value_unit"),
        "stance": ("tuple", "pair"),
    }
    for task, names in headline.items():
        if any(getattr(d, task) for d in g.documents):
            for name in names:
                assert result[task][name]["f1"] == 1.0, f"{task}.{name}"
    if any(d.stance for d in g.documents):
        assert result["stance"]["label"]["macro_f1"] == 1.0


def test_shipped_gold_scores_one_everywhere() -> None:
    """On whatever gold ``load_gold()`` gives: the shipped gold, written as predictions."""
    loading = pytest.importorskip("nkru_bench.gold.loading")
    shipped = loading.load_gold()
    result = score(gold_as_predictions(shipped), shipped).to_json()
    _assert_perfect(result, shipped)


@PROPERTY
@given(golds())
def test_gold_scores_one_everywhere(g) -> None:
    _assert_perfect(score(gold_as_predictions(g), g, **FAST).to_json(), g)


# --- properties ----------------------------------------------------------------------------------


def _shuffled(predictions: list[Prediction], rnd: random.Random) -> list[Prediction]:
    out = []
    for p in rnd.sample(predictions, len(predictions)):
        fields = {
            t: tuple(rnd.sample(getattr(p, t), len(getattr(p, t)))) for t in ("entities", "figures", "stance")
        }
        out.append(Prediction(doc_id=p.doc_id, **fields))
    return out


@PROPERTY
@given(golds(), seeds)
def test_shuffling_changes_nothing(g, seed) -> None:
    predictions = random_predictions(seed, g)
    before = score(predictions, g, **FAST).to_json()
    after = score(_shuffled(predictions, random.Random(seed)), g, **FAST).to_json()
    assert _without_source(after) == _without_source(before)


def _precisions(result: dict) -> dict[str, float | None]:
    return {p: v for p, v in rates(result) if p.endswith("precision") and ".by_" not in p}


def _recalls(result: dict) -> dict[str, float | None]:
    return {p: v for p, v in rates(result) if p.endswith("recall") and ".by_" not in p}


def _add(p: Prediction, task: str, item: Any) -> Prediction:
    return p.model_copy(update={task: (*getattr(p, task), item)})


def _spurious(g, predictions: list[Prediction], rnd: random.Random) -> list[Prediction]:
    """One prediction that matches nothing: an entity overlapping no gold entity, a figure with a
    value no gold figure has, a stance of a holder the gold does not have."""
    i = rnd.randrange(len(predictions))
    doc = g.documents[i]
    task = rnd.choice(["entities", "figures", "stance"])
    if task == "entities":
        free = [k for k in range(len(doc.text)) if not any(e.start <= k < e.end for e in doc.entities)]
        if not free:
            return predictions
        k = rnd.choice(free)
        item: Any = PredEntity(start=k, end=k + 1, type="EVT")
    elif task == "figures":
        item = PredFigure(value=-1.0, unit="other")
    else:
        item = PredStance(holder_id="PER-nobody", target="nk_arms_to_russia", label="neutral")
    return [_add(p, task, item) if j == i else p for j, p in enumerate(predictions)]


def _correct(g, predictions: list[Prediction], rnd: random.Random) -> list[Prediction]:
    """One more prediction that is exactly a gold item (for stance: of a pair not yet predicted)."""
    i = rnd.randrange(len(predictions))
    gold_doc, pred = g.documents[i], predictions[i]
    options: list[tuple[str, Any]] = [
        ("entities", PredEntity(start=e.start, end=e.end, type=e.type)) for e in gold_doc.entities
    ]
    options += [
        ("figures", PredFigure(value=f.value, unit=f.unit, start=f.start, end=f.end))
        for f in gold_doc.figures
    ]
    taken = {(s.holder_id, s.target) for s in pred.stance}
    options += [
        ("stance", PredStance(holder_id=s.holder_id, target=s.target, label=s.label))
        for s in gold_doc.stance
        if (s.holder_id, s.target) not in taken
    ]
    if not options:
        return predictions
    task, item = rnd.choice(options)
    return [_add(p, task, item) if j == i else p for j, p in enumerate(predictions)]


@PROPERTY
@given(golds(), seeds)
def test_a_spurious_prediction_never_raises_precision(g, seed) -> None:
    rnd = random.Random(seed)
    predictions = random_predictions(seed, g)
    before = _precisions(score(predictions, g, resamples=0).to_json())
    after = _precisions(score(_spurious(g, predictions, rnd), g, resamples=0).to_json())
    for path, value in after.items():
        if before[path] is not None and value is not None:
            assert value <= before[path] + 1e-12, path


@PROPERTY
@given(golds(), seeds)
def test_a_correct_prediction_never_lowers_recall(g, seed) -> None:
    rnd = random.Random(seed)
    predictions = random_predictions(seed, g)
    before = _recalls(score(predictions, g, resamples=0).to_json())
    after = _recalls(score(_correct(g, predictions, rnd), g, resamples=0).to_json())
    for path, value in before.items():
        if value is not None:
            assert after[path] >= value - 1e-12, path


# --- degenerate cases ----------------------------------------------------------------------------

TEXT = "Kim Čong-un a NATO v Bruselu." + " " * 20
DOC_A = document("a", TEXT, "cs", [entity(TEXT, 0, 11, "PER"), entity(TEXT, 14, 18, "ORG")])
DOC_B = document("b", TEXT, "pl")  # no gold at all
GOLD = gold(DOC_A, DOC_B)


def _entities(*pairs) -> list[dict]:
    return [
        {"doc_id": d, "entities": [{"start": s, "end": e, "type": t} for s, e, t in spans]}
        for d, spans in pairs
    ]


@pytest.mark.parametrize(
    ("case", "predictions", "strict"),
    [
        ("no predictions", _entities(("a", []), ("b", [])), (0.0, 0.0, 0.0)),
        ("all right", _entities(("a", [(0, 11, "PER"), (14, 18, "ORG")]), ("b", [])), (1.0, 1.0, 1.0)),
        ("all wrong", _entities(("a", [(20, 27, "LOC")]), ("b", [(0, 3, "PER")])), (0.0, 0.0, 0.0)),
        ("half right", _entities(("a", [(0, 11, "PER")]), ("b", [(0, 3, "PER")])), (0.5, 0.5, 0.5)),
    ],
)
def test_degenerate(case: str, predictions, strict) -> None:
    result = score(predictions, GOLD, resamples=0).to_json()
    got = tuple(result["entities"]["strict"][k] for k in ("precision", "recall", "f1"))
    assert got == strict, case
    # the document without gold: undefined unless something was predicted there
    pl = result["entities"]["by_lang"]["pl"]["strict"]
    assert (pl["f1"] is None) == (pl["counts"]["spurious"] == 0), case
    assert result["entities"]["by_lang"]["pl"]["underpowered"] is True


def test_nothing_to_find_and_nothing_predicted_is_undefined() -> None:
    result = score(
        _entities(("b", []), ("c", [])), gold(DOC_B, document("c", TEXT, "sl")), resamples=10
    ).to_json()
    assert result["entities"]["strict"]["f1"] is None
    assert result["entities"]["strict"]["ci"] is None


def test_tasks_and_attributes_not_attempted() -> None:
    result = score(_entities(("a", [(0, 11, "PER")]), ("b", [])), GOLD, resamples=0).to_json()
    assert result["tasks"] == {"attempted": ["entities"], "not_attempted": ["figures", "stance"]}
    assert "figures" not in result
    assert result["entities"]["lemma"] == {
        "accuracy": None,
        "attempted": False,
        "ci": None,
        "counts": {"correct": 0, "total": 0, "given": 0},
    }


def test_allow_missing_scores_absent_documents_as_predicting_nothing() -> None:
    predictions = _entities(("a", [(0, 11, "PER"), (14, 18, "ORG")]))
    with pytest.raises(InputError) as error:
        score(predictions, GOLD)
    assert "no prediction for 1 of 2 gold documents: b" in str(error.value)
    result = score(predictions, GOLD, allow_missing=True, resamples=0)
    assert result["documents.missing"] == ["b"]
    assert result["entities.strict.f1"] == 1.0
    assert "missing:empty" in result.signature


# --- input formats -------------------------------------------------------------------------------


def test_every_input_format_gives_the_same_result(tmp_path: Path) -> None:
    g = random_gold(3)
    predictions = random_predictions(4, g)
    path = tmp_path / "p.jsonl"
    write_predictions(predictions, path)
    import datasets

    dicts = as_dicts(predictions)
    sources = [predictions, dicts, path, str(path), datasets.Dataset.from_list(dicts)]
    results = [_without_source(score(s, g, resamples=20).to_json()) for s in sources]
    assert all(r == results[0] for r in results[1:])


def test_result_is_plain_json_and_addressable() -> None:
    g = random_gold(5)
    result = score(random_predictions(6, g), g, resamples=20)
    text = json.dumps(result.to_json(), allow_nan=False)
    assert json.loads(text)["signature"] == result.signature
    assert result["entities.strict.f1"] == result.to_json()["entities"]["strict"]["f1"]
    with pytest.raises(KeyError):
        result["entities.nope"]


def test_signature_names_every_setting() -> None:
    g = random_gold(1)
    a = score(gold_as_predictions(g), g, resamples=20, seed=1).signature
    b = score(gold_as_predictions(g), g, resamples=30, seed=2).signature
    fields = dict(part.split(":", 1) for part in a.split("|"))
    assert fields["nkru_bench"] == "0.1.0"
    assert fields["resamples"] == "20" and fields["seed"] == "1"
    assert len(fields["gold"]) == 12
    assert {"missing", "entities", "figures", "boilerplate", "ci"} <= fields.keys()
    assert a != b


def test_same_seed_same_intervals() -> None:
    g = random_gold(8)
    p = random_predictions(9, g)
    assert score(p, g, resamples=100, seed=3).to_json() == score(p, g, resamples=100, seed=3).to_json()


# --- compare -------------------------------------------------------------------------------------


def test_compare_a_system_with_itself() -> None:
    g = random_gold(11, n_docs=6)
    p = random_predictions(12, g)
    result = compare(p, p, g, resamples=200).to_json()
    assert result["signature"].endswith("|test:paired-bootstrap")
    for path, m in result["metrics"].items():
        if m["a"] is not None:
            assert m["difference"] == 0.0, path
            assert m["p_value"] == 1.0, path
            assert m["ci"] == [0.0, 0.0], path


def test_compare_gold_with_a_worse_system() -> None:
    g = random_gold(13, n_docs=8)
    result = compare(gold_as_predictions(g), random_predictions(14, g), g, resamples=200).to_json()
    strict = result["metrics"]["entities.strict.f1"]
    assert strict["difference"] > 0
    assert strict["ci"][0] >= 0
    assert strict["p_value"] < 0.05
    assert set(result["metrics"]) >= {"entities.strict.f1", "figures.value_unit.f1", "stance.label.macro_f1"}


def test_compare_keeps_a_task_only_one_side_attempted() -> None:
    a = _entities(("a", [(0, 11, "PER")]), ("b", []))
    b = [{"doc_id": "a", "stance": []}, {"doc_id": "b", "stance": []}]
    result = compare(a, b, GOLD, resamples=10).to_json()
    alone_a, alone_b = score(a, GOLD, resamples=10), score(b, GOLD, resamples=10)
    tasks = {path.split(".")[0] for path in result["metrics"]}
    assert tasks == {"entities", "stance"}  # figures: neither side attempted it
    for path, m in result["metrics"].items():
        side, alone = ("a", alone_a) if path.startswith("entities.") else ("b", alone_b)
        other = "b" if side == "a" else "a"
        assert m["only"] == side, path
        assert m[side] == alone[path] and m[other] is None, path  # that side's own score, shown alone
        assert m["difference"] is None and m["ci"] is None and m["p_value"] is None, path
    assert result["metrics"]["entities.strict.f1"]["a"] is not None
