"""The annotation file format (``annotations/FORMAT.md``): reading it with line numbers, writing it.

Reading gives ``Line`` objects (file, line number, decoded JSON object) and the problems of
files that cannot be read as JSON Lines; what the objects must contain is checked by
``validation``. Writing goes the other way, from gold records to the canonical lines, so that a
pre-annotation, an importer or a migration produces files a person can diff.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import Problem
from nkru_bench.common.files import write_inside
from nkru_bench.common.jsonlines import dumps, read_jsonl
from nkru_bench.gold.records import Document, KBEntry

KB_FILE = "kb.jsonl"
DOCS_DIR = "docs"
LAYERS = ("title", "boilerplate", "entity", "figure", "stance")
COMMON_KEYS = ("layer", "note", "status")


@dataclass(frozen=True)
class Line:
    file: str
    line: int
    obj: dict[str, Any]


@dataclass(frozen=True)
class AnnotationSet:
    root: Path
    kb: tuple[Line, ...]
    docs: dict[str, tuple[Line, ...]]
    problems: tuple[Problem, ...]


def read_annotations(root: Path) -> AnnotationSet:
    """Every line of ``root/kb.jsonl`` and ``root/docs/*.jsonl``, keyed by doc_id (the file stem)."""
    problems: list[Problem] = []
    if not root.is_dir():
        return AnnotationSet(root, (), {}, (Problem(str(root), None, None, "is not a folder"),))
    kb_path = root / KB_FILE
    kb_objects, kb_problems = read_jsonl(kb_path)
    problems += kb_problems
    kb = tuple(Line(str(kb_path), number, obj) for number, obj in kb_objects)
    docs: dict[str, tuple[Line, ...]] = {}
    docs_dir = root / DOCS_DIR
    if not docs_dir.is_dir():
        problems.append(
            Problem(str(docs_dir), None, None, "is missing: it holds one <doc_id>.jsonl per article")
        )
    else:
        for path in sorted(docs_dir.iterdir()):
            if path.suffix != ".jsonl":
                problems.append(Problem(str(path), None, None, "is not a .jsonl file: move it out of docs/"))
                continue
            objects, file_problems = read_jsonl(path)
            problems += file_problems
            docs[path.stem] = tuple(Line(str(path), number, obj) for number, obj in objects)
    return AnnotationSet(root, kb, docs, tuple(problems))


def _quoted(text: str, start: int, end: int) -> dict[str, Any]:
    return {"start": start, "end": end, "text": text[start:end]}


def document_lines(doc: Document) -> list[dict[str, Any]]:
    """The canonical annotation lines of one gold document, in ``build``'s order."""
    lines: list[dict[str, Any]] = []
    if doc.title is not None and doc.title in doc.text:
        start = doc.text.index(doc.title)
        lines.append({"layer": "title", **_quoted(doc.text, start, start + len(doc.title))})
    lines += [{"layer": "boilerplate", **_quoted(doc.text, s.start, s.end)} for s in doc.boilerplate]
    lines += [{"layer": "entity", **e.model_dump()} for e in doc.entities]
    lines += [{"layer": "figure", **f.model_dump()} for f in doc.figures]
    for s in doc.stance:
        evidence = [_quoted(doc.text, span.start, span.end) for span in s.evidence]
        lines.append(
            {
                "layer": "stance",
                "holder_id": s.holder_id,
                "target": s.target,
                "label": s.label,
                "evidence": evidence,
            }
        )
    return lines


def kb_line(entry: KBEntry) -> dict[str, Any]:
    return entry.model_dump()


def write_jsonl(path: Path, objects: list[dict[str, Any]]) -> None:
    """Write objects one per line, atomically, inside the file's folder (a symbolic link in the
    annotations folder is refused, never written through)."""
    write_inside(path.parent, path.name, "".join(dumps(obj) + "\n" for obj in objects))
