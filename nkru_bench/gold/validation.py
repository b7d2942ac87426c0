"""From annotation lines to gold records, collecting every problem before reporting.

``validate(annotations_dir, seeds_dir)`` returns ``(gold, problems)``: the ``Gold`` when there is
no problem, and every problem found (each naming file, line and field) otherwise. Nothing here
prints or exits; ``cli`` does that.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import Problem
from nkru_bench.gold.annotations import COMMON_KEYS, LAYERS, AnnotationSet, Line, read_annotations
from nkru_bench.gold.lines import ID_PATTERN, LINE_MODELS, STATUSES, parse_line
from nkru_bench.gold.numbers import parse_number, values_agree
from nkru_bench.gold.records import (
    LANGS,
    Document,
    Entity,
    Figure,
    Gold,
    KBEntry,
    Span,
    Stance,
)
from nkru_bench.gold.seeds import Seed, check_seed, read_manifest


def _check_quote(text: str, line: Line, field: str, start: int, end: int, quoted: str) -> list[Problem]:
    if not start < end:
        return [Problem(line.file, line.line, field, f"start {start} must be less than end {end}")]
    if end > len(text):
        return [Problem(line.file, line.line, field, f"end {end} is past the end of the text ({len(text)})")]
    actual = text[start:end]
    if actual == quoted:
        if quoted != quoted.strip():
            return [Problem(line.file, line.line, field, f"span {quoted!r} starts or ends with white space")]
        return []
    hint = ""
    found = [m.start() for m in re.finditer(re.escape(quoted), text)] if quoted else []
    if found:
        nearest = min(found, key=lambda s: abs(s - start))
        hint = f"; {quoted!r} occurs at start={nearest}, end={nearest + len(quoted)}"
    return [
        Problem(
            line.file,
            line.line,
            field,
            f"text {quoted!r} does not match the text at {start}:{end}, which is {actual!r}{hint}",
        )
    ]


def _status_problems(line: Line, status: str | None) -> list[Problem]:
    """A line still marked by pre-annotation is not gold yet."""
    if status is None:
        return []
    if status in STATUSES:
        message = "unreviewed: check the line, then delete its 'status' key"
        return [Problem(line.file, line.line, "status", message)]
    return [Problem(line.file, line.line, "status", f"{status!r} is not a status")]


def _check_kb(lines: Iterable[Line]) -> tuple[dict[str, KBEntry], list[Problem]]:
    kb: dict[str, KBEntry] = {}
    lines_of: dict[str, Line] = {}
    problems: list[Problem] = []
    for line in lines:
        problems += _status_problems(line, line.obj.get("status"))
        fields = {k: v for k, v in line.obj.items() if k not in ("status", "note")}
        entry, errors = parse_line(Line(line.file, line.line, fields), KBEntry)
        problems += errors
        if entry is None:
            continue
        if not ID_PATTERN.fullmatch(entry.entity_id):
            problems.append(
                Problem(
                    line.file,
                    line.line,
                    "entity_id",
                    f"{entry.entity_id!r} is not TYPE-English-Name (TYPE one of PER ORG LOC GPE EVT PRO)",
                )
            )
        elif entry.entity_id.split("-", 1)[0] not in (
            entry.type,
            "GPE" if entry.type == "LOC" else entry.type,
        ):
            problems.append(
                Problem(
                    line.file,
                    line.line,
                    "type",
                    f"{entry.type} does not agree with the id prefix of {entry.entity_id!r}",
                )
            )
        if entry.entity_id in kb:
            problems.append(Problem(line.file, line.line, "entity_id", f"duplicate id {entry.entity_id!r}"))
        kb[entry.entity_id] = entry
        lines_of[entry.entity_id] = line
    return kb, problems + _check_acts_for(kb, lines_of)


def _check_acts_for(kb: dict[str, KBEntry], lines_of: dict[str, Line]) -> list[Problem]:
    """``acts_for`` names another KB entry, one that acts for no one (GUIDELINES K6: the final actor)."""
    problems = []
    for entity_id, entry in kb.items():
        principal, line = entry.acts_for, lines_of[entity_id]
        if principal is None:
            continue
        if principal == entity_id:
            message = f"{entity_id!r} cannot act for itself (use null)"
        elif principal not in kb:
            message = f"{principal!r} is not in the knowledge base (kb.jsonl)"
        elif kb[principal].acts_for is not None:
            message = f"{principal!r} acts for {kb[principal].acts_for!r}: name the final actor"
        else:
            continue
        problems.append(Problem(line.file, line.line, "acts_for", message))
    return problems


def _check_id(kb: dict[str, KBEntry], line: Line, field: str, entity_id: str | None) -> list[Problem]:
    if entity_id is None or entity_id in kb:
        return []
    return [Problem(line.file, line.line, field, f"{entity_id!r} is not in the knowledge base (kb.jsonl)")]


def _overlaps(items: list[tuple[int, int, Line]], what: str) -> list[Problem]:
    problems = []
    ordered = sorted(items, key=lambda item: (item[0], item[1]))
    for (s1, e1, _), (s2, e2, line) in itertools.pairwise(ordered):
        if s2 < e1:
            problems.append(
                Problem(
                    line.file,
                    line.line,
                    "start",
                    f"{what} {s2}:{e2} overlaps {what} {s1}:{e1} (spans are flat)",
                )
            )
    return problems


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)


def _check_document(
    seed: Seed, text: str, lines: tuple[Line, ...], kb: dict[str, KBEntry]
) -> tuple[Document | None, list[Problem]]:
    problems: list[Problem] = []
    parsed: dict[str, list[tuple[Line, Any]]] = defaultdict(list)
    for line in lines:
        layer = line.obj.get("layer")
        if layer not in LAYERS:
            problems.append(Problem(line.file, line.line, "layer", f"{layer!r} is not one of {LAYERS}"))
            continue
        record, errors = parse_line(line, LINE_MODELS[layer])
        problems += errors
        if record is None:
            continue
        problems += _status_problems(line, record.status)
        spans = (
            [("", record.start, record.end, record.text)]
            if layer != "stance"
            else [(f"evidence.{i}", q.start, q.end, q.text) for i, q in enumerate(record.evidence)]
        )
        quote_problems = [
            p for name, s, e, q in spans for p in _check_quote(text, line, name or "text", s, e, q)
        ]
        problems += quote_problems
        if not quote_problems:
            parsed[layer].append((line, record))

    boiler = [(r.start, r.end) for _, r in parsed["boilerplate"]]
    for layer in ("entity", "figure"):
        for line, r in parsed[layer]:
            if _inside(boiler, r.start, r.end):
                problems.append(
                    Problem(line.file, line.line, "start", f"{layer} {r.start}:{r.end} lies in boilerplate")
                )
    problems += _overlaps([(r.start, r.end, line) for line, r in parsed["entity"]], "entity")
    problems += _overlaps([(r.start, r.end, line) for line, r in parsed["figure"]], "figure")
    if len(parsed["title"]) > 1:
        line = parsed["title"][1][0]
        problems.append(Problem(line.file, line.line, "layer", "a document has at most one title"))

    for line, r in parsed["entity"]:
        problems += _check_id(kb, line, "entity_id", r.entity_id)
        if r.entity_id in kb and kb[r.entity_id].type != r.type:
            problems.append(
                Problem(
                    line.file,
                    line.line,
                    "type",
                    f"{r.type} but {r.entity_id!r} is {kb[r.entity_id].type} in the knowledge base",
                )
            )
    for line, r in parsed["figure"]:
        problems += _check_id(kb, line, "source_id", r.source_id)
        read = parse_number(r.text)
        if read is None:
            problems.append(Problem(line.file, line.line, "text", f"{r.text!r} is not a number expression"))
        elif not values_agree(read, r.value):
            problems.append(
                Problem(
                    line.file,
                    line.line,
                    "value",
                    f"{r.value:g} disagrees with its text {r.text!r}, which reads {read:g}",
                )
            )
    seen_pairs: dict[tuple[str, str], int] = {}
    for line, r in parsed["stance"]:
        problems += _check_id(kb, line, "holder_id", r.holder_id)
        key = (r.holder_id, r.target)
        if key in seen_pairs:
            problems.append(
                Problem(
                    line.file,
                    line.line,
                    "target",
                    f"a second stance of {r.holder_id} on "
                    f"{r.target} (first at line {seen_pairs[key]}): one row per holder and target",
                )
            )
        seen_pairs.setdefault(key, line.line)

    if problems:
        return None, problems
    title = parsed["title"][0][1].text if parsed["title"] else None
    doc = Document(
        doc_id=seed.doc_id,
        lang=seed.lang,
        date=seed.date,
        title=title,
        text=text,
        source_file=f"seeds/{seed.file}",
        sha256=seed.sha256,
        boilerplate=tuple(
            sorted(
                (Span(start=r.start, end=r.end) for _, r in parsed["boilerplate"]),
                key=lambda s: (s.start, s.end),
            )
        ),
        entities=tuple(
            sorted(
                (Entity(**r.model_dump(exclude=set(COMMON_KEYS))) for _, r in parsed["entity"]),
                key=lambda e: (e.start, e.end),
            )
        ),
        figures=tuple(
            sorted(
                (Figure(**r.model_dump(exclude=set(COMMON_KEYS))) for _, r in parsed["figure"]),
                key=lambda f: (f.start, f.end),
            )
        ),
        stance=tuple(
            sorted(
                (
                    Stance(
                        holder_id=r.holder_id,
                        target=r.target,
                        label=r.label,
                        evidence=tuple(Span(start=q.start, end=q.end) for q in r.evidence),
                    )
                    for _, r in parsed["stance"]
                ),
                key=lambda s: (s.holder_id, s.target),
            )
        ),
    )
    return doc, []


def _check_claims(documents: list[Document], annotations: AnnotationSet) -> list[Problem]:
    """Figures that share a claim_id report the same claim: the same value and unit."""
    first: dict[str, tuple[str, Figure]] = {}
    problems = []
    for doc in documents:
        for fig in doc.figures:
            if fig.claim_id is None:
                continue
            if fig.claim_id not in first:
                first[fig.claim_id] = (doc.doc_id, fig)
                continue
            other_doc, other = first[fig.claim_id]
            if (other.unit, other.value) != (fig.unit, fig.value):
                line = _find_line(annotations, doc.doc_id, fig.start)
                problems.append(
                    Problem(
                        line.file if line else doc.doc_id,
                        line.line if line else None,
                        "claim_id",
                        f"{fig.claim_id!r} is {fig.value:g} {fig.unit} here but "
                        f"{other.value:g} {other.unit} in {other_doc}",
                    )
                )
    return problems


def _find_line(annotations: AnnotationSet, doc_id: str, start: int) -> Line | None:
    for line in annotations.docs.get(doc_id, ()):
        if line.obj.get("layer") == "figure" and line.obj.get("start") == start:
            return line
    return None


def validate(
    annotations_dir: Path, seeds_dir: Path, *, require_all: bool = True
) -> tuple[Gold | None, list[Problem]]:
    """The gold built from the annotations and seeds, or None with every problem found.

    With ``require_all=False`` (an annotation pass, which may cover only some articles) a seed
    without an annotation file is left out instead of being a problem.
    """
    annotations = read_annotations(annotations_dir)
    problems = list(annotations.problems)
    seeds, manifest_problems = read_manifest(seeds_dir)
    problems += manifest_problems
    kb, kb_problems = _check_kb(annotations.kb)
    problems += kb_problems

    manifest = str(seeds_dir / "manifest.jsonl")
    seen: dict[str, Seed] = {}
    for seed in seeds:
        if seed.doc_id in seen:
            problems.append(
                Problem(
                    manifest,
                    seed.line,
                    "doc_id",
                    f"duplicate doc_id {seed.doc_id!r} (first at line {seen[seed.doc_id].line})",
                )
            )
        seen.setdefault(seed.doc_id, seed)
        if seed.lang not in LANGS:
            problems.append(Problem(manifest, seed.line, "lang", f"{seed.lang!r} is not one of {LANGS}"))
    for doc_id in sorted(set(annotations.docs) - set(seen)):
        problems.append(
            Problem(
                str(annotations_dir / "docs" / f"{doc_id}.jsonl"),
                None,
                None,
                f"{doc_id!r} is not in {manifest}",
            )
        )

    documents = []
    for doc_id, seed in sorted(seen.items()):
        text, seed_problems = check_seed(seed, seeds_dir)
        problems += seed_problems
        if doc_id not in annotations.docs:
            if not require_all:
                continue
            problems.append(
                Problem(
                    manifest,
                    seed.line,
                    "doc_id",
                    f"no annotation file {annotations_dir / 'docs' / (doc_id + '.jsonl')}",
                )
            )
            continue
        if text is None or seed.lang not in LANGS:
            continue
        doc, doc_problems = _check_document(seed, text, annotations.docs[doc_id], kb)
        problems += doc_problems
        if doc is not None:
            documents.append(doc)
    problems += _check_claims(documents, annotations)
    if problems:
        return None, problems
    entries = tuple(sorted(kb.values(), key=lambda e: e.entity_id))
    return Gold(documents=tuple(documents), kb=entries), []


def validate_folder(annotations_dir: Path, seeds_dir: Path) -> list[Problem]:
    return validate(annotations_dir, seeds_dir)[1]
