"""The SlavicNER corpus layout (Piskorski, Marcinczuk and Yangarber, LREC-COLING 2024), entity layer.

SlavicNER, the corpus whose entity conventions the gold follows, ships per document

- ``raw/<topic>/<lang>/<name>.txt``: the text, and
- ``ner/<topic>/<lang>/<name>.tsv``: one line per entity occurrence, in text order, no header:
  ``start<TAB>end<TAB>mention<TAB>lemma<TAB>type<TAB>id``, offsets in characters (code points) into
  the text, ``end`` exclusive, ``mention == text[start:end]``.

A mention that spans a line break is written with each tab or line break as a space (same length),
and read back from the text; a lemma or id holding one cannot be written (a located error).

``export`` writes the entity layer of every article that way (topic ``nkru``, ``name`` = doc_id);
``read_folder`` reads such a folder back into a bundle of entity lines, one sheet per ``.tsv``
(with its ``.txt``), checked line by line. The entity layer survives the round trip unchanged.
Other layers (title, boilerplate, figures, stance) are not part of the format: importing replaces
the entity layer of an article and keeps its other lines (``merged``).
"""

from __future__ import annotations

from pathlib import Path

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.common.files import write_inside
from nkru_bench.common.reading import read_input
from nkru_bench.curation.interop.bundle import Bundle, Sheet, check_line
from nkru_bench.gold.annotations import Line

TOPIC = "nkru"
RAW, NER = "raw", "ner"
FIELDS = ("start", "end", "text", "lemma", "type", "entity_id")  # the columns, in order


def tsv(sheet: Sheet) -> str:
    """The ``.tsv`` of one article: its entity lines in text order."""
    entities = sorted(
        (line.obj for line in sheet.lines if line.obj.get("layer") == "entity"),
        key=lambda obj: (obj["start"], obj["end"]),
    )
    return "".join("\t".join(_cell(e, field) for field in FIELDS) + "\n" for e in entities)


_SPACES = str.maketrans({"\t": " ", "\n": " ", "\r": " "})


def _flat(text: str) -> str:
    """Tabs and line breaks as spaces (the same length)."""
    return text.translate(_SPACES)


def _cell(obj: dict, field: str) -> str:
    return _flat(obj[field]) if field == "text" else str(obj[field])


def _checked(bundle: Bundle) -> None:
    """Refuse what the format cannot hold: a tab or line break inside a lemma or id."""
    problems = []
    for sheet in bundle.sheets:
        for line in sheet.lines:
            if line.obj.get("layer") != "entity":
                continue
            for field in ("lemma", "entity_id"):
                value = str(line.obj.get(field, ""))
                if any(c in value for c in "\t\n\r"):
                    problems.append(Problem(line.file, line.line, field, "holds a tab or a line break"))
    if problems:
        raise InputError(problems)


def export(bundle: Bundle, out_dir: Path) -> list[Path]:
    """Write ``raw/nkru/<lang>/<doc_id>.txt`` and ``ner/nkru/<lang>/<doc_id>.tsv`` per article."""
    _checked(bundle)
    written = []
    for sheet in bundle.sheets:
        for path, content in (
            (Path(RAW, TOPIC, sheet.lang, f"{sheet.doc_id}.txt"), sheet.text),
            (Path(NER, TOPIC, sheet.lang, f"{sheet.doc_id}.tsv"), tsv(sheet)),
        ):
            written.append(write_inside(out_dir, path, content))
    return written


def parse_tsv(content: str, text: str, file: str) -> tuple[list[tuple[int, dict]], list[Problem]]:
    """The entity lines of one ``.tsv`` (with their line numbers), or the problems of its lines."""
    found, problems = [], []
    for number, row in enumerate(content.split("\n"), start=1):
        row = row.removesuffix("\r")
        if not row.strip():
            continue
        fields = row.split("\t")
        if len(fields) != len(FIELDS):
            message = (
                f"expected 6 tab-separated fields (start, end, mention, lemma, type, id), got {len(fields)}"
            )
            problems.append(Problem(file, number, None, message))
            continue
        try:
            start, end = int(fields[0]), int(fields[1])
        except ValueError:
            problems.append(Problem(file, number, "start", f"{fields[0]!r}, {fields[1]!r} are not offsets"))
            continue
        mention = text[start:end] if 0 <= start < end <= len(text) else fields[2]
        if _flat(mention) != fields[2]:
            message = f"{fields[2]!r} is not the text at {start}:{end}"
            problems.append(Problem(file, number, "mention", message))
            continue
        obj = {
            "layer": "entity",
            "start": start,
            "end": end,
            "text": mention,
            "type": fields[4],
            "lemma": fields[3],
            "entity_id": fields[5],
        }
        line_problems = check_line(obj, text, file, number)
        problems += line_problems
        if not line_problems:
            found.append((number, obj))
    return found, problems


def read_folder(in_dir: Path) -> Bundle:
    """A SlavicNER folder as a bundle: every ``ner/<topic>/<lang>/<name>.tsv`` with its ``raw`` text."""
    if not in_dir.is_dir():
        raise InputError(Problem(str(in_dir), None, None, "is not a folder"))
    files = sorted((in_dir / NER).glob("*/*/*.tsv"))
    if not files:
        raise InputError(Problem(str(in_dir), None, None, "has no ner/<topic>/<lang>/<name>.tsv files"))
    problems: list[Problem] = []
    sheets, seen = [], {}
    for path in files:
        topic, lang, name = path.parent.parent.name, path.parent.name, path.stem
        raw = in_dir / RAW / topic / lang / f"{name}.txt"
        try:
            text = read_input(raw).decode("utf-8")
            content = read_input(path).decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(Problem(str(path), None, None, f"cannot be read with {raw} as UTF-8: {error}"))
            continue
        except InputError as error:
            problems.extend(error.problems)
            continue
        if name in seen:
            problems.append(Problem(str(path), None, None, f"document {name} is also {seen[name]}"))
            continue
        seen[name] = str(path)
        found, line_problems = parse_tsv(content, text, str(path))
        problems += line_problems
        lines = tuple(Line(str(path), number, obj) for number, obj in found)
        sheets.append(Sheet(name, lang, None, text, lines, str(path)))
    if problems:
        raise InputError(problems)
    return Bundle(tuple(sheets), ())


def merged(imported: Bundle, current: Bundle) -> Bundle:
    """``imported``'s entity lines with every other line of the same article in ``current``."""
    by_id = {sheet.doc_id: sheet for sheet in current.sheets}
    sheets = []
    for sheet in imported.sheets:
        old = by_id.get(sheet.doc_id)
        kept = tuple(line for line in old.lines if line.obj.get("layer") != "entity") if old else ()
        sheets.append(
            Sheet(sheet.doc_id, sheet.lang, sheet.date, sheet.text, kept + sheet.lines, sheet.source)
        )
    return Bundle(tuple(sheets), current.kb)
