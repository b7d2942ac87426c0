"""Checking a built gold (a ``default`` Parquet file) as the annotations are checked.

A Parquet file given as ``--gold`` is input like any other: it may be damaged, of another config or
schema, or hold rows no annotation file could produce. ``check_parquet`` reads it a batch of rows at a
time and names every problem by file, row (1-based, in file order) and field: a file Arrow cannot read,
a missing or mistyped column, a row that is not a ``Document``, a doc_id that is not a safe name or is
repeated, a span that is empty, reversed or past the text or whose text differs from the article's,
a figure value that is not finite, a string that is not text (NUL, a lone surrogate). It never holds
more than one batch of rows.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nkru_bench.common.errors import InputError, Problem, shown
from nkru_bench.common.files import check_name
from nkru_bench.common.jsonlines import problems_in
from nkru_bench.gold.records import Document, KBEntry

MAX_PROBLEMS = 50  # past this many, the rest is summed up in one line

_STRING_COLUMNS = ("doc_id", "lang", "date", "title", "text", "source_file", "sha256")
_LIST_COLUMNS = ("boilerplate", "entities", "figures", "stance")


def _arrow_errors() -> tuple[type[BaseException], ...]:
    import pyarrow as pa

    return (pa.ArrowException, OSError, ValueError)


def unreadable(path: Path, error: BaseException) -> InputError:
    detail = shown(" ".join(str(error).split()), 160, quote=False)
    return InputError(Problem(str(path), None, None, f"is not a readable Parquet file: {detail}"))


def _schema_problems(path: Path, schema: Any) -> list[Problem]:
    import pyarrow as pa

    names = set(schema.names)
    file = str(path)
    missing = [name for name in Document.model_fields if name not in names]
    if missing:
        message = (
            f"has no column {', '.join(missing)}: a gold is the 'default' config of a built dataset "
            "(nkru_bench/data/default/test.parquet)"
        )
        return [Problem(file, None, None, message)]
    problems = []
    for name in schema.names:
        kind = schema.field(name).type
        if name in _STRING_COLUMNS and not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            problems.append(Problem(file, None, name, f"column is {kind}, expected string"))
        elif name in _LIST_COLUMNS and not (pa.types.is_list(kind) or pa.types.is_large_list(kind)):
            problems.append(Problem(file, None, name, f"column is {kind}, expected a list"))
        elif name not in Document.model_fields:
            known = ", ".join(Document.model_fields)
            problems.append(Problem(file, None, name, f"unknown column: a gold has {known}"))
    return problems


def _field(loc: Iterable[Any]) -> str | None:
    return ".".join(str(part) for part in loc) or None


def _said(error: Any) -> str:
    """A pydantic error as one line with the value it refused."""
    return f"{error['msg']}, got {shown(error.get('input'))}"


def _spans(row: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """(field, span, whether it quotes the text) for every span of a row."""
    for key in ("entities", "figures"):
        for i, item in enumerate(row.get(key) or ()):
            yield f"{key}.{i}", item, True
    for i, item in enumerate(row.get("boilerplate") or ()):
        yield f"boilerplate.{i}", item, False
    for i, stance in enumerate(row.get("stance") or ()):
        for j, item in enumerate(stance.get("evidence") or ()):
            yield f"stance.{i}.evidence.{j}", item, False


def row_problems(row: dict[str, Any], number: int, file: str) -> list[Problem]:
    """Everything wrong with one row (``number`` is 1-based), as the annotation validator would say it."""
    found = [Problem(file, number, field, message) for field, message in problems_in(row)]
    if found:
        return found
    try:
        Document.model_validate(row)
    except ValidationError as error:
        return [Problem(file, number, _field(e["loc"]), _said(e)) for e in error.errors()]
    found += check_name(row["doc_id"], file, number)
    text = row["text"]
    for field, span, quotes in _spans(row):
        start, end = span["start"], span["end"]
        if start >= end:
            message = f"end {end} must be greater than start {start}"
            found.append(Problem(file, number, f"{field}.end", message))
        elif end > len(text):
            message = f"end {end} is past the end of the text ({len(text)} characters)"
            found.append(Problem(file, number, f"{field}.end", message))
        elif quotes and span["text"] != text[start:end]:
            quoted = shown(text[start:end])
            message = f"{shown(span['text'])} differs from the text at {start}:{end}, {quoted}"
            found.append(Problem(file, number, f"{field}.text", message))
    for i, figure in enumerate(row.get("figures") or ()):
        if not math.isfinite(figure["value"]):
            found.append(Problem(file, number, f"figures.{i}.value", "is not a finite number"))
    return found


def check_rows(rows: Iterable[dict[str, Any]], file: str) -> list[Problem]:
    """The problems of a gold's rows in file order (doc_ids unique across them)."""
    problems: list[Problem] = []
    first: dict[str, int] = {}
    number = 0
    for number, row in enumerate(rows, start=1):
        problems += row_problems(row, number, file)
        doc_id = row.get("doc_id")
        if isinstance(doc_id, str):
            if doc_id in first:
                message = f"doc_id {shown(doc_id)} is already in row {first[doc_id]}"
                problems.append(Problem(file, number, "doc_id", message))
            first.setdefault(doc_id, number)
        if len(problems) > MAX_PROBLEMS:
            break
    if number == 0:
        problems.append(Problem(file, None, None, "has no documents"))
    return problems


def check_parquet(path: Path) -> None:
    """Raise one ``InputError`` with every problem of the ``default`` Parquet gold at ``path``."""
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        problems = _schema_problems(path, parquet.schema_arrow)
        if problems:
            raise InputError(problems)
        rows = (row for batch in parquet.iter_batches(batch_size=256) for row in batch.to_pylist())
        problems = check_rows(rows, str(path))
    except _arrow_errors() as error:
        raise unreadable(path, error) from None
    if problems:
        raise InputError(_capped(problems))


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    more = Problem(problems[0].file, None, None, f"and more problems past the first {MAX_PROBLEMS}")
    return [*problems[:MAX_PROBLEMS], more]


def read_kb(path: Path) -> list[KBEntry]:
    """The knowledge base beside a Parquet gold (none when there is no such file), each row checked."""
    import pyarrow.parquet as pq

    if not path.exists():
        return []
    try:
        rows = pq.ParquetFile(path).read().to_pylist()
    except _arrow_errors() as error:
        raise unreadable(path, error) from None
    entries, problems = [], []
    for number, row in enumerate(rows, start=1):
        bad = [Problem(str(path), number, f, m) for f, m in problems_in(row)]
        if not bad:
            try:
                entries.append(KBEntry.model_validate(row))
            except ValidationError as error:
                bad = [Problem(str(path), number, _field(e["loc"]), _said(e)) for e in error.errors()]
        problems += bad
    if problems:
        raise InputError(_capped(problems))
    return entries
