"""IOB2 tags over the ``tokens`` config's tokens -> entity predictions.

What a tagger trained on the ``tokens`` config outputs is one tag per token, sentence by sentence.
``entities_from_tags`` turns the tags of one document into entity predictions (the chunks of
``nkru_bench.gold.tokens.spans_from_tags``: a ``B-X`` or a stray ``I-X`` starts a chunk, ``I-X``
after ``X`` continues it, as conlleval and seqeval's default mode read IOB2), and ``Iob2Tags`` is the
system ``nkru-bench run iob2:TAGS.jsonl``: one JSON object per sentence,

    {"doc_id": "000_ad50d04fe0c25486", "sentence_id": 0, "tags": ["O", "B-LOC", "I-LOC", ...]}

(``ner_tags`` may stand for ``tags``, as names or as the config's ClassLabel ids; ``tokens`` and
``token_starts``, when given, must be those of the config). A document's sentences, in
``sentence_id`` order, must give one tag per token of ``nkru_bench.gold.tokens.tokenize(text)``.
Labels other than the benchmark's types go through ``--labels`` (``B-PERSON`` with ``PERSON=PER``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.gold.tokens import TAGS, spans_from_tags, tokenize
from nkru_bench.scoring.predictions import PredEntity, Prediction
from nkru_bench.systems.adapters.labels import LabelMap


def _tag(tag: Any, labels: LabelMap) -> str | None:
    """A tag as ``O`` / ``B-TYPE`` / ``I-TYPE`` of the benchmark, or None when it is not a tag."""
    if isinstance(tag, int) and not isinstance(tag, bool):
        return TAGS[tag] if 0 <= tag < len(TAGS) else None
    if not isinstance(tag, str):
        return None
    if tag == "O":
        return tag
    prefix, sep, label = tag.partition("-")
    if not sep or prefix not in ("B", "I"):
        return None
    mapped = labels(label)
    return "O" if mapped is None else f"{prefix}-{mapped}"


def entities_from_tags(
    text: str, sentences: Sequence[Sequence[str]], labels: LabelMap | None = None
) -> list[PredEntity]:
    """The entities of one document from its sentences' IOB2 tags (one per token of ``tokenize``).

    >>> text = "Kim Čong-un jel do Moskvy."
    >>> tags = [["B-PER", "I-PER", "O", "O", "B-LOC", "O"]]
    >>> [(text[e.start : e.end], e.type) for e in entities_from_tags(text, tags)]
    [('Kim Čong-un', 'PER'), ('Moskvy', 'LOC')]
    """
    labels = labels or LabelMap()
    tokens = tokenize(text)
    if sum(len(tags) for tags in sentences) != len(tokens):
        count = sum(len(tags) for tags in sentences)
        raise ValueError(f"{count} tags for {len(tokens)} tokens")
    entities, first = [], 0
    for tags in sentences:
        bounds = tokens[first : first + len(tags)]
        first += len(tags)
        mapped = [_tag(tag, labels) for tag in tags]
        bad = [tag for tag, m in zip(tags, mapped, strict=True) if m is None]
        if bad:
            raise ValueError(f"not an IOB2 tag: {bad[0]!r}")
        starts = [start for start, _ in bounds]
        words = [text[start:end] for start, end in bounds]
        for start, end, kind in spans_from_tags(starts, words, mapped):  # type: ignore[arg-type]
            entities.append(PredEntity(start=start, end=end, type=kind))  # type: ignore[arg-type]
    return entities


def read_tags(path: Path) -> dict[str, list[tuple[int, list[Any], int]]]:
    """doc_id -> [(sentence_id, tags, line)] from a JSON Lines file; InputError naming file and line."""
    rows: dict[str, list[tuple[int, list[Any], int]]] = {}
    problems = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(Problem(str(path), None, None, f"cannot read: {error}")) from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError as error:
            problems.append(Problem(str(path), number, None, f"invalid JSON: {error}"))
            continue
        if not isinstance(row, dict):
            problems.append(Problem(str(path), number, None, "expected a JSON object"))
            continue
        tags = row.get("tags", row.get("ner_tags"))
        for field, ok in (
            ("doc_id", isinstance(row.get("doc_id"), str)),
            ("sentence_id", isinstance(row.get("sentence_id"), int)),
            ("tags", isinstance(tags, list)),
        ):
            if not ok:
                problems.append(Problem(str(path), number, field, "missing or of the wrong type"))
                break
        else:
            rows.setdefault(row["doc_id"], []).append((row["sentence_id"], tags, number))
    if problems:
        raise InputError(problems)
    return rows


class Iob2Tags:
    """The system ``iob2:TAGS.jsonl``: a tagger's stored IOB2 tags as entity predictions."""

    def __init__(self, path: str | Path, labels: Mapping[str, str | None] | None = None):
        self.path = Path(path)
        self.labels = LabelMap(labels)
        self.rows = read_tags(self.path)

    def __call__(self, doc: dict[str, Any]) -> Prediction:
        rows = sorted(self.rows.get(doc["doc_id"], []))
        if not rows:
            message = f"no tags for document {doc['doc_id']}"
            raise InputError(Problem(str(self.path), None, "doc_id", message))
        try:
            entities = entities_from_tags(doc["text"], [tags for _, tags, _ in rows], self.labels)
        except ValueError as error:
            raise InputError(
                Problem(str(self.path), rows[0][2], "tags", f"{doc['doc_id']}: {error}")
            ) from None
        return Prediction(doc_id=doc["doc_id"], entities=tuple(entities))


def predictions_from_iob2(
    rows: Iterable[Mapping[str, Any]], documents: Iterable[Mapping[str, Any]], labels: LabelMap | None = None
) -> list[Prediction]:
    """Predictions for ``documents`` from rows shaped like the ``tokens`` config (``tags``/``ner_tags``)."""
    by_doc: dict[str, list[tuple[int, list[Any]]]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(
            (row["sentence_id"], list(row.get("tags", row.get("ner_tags"))))
        )
    return [
        Prediction(
            doc_id=doc["doc_id"],
            entities=tuple(
                entities_from_tags(doc["text"], [t for _, t in sorted(by_doc.get(doc["doc_id"], []))], labels)
            ),
        )
        for doc in documents
    ]
