"""The measures of the official BSNLP shared-task evaluator (``bsnlp-ner-evaluator-19.0.4.jar``), recomputed.

Pure: annotation file texts in, the evaluator's numbers and its report out (``tests/test_bsnlp_official.py``
checks every number and every byte of its report on 30 reference cases). The rules are the evaluator's:

- **Reading.** Every line is trimmed as Java's ``String.trim`` does (all characters up to U+0020) and
  skipped when empty; the first remaining line is the document id (a byte order mark is kept, so such
  an id matches no gold article). Other lines are split at tabs; fewer than three fields, or a category
  other than PER, LOC, ORG, PRO, EVT (after trimming and upper-casing) and the line is ignored. Form and
  base form are trimmed and lower-cased; the id is the trimmed fourth field, ``-1`` when absent.
- **Which articles count.** A gold article is scored when the system has a file with its id in the same
  topic and language. The per-article measures use only those; the language and cross-language LEA
  keep every gold article's mentions in the gold pool.
- **Units.** Each measure gives, per unit (article and category; language and category for language LEA;
  category for cross-language LEA), a recall numerator and denominator and a precision numerator and
  denominator. A scope (all, a category, a language, an article) sums them and divides: R = rn/rd,
  P = pn/pd (0 when the denominator is 0), F1 = 2PR/(P+R) (0 unless both are positive). The evaluator
  computes in 32-bit floats and prints 5 decimals (half up); so does ``printed``.
- **Measures**, per unit: relaxed partial (a gold entity, the forms of one id, is found when a form or
  a shorter run of its words equals a system form or a run of its words; a distinct system form is
  correct when one of its runs is a run of a gold form), relaxed exact (found: one of the entity's
  forms is a system form; P = found / (found + system forms of no gold entity)), strict (distinct
  forms), normalization (only lines whose form differs from their base, the last such line of a form
  winning; a form is correct when both sides give it the same base), and LEA (entities = ids with
  their distinct mentions, those with one mention left out, weight log2 of the size; a link found in
  several entities counts once) per article, per language (mentions = article and form) and across
  languages (only links between languages; an entity counts only with such a link, its found links
  summed over the entities that hold both ends).
- **Order.** The evaluator walks Java hash maps; 32-bit sums depend on the order, and the report's
  order of languages and articles is that order: ``java_hash_order`` reproduces it.
"""

from __future__ import annotations

import math
import re
import struct
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

EVALUATOR = "bsnlp-ner-evaluator-19.0.4.jar (sigslav.BNEvaluator)"
CATEGORIES = ("PER", "LOC", "ORG", "PRO", "EVT")
MEASURES = (
    "relaxed_partial",
    "relaxed_exact",
    "strict",
    "normalization",
    "lea_document",
    "lea_language",
    "lea_crosslingual",
)
NO_ID = "-1"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def f32(x: float) -> float:
    """``x`` rounded to the nearest 32-bit float (as Java's float arithmetic stores each result)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


_JAVA_SPACE = "".join(map(chr, range(0x21)))


def java_trim(text: str) -> str:
    """Java's ``String.trim``: strip every character up to U+0020 at both ends."""
    return text.strip(_JAVA_SPACE)


def java_string_hash(text: str) -> int:
    """Java's ``String.hashCode`` (over UTF-16 code units, 32-bit wrap-around)."""
    h, data = 0, text.encode("utf-16-be")
    for i in range(0, len(data), 2):
        h = (31 * h + (data[i] << 8 | data[i + 1])) & 0xFFFFFFFF
    return h


def java_hash_order(keys: Iterable[str]) -> list[str]:
    """The iteration order of a Java ``HashMap`` (default capacity) into which ``keys`` were put in order.

    Buckets in index order (``hash ^ hash >>> 16`` masked by the table size, which doubles from 16
    whenever more than 3/4 full), each bucket in insertion order. The evaluator sums 32-bit floats in
    this order, which decides the last bit of some results.
    """
    inserted = list(dict.fromkeys(keys))
    capacity = 16
    while len(inserted) > capacity * 3 // 4:
        capacity *= 2
    rank = {key: i for i, key in enumerate(inserted)}

    def bucket(key: str) -> int:
        h = java_string_hash(key)
        return (h ^ (h >> 16)) & (capacity - 1)

    return sorted(inserted, key=lambda key: (bucket(key), rank[key]))


def java_split_space(text: str) -> list[str]:
    """Java's ``text.split(" ")``: trailing empty strings removed."""
    parts = text.split(" ")
    while len(parts) > 1 and parts[-1] == "":
        parts.pop()
    if parts == [""] and text:
        return []
    return parts


@dataclass(frozen=True)
class Line:
    """One annotation line as the evaluator keeps it."""

    form: str
    base: str
    category: str
    entity_id: str


@dataclass(frozen=True)
class Ignored:
    """A line the evaluator ignores (it prints a warning), with its 1-based line number."""

    line: int
    reason: str


