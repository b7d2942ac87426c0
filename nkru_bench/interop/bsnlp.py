"""The BSNLP shared-task format (Slavic NER, normalization and cross-lingual linking).

A BSNLP system response is one ``.out`` file per document: the document id on the first line,
then one line per distinct mention form, ``mention<TAB>base form<TAB>category<TAB>cross-lingual id``.
It has no offsets, so a response is scored per document, as the shared task did.

- ``export`` writes the gold (or a draft) as BSNLP data: ``raw/<lang>/<doc_id>.txt`` (the BSNLP
  raw header: id, language, date, source, title, then the text) and
  ``annotated/<lang>/<doc_id>.out`` (the distinct ``(form, base form, type, id)`` of its entity
  lines, in order of first mention; a form's white space runs become one space).
- ``read_responses`` reads every ``.out`` under a folder into ``Response`` records; ``evaluate``
  (pure) gives the BSNLP measures against the gold, from counts:

  - recognition, per document, of ``(form, type)`` pairs: *strict* (P = distinct correct pairs /
    response lines, so a form given twice costs precision; R = over the gold's distinct pairs),
    *relaxed exact* (R over the gold's entities, ``entity_id`` per document: one found when any of
    its forms is in the response with its type; P over the response's distinct pairs) and *relaxed
    partial* (the same, a form also matching when one form contains the other);
  - normalization: accuracy of the base form over the response's distinct mentions that are strict
    matches;
  - linking: ``id_accuracy`` (the response's ids against the gold's KB ids, over strict matches:
    meaningful when a system uses the KB), and LEA (Moosavi and Strube 2016; mentions are
    ``(doc_id, form)``, entities the ids, each weighted by its size) at the document level and
    cross-lingually (only links between mentions in different languages count; entities without
    such a link are left out), which needs no shared id space.

- ``to_predictions`` projects a response onto the documents (every whole-word occurrence of each
  form, longer forms first, no overlaps) so that ``nkru-bench score`` can score it; of that
  result only ``entities.relaxed`` (document level) is meaningful for an offset-less response.

The BSNLP evaluator weighs LEA entities by log2 of their size; here the weight is the size, as in
the LEA paper, and missing responses count as predicting nothing.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nkru_bench.errors import InputError, Problem
from nkru_bench.interop import Bundle
from nkru_bench.predictions import PredEntity, Prediction
from nkru_bench.records import ENTITY_TYPES, Gold

RAW, ANNOTATED = "raw", "annotated"


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


# --- files ----------------------------------------------------------------------------------------


def out_text(response: Response) -> str:
    lines = [response.doc_id]
    lines += [f"{m.form}\t{m.lemma}\t{m.type}\t{m.entity_id or ''}".rstrip("\t") for m in response.mentions]
    return "\n".join(lines) + "\n"


def export(bundle: Bundle, out_dir: Path) -> list[Path]:
    """Write ``raw/<lang>/<doc_id>.txt`` and ``annotated/<lang>/<doc_id>.out`` per article."""
    written = []
    for sheet in bundle.sheets:
        entities = sorted(
            (line.obj for line in sheet.lines if line.obj.get("layer") == "entity"),
            key=lambda obj: (obj["start"], obj["end"]),
        )
        response = response_of(
            sheet.doc_id, ((e["text"], e["lemma"], e["type"], e["entity_id"]) for e in entities)
        )
        titles = [line.obj["text"] for line in sheet.lines if line.obj.get("layer") == "title"]
        header = [
            sheet.doc_id,
            sheet.lang,
            sheet.date or "",
            f"seeds/{sheet.doc_id}.txt",
            form_of(titles[0]) if titles else "",
        ]
        for path, content in (
            (out_dir / RAW / sheet.lang / f"{sheet.doc_id}.txt", "\n".join(header) + "\n" + sheet.text),
            (out_dir / ANNOTATED / sheet.lang / f"{sheet.doc_id}.out", out_text(response)),
        ):
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8", newline="") as handle:
                handle.write(content)
            written.append(path)
    return written


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


# --- projection onto the text ---------------------------------------------------------------------


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


# --- the BSNLP measures ---------------------------------------------------------------------------


def _partial(a: tuple[str, str], b: tuple[str, str]) -> bool:
    return a[1] == b[1] and (a[0] in b[0] or b[0] in a[0])


@dataclass(frozen=True)
class RecognitionCounts:
    gold: int = 0
    predicted: int = 0
    found: int = 0
    correct: int = 0

    def __add__(self, other: RecognitionCounts) -> RecognitionCounts:
        return RecognitionCounts(*(a + b for a, b in zip(self.counts(), other.counts(), strict=True)))

    def counts(self) -> tuple[int, int, int, int]:
        return self.gold, self.predicted, self.found, self.correct


def _relaxed(
    gold: Response, keys: set[tuple[str, str]], match: Callable[[tuple[str, str], tuple[str, str]], bool]
) -> RecognitionCounts:
    entities: dict[str | None, set[tuple[str, str]]] = defaultdict(set)
    for m in gold.mentions:
        entities[m.entity_id].add((m.form, m.type))
    gold_keys = {(m.form, m.type) for m in gold.mentions}
    found = sum(any(match(s, g) for s in keys for g in forms) for forms in entities.values())
    correct = sum(any(match(s, g) for g in gold_keys) for s in keys)
    return RecognitionCounts(len(entities), len(keys), found, correct)


def recognition(gold: Response, response: Response) -> dict[str, RecognitionCounts]:
    """The three BSNLP recognition counts of one document."""
    listed = [(m.form, m.type) for m in response.mentions]
    keys = set(listed)
    gold_keys = {(m.form, m.type) for m in gold.mentions}
    strict = len(keys & gold_keys)
    return {
        "relaxed_partial": _relaxed(gold, keys, _partial),
        "relaxed_exact": _relaxed(gold, keys, lambda a, b: a == b),
        "strict": RecognitionCounts(len(gold_keys), len(listed), strict, strict),
    }


def attribute_counts(gold: Response, response: Response) -> dict[str, tuple[int, int]]:
    """(correct, total) of base forms and of ids over the response's strictly matched mentions."""
    lemmas, ids = defaultdict(set), defaultdict(set)
    for m in gold.mentions:
        lemmas[(m.form, m.type)].add(m.lemma)
        ids[(m.form, m.type)].add(m.entity_id)
    matched = [m for m in set(response.mentions) if (m.form, m.type) in lemmas]
    with_id = [m for m in matched if m.entity_id is not None]
    return {
        "normalization": (sum(m.lemma in lemmas[(m.form, m.type)] for m in matched), len(matched)),
        "id_accuracy": (sum(m.entity_id in ids[(m.form, m.type)] for m in with_id), len(with_id)),
    }


