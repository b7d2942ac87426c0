"""Reading JSON Lines (and whole JSON documents) with every problem located by file, line and field.

The one reader for every JSON input of the project (the seed manifest, annotation files, predictions,
annotation tools' exports). It is the single definition of what JSON the project accepts; beyond what
``json`` itself refuses, each of these is a problem of its line, named by field where there is one:

- a byte order mark, bytes that are not UTF-8 (located to the string that holds them);
- a line that is not JSON, or not a JSON object;
- a key given twice in one object (JSON leaves it undefined; here it is an error, never "the last wins");
- nesting deeper than ``MAX_DEPTH`` (the project's records are four levels deep);
- NaN or Infinity, which JSON does not have, and a number too large for a double (``1e999``);
- an integer beyond the 64-bit range (a 400-digit number is an error, never infinity);
- a string or key with a NUL character or a lone surrogate (``"\\ud800"``), which are not text.
- a line longer than ``MAX_LINE_BYTES`` (an input with no end of line, such as ``/dev/zero``, would
  otherwise be read until memory runs out): a problem of that line, and the input is read no further.

The reader never raises on bad content: it returns the objects it could read, each with its 1-based
line number, and a ``Problem`` for everything else.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from nkru_bench.common.errors import InputError, Problem, shown
from nkru_bench.common.reading import read_input

BOM = b"\xef\xbb\xbf"
MAX_DEPTH = 32
# The longest line read (bytes, its end of line not counted): a prediction for the longest article is a
# few hundred kilobytes, so this refuses only what cannot be meant.
MAX_LINE_BYTES = 1 << 26
INT_LIMIT = 2**63  # integers must lie in [-2**63, 2**63 - 1]
_OUT_OF_RANGE = "is out of range: integers must lie within ±2**63 (a 64-bit integer)"

_NOT_TEXT = re.compile("[\x00\ud800-\udfff]")
_UNDECODED = re.compile("[\udc80-\udcff]")  # bytes that did not decode, kept by "surrogateescape"


class _DuplicateKeys(dict):  # type: ignore[type-arg]
    """An object with a repeated key: the repeated keys, kept for the walk to report."""

    repeated: list[str]


class _HugeInt:
    """An integer literal too long even to convert (Python refuses more than 4300 digits)."""

    def __init__(self, literal: str) -> None:
        self.digits = len(literal.lstrip("-"))


class _Hooks:
    """The parser's hooks for one value; ``suspect`` is set when the walk must look (most values
    never need it: JSON-level problems need a key twice, a long integer, an overflowing or named
    number, a ``\\u`` escape or deep nesting, each seen cheaply while parsing)."""

    __slots__ = ("suspect",)

    def __init__(self) -> None:
        self.suspect = False

    def pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        self.suspect = True
        marked = _DuplicateKeys(obj)
        seen: set[str] = set()
        marked.repeated = [key for key, _ in pairs if key in seen or seen.add(key)]  # type: ignore[func-returns-value]
        return marked

    def integer(self, literal: str) -> int | _HugeInt:
        if len(literal) > 18:
            self.suspect = True
            if len(literal) > 4000:
                return _HugeInt(literal)
        return int(literal)

    def number(self, literal: str) -> float:
        value = float(literal)
        if value in (math.inf, -math.inf):  # 1e999: too large for a double
            self.suspect = True
        return value

    def constant(self, name: str) -> float:
        self.suspect = True  # NaN, Infinity, -Infinity: kept, and reported by the walk with their field
        return float(name)


_NOT_BRACKETS = bytes(range(256)).translate(None, b"[]{}")


def _deeper_than(raw: bytes, limit: int) -> bool:
    """Whether the brackets of ``raw`` may nest deeper than ``limit`` (brackets inside strings make
    it err on the side of yes; the walk then measures the real depth)."""
    brackets = raw.translate(None, _NOT_BRACKETS)
    for _ in range(limit):
        if not brackets:
            return False
        reduced = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if reduced == brackets:
            return True
        brackets = reduced
    return bool(brackets)


def _path(loc: list[Any]) -> str | None:
    return ".".join(str(part) for part in loc) or None


def _number_name(value: float) -> str:
    return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"


def problems_in(value: Any) -> Iterator[tuple[str | None, str]]:
    """(field, message) for everything JSON-level wrong inside a parsed value (see the module text).

    Iterative, so that no nesting makes it recurse; it stops descending at ``MAX_DEPTH``.
    """
    stack: list[tuple[Any, list[Any]]] = [(value, [])]
    while stack:
        item, loc = stack.pop()
        if isinstance(item, str):
            if _NOT_TEXT.search(item):
                yield _path(loc), _text_message(item)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int):
            if not -INT_LIMIT <= item < INT_LIMIT:
                yield _path(loc), f"integer {_digits(item)} {_OUT_OF_RANGE}"
        elif isinstance(item, _HugeInt):
            yield _path(loc), f"integer of {item.digits} digits {_OUT_OF_RANGE}"
        elif isinstance(item, float):
            if not math.isfinite(item):
                yield _path(loc), f"{_number_name(item)} is not a finite number: give a finite number"
        elif len(loc) >= MAX_DEPTH:
            yield _path(loc), f"is nested deeper than {MAX_DEPTH} levels"
        elif isinstance(item, dict):
            if isinstance(item, _DuplicateKeys):
                for key in item.repeated:
                    yield _path([*loc, key]), "key is given twice in one object: give each key once"
            for key, child in reversed(item.items()):
                if _NOT_TEXT.search(key):
                    yield _path([*loc, key]), "key " + _text_message(key)
                stack.append((child, [*loc, key]))
        elif isinstance(item, list):
            stack.extend((child, [*loc, i]) for i, child in reversed(list(enumerate(item))))


def _digits(value: int) -> str:
    text = str(value)
    return text if len(text) <= 24 else f"{text[:12]}...({len(text.lstrip('-'))} digits)"


def _text_message(text: str) -> str:
    if "\x00" in text:
        return f"contains a NUL character (\\u0000), which is not text: {shown(text)}"
    if _UNDECODED.search(text):
        escaped = text.encode("utf-8", "surrogateescape")
        return f"is not valid UTF-8 text: {shown(escaped)}"
    return f"is not valid UTF-8 text: it holds a lone surrogate, {shown(text)}"


def loads(raw: bytes, file: str, line: int | None = None) -> tuple[Any, list[Problem]]:
    """One JSON value from its UTF-8 bytes, and its problems (then the value is ``None``)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return _undecodable(raw, error, file, line)
    hooks = _Hooks()
    try:
        value = json.loads(
            text,
            object_pairs_hook=hooks.pairs,
            parse_int=hooks.integer,
            parse_float=hooks.number,
            parse_constant=hooks.constant,
        )
    except RecursionError:
        return None, [Problem(file, line, None, f"is not valid JSON: nested deeper than {MAX_DEPTH} levels")]
    except ValueError as error:
        return None, [Problem(file, line, None, f"is not valid JSON: {shown(str(error), 200, quote=False)}")]
    if not (hooks.suspect or b"\\u" in raw or _deeper_than(raw, MAX_DEPTH)):
        return value, []
    found = [Problem(file, line, field, message) for field, message in problems_in(value)]
    return (None, found) if found else (value, [])


