"""Gold and predictions as columns: one numpy array per field, one row per item, every document at once.

This is the form scoring works on. A gold of any size streams through ``gold_table`` a batch of
documents at a time and is never held as records; predictions are added to a ``PredictionTable`` a
line (or a block of lines) at a time as they are read and checked. Each item row carries ``doc``, the
row of its document in gold order. Counting takes a range of documents at a time (``gold_blocks``,
``by_documents``), so that what it makes meanwhile is bounded by the range.

Strings that are compared (lemmas, entity ids, stance holders, figure sources) become integer codes
from one ``Codes`` shared by the gold and the predictions, so equal codes mean equal strings; ``-1``
means "not given". Closed vocabularies become their index in ``gold.records`` (``ENTITY_TYPES`` and the
like). Offsets are ``-1`` where a prediction gives none.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from nkru_bench.gold.vocabularies import ENTITY_TYPES, LABELS, QUALIFIERS, TARGETS, UNITS
from nkru_bench.scoring.arrow_numpy import floats, index_in, ints, list_parents, mapped

if TYPE_CHECKING:
    from nkru_bench.gold.records import Document, KBEntry

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
        self._known: Any = None  # names first seen in Arrow arrays (``of_strings``), as one array
        self._known_codes = np.zeros(0, dtype=np.int64)  # and their codes
        self._new: list[tuple[Any, int]] = []  # those since it was made: (a slice of one's array, code)

    def __call__(self, name: str | None) -> int:
        if name is None:
            return -1
        code = self._codes.get(name)
        if code is None:
            code = self._codes[name] = len(self.names)
            self.names.append(name)
        return code

    def of_strings(self, strings: Any) -> np.ndarray:
        """The code of each of ``strings`` (distinct, no null: an Arrow dictionary), as ``__call__``
        gives it. Strings seen in earlier arrays are looked up by Arrow among those kept as one Arrow
        array (made of slices of the arrays given: no Python string becomes Arrow, which would import
        pandas); the others are coded one by one, in order. Arrow hashes the kept strings on every
        call, so it looks them up only while they are few beside the strings asked for."""
        import pyarrow as pa

        from nkru_bench.scoring import arrow_compute

        if self._new:  # strings first seen since the array was made
            parts = [self._known] if self._known is not None else []
            self._known = pa.concat_arrays([*parts, *(piece for piece, _ in self._new)])
            self._known_codes = np.append(self._known_codes, [code for _, code in self._new])
            self._new = []
        codes = np.full(len(strings), -1, dtype=np.int64)
        known, kept = self._known, strings.type == pa.string()
        if kept and known is not None and len(strings) >= 64 and len(known) <= 8 * len(strings):
            at = ints(arrow_compute.index_in(strings, known))
            found = at >= 0
            codes[found] = self._known_codes[at[found]]
            rest = np.flatnonzero(~found).tolist()
            names = [strings[i].as_py() for i in rest]
        else:
            rest, names = list(range(len(strings))), strings.to_pylist()
        for i, name in zip(rest, names, strict=True):
            new = name not in self._codes
            code = codes[i] = self(name)
            if new and kept:
                self._new.append((strings.slice(i, 1), code))
        return codes

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


C = TypeVar("C", bound=Columns)

# The columns of each task's items, and of the gold's boilerplate spans.
TASK_COLUMNS: dict[str, type[Columns]] = {
    "entities": EntityColumns,
    "figures": FigureColumns,
    "stance": StanceColumns,
}
GOLD_COLUMNS: dict[str, type[Columns]] = {**TASK_COLUMNS, "boilerplate": SpanColumns}


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


class ColumnStack:
    """Columns of one kind appended a block of rows at a time into one array per field, with room to
    grow (as much as the caller expects, else doubled when full; room not yet written is not yet
    resident), cut to size at the end: no parts kept to be concatenated, so the rows are never held
    twice, nor left behind in the heap."""

    def __init__(self, kind: type[Columns]) -> None:
        self.kind = kind
        self.arrays = {f.name: np.empty(0, dtype=_dtype(f.name)) for f in fields(kind)}
        self.size = 0

    def reserve(self, rows: int) -> None:
        """Room for ``rows`` rows in all (as expected: more still fit)."""
        if rows > len(self.arrays["doc"]):
            for name, old in self.arrays.items():
                self.arrays[name] = np.empty(rows, dtype=old.dtype)
                self.arrays[name][: self.size] = old[: self.size]
                del old

    def add(self, columns: Columns) -> None:
        end = self.size + len(columns)
        if end > len(self.arrays["doc"]):
            self.reserve(max(end, 2 * len(self.arrays["doc"])))
        for name, values in self.arrays.items():
            values[self.size : end] = getattr(columns, name)
        self.size = end

    def finish(self) -> Any:
        """The columns (the stack is done with: add nothing after)."""
        for values in self.arrays.values():
            values.resize(self.size, refcheck=False)  # in place: the room left over is given back
        return self.kind(**self.arrays)


def _dtype(name: str) -> Any:
    return np.float64 if name == "value" else np.int64


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


def _items(batch: Any, name: str, first_row: int) -> tuple[np.ndarray, Any]:
    """(the document row of each item, the items' struct array) of a list column."""
    from nkru_bench.scoring import arrow_compute as pc

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

    from nkru_bench.gold.revision import gold_json_chunks, revision_of
    from nkru_bench.scoring import arrow_compute as pc

    codes = codes or Codes()
    texts: list[Any] = []
    starts: list[int] = []
    stacks = {name: ColumnStack(kind) for name, kind in GOLD_COLUMNS.items()}
    ids: list[Any] = []
    langs: list[Any] = []
    rows = 0
    for batch in batches:
        ids.append(batch.column("doc_id"))
        langs.append(batch.column("lang"))
        texts.append(batch.column("text"))
        starts.append(rows)
        for name, columns in _batch_columns(batch, rows, codes).items():
            stacks[name].add(columns)
        rows += batch.num_rows
    lengths = [ints(pc.utf8_length(chunk)) for chunk in texts]
    table = GoldTable(
        revision=revision or revision_of(gold_json_chunks(documents, kb)),
        doc_ids=tuple(name for chunk in ids for name in chunk.to_pylist()),
        langs=tuple(lang for chunk in langs for lang in chunk.to_pylist()),
        texts=tuple(texts),
        text_starts=tuple(starts),
        lengths=np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int64),
        entities=stacks["entities"].finish(),
        figures=stacks["figures"].finish(),
        stance=stacks["stance"].finish(),
        boilerplate=stacks["boilerplate"].finish(),
        codes=codes,
        acts_for={codes(e.entity_id): codes(e.acts_for) for e in kb if e.acts_for is not None},
    )
    pa.default_memory_pool().release_unused()  # what reading the batches left in Arrow's pool
    return table


