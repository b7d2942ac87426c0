"""The benchmark as an inspect-ai task: ``inspect eval nkru_bench/nkru_bench --model PROVIDER/MODEL``.

Needs the ``inspect`` extra (``pip install 'nkru-bench[inspect]'``). One sample per gold document;
the solver asks the model the three questions of ``nkru-bench run llm`` (the same versioned prompts,
the same JSON schemas as structured output), and the scorer turns the answers into the document's
prediction by the same answer check and alignment. The metrics are nkru_bench's own scoring of all
predictions at once (``nkru_bench.score``), so they are the numbers ``nkru-bench score`` gives on
the same predictions; each sample's score keeps its prediction (``metadata["prediction"]``), and a
document whose answers are unusable predicts nothing, as a failed document of ``run`` does.

Task options (``-T name=value``): ``gold`` (a gold path, default the shipped gold) and ``layers``
(comma-separated, default all three).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import (
    ChatMessageSystem,
    ChatMessageUser,
    GenerateConfig,
    ResponseSchema,
    get_model,
)
from inspect_ai.scorer import Metric, SampleScore, Score, Target, metric, scorer
from inspect_ai.solver import Generate, TaskState, solver
from inspect_ai.util import JSONSchema

from nkru_bench.systems.llm.answers import AnswerError, check_answer, json_schema
from nkru_bench.systems.llm.prompts import LAYERS, PROMPT_VERSION, messages, prompt_version
from nkru_bench.systems.llm.system import LayerAnswer, to_prediction

# metric name -> path in the JSON result of ``nkru_bench.score``
HEADLINES = {
    "entities_strict_f1": ("entities", "strict", "f1"),
    "entities_relaxed_f1": ("entities", "relaxed", "f1"),
    "figures_value_unit_f1": ("figures", "value_unit", "f1"),
    "stance_tuple_f1": ("stance", "tuple", "f1"),
    "stance_label_macro_f1": ("stance", "label", "macro_f1"),
}
SEED = 0


def _layers(layers: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in layers.split(",") if part.strip())
    unknown = [layer for layer in chosen if layer not in LAYERS]
    if unknown or not chosen:
        raise ValueError(f"layers: expected a comma-separated subset of {', '.join(LAYERS)}, got {layers!r}")
    return chosen


def _chat(layer: str, doc: dict[str, Any]) -> list[Any]:
    system, user = messages(layer, doc["lang"], doc["text"])
    return [ChatMessageSystem(content=system["content"]), ChatMessageUser(content=user["content"])]


@solver
def extract(layers: tuple[str, ...] = LAYERS):
    """Ask the layers' questions of the model being evaluated; keep each answer in the task state."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        model = get_model()
        doc = state.metadata["document"]

        async def ask(layer: str) -> dict[str, Any]:
            schema = ResponseSchema(
                name=f"nkru_bench_{layer}",
                json_schema=JSONSchema.model_validate(json_schema(layer)),
                strict=True,
            )
            output = await model.generate(_chat(layer, doc), config=GenerateConfig(response_schema=schema))
            return {"content": output.completion, "stop_reason": output.stop_reason}

        answers = await asyncio.gather(*(ask(layer) for layer in layers))
        state.metadata["answers"] = dict(zip(layers, answers, strict=True))
        state.output.completion = json.dumps(state.metadata["answers"], ensure_ascii=False)
        return state

    return solve


def prediction_of(
    doc: dict[str, Any], answers: dict[str, dict[str, Any]]
) -> tuple[dict[str, Any], list[str], bool]:
    """The document's prediction from its raw answers, the problems met, and whether all were usable.

    When an answer is unusable the document predicts nothing, as a failed document of ``run`` does.
    """
    checked: dict[str, LayerAnswer] = {}
    problems: list[str] = []
    for layer, answer in answers.items():
        reason = "length" if answer.get("stop_reason") == "max_tokens" else None
        try:
            checked[layer] = LayerAnswer(*check_answer(layer, answer["content"], reason))
        except AnswerError as error:
            problems.append(f"{layer}: {error}")
    if problems:
        return {"doc_id": doc["doc_id"], **{layer: [] for layer in answers}}, problems, False
    prediction, unaligned = to_prediction(doc, checked)
    invalid = [line for answer in checked.values() for line in answer.invalid]
    return prediction, [f"unaligned {item}" for item in unaligned] + invalid, True


_RESULTS: dict[str, dict[str, Any]] = {}


def _scored(scores: list[SampleScore], gold: str | None) -> dict[str, Any]:
    """nkru_bench's JSON result for the predictions in ``scores`` (computed once per set of predictions)."""
    from nkru_bench.scoring.scorer import score

    predictions = sorted(
        (s.score.metadata["prediction"] for s in scores if s.score.metadata), key=lambda p: p["doc_id"]
    )
    key = json.dumps([gold, predictions], sort_keys=True)
    if key not in _RESULTS:
        _RESULTS[key] = score(predictions, gold, allow_missing=True).to_json()
    return _RESULTS[key]


def _value(result: dict[str, Any], path: tuple[str, ...]) -> float:
    node: Any = result
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return float("nan")
        node = node[part]
    return float("nan") if node is None else float(node)


def _headline(name: str, gold: str | None) -> Metric:
    path = HEADLINES[name]

    @metric(name=name)
    def headline() -> Metric:
        def compute(scores: list[SampleScore]) -> float:
            return _value(_scored(scores, gold), path)

        return compute

    return headline()


@scorer(metrics=[])
def nkru_scorer(gold: str | None = None):
    """Each sample: its prediction (value 1 when all answers were usable); the metrics: nkru_bench scoring."""

    async def score(state: TaskState, target: Target) -> Score:
        doc = state.metadata["document"]
        prediction, problems, usable = prediction_of(doc, state.metadata.get("answers", {}))
        return Score(
            value=1.0 if usable else 0.0,
            answer=json.dumps(prediction, ensure_ascii=False),
            explanation="; ".join(problems) or None,
            metadata={"prediction": prediction, "problems": problems},
        )

    return score


@task
def nkru_bench(gold: str | None = None, layers: str = ",".join(LAYERS)) -> Task:
    """nkru_bench: entities, figures and stance in cs/pl/sl news, scored by nkru_bench's harness."""
    from nkru_bench.gold.loading import load_gold
    from nkru_bench.systems.protocol import document_dict

    chosen = _layers(layers)
    documents = [document_dict(doc) for doc in load_gold(gold).documents]
    samples = [
        Sample(id=doc["doc_id"], input=doc["text"], metadata={"document": doc, "lang": doc["lang"]})
        for doc in documents
    ]
    metrics = [_headline(name, gold) for name in HEADLINES if HEADLINES[name][0] in chosen]
    return Task(
        dataset=MemoryDataset(samples, name="nkru_bench"),
        solver=extract(chosen),
        scorer=nkru_scorer(gold),
        metrics=metrics,
        config=GenerateConfig(temperature=0.0, seed=SEED),
        version=1,
        metadata={"prompt_version": prompt_version(PROMPT_VERSION), "layers": list(chosen)},
    )
