"""BSNLP system responses: the ``.out`` file format, read and written, and projected to predictions.

``read_system`` reads a system's folder as the official evaluator does (``<topic>/<lang>/<any file>``,
every file parsed by ``bsnlp_measures.parse``) and ``gold_articles`` gives the gold the same way (the
annotated files ``export bsnlp`` writes); ``bsnlp_measures`` scores the one against the other.

A BSNLP system response is one ``.out`` file per document: the document id on the first line,
then one line per distinct mention form, ``mention<TAB>base form<TAB>category<TAB>cross-lingual id``.
It has no offsets, so a response is scored per document (``bsnlp_measures``). ``to_predictions``
projects a response onto the documents (every whole-word occurrence of each form, longer forms
first, no overlaps) so that ``nkru-bench score`` can score it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.gold.records import ENTITY_TYPES, Gold
from nkru_bench.scoring.bsnlp_measures import Article, parse
from nkru_bench.scoring.predictions import PredEntity, Prediction

TOPIC = "nkru"


@dataclass(frozen=True)
class Mention:
    form: str
    lemma: str
    type: str
    entity_id: str | None = None


@dataclass(frozen=True)
class Response:
    doc_id: str
    mentions: tuple[Mention, ...]
    file: str = ""


def form_of(text: str) -> str:
    return " ".join(text.split())


def response_of(doc_id: str, entities: Iterable[tuple[str, str, str, str | None]]) -> Response:
    """The distinct mentions of ``(surface text, lemma, type, id)`` entities, in order of first mention."""
    seen: dict[Mention, None] = {}
    for text, lemma, type_, entity_id in entities:
        seen.setdefault(Mention(form_of(text), form_of(lemma), type_, entity_id), None)
    return Response(doc_id, tuple(seen))


def gold_responses(gold: Gold) -> dict[str, Response]:
    return {
        doc.doc_id: response_of(doc.doc_id, ((e.text, e.lemma, e.type, e.entity_id) for e in doc.entities))
        for doc in gold.documents
    }


def out_text(response: Response) -> str:
    lines = [response.doc_id]
    lines += [f"{m.form}\t{m.lemma}\t{m.type}\t{m.entity_id or ''}".rstrip("\t") for m in response.mentions]
    return "\n".join(lines) + "\n"


def gold_articles(gold: Gold, topic: str = TOPIC) -> list[Article]:
    """The gold as the evaluator reads its ``golden`` folder: each article's annotated file, parsed."""
    responses = gold_responses(gold)
    articles = []
    for doc in gold.documents:
        doc_id, lines, _ = parse(out_text(responses[doc.doc_id]))
        articles.append(Article(topic, doc.lang, doc_id, lines))
    return articles


@dataclass(frozen=True)
class SystemFiles:
    """A system's folder as read: its articles, and what the evaluator would warn about (one line each)."""

    articles: tuple[Article, ...]
    notes: tuple[str, ...]


def read_system(folder: Path) -> SystemFiles:
    """Every file of ``folder/<topic>/<lang>/``, read as the evaluator reads it.

    The lines it ignores become notes (its warnings). Bytes that are not UTF-8, and two files with one
    document id in a language folder, are errors here (the evaluator replaces such bytes, and keeps
    whichever of the two files the file system lists last).
    """
    if not folder.is_dir():
        raise InputError(Problem(str(folder), None, None, "is not a folder"))
    files = sorted(p for p in folder.glob("*/*/*") if p.is_file())
    if not files:
        message = "has no <topic>/<lang>/<file> annotation files (the BSNLP evaluator's layout)"
        raise InputError(Problem(str(folder), None, None, message))
    articles, notes, problems, first = [], [], [], {}
    for path in files:
        topic, lang = path.parent.parent.name, path.parent.name
        try:
            content = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(Problem(str(path), None, None, f"is not valid UTF-8 (byte offset {error.start})"))
            continue
        except OSError as error:
            problems.append(Problem(str(path), None, None, f"cannot be read: {error.strerror}"))
            continue
        doc_id, lines, ignored = parse(content)
        notes += [f"{path}:{i.line}: line ignored ({i.reason}), as the evaluator ignores it" for i in ignored]
        key = (topic, lang, doc_id)
        if key in first:
            problems.append(Problem(str(path), None, "doc_id", f"{doc_id!r} is also the id of {first[key]}"))
            continue
        first[key] = str(path)
        articles.append(Article(topic, lang, doc_id, lines))
    if problems:
        raise InputError(problems)
    return SystemFiles(tuple(articles), tuple(notes))


