"""Results in the Hugging Face Hub's eval-results format: ``score --eval-results DIR`` and ``eval.yaml``.

The format is hub-docs' ``eval_results.yaml`` (model side) and the ``eval.yaml`` specification in
``docs/hub/eval-results.md`` (dataset side); the checks below are that specification's required and
optional fields, and the values are the harness's own numbers for the same predictions.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from pathlib import Path

import pytest
import yaml

from nkru_bench.cli import main
from nkru_bench.scoring.eval_results import TASKS, benchmark_config, benchmark_yaml, eval_results

RULES = Path(__file__).resolve().parent.parent / "examples" / "predictions" / "rules.jsonl"
ENTRY_KEYS = {"dataset", "value", "verifyToken", "date", "source", "notes"}
DATASET_KEYS = {"id", "task_id", "revision"}


def _value(result: dict, path: tuple[str, ...]) -> float:
    for part in path:
        result = result[part]
    return result  # type: ignore[return-value]


def test_score_writes_one_entry_per_headline_number_with_the_harness_values(tmp_path: Path, capsys) -> None:
    model_repo = tmp_path / "my-model"
    model_repo.mkdir()
    argv = ["score", str(RULES), "--json", str(tmp_path / "r.json"), "--eval-results", str(model_repo)]
    assert main([*argv, "--eval-dataset", "someone/nkru_bench"]) == 0
    assert (
        capsys.readouterr().err.strip() == f"eval results: {model_repo / '.eval_results' / 'nkru_bench.yaml'}"
    )
    result = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    written = list((model_repo / ".eval_results").iterdir())
    assert [path.name for path in written] == ["nkru_bench.yaml"]
    entries = yaml.safe_load(written[0].read_text(encoding="utf-8"))

    assert isinstance(entries, list) and [e["dataset"]["task_id"] for e in entries] == list(TASKS)
    for entry in entries:
        assert set(entry) <= ENTRY_KEYS and set(entry["dataset"]) <= DATASET_KEYS
        assert entry["dataset"]["id"] == "someone/nkru_bench"
        path = TASKS[entry["dataset"]["task_id"]][0]
        assert entry["value"] == round(_value(result, path), 4)
        assert entry["notes"] == result["signature"]
        dt.date.fromisoformat(entry["date"])  # an ISO-8601 date, written as a string
        assert isinstance(entry["date"], str)


def test_numbers_that_are_not_defined_are_left_out() -> None:
    result = {"signature": "s", "entities": {"strict": {"f1": 0.5}, "relaxed": {"f1": None}}}
    entries = eval_results(result, date=dt.date(2026, 1, 2), source_url="https://example.org/logs")
    assert entries == [
        {
            "dataset": {"id": "nkru_bench", "task_id": "entities_strict_f1"},
            "value": 0.5,
            "date": "2026-01-02",
            "source": {"url": "https://example.org/logs"},
            "notes": "s",
        }
    ]


def test_a_folder_that_is_not_there_is_an_input_error_and_nothing_is_written(tmp_path: Path, capsys) -> None:
    assert main(["score", str(RULES), "--eval-results", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'missing'}") and "is not a folder" in err
    assert not (tmp_path / "missing").exists()


def test_eval_yaml_is_the_benchmark_registration_and_is_not_stale(root: Path) -> None:
    assert (root / "eval.yaml").read_text(encoding="utf-8") == benchmark_yaml(), "regenerate eval.yaml"
    config = yaml.safe_load(benchmark_yaml())
    assert config == benchmark_config()
    assert set(config) == {"name", "description", "evaluation_framework", "tasks"}
    assert config["evaluation_framework"] == "inspect-ai"
    readme = (root / "README.md").read_text(encoding="utf-8").split("\n---\n", 1)[0]
    card = yaml.safe_load(readme.removeprefix("---\n"))
    configs = {c["config_name"]: c for c in card["configs"]}
    for item in config["tasks"]:
        assert item["id"] in TASKS
        # the config, split and columns named exist in the dataset card
        assert item["split"] in [split["split"] for split in configs[item["config"]]["data_files"]]
        columns = {
            f["name"]
            for c in card["dataset_info"]
            if c["config_name"] == item["config"]
            for f in c["features"]
        }
        assert {item["field_spec"]["input"], item["field_spec"]["target"]} <= columns
        assert item["solvers"] and item["scorers"]


@pytest.mark.parametrize("task_id", list(TASKS))
def test_every_task_names_a_number_of_the_json_result(task_id: str) -> None:
    result = json.loads(json.dumps(_rules_result()))
    assert isinstance(_value(result, TASKS[task_id][0]), float)


@cache
def _rules_result() -> dict:
    from nkru_bench.scoring.scorer import score

    return score(RULES, resamples=0).to_json()
