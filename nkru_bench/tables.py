"""Gold and predictions as columns: one numpy array per field, one row per item, every document at once.

This is the form scoring works on. A gold of any size streams through ``gold_table`` a document at a
time and is never held as records; predictions are added to a ``PredictionTable`` a line at a time as
they are read and checked. Each item row carries ``doc``, the row of its document in gold order.

Strings that are compared (lemmas, entity ids, stance holders, figure sources) become integer codes
from one ``Codes`` shared by the gold and the predictions, so equal codes mean equal strings; ``-1``
means "not given". Closed vocabularies become their index in ``records`` (``ENTITY_TYPES`` and the
like). Offsets are ``-1`` where a prediction gives none.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from nkru_bench.records import ENTITY_TYPES, LABELS, QUALIFIERS, TARGETS, UNITS, Document, KBEntry

TYPE_INDEX = {name: i for i, name in enumerate(ENTITY_TYPES)}
UNIT_INDEX = {name: i for i, name in enumerate(UNITS)}
QUALIFIER_INDEX = {name: i for i, name in enumerate(QUALIFIERS)}
TARGET_INDEX = {name: i for i, name in enumerate(TARGETS)}
LABEL_INDEX = {name: i for i, name in enumerate(LABELS)}


class Codes:
    """Strings as small integers, the same string always the same code; ``None`` is ``-1``."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}
        self.names: list[str] = []

    def __call__(self, name: str | None) -> int:
        if name is None:
            return -1
        code = self._codes.get(name)
        if code is None:
            code = self._codes[name] = len(self.names)
            self.names.append(name)
        return code

    def name(self, code: int) -> str | None:
        return None if code < 0 else self.names[code]

    def __len__(self) -> int:
        return len(self.names)


# --- columns of one kind of item -----------------------------------------------------------------


