"""Any Hugging Face ``transformers`` token-classification model as a system: ``run hf:MODEL_OR_PATH``.

An optional extra (``pip install 'nkru-bench[hf]'``: transformers and torch). The model is a local
folder or a model id the ``transformers`` cache already holds (nkru_bench downloads nothing; with
``HF_HUB_OFFLINE=1`` a missing model is an error, not a download).

The document is cut into the sentences of ``nkru_bench.gold.tokens`` (a model sees at most one
sentence at a time; a sentence longer than the model's window is read in overlapping windows,
``stride``), and every sentence goes through the pipeline with ``aggregation_strategy="simple"``:
the pipeline joins sub-word pieces into entity groups and gives their character offsets
(``start``, ``end``) in the sentence, which are shifted to the document. Whitespace at the edges of
a group is trimmed. Each group's label (``entity_group``) goes through ``labels.LabelMap``: the
documented table, or a ``--labels`` mapping; a label that maps to nothing is dropped. No lemma, no
id (not attempted), no figures or stance.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nkru_bench.gold.tokens import sentences, trim_span
from nkru_bench.scoring.predictions import PredEntity, Prediction
from nkru_bench.systems.adapters.labels import LabelMap

EXTRA = "pip install 'nkru-bench[hf]'"


def load_pipeline(model: str) -> Any:
    try:
        import transformers
    except ImportError:
        raise ImportError(f"hf: systems need transformers and torch: {EXTRA}") from None
    transformers.logging.set_verbosity_error()  # the run's own progress is on stderr
    transformers.logging.disable_progress_bar()
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(model)
        limit = tokenizer.model_max_length
        options = {"stride": max(1, limit // 4)} if limit < 100_000 else {}
        return transformers.pipeline(
            "token-classification",
            model=model,
            tokenizer=tokenizer,
            aggregation_strategy="simple",
            device="cpu",
            **options,
        )
    except (OSError, ValueError) as error:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ImportError(f"hf:{model}: cannot load the model: {first}") from None


def chunks(text: str) -> list[tuple[int, str]]:
    """(offset, sentence text) for every sentence of the ``tokens`` config's splitter."""
    result = []
    for sentence in sentences(text):
        if sentence.tokens:
            start = sentence.token_starts[0]
            end = sentence.token_starts[-1] + len(sentence.tokens[-1])
            result.append((start, text[start:end]))
    return result


class HfExtractor:
    """``HfExtractor(model)(doc) -> Prediction``; ``pipe`` may be any callable with the pipeline's output."""

    def __init__(self, model: str, labels: Mapping[str, str | None] | None = None, pipe: Any = None):
        self.model = model
        self.labels = LabelMap(labels)
        self.pipe = pipe if pipe is not None else load_pipeline(model)

    def __call__(self, doc: dict[str, Any]) -> Prediction:
        text = doc["text"]
        parts = chunks(text)
        outputs = self.pipe([part for _, part in parts]) if parts else []
        entities, seen = [], set()
        for (offset, _), groups in zip(parts, outputs, strict=True):
            for group in groups:
                kind = self.labels(str(group.get("entity_group", group.get("entity", ""))))
                if kind is None or group.get("start") is None:
                    continue
                start, end = trim_span(text, offset + int(group["start"]), offset + int(group["end"]))
                if start < end and (start, end, kind) not in seen:
                    seen.add((start, end, kind))
                    entities.append(PredEntity(start=start, end=end, type=kind))  # type: ignore[arg-type]
        return Prediction(
            doc_id=doc["doc_id"], entities=tuple(sorted(entities, key=lambda e: (e.start, e.end)))
        )
