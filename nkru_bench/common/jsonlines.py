"""Reading JSON Lines with every problem located by file and line.

The one reader for every JSONL input of the project (the seed manifest, annotation files,
predictions). It never raises on bad content: it returns the objects it could read, each with
its 1-based line number, and a ``Problem`` for everything else (a byte order mark, bytes that are
not UTF-8, a line that is not JSON or not an object, NaN or Infinity, which JSON does not have).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import Problem


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_lines(data: bytes, file: str) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    problems: list[Problem] = []
    objects = list(iter_lines(data, file, problems))
    return objects, problems


def iter_lines(
    data: bytes | Iterable[bytes], file: str, problems: list[Problem]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``parse_lines`` one object at a time (a large file is never held as objects all at once);
    each problem is appended to ``problems`` when its line is reached. ``data`` is the whole input or
    its lines as an open binary file gives them (each with its ``\\n``)."""
    pieces = _split_lines(data) if isinstance(data, bytes) else (_chomp(line) for line in data)
    for number, raw in enumerate(pieces, start=1):
        if number == 1 and raw.startswith(BOM):
            problems.append(
                Problem(file, 1, None, "starts with a byte order mark: save it as UTF-8 without BOM")
            )
            raw = raw[len(BOM) :]
        if not raw.strip():
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(
                Problem(file, number, None, f"is not valid UTF-8 (byte {error.start} of the line)")
            )
            continue
        try:
            obj = json.loads(line, parse_constant=_reject_constant)
        except ValueError as error:
            problems.append(Problem(file, number, None, f"is not valid JSON: {error}"))
            continue
        if not isinstance(obj, dict):
            problems.append(Problem(file, number, None, f"must be a JSON object, not {type(obj).__name__}"))
            continue
        yield number, obj


BOM = b"\xef\xbb\xbf"


def _chomp(line: bytes) -> bytes:
    return line[:-1] if line.endswith(b"\n") else line


def _split_lines(data: bytes) -> Iterator[bytes]:
    """``data.split(b"\\n")``, one piece at a time."""
    start = 0
    while (end := data.find(b"\n", start)) >= 0:
        yield data[start:end]
        start = end + 1
    yield data[start:]


def read_jsonl(path: Path) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    """The objects of a JSONL file with their line numbers, and the problems found."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return [], [Problem(str(path), None, None, f"cannot be read: {error.strerror or error}")]
    return parse_lines(data, str(path))


def dumps(obj: Any) -> str:
    """One JSONL line: compact separators after keys, UTF-8 kept readable, no trailing newline."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)