def lea(
    key: Mapping[Hashable, Sequence[Hashable]],
    response: Mapping[Hashable, Sequence[Hashable]],
    counts: Callable[[Hashable, Hashable], bool] | None = None,
) -> dict[str, float]:
    """LEA recall and precision numerators and denominators of two clusterings of mentions.

    With ``counts`` only the links it accepts are counted, and entities without such a link are
    left out; without it every link counts and a singleton entity counts as its own link.
    """

    def side(a: Mapping[Hashable, Sequence[Hashable]], b: Mapping[Hashable, Sequence[Hashable]]) -> tuple:
        where = {m: cid for cid, ms in b.items() for m in ms}
        size = {cid: len(ms) for cid, ms in b.items()}
        num = den = 0.0
        for ms in a.values():
            links = [(x, y) for i, x in enumerate(ms) for y in ms[i + 1 :] if counts is None or counts(x, y)]
            if len(ms) == 1 and counts is None:
                common, total = int(ms[0] in where and size[where[ms[0]]] == 1), 1
            elif not links:
                continue
            else:
                common = sum(x in where and y in where and where[x] == where[y] for x, y in links)
                total = len(links)
            num += len(ms) * common / total
            den += len(ms)
        return num, den

    recall_num, recall_den = side(key, response)
    precision_num, precision_den = side(response, key)
    return {
        "recall_num": recall_num,
        "recall_den": recall_den,
        "precision_num": precision_num,
        "precision_den": precision_den,
    }


