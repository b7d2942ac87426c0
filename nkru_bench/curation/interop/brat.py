"""brat standoff, which brat and INCEpTION read and write: ``<doc_id>.txt`` + ``<doc_id>.ann``.

The folder also holds ``annotation.conf`` and ``visual.conf`` (so that brat opens it as a
collection) and ``kb.jsonl`` (the knowledge base, read-only there: edit it in ``annotations/``).
The mapping keeps every field of every annotation line, so export then import is lossless:

- ``title``, ``boilerplate``: text-bound ``Title``, ``Boilerplate``;
- ``entity``: text-bound ``PER``/``ORG``/``LOC``/``EVT``/``PRO``, note ``lemma=… | entity_id=…``;
- ``figure``: text-bound ``Figure``, attributes ``Unit`` and ``Qualifier``, note
  ``value=… | source_id=… | claim_id=…`` (a key left out is null);
- ``stance``: an event ``Stance`` whose trigger is the first evidence span and whose ``Evidence``
  arguments (``Evidence``, ``Evidence2``, … in order) are the further evidence spans; attributes
  ``Target`` and ``Label``; note ``holder_id=…``;
- a line's ``note``: ``note=…`` in the same note; ``"status": "unreviewed"``: the binary attribute
  ``Unreviewed`` (untick it once the annotation is checked).

Notes are brat's ``AnnotatorNotes`` (``#`` lines), ``key=value`` pairs separated by `` | ``; a value
is written as a JSON string when it has a ``|``, starts with ``"``, or has edge white space. A span
across a line break is written as fragments (brat draws spans line by line) and joined back on
import when the gaps between the fragments are white space only; any other discontinuous span is an
error, and so are relations and normalizations, which the gold has no place for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.common.files import write_inside
from nkru_bench.common.jsonlines import dumps
from nkru_bench.curation.interop.bundle import COLORS, UNREVIEWED, Bundle, Sheet, line_order, number_text
from nkru_bench.gold.annotations import KB_FILE
from nkru_bench.gold.records import ENTITY_TYPES, LABELS, QUALIFIERS, TARGETS, UNITS

CONF, VISUAL = "annotation.conf", "visual.conf"
SPAN_TYPES = {"title": "Title", "boilerplate": "Boilerplate", "figure": "Figure"}
LAYER_OF_TYPE = {**{v: k for k, v in SPAN_TYPES.items()}, **{t: "entity" for t in ENTITY_TYPES}}
STANCE, EVIDENCE = "Stance", "Evidence"
NOTE_KEYS = {
    "title": (),
    "boilerplate": (),
    "entity": ("lemma", "entity_id"),
    "figure": ("value", "source_id", "claim_id"),
    "stance": ("holder_id",),
}
REQUIRED_NOTES = {"entity": ("lemma", "entity_id"), "figure": ("value",), "stance": ("holder_id",)}
ATTRIBUTES = {
    "figure": {"Unit": "unit", "Qualifier": "qualifier"},
    "stance": {"Target": "target", "Label": "label"},
}
FLAG = "Unreviewed"
SEPARATOR = " | "
_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_KEY = re.compile(r"\s*([A-Za-z_]+)=")
_NEXT = re.compile(r"\s*\|\s*")
OFFSETS = re.compile(r"\d+ \d+(?:;\d+ \d+)*")
ROLE = re.compile(r"Evidence(\d*)")


def annotation_conf() -> str:
    """brat's annotation configuration for the folder (entity types, the Stance event, attributes)."""
    values = {"Unit": UNITS, "Qualifier": QUALIFIERS, "Target": TARGETS, "Label": LABELS}
    lines = [
        "# nkru_bench: written by 'nkru-bench export brat' (see nkru_bench/interop/brat.py)",
        "[entities]",
        *ENTITY_TYPES,
        "Figure",
        "Title",
        "Boilerplate",
        EVIDENCE,
        "",
        "[relations]",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
        "",
        "[events]",
        f"{STANCE}\t{EVIDENCE}*:{EVIDENCE}",
        "",
        "[attributes]",
        *(
            f"{name}\tArg:{'Figure' if name in ('Unit', 'Qualifier') else STANCE}, Value:{'|'.join(v)}"
            for name, v in values.items()
        ),
        f"{FLAG}\tArg:<ANY>",
        "",
    ]
    return "\n".join(lines)


def visual_conf() -> str:
    lines = ["[labels]", *COLORS, "", "[drawing]"]
    lines += [f"{name}\tbgColor:{color}" for name, color in COLORS.items()]
    lines += [
        "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
        "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
        "ATTRIBUTE_DEFAULT\tglyph:*",
        f"{FLAG}\tglyph:?",
        "",
    ]
    return "\n".join(lines)


# --- notes ----------------------------------------------------------------------------------------


def _note_value(value: str) -> str:
    bare = value and value == value.strip() and "|" not in value and not value.startswith('"')
    bare = bare and not any(c in _BREAKS or c == "\t" for c in value)
    return value if bare else json.dumps(value, ensure_ascii=False)


