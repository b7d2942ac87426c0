"""brat standoff read back: ``.ann`` files parsed into annotation lines."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.common.jsonlines import read_jsonl
from nkru_bench.common.reading import read_input
from nkru_bench.curation.interop.brat import (
    ATTRIBUTES,
    EVIDENCE,
    FLAG,
    LAYER_OF_TYPE,
    NOTE_KEYS,
    OFFSETS,
    REQUIRED_NOTES,
    ROLE,
    SEPARATOR,
    STANCE,
    parse_note,
)
from nkru_bench.curation.interop.bundle import UNREVIEWED, Bundle, Sheet, check_line, number_value
from nkru_bench.gold.annotations import KB_FILE, Line


@dataclass(frozen=True)
class _TextBound:
    type: str
    pieces: tuple[tuple[int, int], ...]
    line: int


@dataclass(frozen=True)
class _Event:
    trigger: str
    args: tuple[tuple[int, str], ...]  # (position, T id)
    line: int


@dataclass
class _Parsed:
    file: str
    text: str
    spans: dict[str, _TextBound] = field(default_factory=dict)
    events: dict[str, _Event] = field(default_factory=dict)
    attributes: dict[str, dict[str, tuple[str | None, int]]] = field(default_factory=dict)
    notes: dict[str, tuple[dict[str, str], int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    defined: set[str] = field(default_factory=set)  # every id given a line, even one that did not parse

    def problem(self, line: int | None, field_name: str | None, message: str) -> None:
        self.problems.append(Problem(self.file, line, field_name, message))


def _parse_text_bound(parsed: _Parsed, ident: str, rest: str, number: int) -> None:
    head, _, quoted = rest.partition("\t")
    type_, _, offsets = head.partition(" ")
    if not OFFSETS.fullmatch(offsets):
        parsed.problem(number, None, f"{ident}: expected 'TYPE START END[;START END...]', got {head!r}")
        return
    pieces = tuple(tuple(int(n) for n in part.split()) for part in offsets.split(";"))
    text = parsed.text
    bad = [(s, e) for s, e in pieces if not 0 <= s < e <= len(text)]
    if bad:
        parsed.problem(
            number, None, f"{ident}: {bad[0][0]}:{bad[0][1]} is not a span of the text (0:{len(text)})"
        )
        return
    actual = " ".join(text[s:e] for s, e in pieces)
    if actual != quoted:
        parsed.problem(
            number, None, f"{ident}: its text {quoted!r} is not the text at its offsets, {actual!r}"
        )
        return
    parsed.spans[ident] = _TextBound(type_, pieces, number)  # type: ignore[arg-type]


def _parse_event(parsed: _Parsed, ident: str, rest: str, number: int) -> None:
    parts = rest.split()
    role, _, trigger = (parts[0] if parts else "").partition(":")
    if role != STANCE or not trigger:
        parsed.problem(number, None, f"{ident}: only {STANCE} events are used, with a trigger: '{STANCE}:T1'")
        return
    args = []
    for part in parts[1:]:
        name, _, target = part.partition(":")
        match = ROLE.fullmatch(name)
        if match is None or not target:
            parsed.problem(number, None, f"{ident}: argument {part!r} is not '{EVIDENCE}N:T…'")
            return
        args.append((int(match.group(1) or 1), target))
    parsed.events[ident] = _Event(trigger, tuple(sorted(args)), number)


def _parse_attribute(parsed: _Parsed, ident: str, rest: str, number: int) -> None:
    parts = rest.split(" ")
    if len(parts) not in (2, 3):
        parsed.problem(number, None, f"{ident}: expected 'NAME TARGET [VALUE]'")
        return
    name, target = parts[0], parts[1]
    value = parts[2] if len(parts) == 3 else None
    found = parsed.attributes.setdefault(target, {})
    if name in found:
        parsed.problem(number, name, f"{ident}: {target} already has the attribute {name}")
    found[name] = (value, number)


def _parse_note(parsed: _Parsed, ident: str, rest: str, number: int) -> None:
    head, _, note = rest.partition("\t")
    kind, _, target = head.partition(" ")
    if kind != "AnnotatorNotes" or not target:
        parsed.problem(number, None, f"{ident}: expected 'AnnotatorNotes TARGET<TAB>note'")
        return
    try:
        pairs = parse_note(note)
    except ValueError as error:
        parsed.problem(number, "note", f"{ident}: {error}; write it as key=value | key=value")
        return
    if target in parsed.notes:
        parsed.problem(number, None, f"{ident}: {target} has a second note: merge them into one")
        return
    parsed.notes[target] = (pairs, number)


_PARSERS = {"T": _parse_text_bound, "E": _parse_event, "A": _parse_attribute, "#": _parse_note}


def parse_ann(content: str, text: str, file: str) -> _Parsed:
    parsed = _Parsed(file, text)
    seen: dict[str, int] = {}
    for number, raw in enumerate(content.split("\n"), start=1):
        raw = raw.rstrip("\r")
        if not raw.strip():
            continue
        ident, _, rest = raw.partition("\t")
        kind = ident[:1]
        if kind not in _PARSERS:
            what = {"R": "a relation", "N": "a normalization", "*": "an equivalence"}.get(
                kind, "not an annotation"
            )
            parsed.problem(
                number, None, f"{ident or raw!r} is {what}, which the gold has no place for: delete it"
            )
            continue
        if ident in seen:
            parsed.problem(number, None, f"{ident} is already defined on line {seen[ident]}")
            continue
        seen[ident] = number
        parsed.defined.add(ident)
        _PARSERS[kind](parsed, ident, rest, number)
    return parsed


def _joined(parsed: _Parsed, ident: str) -> tuple[int, int] | None:
    """One span from a text-bound annotation's fragments (only line breaks may separate them)."""
    tb = parsed.spans[ident]
    for (_, e1), (s2, _) in zip(tb.pieces, tb.pieces[1:], strict=False):
        if s2 < e1 or parsed.text[e1:s2].strip():
            parsed.problem(tb.line, None, f"{ident}: a discontinuous {tb.type} span: give it one span")
            return None
    return tb.pieces[0][0], tb.pieces[-1][1]