@dataclass(frozen=True)
class Article:
    topic: str
    lang: str
    doc_id: str
    lines: tuple[Line, ...]


def parse(text: str) -> tuple[str, tuple[Line, ...], tuple[Ignored, ...]]:
    """The document id, the kept lines and the ignored lines of one annotation file's text."""
    doc_id, lines, ignored = "", [], []
    for number, raw in enumerate(_LINE_BREAK.split(text), start=1):
        line = java_trim(raw)
        if not line:
            continue
        if not doc_id:
            doc_id = line
            continue
        fields = line.split("\t")
        if len(fields) < 3:
            ignored.append(Ignored(number, f"{len(fields)} field(s), at least 3 expected"))
            continue
        category = java_trim(fields[2]).upper()
        if category not in CATEGORIES:
            ignored.append(Ignored(number, f"category {java_trim(fields[2])!r} is not one of {CATEGORIES}"))
            continue
        entity_id = java_trim(fields[3]) if len(fields) > 3 else NO_ID
        lines.append(Line(java_trim(fields[0]).lower(), java_trim(fields[1]).lower(), category, entity_id))
    return doc_id, tuple(lines), tuple(ignored)


# --- units ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unit:
    """One unit's recall and precision numerators and denominators (32-bit floats)."""

    measure: str
    category: str
    topic: str
    lang: str | None
    doc_id: str | None
    rn: float
    rd: float
    pn: float
    pd: float


def _words_runs(form: str) -> set[str]:
    """The form and every shorter run of its consecutive words (words = split at single spaces)."""
    words = java_split_space(form)
    runs = {form}
    for size in range(1, len(words)):
        for i in range(len(words) - size + 1):
            runs.add(" ".join(words[i : i + size]))
    return runs


def _by_id(lines: Iterable[Line]) -> dict[str, set[str]]:
    entities: dict[str, set[str]] = defaultdict(set)
    for line in lines:
        entities[line.entity_id].add(line.form)
    return entities


def relaxed_partial(gold: Sequence[Line], system: Sequence[Line]) -> tuple[int, int, int, int]:
    entities = {eid: set().union(*(_words_runs(f) for f in forms)) for eid, forms in _by_id(gold).items()}
    variants = {line.form: _words_runs(line.form) for line in system}
    all_variants = set().union(*variants.values()) if variants else set()
    recognisable = set().union(*entities.values()) if entities else set()
    found = sum(bool(strings & all_variants) for strings in entities.values())
    correct = sum(bool(v & recognisable) for v in variants.values())
    return found, len(entities), correct, len(variants)


def relaxed_exact(gold: Sequence[Line], system: Sequence[Line]) -> tuple[int, int, int, int]:
    entities = _by_id(gold)
    forms = {line.form for line in system}
    gold_forms = set().union(*entities.values()) if entities else set()
    found = sum(bool(fs & forms) for fs in entities.values())
    wrong = len(forms - gold_forms)
    return found, len(entities), found, found + wrong


def strict(gold: Sequence[Line], system: Sequence[Line]) -> tuple[int, int, int, int]:
    gold_forms, forms = {line.form for line in gold}, {line.form for line in system}
    shared = len(gold_forms & forms)
    return shared, len(gold_forms), shared, len(forms)


def normalization(gold: Sequence[Line], system: Sequence[Line]) -> tuple[int, int, int, int]:
    def bases(lines: Sequence[Line]) -> dict[str, str]:
        return {line.form: line.base for line in lines if line.form != line.base}

    gold_map, system_map = bases(gold), bases(system)
    correct = sum(system_map.get(form) == base for form, base in gold_map.items())
    return correct, len(gold_map), correct, len(system_map)


def _log2(n: int) -> float:
    return math.log(n) / math.log(2.0)


def _lea_side(key: Mapping[str, set], response: Mapping[str, set]) -> tuple[float, float]:
    """LEA numerator and denominator of ``key`` against ``response`` (document and language level)."""
    num = den = 0.0
    response_links = [{(a, b) for a in ms for b in ms if a != b} for ms in response.values() if len(ms) > 1]
    for eid in java_hash_order(key):
        mentions = key[eid]
        n = len(mentions)
        if n <= 1:
            continue
        den = f32(den + _log2(n))
        links = n * (n - 1) // 2
        ordered = sorted(mentions)
        pairs = {(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :]}
        found = sum(any(p in rl for rl in response_links) for p in pairs)
        if links > 0:
            num = f32(num + f32(f32(f32(_log2(n)) * found) / links))
    return num, den


def lea(gold: Mapping[str, set], system: Mapping[str, set]) -> tuple[float, float, float, float]:
    rn, rd = _lea_side(gold, system)
    pn, pd = _lea_side(system, gold)
    return rn, rd, pn, pd