def note_text(pairs: list[tuple[str, Any]]) -> str:
    """``key=value | key=value``; None values are left out."""
    parts = []
    for key, value in pairs:
        if value is None:
            continue
        shown = number_text(value) if key == "value" else _note_value(value)
        parts.append(f"{key}={shown}")
    return SEPARATOR.join(parts)


def parse_note(note: str) -> dict[str, str]:
    """The ``key=value`` pairs of a note (values as written, JSON strings decoded)."""
    pairs: dict[str, str] = {}
    decoder = json.JSONDecoder()
    pos = 0
    while pos < len(note) and note[pos:].strip():
        match = _KEY.match(note, pos)
        if match is None:
            raise ValueError(f"expected key=value at {note[pos:][:20]!r}")
        key, pos = match.group(1), match.end()
        if note.startswith('"', pos):
            try:
                value, pos = decoder.raw_decode(note, pos)
            except ValueError:
                raise ValueError(f"the quoted value of {key!r} is not a JSON string") from None
            if not isinstance(value, str):
                raise ValueError(f"the quoted value of {key!r} is not a string")
        else:
            stop = note.find("|", pos)
            stop = len(note) if stop == -1 else stop
            value, pos = note[pos:stop].strip(), stop
        if key in pairs:
            raise ValueError(f"{key!r} is given twice")
        pairs[key] = value
        if pos < len(note):
            separator = _NEXT.match(note, pos)
            if separator is None:
                raise ValueError(f"expected ' | ' after the value of {key!r}")
            pos = separator.end()
    return pairs


# --- export ---------------------------------------------------------------------------------------


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` cut at line breaks (which are left out), as brat needs."""
    pieces, begin = [], start
    for i in range(start, end):
        if text[i] in _BREAKS:
            if begin < i:
                pieces.append((begin, i))
            begin = i + 1
    if begin < end:
        pieces.append((begin, end))
    return pieces


def spans(obj: dict[str, Any]) -> list[tuple[int, int]]:
    """The spans of an annotation line: its own, or a stance row's evidence."""
    if obj.get("layer") == "stance":
        return [(q["start"], q["end"]) for q in obj["evidence"]]
    return [(obj["start"], obj["end"])]


@dataclass
class _Writer:
    text: str
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def _id(self, kind: str) -> str:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return f"{kind}{self.counts[kind]}"

    def span(self, type_: str, start: int, end: int) -> str:
        ident = self._id("T")
        pieces = fragments(self.text, start, end)
        offsets = ";".join(f"{s} {e}" for s, e in pieces)
        self.lines.append(f"{ident}\t{type_} {offsets}\t{' '.join(self.text[s:e] for s, e in pieces)}")
        return ident

    def attribute(self, name: str, target: str, value: str | None = None) -> None:
        self.lines.append(f"{self._id('A')}\t{name} {target}" + ("" if value is None else f" {value}"))

    def note(self, target: str, text: str) -> None:
        if text:
            self.lines.append(f"{self._id('#')}\tAnnotatorNotes {target}\t{text}")

    def add(self, obj: dict[str, Any]) -> None:
        layer = obj["layer"]
        if layer == "stance":
            spans = [(q["start"], q["end"]) for q in obj["evidence"]]
            trigger = self.span(STANCE, *spans[0])
            args = [self.span(EVIDENCE, *span) for span in spans[1:]]
            roles = [f"{EVIDENCE}{'' if i == 1 else i}:{arg}" for i, arg in enumerate(args, start=1)]
            target = self._id("E")
            self.lines.append(f"{target}\t{' '.join([f'{STANCE}:{trigger}', *roles])}")
        else:
            target = self.span(SPAN_TYPES.get(layer) or obj["type"], obj["start"], obj["end"])
        for name, key in ATTRIBUTES.get(layer, {}).items():
            self.attribute(name, target, obj[key])
        if obj.get("status") == UNREVIEWED:
            self.attribute(FLAG, target)
        pairs = [(key, obj.get(key)) for key in NOTE_KEYS[layer]] + [("note", obj.get("note"))]
        self.note(target, note_text(pairs))


def ann(sheet: Sheet) -> str:
    """The ``.ann`` file of one article."""
    writer = _Writer(sheet.text)
    for line in sorted(sheet.lines, key=lambda li: line_order(li.obj)):
        writer.add(line.obj)
    return "".join(line + "\n" for line in writer.lines)


def export(bundle: Bundle, out_dir: Path) -> list[Path]:
    """Write the brat folder: ``annotation.conf``, ``visual.conf``, ``kb.jsonl``, a .txt and an .ann
    per article."""
    problems = [
        Problem(line.file, line.line, None, "a span has nothing but line breaks")
        for sheet in bundle.sheets
        for line in sheet.lines
        for s, e in spans(line.obj)
        if not fragments(sheet.text, s, e)
    ]
    if problems:
        raise InputError(problems)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        CONF: annotation_conf(),
        VISUAL: visual_conf(),
        KB_FILE: "".join(dumps(li.obj) + "\n" for li in bundle.kb),
    }
    for sheet in bundle.sheets:
        files[f"{sheet.doc_id}.txt"] = sheet.text
        files[f"{sheet.doc_id}.ann"] = ann(sheet)
    return [write_inside(out_dir, name, content) for name, content in files.items()]


# --- import ---------------------------------------------------------------------------------------
