"""Pre-annotating an article (``nkru-bench preannotate``): a system's prediction as draft lines.

``draft`` is pure: the article, its existing annotation lines, the knowledge base and one
``Prediction`` in; the new lines out, every one with ``"status": "unreviewed"`` (which
``validate`` refuses until a person deletes it) and a ``note`` saying what was guessed. Existing
lines are never changed: a prediction that overlaps an existing entity or figure, lies in
boilerplate, or gives a (holder, target) pair that already has a line is skipped, so running it
twice adds nothing the second time. With ``replace`` the unreviewed lines of an earlier draft
are dropped first (reviewed lines, those without ``status``, are always kept).

What the prediction format leaves out is filled in so that every drafted line is complete:

- entity: ``text`` is quoted from the document; ``lemma`` defaults to that text; ``entity_id`` is
  the system's, else the one KB entry of that type whose name (any language, or English) equals
  the text or lemma, else a placeholder ``TODO-<TYPE>-<Name>`` that ``validate`` rejects as an id;
- figure: offsets given by the system are kept; without them the first free number expression in
  the text with that value is used (none: the figure is skipped and reported); ``qualifier``
  defaults to ``exact``, ``claim_id`` to null;
- stance: the format has no evidence, and the gold needs at least one span: the sentence of the
  holder's first mention (an entity line with its id, else one of its KB names) is drafted as
  evidence, else the first sentence, and the note says which;
- knowledge base: an id that ``kb.jsonl`` lacks (a system's id, a placeholder, a holder or a
  figure source) gets a draft KB line, also ``"status": "unreviewed"``, named after the lemma.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.common.files import write_atomically
from nkru_bench.common.jsonlines import dumps, read_jsonl
from nkru_bench.curation.extending import append_jsonl
from nkru_bench.gold.annotations import DOCS_DIR, KB_FILE
from nkru_bench.gold.numbers import find_numbers, parse_number, values_agree
from nkru_bench.gold.seeds import check_seed, read_manifest
from nkru_bench.gold.tokens import trim_span
from nkru_bench.scoring.predictions import PredEntity, PredFigure, Prediction, PredStance

UNREVIEWED = "unreviewed"
PLACEHOLDER = "TODO"
_ID_TYPES = {"GPE": "LOC", "PER": "PER", "ORG": "ORG", "LOC": "LOC", "EVT": "EVT", "PRO": "PRO"}
_TRANSLIT = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ß": "ss", "ø": "o", "Ø": "O"})


@dataclass(frozen=True)
class Draft:
    """What pre-annotation adds: annotation lines, draft KB lines, and what it left out and why."""

    lines: tuple[dict[str, Any], ...]
    kb: tuple[dict[str, Any], ...]
    skipped: tuple[str, ...]
    dropped: tuple[int, ...]  # line numbers of earlier unreviewed lines dropped (``replace``)


def placeholder_id(entity_type: str, name: str) -> str:
    """``TODO-PER-Kim-Cong-un``: readable, ASCII, and never a valid KB id."""
    ascii_name = unicodedata.normalize("NFKD", name.translate(_TRANSLIT)).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-") or "X"
    return f"{PLACEHOLDER}-{entity_type}-{slug}"


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _kb_names(entry: dict[str, Any]) -> list[str]:
    names = [n.get("name") for n in entry.get("names") or () if isinstance(n, dict)]
    return [n for n in [entry.get("name_en"), *names] if isinstance(n, str) and n]


def _span(obj: dict[str, Any]) -> tuple[int, int] | None:
    start, end = obj.get("start"), obj.get("end")
    if type(start) is int and type(end) is int:
        return start, end
    return None


def _overlaps(start: int, end: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def _sentences(text: str) -> list[tuple[int, int]]:
    from nkru_bench.gold.tokens import sentences

    spans = []
    for sentence in sentences(text):
        if sentence.tokens:
            spans.append((sentence.token_starts[0], sentence.token_starts[-1] + len(sentence.tokens[-1])))
    return spans


@dataclass
class _State:
    """The article and what is taken as drafting goes on."""

    text: str
    lang: str
    kb: dict[str, dict[str, Any]]
    boilerplate: list[tuple[int, int]]
    entities: list[tuple[int, int]]
    figures: list[tuple[int, int]]
    pairs: set[tuple[str, str]]
    mentions: list[tuple[int, str]]  # (start, entity_id) of entity lines, kept and new
    lines: list[dict[str, Any]] = field(default_factory=list)
    new_kb: dict[str, dict[str, Any]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def need_kb(self, entity_id: str | None, entity_type: str | None, name: str) -> None:
        if entity_id is None or entity_id in self.kb or entity_id in self.new_kb:
            return
        prefix = entity_id.removeprefix(f"{PLACEHOLDER}-").split("-", 1)[0]
        kind = entity_type or _ID_TYPES.get(prefix, "ORG")
        self.new_kb[entity_id] = {
            "entity_id": entity_id,
            "type": kind,
            "name_en": name,
            "names": [{"lang": self.lang, "name": name}],
            "description": "",
            "status": UNREVIEWED,
        }


def _lookup(state: _State, entity_type: str, surface: str, lemma: str) -> str | None:
    """The one KB id of this type with a name equal to the surface text or lemma."""
    wanted = {_key(surface), _key(lemma)}
    found = {
        entity_id
        for entity_id, entry in {**state.kb, **state.new_kb}.items()
        if entry.get("type") == entity_type
        and not entity_id.startswith(PLACEHOLDER)
        and wanted & {_key(n) for n in _kb_names(entry)}
    }
    return found.pop() if len(found) == 1 else None


def _entity(state: _State, pred: PredEntity) -> None:
    text = state.text
    where = f"entity {pred.start}:{pred.end} {pred.type}"
    if not pred.start < pred.end <= len(text):
        state.skipped.append(f"{where}: outside the text ({len(text)} characters)")
        return
    start, end = trim_span(text, pred.start, pred.end)
    if start == end:
        state.skipped.append(f"{where}: only white space")
        return
    if _overlaps(start, end, state.boilerplate):
        state.skipped.append(f"{where}: in boilerplate")
        return
    if _overlaps(start, end, state.entities):
        state.skipped.append(f"{where} {text[start:end]!r}: overlaps an entity line already there")
        return
    surface = text[start:end]
    notes = []
    lemma = pred.lemma
    if lemma is None:
        lemma = surface
        notes.append("lemma copied from the text")
    entity_id = pred.entity_id
    if entity_id is None:
        entity_id = _lookup(state, pred.type, surface, lemma)
        if entity_id is not None:
            notes.append("entity_id found by name in the KB")
        else:
            entity_id = placeholder_id(pred.type, lemma)
            notes.append("entity_id is a placeholder: give a KB id (and review its draft KB line)")
    state.need_kb(entity_id, pred.type, lemma)
    state.entities.append((start, end))
    state.mentions.append((start, entity_id))
    line = {
        "layer": "entity",
        "start": start,
        "end": end,
        "text": surface,
        "type": pred.type,
        "lemma": lemma,
        "entity_id": entity_id,
        "status": UNREVIEWED,
    }
    if notes:
        line["note"] = "pre-annotation: " + "; ".join(notes)
    state.lines.append(line)


def _locate(state: _State, pred: PredFigure) -> tuple[int, int] | None:
    for number in find_numbers(state.text):
        span = (number.start, number.end)
        if values_agree(number.value, pred.value) and not _overlaps(*span, state.figures + state.boilerplate):
            return span
    return None


def _figure(state: _State, pred: PredFigure) -> None:
    text = state.text
    where = f"figure {pred.value:g} {pred.unit}"
    notes = []
    if pred.start is not None and pred.end is not None:
        if not pred.start < pred.end <= len(text):
            state.skipped.append(f"{where} at {pred.start}:{pred.end}: outside the text")
            return
        start, end = trim_span(text, pred.start, pred.end)
        if start == end or _overlaps(start, end, state.figures + state.boilerplate):
            state.skipped.append(f"{where} at {pred.start}:{pred.end}: empty, in boilerplate or taken")
            return
    else:
        span = _locate(state, pred)
        if span is None:
            state.skipped.append(f"{where}: no free number expression with this value in the text")
            return
        start, end = span
        notes.append("offsets found by value")
    read = parse_number(text[start:end])
    if read is None or not values_agree(read, pred.value):
        notes.append(f"the text {text[start:end]!r} does not read {pred.value:g}")
    qualifier = pred.qualifier
    if qualifier is None:
        qualifier = "exact"
        notes.append("qualifier guessed")
    state.need_kb(pred.source_id, None, pred.source_id or "")
    state.figures.append((start, end))
    line = {
        "layer": "figure",
        "start": start,
        "end": end,
        "text": text[start:end],
        "value": _number(pred.value),
        "unit": pred.unit,
        "qualifier": qualifier,
        "source_id": pred.source_id,
        "claim_id": None,
        "status": UNREVIEWED,
    }
    if notes:
        line["note"] = "pre-annotation: " + "; ".join(notes)
    state.lines.append(line)


def _evidence(state: _State, holder_id: str) -> tuple[tuple[int, int], str]:
    sentences = [s for s in _sentences(state.text) if not _overlaps(*s, state.boilerplate)]
    if not sentences:
        sentences = [trim_span(state.text, 0, len(state.text))]
    starts = sorted(start for start, entity_id in state.mentions if entity_id == holder_id)
    how = "the sentence of the holder's first entity mention"
    if not starts:
        entry = state.kb.get(holder_id) or state.new_kb.get(holder_id) or {}
        folded = state.text.casefold()
        starts = sorted(i for n in _kb_names(entry) if (i := folded.find(n.casefold())) >= 0)
        how = "the sentence of the first occurrence of the holder's KB name"
    for start in starts:
        for s, e in sentences:
            if s <= start < e:
                return (s, e), how
    return sentences[0], "the first sentence (the holder is not mentioned by name)"


def _stance(state: _State, pred: PredStance) -> None:
    if (pred.holder_id, pred.target) in state.pairs:
        state.skipped.append(f"stance {pred.holder_id} {pred.target}: a line for this pair is already there")
        return
    (start, end), how = _evidence(state, pred.holder_id)
    state.need_kb(pred.holder_id, None, pred.holder_id)
    state.pairs.add((pred.holder_id, pred.target))
    state.lines.append(
        {
            "layer": "stance",
            "holder_id": pred.holder_id,
            "target": pred.target,
            "label": pred.label,
            "evidence": [{"start": start, "end": end, "text": state.text[start:end]}],
            "status": UNREVIEWED,
            "note": f"pre-annotation: evidence is {how}: narrow it to the words that state the position",
        }
    )


def draft(
    text: str,
    lang: str,
    prediction: Prediction,
    existing: Sequence[tuple[int, dict[str, Any]]],
    kb: Sequence[dict[str, Any]],
    replace: bool = False,
) -> Draft:
    """The draft lines a prediction adds to an article's annotation lines (see the module doc)."""
    dropped = tuple(n for n, obj in existing if replace and obj.get("status") == UNREVIEWED)
    kept = [obj for n, obj in existing if n not in dropped]

    def spans(layer: str) -> list[tuple[int, int]]:
        return [s for obj in kept if obj.get("layer") == layer and (s := _span(obj)) is not None]

    state = _State(
        text=text,
        lang=lang,
        kb={e["entity_id"]: e for e in kb if isinstance(e.get("entity_id"), str)},
        boilerplate=spans("boilerplate"),
        entities=spans("entity"),
        figures=spans("figure"),
        pairs={(o.get("holder_id"), o.get("target")) for o in kept if o.get("layer") == "stance"},
        mentions=[
            (s[0], o["entity_id"])
            for o in kept
            if o.get("layer") == "entity" and (s := _span(o)) and isinstance(o.get("entity_id"), str)
        ],
    )
    for entity in sorted(prediction.entities or (), key=lambda e: (e.start, -e.end, e.type)):
        _entity(state, entity)
    for figure in sorted(
        prediction.figures or (), key=lambda f: (f.start if f.start is not None else -1, f.value, f.unit)
    ):
        _figure(state, figure)
    for stance in sorted(prediction.stance or (), key=lambda s: (s.holder_id, s.target)):
        _stance(state, stance)
    return Draft(tuple(state.lines), tuple(state.new_kb.values()), tuple(state.skipped), dropped)