def _lea_cross_side(key: Mapping[str, set], response: Mapping[str, set]) -> tuple[float, float]:
    """Cross-language LEA numerator and denominator; mentions are (language, article, form)."""
    num = den = 0.0
    for eid in java_hash_order(key):
        mentions = key[eid]
        n = len(mentions)
        if n <= 1:
            continue
        ordered = sorted(mentions)
        cross = [(a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :] if a[0] != b[0]]
        if not cross:
            continue
        den = f32(den + _log2(n))
        found = sum(sum(a in ms and b in ms for a, b in cross) for ms in response.values() if len(ms) > 1)
        num = f32(num + f32(f32(f32(_log2(n)) * found) / len(cross)))
    return num, den


def _clusters(lines_by_article: Iterable[tuple[tuple, Sequence[Line]]], category: str) -> dict[str, set]:
    clusters: dict[str, set] = defaultdict(set)
    for where, lines in lines_by_article:
        for line in lines:
            if line.category == category:
                clusters[line.entity_id].add((*where, line.form))
    return dict(clusters)


def java_order_articles(articles: Sequence[Article]) -> list[Article]:
    """The articles in the evaluator's traversal order: topic, then language, then document id."""
    out = []
    for topic in java_hash_order(a.topic for a in articles):
        in_topic = [a for a in articles if a.topic == topic]
        for lang in java_hash_order(a.lang for a in in_topic):
            in_lang = {a.doc_id: a for a in in_topic if a.lang == lang}
            out += [in_lang[doc_id] for doc_id in java_hash_order(in_lang)]
    return out


PER_ARTICLE = {
    "relaxed_partial": relaxed_partial,
    "relaxed_exact": relaxed_exact,
    "strict": strict,
    "normalization": normalization,
}


def units(gold: Sequence[Article], system: Sequence[Article]) -> list[Unit]:
    """Every unit of every measure."""
    found = {(a.topic, a.lang, a.doc_id): a for a in system}
    gold = java_order_articles(gold)
    out: list[Unit] = []
    scored = [(g, found[(g.topic, g.lang, g.doc_id)]) for g in gold if (g.topic, g.lang, g.doc_id) in found]
    for g, s in scored:
        for category in CATEGORIES:
            gl = [line for line in g.lines if line.category == category]
            sl = [line for line in s.lines if line.category == category]
            for name, measure in PER_ARTICLE.items():
                rn, rd, pn, pd = measure(gl, sl)
                out.append(Unit(name, category, g.topic, g.lang, g.doc_id, rn, rd, pn, pd))
            rn, rd, pn, pd = lea(_clusters([((), gl)], category), _clusters([((), sl)], category))
            out.append(Unit("lea_document", category, g.topic, g.lang, g.doc_id, rn, rd, pn, pd))
    for topic in java_hash_order(g.topic for g in gold):
        in_topic = [g for g in gold if g.topic == topic]
        scored_in_topic = [(g, s) for g, s in scored if g.topic == topic]
        for lang in java_hash_order(g.lang for g in in_topic):
            gold_lang = [((g.doc_id,), g.lines) for g in in_topic if g.lang == lang]
            system_lang = [((s.doc_id,), s.lines) for g, s in scored_in_topic if g.lang == lang]
            for category in CATEGORIES:
                rn, rd, pn, pd = lea(_clusters(gold_lang, category), _clusters(system_lang, category))
                out.append(Unit("lea_language", category, topic, lang, None, rn, rd, pn, pd))
        gold_all = [((g.lang, g.doc_id), g.lines) for g in in_topic]
        system_all = [((g.lang, g.doc_id), s.lines) for g, s in scored_in_topic]
        for category in CATEGORIES:
            gc, sc = _clusters(gold_all, category), _clusters(system_all, category)
            rn, rd = _lea_cross_side(gc, sc)
            pn, pd = _lea_cross_side(sc, gc)
            out.append(Unit("lea_crosslingual", category, topic, None, None, rn, rd, pn, pd))
    return out


# --- scores ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    recall: float
    precision: float
    f1: float
    rd: float
    pd: float


def score(selected: Iterable[Unit]) -> Score | None:
    """The summed units' R, P and F1 as the evaluator computes them; None when it prints no line."""
    rn = rd = pn = pd = 0.0
    for u in selected:
        rn, rd, pn, pd = f32(rn + u.rn), f32(rd + u.rd), f32(pn + u.pn), f32(pd + u.pd)
    if rd == 0 and pd == 0:
        return None
    r = f32(rn / rd) if rd > 0 else 0.0
    p = f32(pn / pd) if pd > 0 else 0.0
    f = f32(f32(f32(2 * p) * r) / f32(p + r)) if p > 0 and r > 0 else 0.0
    return Score(r, p, f, rd, pd)


def printed(value: float) -> str:
    """Java's ``String.format("%.5f", (Float) value)``: the float's shortest decimal, rounded half up."""
    return str(Decimal(repr(value)).quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP))
