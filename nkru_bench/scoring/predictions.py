"""Predictions: the one boundary type every system output becomes before it is matched.

A task key that is ``None`` means "not attempted" (not scored); an empty tuple means
"predicted nothing". Optional attributes left as ``None`` are not scored either.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from pydantic import Field, ValidationError

from nkru_bench.common.errors import InputError, Problem, shown
from nkru_bench.common.jsonlines import dumps, iter_lines, json_type, problems_in
from nkru_bench.gold.records import EntityType, Gold, Label, Qualifier, Record, Target, Unit
from nkru_bench.gold.vocabularies import TASKS


class PredEntity(Record):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    type: EntityType
    lemma: str | None = None
    entity_id: str | None = None


class PredFigure(Record):
    value: float
    unit: Unit
    qualifier: Qualifier | None = None
    source_id: str | None = None
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)


class PredStance(Record):
    holder_id: str
    target: Target
    label: Label


class Prediction(Record):
    doc_id: str
    entities: tuple[PredEntity, ...] | None = None
    figures: tuple[PredFigure, ...] | None = None
    stance: tuple[PredStance, ...] | None = None


# --- reading -------------------------------------------------------------------------------------
#
# Every input format (a JSONL file, a list of dicts, a ``datasets.Dataset``) becomes a
# ``Predictions``: the ``Prediction`` records with the place each came from, so that a problem
# found later (an unknown doc_id, an offset past the end of the text) still names file and line.

_MODELS: dict[str, type[Record]] = {"entities": PredEntity, "figures": PredFigure, "stance": PredStance}
_VOCABULARY_NAMES = {"type": "entity type", "unit": "unit", "qualifier": "qualifier", "target": "target"}


@dataclass(frozen=True)
class Predictions(Sequence[Prediction]):
    """Predictions read from one source; ``lines[i]`` is where ``items[i]`` was (line or row, 1-based)."""

    source: str
    items: tuple[Prediction, ...]
    lines: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.items)

    @overload
    def __getitem__(self, index: int) -> Prediction: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Prediction]: ...
    def __getitem__(self, index: int | slice) -> Prediction | Sequence[Prediction]:
        return self.items[index]


def _short(value: Any) -> str:
    """A value as the input wrote it (JSON's null, true, false; never Python's None)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    return shown(value)


def _json_type(value: Any) -> str:
    return json_type(value)


def _path(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc)


def _allowed_keys(loc: Sequence[Any]) -> tuple[str, ...]:
    model = _MODELS[loc[0]] if len(loc) > 2 and loc[0] in _MODELS else Prediction
    return tuple(model.model_fields)


def _message(error: dict[str, Any]) -> str:
    """A pydantic error as one line that says what is wrong and what is expected."""
    kind, loc, value = error["type"], error["loc"], error.get("input")
    name = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        return f"unknown key {name!r}: allowed keys are {', '.join(_allowed_keys(loc))}"
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        what = _VOCABULARY_NAMES.get(name, name)
        return f"unknown {what} {_short(value)}: expected one of {error['ctx']['expected']}"
    if kind == "greater_than_equal":
        return f"must be >= {error['ctx']['ge']}, got {_short(value)}"
    msg = error["msg"].replace("\n", " ")
    return f"{msg}, got {_json_type(value)} {_short(value)}"


def _to_json_value(value: Any) -> Any:
    """numpy scalars and arrays (from a Dataset or a user's list) as plain Python values."""
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not a JSON value")


