"""Gold and predictions as columns: one numpy array per field, one row per item, every document at once.

This is the form scoring works on. A gold of any size streams through ``gold_table`` a batch of
documents at a time and is never held as records; predictions are added to a ``PredictionTable`` a
line at a time as they are read and checked. Each item row carries ``doc``, the row of its document
in gold order.

Strings that are compared (lemmas, entity ids, stance holders, figure sources) become integer codes
from one ``Codes`` shared by the gold and the predictions, so equal codes mean equal strings; ``-1``
means "not given". Closed vocabularies become their index in ``gold.records`` (``ENTITY_TYPES`` and the
like). Offsets are ``-1`` where a prediction gives none.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from nkru_bench.gold.records import ENTITY_TYPES, LABELS, QUALIFIERS, TARGETS, UNITS, Document, KBEntry
from nkru_bench.scoring.arrow_numpy import floats, index_in, ints, list_parents, mapped

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
        return self.kind(**{name: np.frombuffer(b, dtype=b.typecode) for name, b in self.buffers.items()})


def _or_none(value: int | None) -> int:
    return -1 if value is None else value


# --- the gold ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoldTable:
    """The gold as columns, documents in gold order; the texts as compact UTF-8 (Arrow arrays, one
    per batch read, ``text_starts`` the first document of each)."""

    revision: str
    doc_ids: tuple[str, ...]
    langs: tuple[str, ...]
    texts: tuple[Any, ...]  # pyarrow string arrays
    text_starts: tuple[int, ...]
    lengths: np.ndarray  # of each text, in code points
    entities: EntityColumns
    figures: FigureColumns
    stance: StanceColumns
    boilerplate: SpanColumns
    codes: Codes
    acts_for: dict[int, int] = field(default_factory=dict)  # KB: code of an id -> code of its actor

    def text(self, doc: int) -> str:
        chunk = bisect_right(self.text_starts, doc) - 1
        return self.texts[chunk][doc - self.text_starts[chunk]].as_py()

    def texts_of(self, docs: Iterable[int]) -> Iterator[str]:
        """The texts of ``docs`` (in increasing order), converted a chunk at a time."""
        chunk, strings = -1, []
        for doc in docs:
            if chunk < 0 or not self.text_starts[chunk] <= doc < self.text_starts[chunk] + len(strings):
                chunk = bisect_right(self.text_starts, doc) - 1
                strings = self.texts[chunk].to_pylist()
            yield strings[doc - self.text_starts[chunk]]


def _items(batch: Any, name: str, first_row: int) -> tuple[np.ndarray, Any]:
    """(the document row of each item, the items' struct array) of a list column."""
    import pyarrow.compute as pc

    column = batch.column(name)
    return list_parents(column) + first_row, pc.list_flatten(column)


def _batch_columns(batch: Any, first_row: int, codes: Codes) -> dict[str, Columns]:
    """The columns of one record batch of documents; item rows numbered from ``first_row``."""
    doc, e = _items(batch, "entities", first_row)
    entities = EntityColumns(
        doc,
        ints(e.field("start")),
        ints(e.field("end")),
        index_in(e.field("type"), ENTITY_TYPES),
        mapped(e.field("lemma"), codes),
        mapped(e.field("entity_id"), codes),
    )
    doc, f = _items(batch, "figures", first_row)
    figures = FigureColumns(
        doc,
        ints(f.field("start")),
        ints(f.field("end")),
        floats(f.field("value")),
        index_in(f.field("unit"), UNITS),
        index_in(f.field("qualifier"), QUALIFIERS),
        mapped(f.field("source_id"), codes),
    )
    doc, s = _items(batch, "stance", first_row)
    stance = StanceColumns(
        doc,
        mapped(s.field("holder_id"), codes),
        index_in(s.field("target"), TARGETS),
        index_in(s.field("label"), LABELS),
    )
    doc, b = _items(batch, "boilerplate", first_row)
    boilerplate = SpanColumns(doc, ints(b.field("start")), ints(b.field("end")))
    return {"entities": entities, "figures": figures, "stance": stance, "boilerplate": boilerplate}


def _concatenate(parts: list[Columns], kind: type[Columns]) -> Any:
    return kind(
        **{
            f.name: np.concatenate([getattr(p, f.name) for p in parts])
            if parts
            else np.zeros(0, dtype=np.float64 if f.name == "value" else np.int64)
            for f in fields(kind)
        }
    )


def gold_table(
    batches: Iterable[Any],
    documents: Iterable[Document],
    kb: Sequence[KBEntry],
    codes: Codes | None = None,
    revision: str | None = None,
) -> GoldTable:
    """The columns of a gold from its documents as Arrow record batches (of at least
    ``DOCUMENT_FIELDS``), and its revision (``gold.revision.gold_revision``) from the same documents as
    validated records. Both are read a batch at a time, one after the other: what the records make
    is all freed before the next batch, and nothing kept is made among them (it would pin their
    memory). A ``revision`` that ``build`` stored for these very files (``gold.revision``) stands for
    the second pass: the records were validated when it was stored."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from nkru_bench.gold.revision import gold_json_chunks, revision_of

    codes = codes or Codes()
    texts: list[Any] = []
    starts: list[int] = []
    parts: dict[str, list[Columns]] = {"entities": [], "figures": [], "stance": [], "boilerplate": []}
    ids: list[Any] = []
    langs: list[Any] = []
    rows = 0
    for batch in batches:
        ids.append(batch.column("doc_id"))
        langs.append(batch.column("lang"))
        texts.append(batch.column("text"))
        starts.append(rows)
        for name, columns in _batch_columns(batch, rows, codes).items():
            parts[name].append(columns)
        rows += batch.num_rows
    lengths = [ints(pc.utf8_length(chunk)) for chunk in texts]
    table = GoldTable(
        revision=revision or revision_of(gold_json_chunks(documents, kb)),
        doc_ids=tuple(name for chunk in ids for name in chunk.to_pylist()),
        langs=tuple(lang for chunk in langs for lang in chunk.to_pylist()),
        texts=tuple(texts),
        text_starts=tuple(starts),
        lengths=np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64),
        entities=_concatenate(parts["entities"], EntityColumns),
        figures=_concatenate(parts["figures"], FigureColumns),
        stance=_concatenate(parts["stance"], StanceColumns),
        boilerplate=_concatenate(parts["boilerplate"], SpanColumns),
        codes=codes,
        acts_for={codes(e.entity_id): codes(e.acts_for) for e in kb if e.acts_for is not None},
    )
    pa.default_memory_pool().release_unused()  # what reading the batches left in Arrow's pool
    return table


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
            self.figures.add(
                doc,
                _or_none(f.start),
                _or_none(f.end),
                f.value,
                UNIT_INDEX[f.unit],
                -1 if f.qualifier is None else QUALIFIER_INDEX[f.qualifier],
                codes(f.source_id),
            )
        for s in prediction.stance or ():
            self.stance.add(doc, codes(s.holder_id), TARGET_INDEX[s.target], LABEL_INDEX[s.label])

    def finish(self, source: str, attempted: tuple[str, ...], missing: tuple[str, ...]) -> PredictionTable:
        built = {
            task: getattr(self, task).finish() if task in attempted else None
            for task in ("entities", "figures", "stance")
        }
        return PredictionTable(source, attempted, missing, lines=self.lines, **built)
