"""A prediction file read as Arrow columns, a block of lines at a time: the fast path of
``scorer.read_and_check``.

``pyarrow.json`` parses the file against an explicit schema (unknown keys, a repeated key, a string
where a number belongs, an integer past int64, a bad escape: each fails the parse), a block of bytes
at a time; every rule of ``predictions`` and ``checking`` is checked on the block's columns (those
about the whole file, such as a repeated ``doc_id``, once all are read), and the block's numeric
columns are appended to the file's. Only the columns are ever held whole: neither the file's bytes
nor all of its Arrow records. This path only ever
*accepts*: a file it cannot prove good in every respect (anything at all that the line-by-line
reader would report, or that this path does not know how to check) gives ``None``, and the caller
reads the file again line by line, which finds and locates each problem. So the line-by-line
reader stays the one definition of what is an error, and when this path accepts a file, it gives
exactly the columns that reader would give (``tests/test_arrow_predictions.py`` holds the two
against each other on generated good and bad files).
"""

from __future__ import annotations

import math
import os
import re
import stat
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from nkru_bench.common.ahead import ReadAhead
from nkru_bench.common.jsonlines import MAX_LINE_BYTES
from nkru_bench.gold.vocabularies import ENTITY_TYPES, LABELS, QUALIFIERS, TARGETS, TASKS, UNITS
from nkru_bench.scoring.arrow_numpy import floats, index_in, ints, list_parents, mapped, valid
from nkru_bench.scoring.tables import (
    TASK_COLUMNS,
    ColumnStack,
    EntityColumns,
    FigureColumns,
    GoldTable,
    PredictionTable,
    StanceColumns,
)

_NONBLANK_LINE = re.compile(rb"^[ \t\r]*[^ \t\r\n]", re.MULTILINE)
# Escaped control characters are valid JSON, and the parser decodes them as the reader does; the
# fast path leaves any string that holds one to the reader, which is where such rules live.
_CONTROL = "[\x00-\x1f]"
# The parser refuses a raw control character in a string, so one can only come from an escape: \b,
# \f, \n, \r, \t or \u0000 to \u001f. A block whose bytes hold none of these needs no search of its
# strings (an escaped backslash before such a letter only costs that search).
_CONTROL_ESCAPE = re.compile(rb"\\(?:[bfnrt]|u00[01])")
# Bytes read and parsed at a time (whole lines: a longer line makes a longer block). Arrow's parser
# splits a block further to parse the parts in parallel, unless a line is longer than a part.
_BLOCK = 1 << 24
_PART = 1 << 21
_BOM = b"\xef\xbb\xbf"
_NOT_AT_A_BRACE = re.compile(rb"\n[^{]")  # a line that does not start with "{": blank, indented, or worse
_NOT_AN_OBJECT = re.compile(rb"^[ \t\r]*[^ \t\r\n{]", re.MULTILINE)  # a line with something else first


class _Doubt(Exception):
    """Something about the file's bytes is in doubt: the line-by-line reader reads it and says what."""


def prediction_schema() -> Any:
    """The Arrow schema of a prediction line."""
    import pyarrow as pa

    string, int64 = pa.string(), pa.int64()
    entity = pa.struct(
        [("start", int64), ("end", int64), ("type", string), ("lemma", string), ("entity_id", string)]
    )
    figure = pa.struct(
        [
            ("value", pa.float64()),
            ("unit", string),
            ("qualifier", string),
            ("source_id", string),
            ("start", int64),
            ("end", int64),
        ]
    )
    stance = pa.struct([("holder_id", string), ("target", string), ("label", string)])
    return pa.schema(
        [
            ("doc_id", string),
            ("entities", pa.list_(entity)),
            ("figures", pa.list_(figure)),
            ("stance", pa.list_(stance)),
        ]
    )


def _object_lines(data: bytes, end: int) -> int | None:
    """How many lines of ``data[:end]`` (whole lines) hold more than white space (the reader skips the
    others); ``None`` when one of them does not start with ``{`` after white space: it is no JSON object,
    which the reader reports, and Arrow's parser is never given it (one that starts with ``null``
    crashes pyarrow 26)."""
    last = end - 1 if end and data[end - 1] == 0x0A else end  # a last newline ends a line, starts none
    if last > 0 and data[:1] == b"{" and not _NOT_AT_A_BRACE.search(data, 0, end):
        return data.count(b"\n", 0, last) + 1
    if _NOT_AN_OBJECT.search(data, 0, last):
        return None
    return sum(1 for _ in _NONBLANK_LINE.finditer(data, 0, last))  # blank or indented lines: count them