# --- a range of documents ------------------------------------------------------------------------


def in_order(keys: tuple[np.ndarray, ...]) -> bool:
    """Whether the rows are already sorted by ``keys`` (the last the primary, as ``np.lexsort``)."""
    tied = np.ones(max(len(keys[0]) - 1, 0), dtype=bool)  # rows equal to the next on every key so far
    for key in reversed(keys):
        if np.any(tied & (key[1:] < key[:-1])):
            return False
        tied &= key[1:] == key[:-1]
    return True


def by_documents(columns: C, bounds: Sequence[int]) -> Iterator[C]:
    """The items of each range of documents ``bounds[i] <= doc < bounds[i + 1]`` (``bounds`` increasing,
    from 0 to the number of documents), ``doc`` counted from the range's first document, the items of a
    document in their order. Items already in document order (the gold's) are views, not copies."""
    doc = columns.doc
    n_docs = bounds[-1] if len(bounds) else 0
    ends = np.concatenate([[0], np.cumsum(np.bincount(doc, minlength=n_docs))])[list(bounds)]
    order = None if in_order((doc,)) else np.argsort(doc, kind="stable")
    names = [f.name for f in fields(columns) if f.name != "doc"]
    for first, (lo, hi) in zip(bounds, pairwise(ends.tolist()), strict=False):  # the last bound starts none
        rows = slice(lo, hi) if order is None else order[lo:hi]
        items = {name: getattr(columns, name)[rows] for name in names}
        yield type(columns)(doc=doc[rows] - first, **items)


def gold_blocks(table: GoldTable, bounds: Sequence[int]) -> Iterator[GoldTable]:
    """The gold of each range of documents (as ``by_documents``): what counting one range needs, the
    same ``Codes`` and KB; the texts are views."""
    items = {name: by_documents(getattr(table, name), bounds) for name in GOLD_COLUMNS}
    for first, stop in pairwise(bounds):
        texts, starts = [], []
        for chunk, start in zip(table.texts, table.text_starts, strict=True):
            lo, hi = max(first, start), min(stop, start + len(chunk))
            if lo < hi:
                texts.append(chunk.slice(lo - start, hi - lo))
                starts.append(lo - first)
        yield replace(
            table,
            doc_ids=table.doc_ids[first:stop],
            langs=table.langs[first:stop],
            texts=tuple(texts),
            text_starts=tuple(starts),
            lengths=table.lengths[first:stop],
            **{name: next(found) for name, found in items.items()},
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