def _check_record(obj: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for problems pydantic cannot see: empty spans, half-given figure offsets,
    a (holder, target) pair given twice."""
    found: list[tuple[str, str]] = []
    for i, item in enumerate(obj.get("entities") or ()):
        if item.start >= item.end:
            found.append((f"entities.{i}.end", f"end {item.end} must be greater than start {item.start}"))
    for i, item in enumerate(obj.get("figures") or ()):
        if (item.start is None) != (item.end is None):
            found.append((f"figures.{i}", "give both start and end, or neither"))
        elif item.start is not None and item.start >= item.end:
            found.append((f"figures.{i}.end", f"end {item.end} must be greater than start {item.start}"))
    seen: dict[tuple[str, str], int] = {}
    for i, item in enumerate(obj.get("stance") or ()):
        key = (item.holder_id, item.target)
        if key in seen:
            msg = f"holder {key[0]!r} and target {key[1]!r} are already in stance.{seen[key]}"
            found.append((f"stance.{i}", msg + ": give one label per (holder_id, target)"))
        seen.setdefault(key, i)
    return found


def parse_prediction(
    obj: Any, file: str, line: int, checked: bool = False
) -> tuple[Prediction | None, list[Problem]]:
    """One prediction from a JSON-like object, strictly typed (no "12" for 12), or its problems."""
    if isinstance(obj, Prediction):
        obj = obj.model_dump()
    if not isinstance(obj, dict):
        return None, [Problem(file, line, None, f"must be a JSON object, not {_json_type(obj)}")]
    # Values JSON cannot carry are reported first, field by field (the JSONL reader has already
    # looked at what it read: ``checked``).
    if not checked:
        bad = [Problem(file, line, f, m) for f, m in problems_in(obj)]
        if bad:
            return None, bad
    try:
        text = json.dumps(obj, default=_to_json_value, allow_nan=False)
    except (TypeError, ValueError) as error:
        return None, [Problem(file, line, None, shown(str(error), 120, quote=False))]
    try:
        prediction = Prediction.model_validate_json(text, strict=True)
    except ValidationError as error:
        return None, [Problem(file, line, _path(e["loc"]) or None, _message(e)) for e in error.errors()]
    fields = {task: getattr(prediction, task) for task in TASKS}
    problems = [Problem(file, line, f, m) for f, m in _check_record(fields)]
    return (None, problems) if problems else (prediction, [])


def read_predictions(source: Any, name: str | None = None) -> Predictions:
    """Predictions from a JSONL path (``str`` or ``Path``; ``"-"`` is stdin), a list of dicts or
    ``Prediction`` records, or a ``datasets.Dataset`` with the prediction columns.

    Every problem is collected, each with file, line (row for lists and datasets) and field, and
    raised together as one ``InputError``.
    """
    if isinstance(source, Predictions):
        return source
    file, stream = stream_predictions(source, name)
    items: list[Prediction] = []
    lines: list[int] = []
    for prediction, line in stream:
        items.append(prediction)
        lines.append(line)
    return Predictions(file, tuple(items), tuple(lines))


def stream_predictions(source: Any, name: str | None = None) -> tuple[str, Iterator[tuple[Prediction, int]]]:
    """``read_predictions`` one prediction at a time: the name of the source, and an iterator of
    (prediction, line) that raises one ``InputError`` with every problem once it has read them all."""
    if isinstance(source, Predictions):
        return source.source, zip(source.items, source.lines, strict=True)
    if isinstance(source, str | Path):
        path = Path(source)
        file = name or ("<stdin>" if str(path) == "-" else str(path))
        return file, _read_jsonl(path, file)
    if _is_dataset(source):
        file = name or "<dataset>"
        return file, _parse_all(enumerate(source.to_list(), start=1), file)
    if isinstance(source, list | tuple):
        file = name or "<predictions>"
        return file, _parse_all(enumerate(source, start=1), file)
    raise TypeError(f"cannot read predictions from {type(source).__name__}: give a path, a list or a Dataset")


def _is_dataset(source: Any) -> bool:
    datasets = sys.modules.get("datasets")
    return datasets is not None and isinstance(source, datasets.Dataset)


def _read_jsonl(path: Path, file: str) -> Iterator[tuple[Prediction, int]]:
    stdin = str(path) == "-"
    try:
        handle = sys.stdin.buffer if stdin else path.open("rb")
    except OSError as error:
        raise InputError(Problem(file, None, None, f"cannot be read: {error.strerror or error}")) from None
    read: list[Problem] = []  # the reader's problems, filled as the lines are read
    try:
        numbered = iter_lines(handle, file, read)  # a line at a time
        problems = yield from _parse_all(numbered, file, raise_problems=False, checked=True)
    except OSError as error:
        raise InputError(Problem(file, None, None, f"cannot be read: {error.strerror or error}")) from None
    finally:
        if not stdin:
            handle.close()
    _raise(read + problems)


def _parse_all(
    numbered: Iterable[tuple[int, Any]], file: str, raise_problems: bool = True, checked: bool = False
) -> Generator[tuple[Prediction, int], None, list[Problem]]:
    problems: list[Problem] = []
    for line, obj in numbered:
        prediction, found = parse_prediction(obj, file, line, checked)
        problems.extend(found)
        if prediction is not None:
            yield prediction, line
    if raise_problems:
        _raise(problems)
    return problems


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))


# --- checking against the gold -------------------------------------------------------------------


# --- writing -------------------------------------------------------------------------------------


def gold_as_predictions(gold: Gold) -> list[Prediction]:
    """The gold written as predictions, every optional attribute given: it scores 1.0 everywhere."""
    return [
        Prediction(
            doc_id=doc.doc_id,
            entities=tuple(
                PredEntity(start=e.start, end=e.end, type=e.type, lemma=e.lemma, entity_id=e.entity_id)
                for e in doc.entities
            ),
            figures=tuple(
                PredFigure(
                    value=f.value,
                    unit=f.unit,
                    qualifier=f.qualifier,
                    source_id=f.source_id,
                    start=f.start,
                    end=f.end,
                )
                for f in doc.figures
            ),
            stance=tuple(
                PredStance(holder_id=s.holder_id, target=s.target, label=s.label) for s in doc.stance
            ),
        )
        for doc in gold.documents
    ]


def prediction_to_json(prediction: Prediction) -> dict[str, Any]:
    """The JSONL object of a prediction; what is ``None`` (not attempted, not given) is left out."""
    return prediction.model_dump(mode="json", exclude_none=True)


def write_predictions(predictions: Iterable[Prediction], path: Path) -> None:
    """Write predictions as JSON Lines (UTF-8, one object per line)."""
    lines = [dumps(prediction_to_json(p)) + "\n" for p in predictions]
    path.write_text("".join(lines), encoding="utf-8")