def _undecodable(
    raw: bytes, error: UnicodeDecodeError, file: str, line: int | None
) -> tuple[None, list[Problem]]:
    """Bytes that are not UTF-8: named by the field that holds them when the rest is JSON."""
    hooks = _Hooks()
    try:
        value = json.loads(raw.decode("utf-8", "surrogateescape"), object_pairs_hook=hooks.pairs)
    except (ValueError, RecursionError):
        value = None
    located = [
        Problem(file, line, field, message) for field, message in problems_in(value) if "UTF-8" in message
    ]
    where = "" if line is None else " of the line"
    return None, located or [Problem(file, line, None, f"is not valid UTF-8 (byte {error.start}{where})")]


def parse_lines(data: bytes, file: str) -> tuple[list[tuple[int, dict[str, Any]]], list[Problem]]:
    problems: list[Problem] = []
    objects = list(iter_lines(data, file, problems))
    return objects, problems


def iter_lines(
    data: bytes | BinaryIO, file: str, problems: list[Problem]
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``parse_lines`` one object at a time (a large file is never held as objects all at once);
    each problem is appended to ``problems`` when its line is reached. ``data`` is the whole input or
    an open binary file (read a line at a time, ``MAX_LINE_BYTES`` at the most)."""
    pieces = _split_lines(data) if isinstance(data, bytes) else _read_lines(data)
    for number, raw in enumerate(pieces, start=1):
        if raw is None:
            message = f"is longer than {MAX_LINE_BYTES:,} bytes: the input is read no further"
            problems.append(Problem(file, number, None, message))
            return
        if number == 1 and raw.startswith(BOM):
            problems.append(
                Problem(file, 1, None, "starts with a byte order mark: save it as UTF-8 without BOM")
            )
            raw = raw[len(BOM) :]
        if not raw.strip():
            continue
        obj, found = loads(raw, file, number)
        if found:
            problems.extend(found)
            continue
        if not isinstance(obj, dict):
            problems.append(Problem(file, number, None, f"must be a JSON object, not {json_type(obj)}"))
            continue
        yield number, obj


_JSON_TYPES = {dict: "object", _DuplicateKeys: "object", list: "array", str: "string", bool: "boolean",
               int: "integer", float: "number", type(None): "null"}  # fmt: skip


def json_type(value: Any) -> str:
    """The JSON name of a parsed value's type (never a Python type name such as ``NoneType``)."""
    return _JSON_TYPES.get(type(value), "value")


def line_too_long(line: bytes) -> bool:
    """Whether a line read with ``readline(MAX_LINE_BYTES + 1)`` is longer than ``MAX_LINE_BYTES``."""
    return len(line) > MAX_LINE_BYTES and not line.endswith(b"\n")


def _read_lines(stream: BinaryIO) -> Iterator[bytes | None]:
    """The lines of a binary stream without their ``\\n``; ``None`` for one longer than
    ``MAX_LINE_BYTES``, which ends them."""
    while line := stream.readline(MAX_LINE_BYTES + 1):
        if line_too_long(line):
            yield None
            return
        yield line[:-1] if line.endswith(b"\n") else line


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
        data = read_input(path)
    except OSError as error:
        return [], [Problem(str(path), None, None, f"cannot be read: {error.strerror or error}")]
    except InputError as error:
        return [], error.problems
    return parse_lines(data, str(path))


def read_json(path: Path) -> tuple[Any, list[Problem]]:
    """One whole JSON document (an annotation tool's export), checked as every JSONL line is."""
    try:
        data = read_input(path)
    except OSError as error:
        return None, [Problem(str(path), None, None, f"cannot be read: {error.strerror or error}")]
    except InputError as error:
        return None, error.problems
    if data.startswith(BOM):
        data = data[len(BOM) :]
    return loads(data, str(path))


def dumps(obj: Any) -> str:
    """One JSONL line: compact separators after keys, UTF-8 kept readable, no trailing newline."""
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)