def unmatched(gold: Sequence[Article], system: SystemFiles) -> list[str]:
    """Notes on what the evaluator drops without a word: system files whose id is no gold article of
    their topic and language, and gold articles without a system file."""
    known = {(a.topic, a.lang, a.doc_id) for a in gold}
    given = {(a.topic, a.lang, a.doc_id) for a in system.articles}
    notes = [
        f"{topic}/{lang}: document id {doc_id!r} is no gold article there: not scored"
        for topic, lang, doc_id in sorted(given - known)
    ]
    notes += [
        f"{doc_id} ({lang}): no system file: left out of the per-article measures; its mentions still "
        "count in the language and cross-language LEA"
        for _, lang, doc_id in sorted(known - given)
    ]
    return notes


def parse_response(data: bytes, file: str) -> tuple[Response | None, list[Problem]]:
    """One ``.out`` file, or its problems (each with its line)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return None, [Problem(file, 1, None, "starts with a byte order mark: save it as UTF-8 without BOM")]
    try:
        content = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, [Problem(file, line, None, f"is not valid UTF-8 (byte offset {error.start})")]
    numbered = [(n, line.rstrip("\r")) for n, line in enumerate(content.split("\n"), start=1) if line.strip()]
    if not numbered:
        return None, [Problem(file, None, None, "is empty: its first line must be the document id")]
    doc_id = numbered[0][1].strip()
    mentions, problems = [], []
    for number, line in numbered[1:]:
        parts = [part.strip() for part in line.split("\t")]
        if len(parts) not in (3, 4) or not all(parts[:3]):
            message = "expected 'mention<TAB>base form<TAB>category[<TAB>id]'"
            problems.append(Problem(file, number, None, f"{message}, got {len(parts)} field(s)"))
            continue
        if parts[2] not in ENTITY_TYPES:
            problems.append(
                Problem(file, number, "category", f"{parts[2]!r} is not one of {', '.join(ENTITY_TYPES)}")
            )
            continue
        entity_id = parts[3] if len(parts) == 4 and parts[3] else None
        mentions.append(Mention(form_of(parts[0]), form_of(parts[1]), parts[2], entity_id))
    return (None, problems) if problems else (Response(doc_id, tuple(mentions), file), [])


def read_responses(in_dir: Path) -> list[Response]:
    """Every ``.out`` file under ``in_dir`` (a document id may occur once)."""
    files = sorted(in_dir.rglob("*.out")) if in_dir.is_dir() else [in_dir]
    if not files:
        raise InputError(Problem(str(in_dir), None, None, "has no .out files (BSNLP system responses)"))
    responses, problems, first = [], [], {}
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as error:
            problems.append(Problem(str(path), None, None, f"cannot be read: {error.strerror}"))
            continue
        response, found = parse_response(data, str(path))
        problems += found
        if response is None:
            continue
        if response.doc_id in first:
            problems.append(
                Problem(str(path), 1, "doc_id", f"{response.doc_id} is also {first[response.doc_id]}")
            )
            continue
        first[response.doc_id] = str(path)
        responses.append(response)
    if problems:
        raise InputError(problems)
    return responses


def aligned(responses: Sequence[Response], gold: Gold) -> dict[str, Response]:
    """The responses by doc_id; one for a document the gold lacks is an error."""
    known = {doc.doc_id for doc in gold.documents}
    problems = [
        Problem(r.file, 1, "doc_id", f"{r.doc_id!r} is not a document of the gold")
        for r in responses
        if r.doc_id not in known
    ]
    if problems:
        raise InputError(problems)
    return {r.doc_id: r for r in responses}


def occurrences(text: str, form: str) -> list[tuple[int, int]]:
    """Whole-word occurrences of ``form`` in ``text`` (any white space between its words)."""
    words = form.split()
    if not words:
        return []
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    return [(m.start(), m.end()) for m in re.finditer(pattern, text)]


def project(text: str, response: Response) -> tuple[PredEntity, ...]:
    """Every occurrence of every mention, longer forms first, without overlaps, in text order."""
    candidates = [(s, e, m) for m in response.mentions for s, e in occurrences(text, m.form)]
    candidates.sort(key=lambda c: (-(c[1] - c[0]), c[0], c[2].type))
    taken: list[tuple[int, int, Mention]] = []
    for s, e, m in candidates:
        if all(e <= ts or te <= s for ts, te, _ in taken):
            taken.append((s, e, m))
    return tuple(
        PredEntity(start=s, end=e, type=m.type, lemma=m.lemma, entity_id=m.entity_id)
        for s, e, m in sorted(taken)
    )


def to_predictions(responses: Sequence[Response], gold: Gold) -> list[Prediction]:
    """One prediction per gold document (no response: predicted nothing), entities projected."""
    by_id = aligned(responses, gold)
    empty = Response("", ())
    return [
        Prediction(doc_id=doc.doc_id, entities=project(doc.text, by_id.get(doc.doc_id, empty)))
        for doc in gold.documents
    ]
