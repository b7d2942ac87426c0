"""The scoring benchmark's own parts at a tiny size: the generator and the nervaluate comparison.

Nothing here is timed; ``benchmarks/run.py`` measures.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from nervaluate import Evaluator

from nkru_bench.gold.loading import load_gold
from nkru_bench.gold.revision import gold_json_chunks
from nkru_bench.scoring.scorer import read_and_check, score

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
pytestmark = pytest.mark.skipif(not BENCHMARKS.is_dir(), reason="benchmarks/ is not in this tree")


def _module(name: str) -> ModuleType:
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _module("generate").generate(20, tmp_path_factory.mktemp("bench") / "20")


def test_the_generator_is_seeded(data: dict[str, Path], tmp_path: Path) -> None:
    again = _module("generate").generate(20, tmp_path / "again")
    assert again["predictions"].read_bytes() == data["predictions"].read_bytes()
    assert load_gold(again["gold"]) == load_gold(data["gold"])


def test_the_generated_gold_is_faithful(data: dict[str, Path]) -> None:
    gold = load_gold(data["gold"])
    assert len(gold.documents) == 20
    for doc in gold.documents:
        assert 24 <= len(doc.entities) <= 36 and len(doc.figures) == len(doc.stance) == 5
        assert all(doc.text[x.start : x.end] == x.text for x in (*doc.entities, *doc.figures))
    # the revision hashes the same JSON as the whole gold's, a record at a time
    assert "".join(gold_json_chunks(gold.documents, gold.kb)) == gold.model_dump_json()


def test_every_outcome_is_in_the_mix(data: dict[str, Path]) -> None:
    result = score(data["predictions"], data["gold"], resamples=0).to_json()
    entities = result["entities"]
    strict, partial = entities["strict"]["counts"], entities["partial"]["counts"]
    assert min(strict["correct"], strict["incorrect"], strict["missed"], strict["spurious"]) > 0
    assert partial["partial"] > 0 and entities["ignored_in_boilerplate"] > 0
    assert entities["exact"]["counts"]["correct"] > strict["correct"]  # the same span, another type
    for task, metric in (("figures", "value_unit"), ("stance", "tuple")):
        counts = result[task][metric]["counts"]
        assert 0 < counts["correct"] < min(counts["gold"], counts["predicted"])


def test_nervaluate_gives_the_harness_numbers(data: dict[str, Path]) -> None:
    run = _module("run")
    result = score(data["predictions"], data["gold"], resamples=0).to_json()
    true, pred = run.nervaluate_input(*read_and_check(data["predictions"], data["gold"]))
    nervaluate = run.nervaluate_numbers(Evaluator(true, pred, list(run.TYPES), loader="dict").evaluate())
    harness = run.harness_numbers(result["entities"])
    assert run.differences(nervaluate, harness) == []
    assert set(nervaluate) == {*run.SCHEMES, *(f"by_type.{t}.{s}" for t in run.TYPES for s in run.SCHEMES)}
    # and the comparison sees a difference when there is one
    harness["strict"] = {**harness["strict"], "correct": harness["strict"]["correct"] + 1}
    assert run.differences(nervaluate, harness) == [
        f"strict.correct: nervaluate {nervaluate['strict']['correct']}, "
        f"harness {nervaluate['strict']['correct'] + 1}"
    ]


def test_the_data_is_reused_only_when_it_is_the_same(tmp_path: Path) -> None:
    generate = _module("generate").generate
    first = generate(3, tmp_path)["predictions"]
    stamp = first.stat().st_mtime_ns
    assert generate(3, tmp_path)["predictions"].stat().st_mtime_ns == stamp  # same size and seed: kept
    before = first.read_bytes()
    assert generate(3, tmp_path, seed=1)["predictions"].read_bytes() != before  # another seed: rewritten


def test_the_stage_profile_names_every_stage_of_score(data: dict[str, Path], capsys) -> None:
    """``run.py --stages``: one row per stage of ``score`` (each attempted task's counting included),
    CPU times that are not negative, peak memory that never falls (it is a high-water mark)."""
    _module("run").stages(str(data["predictions"]), str(data["gold"]))
    found = json.loads(capsys.readouterr().out)
    names = [name for name, _, _ in found]
    assert names == [
        "start and imports",
        "gold",
        "predictions",
        *(f"counting: {task}" for task in ("entities", "figures", "stance")),
        "summary",
    ]
    assert all(cpu >= 0 for _, cpu, _ in found)
    peaks = [peak for _, _, peak in found]
    assert peaks == sorted(peaks) and peaks[0] > 0