# --- I/O -----------------------------------------------------------------------------------------


def document(doc_id: str, root: Path) -> tuple[dict[str, Any], Path]:
    """The document dict a system sees, and the path of its annotation file."""
    seeds_dir = root / "seeds"
    seeds, problems = read_manifest(seeds_dir)
    seed = next((s for s in seeds if s.doc_id == doc_id), None)
    if seed is None:
        problems.append(
            Problem(
                str(seeds_dir / "manifest.jsonl"),
                None,
                "doc_id",
                f"{doc_id!r} is not in the manifest: add the article with 'nkru-bench add-doc' first",
            )
        )
        raise InputError(problems)
    text, seed_problems = check_seed(seed, seeds_dir)
    if text is None or seed_problems:
        raise InputError(seed_problems)
    path = root / "annotations" / DOCS_DIR / f"{doc_id}.jsonl"
    if not path.is_file():
        raise InputError(Problem(str(path), None, None, "is missing: create it empty (add-doc does)"))
    doc = {"doc_id": doc_id, "lang": seed.lang, "date": seed.date, "title": None, "text": text}
    return doc, path


def predict(extractor: Any, doc: dict[str, Any], system: str, timeout: float | None) -> Prediction:
    """Run the system on one document with the runner (its timeout, its failure handling)."""
    from nkru_bench.scoring.predictions import read_predictions
    from nkru_bench.systems.runner import run

    with tempfile.TemporaryDirectory(prefix="nkru-preannotate-") as tmp:
        out = Path(tmp) / "prediction.jsonl"
        report = run(extractor, [doc], out, timeout=timeout, progress=None)
        if report.failures:
            failure = report.failures[0]
            raise InputError(Problem(system, None, None, f"failed on {failure.doc_id}: {failure.error}"))
        return read_predictions(out)[0]


