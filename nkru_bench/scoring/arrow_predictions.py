"""A prediction file read as Arrow columns in one go: the fast path of ``scorer.read_and_check``.

``pyarrow.json`` parses the whole file against an explicit schema (unknown keys, a repeated key, a
string where a number belongs, an integer past int64, a bad escape: each fails the parse), then
every rule of ``predictions`` and ``checking`` is checked on whole columns. This path only ever
*accepts*: a file it cannot prove good in every respect (anything at all that the line-by-line
reader would report, or that this path does not know how to check) gives ``None``, and the caller
reads the file again line by line, which finds and locates each problem. So the line-by-line
reader stays the one definition of what is an error, and when this path accepts a file, it gives
exactly the columns that reader would give (``tests/test_arrow_predictions.py`` holds the two
against each other on generated good and bad files).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from nkru_bench.gold.records import ENTITY_TYPES, LABELS, QUALIFIERS, TARGETS, UNITS
from nkru_bench.scoring.arrow_numpy import floats, index_in, ints, list_parents, mapped, valid
from nkru_bench.scoring.predictions import TASKS
from nkru_bench.scoring.tables import (
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
_BLOCK = 1 << 26  # bytes parsed at a time; a longer line fails the parse (then: line by line)


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


def _nonblank_lines(data: bytes) -> int:
    """How many lines hold more than white space (the reader skips the others)."""
    end = len(data) - 1 if data.endswith(b"\n") else len(data)  # a last newline ends a line, starts none
    starts = (b"\n\n", b"\n ", b"\n\t", b"\n\r")  # where a blank line could begin (bytes.find is fast)
    if end > 0 and data[:1] not in b" \t\r\n" and not any(data.find(s, 0, end) >= 0 for s in starts):
        return data.count(b"\n", 0, end) + 1
    return sum(1 for _ in _NONBLANK_LINE.finditer(data))  # a blank or indented line somewhere: count them


def _parse(path: Path) -> Any | None:
    """The file as one Arrow table, or ``None`` when anything about its bytes is in doubt."""
    import pyarrow as pa
    import pyarrow.json as pj

    try:
        data = path.read_bytes()
        if data[:3] == b"\xef\xbb\xbf":  # the reader reports it (and reads on)
            return None
        table = pj.read_json(
            pa.py_buffer(data),
            read_options=pj.ReadOptions(block_size=_BLOCK),
            parse_options=pj.ParseOptions(
                explicit_schema=prediction_schema(), unexpected_field_behavior="error"
            ),
        )
    except (OSError, ValueError, pa.ArrowException, UnicodeDecodeError):
        return None  # empty files and unreadable ones included: the line-by-line reader says why
    lines = _nonblank_lines(data)
    del data
    try:
        table.validate(full=True)  # the parser copies strings unchecked: this checks they are UTF-8
    except (OSError, ValueError, BufferError, pa.ArrowException, UnicodeDecodeError):
        return None
    # One object per non-blank line: two objects on a line, or one over two lines, are not JSONL.
    if table.num_rows != lines or table.num_rows == 0:
        return None
    table = table.combine_chunks()
    return None if any(_has_control(strings) for strings in _strings(table)) else table


def _strings(table: Any) -> list[Any]:
    """Every string column of the table, nested ones flattened."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = []
    for column in (column.chunk(0) for column in table.columns):
        if pa.types.is_string(column.type):
            found.append(column)
        elif pa.types.is_list(column.type):
            items = pc.list_flatten(column)
            found += [items.field(f.name) for f in column.type.value_type if pa.types.is_string(f.type)]
    return found


def _has_control(strings: Any) -> bool:
    import pyarrow.compute as pc

    return bool(pc.any(pc.match_substring_regex(strings, _CONTROL)).as_py())


def _items(column: Any) -> tuple[np.ndarray, Any] | None:
    """(the row of each item, the items) of a list column whose items are all given, else None."""
    import pyarrow.compute as pc

    items = pc.list_flatten(column)
    if items.null_count:
        return None
    return list_parents(column), items


def _all_given(items: Any, names: tuple[str, ...]) -> bool:
    return all(items.field(name).null_count == 0 for name in names)


def _spans_ok(start: np.ndarray, end: np.ndarray, rows: np.ndarray, lengths: np.ndarray) -> bool:
    return bool(np.all(start >= 0) and np.all(end > start) and np.all(end <= lengths[rows]))


def read_prediction_table(
    path: Path, gold: GoldTable, allow_missing: bool, source: str
) -> PredictionTable | None:
    """The checked predictions of a JSONL file as columns, or ``None``: read it line by line."""
    table = _parse(path)
    if table is None or table.num_rows == 0 or table.column("doc_id").null_count:
        return None
    gold_rows = {doc_id: row for row, doc_id in enumerate(gold.doc_ids)}
    row_of_line = mapped(table.column("doc_id").chunk(0), lambda doc_id: gold_rows.get(doc_id, -1))
    if np.any(row_of_line < 0) or len(np.unique(row_of_line)) != len(row_of_line):
        return None  # an unknown or a repeated doc_id
    given = {task: valid(table.column(task).chunk(0)) for task in TASKS}
    attempted = tuple(task for task in TASKS if given[task].any())
    if not attempted:
        return None
    missing_rows = np.setdiff1d(np.arange(len(gold.doc_ids)), row_of_line)
    if not allow_missing and (len(missing_rows) or not all(given[task].all() for task in attempted)):
        return None
    columns: dict[str, Any] = {}
    codes = gold.codes
    if "entities" in attempted:
        found = _items(table.column("entities").chunk(0))
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
        lemma, entity_id = mapped(e.field("lemma"), codes), mapped(e.field("entity_id"), codes)
        columns["entities"] = EntityColumns(rows, start, end, kind, lemma, entity_id)
    if "figures" in attempted:
        found = _items(table.column("figures").chunk(0))
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
        source_id = mapped(f.field("source_id"), codes)
        columns["figures"] = FigureColumns(rows, start, end, value, unit, qualifier, source_id)
    if "stance" in attempted:
        found = _items(table.column("stance").chunk(0))
        if found is None:
            return None
        lines, s = found
        if not _all_given(s, ("holder_id", "target", "label")):
            return None
        rows = row_of_line[lines]
        target = index_in(s.field("target"), TARGETS, unknown=-2)
        label = index_in(s.field("label"), LABELS, unknown=-2)
        holder = mapped(s.field("holder_id"), codes)
        if np.any(target < 0) or np.any(label < 0):
            return None
        pairs = np.stack([lines, holder, target], axis=1)
        if len(np.unique(pairs, axis=0)) != len(pairs):
            return None  # a (holder_id, target) pair given twice on one line
        columns["stance"] = StanceColumns(rows, holder, target, label)
    missing = tuple(gold.doc_ids[row] for row in missing_rows.tolist())
    built = {task: columns.get(task) for task in TASKS}
    return PredictionTable(source, attempted, missing, lines=table.num_rows, **built)
