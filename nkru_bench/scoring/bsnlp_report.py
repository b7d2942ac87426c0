"""The official BSNLP evaluator's results as it shows them: per scope, as JSON, as a table, as its report.

``scores`` sums ``bsnlp_measures`` units over every scope the evaluator prints (all, per category, per
language, per article); ``report`` writes its report file line for line (the order of languages and
articles is its hash-map order); ``as_printed`` gives the numbers with its 5 decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nkru_bench.scoring.bsnlp_measures import (
    CATEGORIES,
    MEASURES,
    Article,
    Score,
    Unit,
    java_hash_order,
    java_order_articles,
    printed,
    score,
)


def as_printed(value: Any) -> Any:
    """``scores`` with every ``Score`` as the evaluator prints it (precision, recall, f1; 5 decimals)."""
    if isinstance(value, Score):
        return {k: float(printed(getattr(value, k))) for k in ("precision", "recall", "f1")}
    if isinstance(value, dict):
        return {k: as_printed(v) for k, v in value.items()}
    return value


def table(result: dict[str, dict]) -> str:
    """The "All corpora" line of every measure, as a small table."""
    rows = [f"{'BSNLP measure (official evaluator 19.0.4)':<42}{'P':>9}{'R':>9}{'F1':>9}"]
    for measure in MEASURES:
        s = result[measure]["all"]
        cells = [printed(getattr(s, k)) if s else "-" for k in ("precision", "recall", "f1")]
        rows.append(f"{measure:<42}" + "".join(f"{c:>9}" for c in cells))
    return "\n".join(rows) + "\n"


def scores(all_units: Sequence[Unit]) -> dict[str, dict]:
    """Per measure: ``all``, ``by_type``, ``by_lang`` (with ``by_type``) and ``by_doc`` (with ``by_type``)."""
    result: dict[str, dict] = {}
    for measure in MEASURES:
        mine = [u for u in all_units if u.measure == measure]

        def block(selected: list[Unit]) -> dict:
            by_type = {c: score(u for u in selected if u.category == c) for c in CATEGORIES}
            return {"all": score(selected), "by_type": {c: s for c, s in by_type.items() if s}}

        entry = block(mine)
        langs = sorted({u.lang for u in mine if u.lang is not None})
        entry["by_lang"] = {}
        for lang in langs:
            b = block([u for u in mine if u.lang == lang])
            if b["all"] is not None:
                entry["by_lang"][lang] = b
        docs = sorted({(u.doc_id, u.lang) for u in mine if u.doc_id is not None})
        entry["by_doc"] = {}
        for doc_id, lang in docs:
            b = block([u for u in mine if u.doc_id == doc_id])
            if b["all"] is not None:
                entry["by_doc"][doc_id] = {"lang": lang, **b}
        result[measure] = entry
    return result


# --- the evaluator's report -----------------------------------------------------------------------

HEADINGS = {
    "relaxed_partial": ("1) Recognition", "1a) Relaxed partial matching"),
    "relaxed_exact": (None, "1b) Relaxed exact matching"),
    "strict": (None, "1c) Strict matching"),
    "normalization": ("2) Normalization", None),
    "lea_document": ("3) Coreference", "3a) Document level"),
    "lea_language": (None, "3b) Single language level"),
    "lea_crosslingual": (None, "3c) Cross-language level"),
}
TITLE = "BSNLP-NER shared task evaluation report"


def _line(name: str, depth: int, s: Score | None) -> list[str]:
    if s is None:
        return []
    return ["\t" * depth + f"{name}:\tR={printed(s.recall)}\tP={printed(s.precision)}\tF={printed(s.f1)}"]


def _block(name: str, depth: int, selected: list[Unit]) -> list[str]:
    out = _line(name, depth, score(selected))
    for category in CATEGORIES:
        out += _line(category, depth + 1, score(u for u in selected if u.category == category))
    return out


def report(all_units: Sequence[Unit], gold: Sequence[Article]) -> str:
    """The evaluator's report (``reports/<system>.out``), line for line."""
    ordered = java_order_articles(gold)
    langs = java_hash_order(a.lang for a in ordered)
    topics = java_hash_order(a.topic for a in ordered)
    rows = [TITLE, "*" * len(TITLE)]
    for measure in MEASURES:
        top, sub = HEADINGS[measure]
        for heading, rule in ((top, "="), (sub, "-")):
            if heading:
                rows += [heading, rule * len(heading)]
        mine = [u for u in all_units if u.measure == measure]
        rows += _block("All corpora", 0, mine)
        for lang in langs:
            rows += _block(lang, 1, [u for u in mine if u.lang == lang])
        for topic in topics:
            in_topic = [u for u in mine if u.topic == topic]
            rows += _block(topic, 1, in_topic)
            for lang in langs:
                rows += _block(lang, 2, [u for u in in_topic if u.lang == lang])
                for a in ordered:
                    if a.topic == topic and a.lang == lang:
                        rows += _block(a.doc_id, 3, [u for u in in_topic if u.doc_id == a.doc_id])
    return "\n".join(rows) + "\n"