def _blocks(path: Path) -> Iterator[tuple[bytes, int, float]]:
    """The file's bytes a block at a time: (bytes, end, share of the file read so far), ``bytes[:end]``
    whole lines (the file's last line may have no newline), about ``_BLOCK`` bytes each. A line cut by
    the end of a block is read again with the next; one longer than the reader's ``MAX_LINE_BYTES`` is
    in doubt (the reader says where)."""
    with path.open("rb") as file:
        size = max(os.fstat(file.fileno()).st_size, 1)
        at, data = 0, b""
        while chunk := file.read(_BLOCK):
            data = data + chunk if data else chunk  # a line longer than a block: read on
            if len(data) > MAX_LINE_BYTES + 1 and data.find(b"\n", 0, MAX_LINE_BYTES + 1) < 0:
                raise _Doubt
            end = data.rfind(b"\n") + 1
            if end or len(chunk) < _BLOCK:
                end = end or len(data)
                at += end
                yield data, end, at / size
                file.seek(at)
                data = b""
        if data:
            yield data, len(data), 1.0


def _batches(path: Path) -> Iterator[tuple[Any, float]]:
    """(record batch, share of the file read so far) of each block of the file, every batch checked to
    hold one object per non-blank line (not two on a line, nor one over two), valid UTF-8 and no
    control character; ``_Doubt`` when anything about the bytes is in doubt."""
    import pyarrow as pa
    import pyarrow.json as pj

    options = pj.ParseOptions(explicit_schema=prediction_schema(), unexpected_field_behavior="error")
    parts = pj.ReadOptions(block_size=_PART)
    problems = (OSError, ValueError, BufferError, pa.ArrowException, UnicodeDecodeError)
    try:
        for at, (data, end, done) in enumerate(_blocks(path)):
            if at == 0 and data.startswith(_BOM):
                raise _Doubt  # the reader reports it (and reads on)
            lines = _object_lines(data, end)
            if lines is None:
                raise _Doubt
            escapes = _CONTROL_ESCAPE.search(data, 0, end) is not None
            block = pa.py_buffer(memoryview(data)[:end])
            try:
                table = pj.read_json(block, read_options=parts, parse_options=options)
            except pa.ArrowInvalid as error:
                if "straddl" not in str(error):
                    raise
                whole = pj.ReadOptions(block_size=end + 1)  # a line longer than a part: one part
                table = pj.read_json(block, read_options=whole, parse_options=options)
            del block, data
            if table.num_rows != lines:
                raise _Doubt
            if not lines:
                continue  # only blank lines
            table = table.combine_chunks()
            table.validate(full=True)  # the parser copies strings unchecked: this checks they are UTF-8
            if escapes and any(_has_control(strings) for strings in _strings(table)):
                raise _Doubt
            yield from ((batch, done) for batch in table.to_batches())
    except problems as error:  # unreadable files included: the line-by-line reader says why
        raise _Doubt from error


def _strings(table: Any) -> list[Any]:
    """Every string column of a table of one chunk, nested ones flattened."""
    import pyarrow as pa

    from nkru_bench.scoring import arrow_compute as pc

    found = []
    for column in (column.chunk(0) for column in table.columns):
        if pa.types.is_string(column.type):
            found.append(column)
        elif pa.types.is_list(column.type):
            items = pc.list_flatten(column)
            found += [items.field(f.name) for f in column.type.value_type if pa.types.is_string(f.type)]
    return found


def _has_control(strings: Any) -> bool:
    from nkru_bench.scoring import arrow_compute as pc

    return bool(pc.any(pc.match_substring_regex(strings, _CONTROL)).as_py())


def _items(column: Any) -> tuple[np.ndarray, Any] | None:
    """(the row of each item, the items) of a list column whose items are all given, else None."""
    from nkru_bench.scoring import arrow_compute as pc

    items = pc.list_flatten(column)
    if items.null_count:
        return None
    return list_parents(column), items


def _all_given(items: Any, names: tuple[str, ...]) -> bool:
    return all(items.field(name).null_count == 0 for name in names)


def _spans_ok(start: np.ndarray, end: np.ndarray, rows: np.ndarray, lengths: np.ndarray) -> bool:
    return bool(np.all(start >= 0) and np.all(end > start) and np.all(end <= lengths[rows]))


def read_ahead(path: Path) -> ReadAhead[tuple[Any, float]] | Generator[tuple[Any, float], None, None]:
    """The file's record batches (as ``read_prediction_table`` takes them), parsed in a thread ahead of
    their use, a block ahead at most: started before the gold is read, parsing overlaps reading it. A
    path that is not a regular file (a FIFO, a device) is read when the batches are taken, in the
    caller's thread: its reads may block without end, which ``ReadAhead.close`` could not wait for."""
    try:
        regular = stat.S_ISREG(path.stat().st_mode)
    except OSError:
        regular = False  # the reader says why
    if not regular:
        return _batches(path)
    return ReadAhead(_batches(path), depth=1, name="nkru-bench predictions")


def read_prediction_table(
    path: Path | Iterator[tuple[Any, float]], gold: GoldTable, allow_missing: bool, source: str
) -> PredictionTable | None:
    """The checked predictions of a JSONL file (a path, or its batches from ``read_ahead``) as columns,
    or ``None``: read it line by line."""
    import pyarrow as pa

    try:
        return _read(_batches(path) if isinstance(path, Path) else path, gold, allow_missing, source)
    except _Doubt:
        return None
    finally:
        pa.default_memory_pool().release_unused()  # what the parser left in Arrow's pool


