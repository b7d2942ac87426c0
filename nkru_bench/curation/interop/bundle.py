"""The boundary type of every interchange format: a ``Bundle`` of articles and KB lines.

Every format is read from and
written to the same boundary type, a ``Bundle``: the articles (``Sheet``: text and the article's
annotation lines, exactly as in ``annotations/docs/<doc_id>.jsonl``) and the knowledge-base lines.
A bundle holds annotation *lines*, not ``Gold`` records, so that a pre-annotated draft (lines with
``"status": "unreviewed"``, which ``validate`` refuses) can go to a tool for review and come back;
writing a bundle into an annotations folder and validating it gives the ``Gold`` records.

``load_bundle`` reads an annotations folder (drafts allowed) or any built gold ``load_gold`` reads;
``check_line`` is the structural check every exporter and importer applies (layer, keys, value
types, closed vocabularies, offsets inside the text and the quoted text). Writing (a bundle into an
annotations folder, a format's files into a folder) is ``writing``'s job.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.gold.annotations import (
    DOCS_DIR,
    KB_FILE,
    LAYERS,
    Line,
    document_lines,
    kb_line,
    read_annotations,
)
from nkru_bench.gold.loading import seeds_near
from nkru_bench.gold.records import ENTITY_TYPES, LABELS, QUALIFIERS, TARGETS, UNITS, Gold
from nkru_bench.gold.seeds import check_seed, read_manifest

UNREVIEWED = "unreviewed"


@dataclass(frozen=True)
class Sheet:
    """One article and its annotation lines; ``source`` names where they were read from."""

    doc_id: str
    lang: str
    date: str | None
    text: str
    lines: tuple[Line, ...]
    source: str = ""


@dataclass(frozen=True)
class Bundle:
    """Articles and KB lines; ``kept`` lists the articles a tool returned no reviewed work for, as
    (doc_id, why): an import leaves their annotation files exactly as they are."""

    sheets: tuple[Sheet, ...]
    kb: tuple[Line, ...]
    kept: tuple[tuple[str, str], ...] = ()


# --- the structural check of one annotation line --------------------------------------------------


def _is_int(value: Any) -> bool:
    return type(value) is int


def _is_number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _one_of(values: Sequence[str]) -> Callable[[Any], bool]:
    return lambda value: value in values


def _string(value: Any) -> bool:
    return isinstance(value, str)


def _optional_string(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _evidence(value: Any) -> bool:
    return isinstance(value, list) and len(value) > 0


_SPAN = {"start": _is_int, "end": _is_int, "text": _string}
FIELDS: dict[str, dict[str, Callable[[Any], bool]]] = {
    "title": _SPAN,
    "boilerplate": _SPAN,
    "entity": {**_SPAN, "type": _one_of(ENTITY_TYPES), "lemma": _string, "entity_id": _string},
    "figure": {
        **_SPAN,
        "value": _is_number,
        "unit": _one_of(UNITS),
        "qualifier": _one_of(QUALIFIERS),
        "source_id": _optional_string,
        "claim_id": _optional_string,
    },
    "stance": {
        "holder_id": _string,
        "target": _one_of(TARGETS),
        "label": _one_of(LABELS),
        "evidence": _evidence,
    },
}
OPTIONAL: dict[str, Callable[[Any], bool]] = {"note": _string, "status": _one_of((UNREVIEWED,))}
_EXPECTED = {
    "type": ENTITY_TYPES,
    "unit": UNITS,
    "qualifier": QUALIFIERS,
    "target": TARGETS,
    "label": LABELS,
    "status": (UNREVIEWED,),
}


def _quote_problems(text: str, obj: Any, field: str, file: str, line: int | None) -> list[Problem]:
    if not isinstance(obj, dict) or set(obj) != set(_SPAN) or not all(f(obj[k]) for k, f in _SPAN.items()):
        return [Problem(file, line, field, "must be {start, end, text} with whole-number offsets")]
    start, end, quoted = obj["start"], obj["end"], obj["text"]
    if not 0 <= start < end <= len(text):
        return [Problem(file, line, field, f"{start}:{end} is not a span of the text (0:{len(text)})")]
    if text[start:end] != quoted:
        actual = text[start:end]
        return [Problem(file, line, field, f"text {quoted!r} is not the text at {start}:{end}, {actual!r}")]
    return []


def check_line(obj: Any, text: str, file: str, line: int | None) -> list[Problem]:
    """What stops ``obj`` from being an annotation line of ``text`` (unreviewed lines are fine)."""
    if not isinstance(obj, dict):
        return [Problem(file, line, None, "must be a JSON object")]
    layer = obj.get("layer")
    if layer not in LAYERS:
        return [Problem(file, line, "layer", f"{layer!r} is not one of {', '.join(LAYERS)}")]
    fields = FIELDS[layer]
    problems = []
    for name, value in obj.items():
        check = fields.get(name) or OPTIONAL.get(name)
        if name == "layer":
            continue
        if check is None:
            problems.append(Problem(file, line, name, f"unknown key for a {layer} line"))
        elif not check(value):
            expected = f"one of {', '.join(_EXPECTED[name])}" if name in _EXPECTED else "another value"
            problems.append(Problem(file, line, name, f"{value!r} is not valid here: expected {expected}"))
    problems += [Problem(file, line, name, "missing") for name in fields if name not in obj]
    if problems:
        return problems
    if layer == "stance":
        for i, quote in enumerate(obj["evidence"]):
            problems += _quote_problems(text, quote, f"evidence.{i}", file, line)
    else:
        problems += _quote_problems(text, {k: obj[k] for k in _SPAN}, "start", file, line)
    return problems


def number_text(value: float) -> str:
    """A figure value as a person writes it: ``12000``, ``1.6``."""
    return str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(float(value))


def number_value(value: float) -> int | float:
    """A figure value for a JSON line: whole numbers as integers, as the annotation files have them."""
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else float(value)


_KEY_ORDER = (
    "layer",
    "start",
    "end",
    "text",
    "type",
    "lemma",
    "entity_id",
    "value",
    "unit",
    "qualifier",
    "source_id",
    "claim_id",
    "holder_id",
    "target",
    "label",
    "evidence",
    "note",
    "status",
)


def canonical(obj: dict[str, Any]) -> dict[str, Any]:
    """The line with its keys in the order of ``annotations/FORMAT.md``."""
    return {key: obj[key] for key in sorted(obj, key=lambda k: (*_KEY_ORDER, k).index(k))}


def line_order(obj: dict[str, Any]) -> tuple:
    """Title, boilerplate, entities, figures, stance; spans by offsets, stance by holder and target."""
    layer = obj.get("layer")
    rank = LAYERS.index(layer) if layer in LAYERS else len(LAYERS)
    if layer == "stance":
        return (rank, 0, 0, str(obj.get("holder_id")), str(obj.get("target")))
    return (rank, obj.get("start", 0), obj.get("end", 0), "", "")


# --- reading a bundle -----------------------------------------------------------------------------


def bundle_from_gold(gold: Gold) -> Bundle:
    """The canonical annotation lines of validated gold records."""
    sheets = tuple(
        Sheet(
            doc.doc_id,
            doc.lang,
            doc.date,
            doc.text,
            tuple(Line(doc.doc_id, n, obj) for n, obj in enumerate(document_lines(doc), start=1)),
            doc.doc_id,
        )
        for doc in gold.documents
    )
    kb = tuple(Line(KB_FILE, n, kb_line(entry)) for n, entry in enumerate(gold.kb, start=1))
    return Bundle(sheets, kb)


def bundle_from_annotations(annotations: Path, seeds: Path) -> Bundle:
    """The lines of an annotations folder as they are (unreviewed ones too), checked line by line."""
    found = read_annotations(annotations)
    problems = list(found.problems)
    manifest, manifest_problems = read_manifest(seeds)
    problems += manifest_problems
    sheets = []
    for seed in sorted(manifest, key=lambda s: s.doc_id):
        text, seed_problems = check_seed(seed, seeds)
        problems += seed_problems
        if text is None:
            continue
        lines = found.docs.get(seed.doc_id, ())
        for line in lines:
            problems += check_line(line.obj, text, line.file, line.line)
        source = str(annotations / DOCS_DIR / f"{seed.doc_id}.jsonl")
        sheets.append(Sheet(seed.doc_id, seed.lang, seed.date, text, lines, source))
    for doc_id in sorted(set(found.docs) - {s.doc_id for s in manifest}):
        path = annotations / DOCS_DIR / f"{doc_id}.jsonl"
        problems.append(Problem(str(path), None, None, f"{doc_id!r} is not in {seeds / 'manifest.jsonl'}"))
    if problems:
        raise InputError(problems)
    return Bundle(tuple(sheets), found.kb)


def is_annotations(path: Path) -> bool:
    return (path / DOCS_DIR).is_dir() or (path / KB_FILE).is_file()


# One palette for every annotation tool's configuration (brat's visual.conf, Label Studio's labels).
COLORS = {
    "PER": "#ffccaa",
    "ORG": "#8fb2ff",
    "LOC": "#a4de02",
    "EVT": "#ffe000",
    "PRO": "#e0b0ff",
    "Figure": "#7fe2ff",
    "Title": "#dddddd",
    "Boilerplate": "#eeeeee",
    "Stance": "#ff9090",
    "Evidence": "#ffc0c0",
}


def load_bundle(path: Path | None, seeds: Path | None = None, doc_ids: Sequence[str] = ()) -> Bundle:
    """An annotations folder (its drafts too; seeds default to ``seeds_near`` it), or any gold
    ``load_gold`` reads; ``doc_ids`` keeps only those articles."""
    if path is not None and is_annotations(path):
        bundle = bundle_from_annotations(path, seeds or seeds_near(path))
    else:
        from nkru_bench.gold.loading import load_gold

        bundle = bundle_from_gold(load_gold(path))
    if not doc_ids:
        return bundle
    known = {sheet.doc_id for sheet in bundle.sheets}
    unknown = [d for d in doc_ids if d not in known]
    if unknown:
        message = f"unknown doc_id(s) {', '.join(unknown)}: the gold has {', '.join(sorted(known))}"
        raise InputError(Problem("--doc", None, None, message))
    return Bundle(tuple(s for s in bundle.sheets if s.doc_id in doc_ids), bundle.kb)