def _fields(parsed: _Parsed, ident: str, layer: str, line: int) -> dict[str, Any] | None:
    """The attribute and note fields of an annotation, checked for keys and presence."""
    obj: dict[str, Any] = {}
    allowed = {**ATTRIBUTES.get(layer, {}), FLAG: "status"}
    for name, (value, number) in parsed.attributes.get(ident, {}).items():
        if name not in allowed:
            parsed.problem(number, name, f"{ident}: a {layer} annotation has no attribute {name}")
        elif name == FLAG:
            obj["status"] = UNREVIEWED
        else:
            obj[allowed[name]] = value
    for name, key in ATTRIBUTES.get(layer, {}).items():
        if key not in obj:
            parsed.problem(line, key, f"{ident}: give the attribute {name}")
    pairs, number = parsed.notes.get(ident, ({}, line))
    for key, value in pairs.items():
        if key not in (*NOTE_KEYS[layer], "note"):
            parsed.problem(
                number,
                key,
                f"{ident}: a {layer} note has no key {key!r} (keys: {', '.join(NOTE_KEYS[layer])}, note)",
            )
        elif key == "value":
            try:
                read = float(value)
            except ValueError:
                read = math.nan
            if not math.isfinite(read):
                parsed.problem(number, key, f"{ident}: value={value!r} is not a number")
                continue
            obj[key] = number_value(read)
        else:
            obj[key] = value
    for key in REQUIRED_NOTES.get(layer, ()):
        if key not in pairs:
            keys = SEPARATOR.join(f"{k}=…" for k in NOTE_KEYS[layer])
            parsed.problem(line, key, f"{ident}: its note must give {key}= (a note like '{keys}')")
    if layer == "figure":
        obj.setdefault("source_id", None)
        obj.setdefault("claim_id", None)
    return obj


def _span_line(parsed: _Parsed, ident: str) -> dict[str, Any] | None:
    tb = parsed.spans[ident]
    layer = LAYER_OF_TYPE[tb.type]
    span = _joined(parsed, ident)
    if span is None:
        return None
    start, end = span
    obj: dict[str, Any] = {"layer": layer, "start": start, "end": end, "text": parsed.text[start:end]}
    if layer == "entity":
        obj["type"] = tb.type
    return {**obj, **(_fields(parsed, ident, layer, tb.line) or {})}