def _read(
    batches: Iterator[tuple[Any, float]], gold: GoldTable, allow_missing: bool, source: str
) -> PredictionTable | None:
    """The checked columns of a file's record batches, read and checked one batch at a time."""
    gold_rows = {doc_id: row for row, doc_id in enumerate(gold.doc_ids)}
    stacks = {task: ColumnStack(TASK_COLUMNS[task]) for task in TASKS}
    rows: list[np.ndarray] = []  # the gold row of each line
    given: dict[str, list[np.ndarray]] = {task: [] for task in TASKS}  # whether each line gives the task
    for at, (batch, done) in enumerate(batches):
        if batch.column("doc_id").null_count:
            return None
        row_of_line = mapped(batch.column("doc_id"), lambda doc_id: gold_rows.get(doc_id, -1))
        if np.any(row_of_line < 0):
            return None  # an unknown doc_id
        rows.append(row_of_line)
        for task in TASKS:
            given[task].append(valid(batch.column(task)))
        for task, columns in zip(TASKS, _COLUMNS, strict=True):
            found = columns(batch.column(task), row_of_line, gold)
            if found is None:
                return None
            stacks[task].add(found)
            if at == 0:  # room for as many items as the file seems to hold
                stacks[task].reserve(math.ceil(stacks[task].size / done * 1.1))
    if not rows:
        return None  # no lines
    row_of_line = np.concatenate(rows)
    if len(np.unique(row_of_line)) != len(row_of_line):
        return None  # a repeated doc_id
    given_all = {task: np.concatenate(given[task]) for task in TASKS}
    attempted = tuple(task for task in TASKS if given_all[task].any())
    if not attempted:
        return None
    missing_rows = np.setdiff1d(np.arange(len(gold.doc_ids)), row_of_line)
    if not allow_missing and (len(missing_rows) or not all(given_all[task].all() for task in attempted)):
        return None
    missing = tuple(gold.doc_ids[row] for row in missing_rows.tolist())
    built = {task: stacks[task].finish() if task in attempted else None for task in TASKS}
    return PredictionTable(source, attempted, missing, lines=len(row_of_line), **built)


# The columns of one task from a batch: (list column, gold row of each line, gold) -> columns or None
# (something the line-by-line reader would report). A task no line gives has no items: nothing to check.


def _entities(column: Any, row_of_line: np.ndarray, gold: GoldTable) -> EntityColumns | None:
    found = _items(column)
    if found is None:
        return None
    lines, e = found
    if not _all_given(e, ("start", "end", "type")):
        return None
    rows = row_of_line[lines]
    start, end = ints(e.field("start")), ints(e.field("end"))
    kind = index_in(e.field("type"), ENTITY_TYPES, unknown=-2)
    if not _spans_ok(start, end, rows, gold.lengths) or np.any(kind < 0):
        return None
    lemma, entity_id = mapped(e.field("lemma"), gold.codes), mapped(e.field("entity_id"), gold.codes)
    return EntityColumns(rows, start, end, kind, lemma, entity_id)


def _figures(column: Any, row_of_line: np.ndarray, gold: GoldTable) -> FigureColumns | None:
    found = _items(column)
    if found is None:
        return None
    lines, f = found
    if not _all_given(f, ("value", "unit")):
        return None
    rows = row_of_line[lines]
    value = floats(f.field("value"))
    unit = index_in(f.field("unit"), UNITS, unknown=-2)
    qualifier = index_in(f.field("qualifier"), QUALIFIERS, unknown=-2)
    has_start, has_end = valid(f.field("start")), valid(f.field("end"))
    start, end = ints(f.field("start")), ints(f.field("end"))
    if not np.all(np.isfinite(value)) or np.any(unit < 0) or np.any(qualifier == -2):
        return None
    if np.any(has_start != has_end) or not _spans_ok(start[has_start], end[has_start], rows[has_start],
                                                      gold.lengths):  # fmt: skip
        return None
    source_id = mapped(f.field("source_id"), gold.codes)
    return FigureColumns(rows, start, end, value, unit, qualifier, source_id)


def _stance(column: Any, row_of_line: np.ndarray, gold: GoldTable) -> StanceColumns | None:
    found = _items(column)
    if found is None:
        return None
    lines, s = found
    if not _all_given(s, ("holder_id", "target", "label")):
        return None
    rows = row_of_line[lines]
    target = index_in(s.field("target"), TARGETS, unknown=-2)
    label = index_in(s.field("label"), LABELS, unknown=-2)
    holder = mapped(s.field("holder_id"), gold.codes)
    if np.any(target < 0) or np.any(label < 0):
        return None
    pairs = np.stack([lines, holder, target], axis=1)
    if len(np.unique(pairs, axis=0)) != len(pairs):
        return None  # a (holder_id, target) pair given twice on one line
    return StanceColumns(rows, holder, target, label)


_COLUMNS = (_entities, _figures, _stance)  # in the order of ``TASKS``