def _read_lines(path: Path) -> list[tuple[int, dict[str, Any]]]:
    objects, problems = read_jsonl(path)
    if problems:
        raise InputError(problems)
    return objects


def preannotate(
    doc_id: str, extractor: Any, system: str, root: Path, replace: bool = False, timeout: float | None = 120.0
) -> tuple[Draft, Path]:
    """Draft the annotation lines of ``doc_id`` from a system; returns the draft and the file written."""
    doc, path = document(doc_id, root)
    existing = _read_lines(path)
    kb_path = root / "annotations" / KB_FILE
    kb = [obj for _, obj in _read_lines(kb_path)] if kb_path.exists() else []
    titles = [o for _, o in existing if o.get("layer") == "title" and isinstance(o.get("text"), str)]
    doc["title"] = titles[0]["text"] if titles else None
    result = draft(doc["text"], doc["lang"], predict(extractor, doc, system, timeout), existing, kb, replace)
    raw = path.read_bytes().split(b"\n")
    kept = [line for number, line in enumerate(raw, start=1) if number not in result.dropped and line.strip()]
    added = [dumps(line).encode("utf-8") for line in result.lines]
    write_atomically(path, b"".join(line + b"\n" for line in kept + added))
    if result.kb:
        append_jsonl(kb_path, list(result.kb))
    return result, path