@dataclass(frozen=True)
class Columns:
    """Equal-length arrays, one per field; subclasses name the fields."""

    doc: np.ndarray

    def __len__(self) -> int:
        return len(self.doc)

    def take(self, rows: np.ndarray) -> Any:
        """The same columns, only ``rows`` (a boolean mask or indices), in that order."""
        return type(self)(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


@dataclass(frozen=True)
class EntityColumns(Columns):
    start: np.ndarray
    end: np.ndarray
    type: np.ndarray
    lemma: np.ndarray
    entity_id: np.ndarray


@dataclass(frozen=True)
class FigureColumns(Columns):
    start: np.ndarray
    end: np.ndarray
    value: np.ndarray
    unit: np.ndarray
    qualifier: np.ndarray
    source_id: np.ndarray


@dataclass(frozen=True)
class StanceColumns(Columns):
    holder_id: np.ndarray
    target: np.ndarray
    label: np.ndarray


@dataclass(frozen=True)
class SpanColumns(Columns):
    start: np.ndarray
    end: np.ndarray


class _Builder:
    """Appends rows to ``array.array`` buffers (8 bytes an integer, not a Python object each)."""

    def __init__(self, kind: type[Columns]) -> None:
        self.kind = kind
        self.buffers = {f.name: array("d" if f.name == "value" else "q") for f in fields(kind)}
        self.append = [self.buffers[f.name].append for f in fields(kind)]

    def add(self, *values: Any) -> None:
        for append, value in zip(self.append, values, strict=True):
            append(value)

    def finish(self) -> Any:
        return self.kind(**{name: np.frombuffer(buffer, dtype=buffer.typecode) if buffer else
                            np.zeros(0, dtype="d" if buffer.typecode == "d" else np.int64)
                            for name, buffer in self.buffers.items()})  # fmt: skip


def _or_none(value: int | None) -> int:
    return -1 if value is None else value


# --- the gold ------------------------------------------------------------------------------------


TEXT_CHUNK = 1024


@dataclass(frozen=True)
class GoldTable:
    """The gold as columns, documents in gold order; the texts as compact UTF-8 (Arrow arrays of
    ``TEXT_CHUNK`` documents each)."""

    revision: str
    doc_ids: tuple[str, ...]
    langs: tuple[str, ...]
    texts: tuple[Any, ...]  # pyarrow.LargeStringArray
    lengths: np.ndarray  # of each text, in code points
    entities: EntityColumns
    figures: FigureColumns
    stance: StanceColumns
    boilerplate: SpanColumns
    codes: Codes

    def text(self, doc: int) -> str:
        return self.texts[doc // TEXT_CHUNK][doc % TEXT_CHUNK].as_py()

    def texts_of(self, docs: Iterable[int]) -> Iterator[str]:
        """The texts of ``docs`` (in increasing order), converted a chunk at a time."""
        chunk, strings = -1, []
        for doc in docs:
            if doc // TEXT_CHUNK != chunk:
                chunk = doc // TEXT_CHUNK
                strings = self.texts[chunk].to_pylist()
            yield strings[doc % TEXT_CHUNK]


def gold_table(documents: Iterable[Document], kb: Sequence[KBEntry], codes: Codes | None = None) -> GoldTable:
    """The columns of a gold, its documents consumed one at a time (a stream stays a stream). The
    revision is ``build.gold_revision`` of the same documents and knowledge base."""
    import pyarrow as pa

    from nkru_bench.build import gold_json_chunks, revision_of

    codes = codes or Codes()
    doc_ids: list[str] = []
    langs: list[str] = []
    texts: list[str] = []
    text_chunks: list[Any] = []
    entities, figures = _Builder(EntityColumns), _Builder(FigureColumns)
    stance, boilerplate = _Builder(StanceColumns), _Builder(SpanColumns)

    def read(doc: Document) -> Document:
        row = len(doc_ids)
        doc_ids.append(doc.doc_id)
        langs.append(doc.lang)
        texts.append(doc.text)
        if len(texts) == TEXT_CHUNK:
            text_chunks.append(pa.array(texts, type=pa.large_string()))
            texts.clear()
        for e in doc.entities:
            entities.add(row, e.start, e.end, TYPE_INDEX[e.type], codes(e.lemma), codes(e.entity_id))
        for f in doc.figures:
            figures.add(row, f.start, f.end, f.value, UNIT_INDEX[f.unit], QUALIFIER_INDEX[f.qualifier],
                        codes(f.source_id))  # fmt: skip
        for s in doc.stance:
            stance.add(row, codes(s.holder_id), TARGET_INDEX[s.target], LABEL_INDEX[s.label])
        for b in doc.boilerplate:
            boilerplate.add(row, b.start, b.end)
        return doc

    revision = revision_of(gold_json_chunks((read(doc) for doc in documents), kb))
    text_chunks.append(pa.array(texts, type=pa.large_string()))
    import pyarrow.compute as pc

    lengths = np.concatenate([pc.utf8_length(chunk).to_numpy(zero_copy_only=False) for chunk in text_chunks])
    return GoldTable(
        revision=revision,
        doc_ids=tuple(doc_ids),
        langs=tuple(langs),
        texts=tuple(text_chunks),
        lengths=lengths.astype(np.int64),
        entities=entities.finish(),
        figures=figures.finish(),
        stance=stance.finish(),
        boilerplate=boilerplate.finish(),
        codes=codes,
    )


# --- the predictions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PredictionTable:
    """Checked predictions as columns, each item with the gold row of its document; a task that was
    not attempted is ``None``."""

    source: str
    attempted: tuple[str, ...]
    missing: tuple[str, ...]
    entities: EntityColumns | None
    figures: FigureColumns | None
    stance: StanceColumns | None
    lines: int  # predictions read


class PredictionColumns:
    """Adds predictions (``predictions.Prediction``) to columns as they are read."""

    def __init__(self, codes: Codes) -> None:
        self.codes = codes
        self.entities, self.figures = _Builder(EntityColumns), _Builder(FigureColumns)
        self.stance = _Builder(StanceColumns)
        self.lines = 0

    def add(self, doc: int, prediction: Any) -> None:
        codes = self.codes
        self.lines += 1
        for e in prediction.entities or ():
            self.entities.add(doc, e.start, e.end, TYPE_INDEX[e.type], codes(e.lemma), codes(e.entity_id))
        for f in prediction.figures or ():
            self.figures.add(doc, _or_none(f.start), _or_none(f.end), f.value, UNIT_INDEX[f.unit],
                             -1 if f.qualifier is None else QUALIFIER_INDEX[f.qualifier],
                             codes(f.source_id))  # fmt: skip
        for s in prediction.stance or ():
            self.stance.add(doc, codes(s.holder_id), TARGET_INDEX[s.target], LABEL_INDEX[s.label])

    def finish(self, source: str, attempted: tuple[str, ...], missing: tuple[str, ...]) -> PredictionTable:
        built = {task: getattr(self, task).finish() if task in attempted else None
                 for task in ("entities", "figures", "stance")}  # fmt: skip
        return PredictionTable(source, attempted, missing, lines=self.lines, **built)
