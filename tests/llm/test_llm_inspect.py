"""The inspect-ai task (nkru_bench.systems.llm.inspect_task), run on inspect's built-in mock model.

The mock model answers each question from the gold of the document in the prompt: every gold entity
mention (plus one string that is not in the text), every gold figure and every gold stance row. The
task's metrics must be the numbers ``nkru-bench score`` gives on the predictions the task made (read
back from the eval log), and the answers are built so that some numbers are known in advance.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from inspect_ai import eval as inspect_eval
from inspect_ai.model import ModelOutput, ModelUsage, get_model

from nkru_bench.cli import main
from nkru_bench.gold.loading import load_gold
from nkru_bench.systems.llm.inspect_task import HEADLINES, nkru_bench

GOLD = load_gold()


def _layer(prompt: str) -> str:
    for layer, words in (("entities", "named-entity"), ("figures", "every figure"), ("stance", "positions")):
        if words in prompt:
            return layer
    raise AssertionError(f"no layer in prompt {prompt[:80]!r}")


def gold_answer(messages: list[Any], *_: Any) -> ModelOutput:
    prompt = messages[-1].text
    doc = next(doc for doc in GOLD.documents if doc.text in prompt)
    layer = _layer(prompt)
    if layer == "entities":
        items = [e.model_dump(include={"text", "type", "lemma", "entity_id"}) for e in doc.entities]
        items.append({"text": "Atlantis", "type": "LOC", "lemma": "Atlantis", "entity_id": "LOC-Atlantis"})
    elif layer == "figures":
        fields = {"text", "value", "unit", "qualifier", "source_id"}
        items = [f.model_dump(include=fields) for f in doc.figures]
    else:
        items = [s.model_dump(include={"holder_id", "target", "label"}) for s in doc.stance]
    return _output(json.dumps({layer: items}, ensure_ascii=False), prompt)


def _output(content: str, prompt: str) -> ModelOutput:
    """The mock's answer with its usage given (else inspect counts tokens with tiktoken, which downloads)."""
    output = ModelOutput.from_content("mockllm/model", content)
    output.usage = ModelUsage(
        input_tokens=len(prompt), output_tokens=len(content), total_tokens=len(prompt + content)
    )
    return output


def refusal(messages: list[Any], *_: Any) -> ModelOutput:
    return _output("I cannot help with that.", messages[-1].text)


def test_the_task_scores_the_mock_model_with_the_harness_numbers(tmp_path: Path, capsys) -> None:
    model = get_model("mockllm/model", custom_outputs=gold_answer, memoize=False)
    # by its registered name, as `inspect eval nkru_bench/nkru_bench` finds it (the package's entry point)
    [log] = inspect_eval("nkru_bench/nkru_bench", model=model, log_dir=str(tmp_path / "logs"), display="none")
    assert log.status == "success", log.error
    assert len(log.samples) == len(GOLD.documents) == 5
    metrics = {name: m.value for score in log.results.scores for name, m in score.metrics.items()}
    assert set(metrics) == set(HEADLINES)

    predictions = [sample.scores["nkru_scorer"].metadata["prediction"] for sample in log.samples]
    pred_file = tmp_path / "inspect.jsonl"
    pred_file.write_text(
        "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions), encoding="utf-8"
    )
    assert main(["score", str(pred_file), "--json", str(tmp_path / "score.json")]) == 0
    harness = json.loads((tmp_path / "score.json").read_text(encoding="utf-8"))
    for name, path in HEADLINES.items():
        expected = harness[path[0]][path[1]][path[2]]
        assert metrics[name] == pytest.approx(expected, abs=1e-12), name

    # Known in advance: the mock gives the gold stance rows, so they are all found and all right;
    # every article has one unaligned string ("Atlantis"), reported with its sample.
    assert metrics["stance_tuple_f1"] == 1.0 and metrics["stance_label_macro_f1"] == 1.0
    for sample in log.samples:
        problems = sample.scores["nkru_scorer"].metadata["problems"]
        assert "unaligned entities: 'Atlantis'" in problems
    assert not math.isnan(metrics["entities_strict_f1"]) and metrics["entities_strict_f1"] > 0.9


def test_an_answer_that_is_not_json_predicts_nothing_for_its_document(tmp_path: Path) -> None:
    model = get_model("mockllm/model", custom_outputs=refusal, memoize=False)
    [log] = inspect_eval(nkru_bench(layers="stance"), model=model, log_dir=str(tmp_path), display="none")
    assert log.status == "success", log.error
    metrics = {name: m.value for score in log.results.scores for name, m in score.metrics.items()}
    assert set(metrics) == {"stance_tuple_f1", "stance_label_macro_f1"}
    # predicting nothing: recall 0 and precision undefined, so F1 is 0; no pair matched: label F1 undefined
    assert metrics["stance_tuple_f1"] == 0.0
    assert math.isnan(metrics["stance_label_macro_f1"])
    for sample in log.samples:
        assert sample.scores["nkru_scorer"].value == 0.0
        assert "not valid JSON" in sample.scores["nkru_scorer"].explanation


def test_eval_yaml_names_the_solver_and_scorer_inspect_finds_in_the_package() -> None:
    from inspect_ai._util.entrypoints import ensure_entry_points
    from inspect_ai._util.registry import registry_lookup

    from nkru_bench.scoring.eval_results import benchmark_config

    ensure_entry_points()
    for item in benchmark_config()["tasks"]:
        for solver in item["solvers"]:
            assert registry_lookup("solver", solver["name"]) is not None, solver
        for scorer in item["scorers"]:
            assert registry_lookup("scorer", scorer["name"]) is not None, scorer