def _stance_line(parsed: _Parsed, ident: str, event: _Event) -> dict[str, Any] | None:
    trigger = parsed.spans.get(event.trigger)
    if trigger is None or trigger.type != STANCE:
        parsed.problem(event.line, None, f"{ident}: its trigger {event.trigger} is not a {STANCE} span")
        return None
    evidence = []
    for ref in (event.trigger, *(target for _, target in event.args)):
        tb = parsed.spans.get(ref)
        if tb is None or (ref != event.trigger and tb.type != EVIDENCE):
            parsed.problem(event.line, None, f"{ident}: argument {ref} is not an {EVIDENCE} span")
            return None
        span = _joined(parsed, ref)
        if span is None:
            return None
        evidence.append({"start": span[0], "end": span[1], "text": parsed.text[span[0] : span[1]]})
    if event.trigger in parsed.notes:
        if ident in parsed.notes:
            parsed.problem(event.line, None, f"{ident}: its trigger {event.trigger} has a note too: keep one")
        else:
            parsed.notes[ident] = parsed.notes[event.trigger]
    fields = _fields(parsed, ident, "stance", event.line) or {}
    ordered = {k: fields[k] for k in ("holder_id", "target", "label") if k in fields}
    return {"layer": "stance", **ordered, "evidence": evidence, **fields}


def lines_of(parsed: _Parsed) -> list[tuple[int, dict[str, Any]]]:
    """(line number in the .ann, annotation line) for every annotation; problems go to ``parsed``."""
    found: list[tuple[int, dict[str, Any]]] = []
    used: dict[str, str] = {}
    for ident, event in parsed.events.items():
        obj = _stance_line(parsed, ident, event)
        for ref in (event.trigger, *(t for _, t in event.args)):
            used.setdefault(ref, ident)
        if obj is not None:
            found.append((event.line, obj))
    for ident, tb in parsed.spans.items():
        if tb.type in (STANCE, EVIDENCE):
            if ident not in used:
                parsed.problem(tb.line, None, f"{ident}: a {tb.type} span that no {STANCE} event uses")
            continue
        if tb.type not in LAYER_OF_TYPE:
            known = ", ".join([*LAYER_OF_TYPE, STANCE, EVIDENCE])
            parsed.problem(tb.line, None, f"{ident}: unknown type {tb.type!r} (known: {known})")
            continue
        obj = _span_line(parsed, ident)
        if obj is not None:
            found.append((tb.line, obj))
    known_ids = parsed.defined
    for target, attributes in parsed.attributes.items():
        if target not in known_ids:
            for _, number in attributes.values():
                parsed.problem(number, None, f"the attribute's target {target} is not defined")
    for target, (_, number) in parsed.notes.items():
        if target not in known_ids:
            parsed.problem(number, None, f"the note's target {target} is not defined")
    return found


def read_folder(in_dir: Path) -> Bundle:
    """A brat folder as a bundle: every ``<doc_id>.ann`` with its ``.txt``, and ``kb.jsonl``."""
    if not in_dir.is_dir():
        raise InputError(Problem(str(in_dir), None, None, "is not a folder"))
    problems: list[Problem] = []
    sheets = []
    anns = sorted(in_dir.glob("*.ann"))
    if not anns:
        problems.append(Problem(str(in_dir), None, None, "has no .ann files"))
    for path in anns:
        txt = path.with_suffix(".txt")
        try:
            text = read_input(txt).decode("utf-8")
            content = read_input(path).decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(str(path), None, None, f"cannot be read with its .txt as UTF-8: {error}"))
            continue
        except InputError as error:
            problems.extend(error.problems)
            continue
        parsed = parse_ann(content, text, str(path))
        found = lines_of(parsed)
        for number, obj in found:
            parsed.problems += check_line(obj, text, str(path), number)
        problems += parsed.problems
        lines = tuple(Line(str(path), number, obj) for number, obj in found)
        sheets.append(Sheet(path.stem, "", None, text, lines, str(path)))
    kb: tuple[Line, ...] = ()
    if (in_dir / KB_FILE).is_file():
        objects, kb_problems = read_jsonl(in_dir / KB_FILE)
        problems += kb_problems
        kb = tuple(Line(str(in_dir / KB_FILE), n, obj) for n, obj in objects)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    return Bundle(tuple(sheets), kb)