def _clusters(responses: Mapping[str, Response], per_document: bool) -> dict[Hashable, list[tuple[str, str]]]:
    clusters: dict[Hashable, list[tuple[str, str]]] = defaultdict(list)
    for doc_id, response in responses.items():
        for m in response.mentions:
            mention = (doc_id, m.form)
            cid: Hashable = m.entity_id if m.entity_id is not None else ("singleton", mention)
            cid = (doc_id, cid) if per_document else cid
            if mention not in clusters[cid]:
                clusters[cid].append(mention)
    return dict(clusters)


def _prf(p_num: float, p_den: float, r_num: float, r_den: float) -> dict[str, float | None]:
    if p_den == 0 and r_den == 0:
        return {"precision": None, "recall": None, "f1": None}
    p = p_num / p_den if p_den else 0.0
    r = r_num / r_den if r_den else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def _lea_rates(values: dict[str, float]) -> dict[str, float | None]:
    rates = _prf(values["precision_num"], values["precision_den"], values["recall_num"], values["recall_den"])
    return {**rates, **values}


def evaluate(gold: Gold, responses: Sequence[Response]) -> dict[str, Any]:
    """The BSNLP measures of ``responses`` against ``gold`` (a missing response predicts nothing)."""
    by_id = aligned(responses, gold)
    truth = gold_responses(gold)
    lang = {doc.doc_id: doc.lang for doc in gold.documents}
    empty = Response("", ())
    system = {doc_id: by_id.get(doc_id, empty) for doc_id in truth}
    totals = {name: RecognitionCounts() for name in ("relaxed_partial", "relaxed_exact", "strict")}
    tallies = {"normalization": [0, 0], "id_accuracy": [0, 0]}
    for doc_id, reference in truth.items():
        for name, counts in recognition(reference, system[doc_id]).items():
            totals[name] += counts
        for name, (correct, total) in attribute_counts(reference, system[doc_id]).items():
            tallies[name][0] += correct
            tallies[name][1] += total

    def accuracy(name: str) -> dict[str, Any]:
        correct, total = tallies[name]
        return {"accuracy": correct / total if total else None, "correct": correct, "total": total}

    document_lea = lea(_clusters(truth, True), _clusters(system, True))
    crosslingual = lea(
        _clusters(truth, False), _clusters(system, False), lambda a, b: lang[a[0]] != lang[b[0]]
    )
    return {
        "documents": len(truth),
        "responses": len(by_id),
        "missing": sorted(set(truth) - set(by_id)),
        "recognition": {
            name: {
                **_prf(c.correct, c.predicted, c.found, c.gold),
                "gold": c.gold,
                "predicted": c.predicted,
                "found": c.found,
                "correct": c.correct,
            }
            for name, c in totals.items()
        },
        "normalization": accuracy("normalization"),
        "linking": {
            "id_accuracy": accuracy("id_accuracy"),
            "document": _lea_rates(document_lea),
            "crosslingual": _lea_rates(crosslingual),
        },
    }


def table(result: dict[str, Any]) -> str:
    """The measures as a small text table."""

    def show(value: float | None) -> str:
        return "   -  " if value is None else f"{value:6.3f}"

    rows = [f"BSNLP evaluation: {result['responses']} response(s) for {result['documents']} document(s)", ""]
    rows.append(f"{'measure':<28}{'P':>7}{'R':>7}{'F1':>7}")
    for name, r in result["recognition"].items():
        rows.append(f"{'recognition ' + name:<28}{show(r['precision'])} {show(r['recall'])} {show(r['f1'])}")
    for name in ("document", "crosslingual"):
        r = result["linking"][name]
        rows.append(f"{'linking LEA ' + name:<28}{show(r['precision'])} {show(r['recall'])} {show(r['f1'])}")
    for name, r in (
        ("normalization", result["normalization"]),
        ("linking id", result["linking"]["id_accuracy"]),
    ):
        rows.append(f"{name + ' accuracy':<28}{show(r['accuracy'])}  ({r['correct']}/{r['total']})")
    if result["missing"]:
        rows.append(f"no response for: {', '.join(result['missing'])} (scored as predicting nothing)")
    return "\n".join(rows) + "\n"
