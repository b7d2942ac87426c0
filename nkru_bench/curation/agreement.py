"""Agreement between two annotation sets, measured with the harness's own matching.

Pass B is scored as a system against pass A (F1 is symmetric, so the order does not change it).
On top of the harness's rates come chance-corrected figures (Cohen's kappa, scikit-learn) over the
items both passes annotated: entity types over mentions with the same boundaries, and stance labels
over the same (holder, target) pairs. ``disagreements`` lists every item on which the passes differ,
ready for adjudication. The holder-relaxed stance rows match holders that act for the same actor in
pass A's knowledge base (``acts_for``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nkru_bench.gold.records import Document, Gold
from nkru_bench.scoring.predictions import gold_as_predictions


@dataclass(frozen=True)
class Disagreement:
    doc_id: str
    layer: str
    item: str
    a: str
    b: str

    def __str__(self) -> str:
        return f"{self.doc_id}\t{self.layer}\t{self.item}\tA: {self.a}\tB: {self.b}"


def _common(a: Gold, b: Gold) -> tuple[Gold, Gold]:
    """Both golds restricted to the documents they share."""
    shared = {d.doc_id for d in a.documents} & {d.doc_id for d in b.documents}

    def keep(gold: Gold) -> Gold:
        return Gold(documents=tuple(d for d in gold.documents if d.doc_id in shared), kb=gold.kb)

    return keep(a), keep(b)


def _kappa(pairs: list[tuple[str, str]]) -> float | None:
    """Cohen's kappa of the paired labels; None when undefined (no pairs, or one label only)."""
    from sklearn.metrics import cohen_kappa_score

    if not pairs or len({x for pair in pairs for x in pair}) < 2:
        return None
    first, second = zip(*pairs, strict=True)
    return float(cohen_kappa_score(first, second))


def _pairs(a: Gold, b: Gold) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(type A, type B) of mentions with the same boundaries; (label A, label B) of shared stance pairs."""
    types, labels = [], []
    for doc_a, doc_b in zip(a.documents, b.documents, strict=True):
        spans_b = {(e.start, e.end): e.type for e in doc_b.entities}
        types += [(e.type, spans_b[(e.start, e.end)]) for e in doc_a.entities if (e.start, e.end) in spans_b]
        stance_b = {(s.holder_id, s.target): s.label for s in doc_b.stance}
        labels += [
            (s.label, stance_b[(s.holder_id, s.target)])
            for s in doc_a.stance
            if (s.holder_id, s.target) in stance_b
        ]
    return types, labels


def _same_evidence(a: Gold, b: Gold) -> tuple[int, int]:
    """(rows with the same evidence spans, rows on the same (holder, target)) over the shared pairs."""
    same = shared = 0
    for doc_a, doc_b in zip(a.documents, b.documents, strict=True):
        spans_b = {(s.holder_id, s.target): set(s.evidence) for s in doc_b.stance}
        for s in doc_a.stance:
            if (s.holder_id, s.target) in spans_b:
                shared += 1
                same += set(s.evidence) == spans_b[(s.holder_id, s.target)]
    return same, shared


def _rate(result: Any, path: str) -> dict[str, Any]:
    value = result[path]
    return {key: value[key] for key in value if key != "ci"}


def agreement(a: Gold, b: Gold) -> dict[str, Any]:
    """Per-layer agreement of two annotation sets, each figure with the counts behind it."""
    from nkru_bench.scoring.scorer import score

    a, b = _common(a, b)
    result = score(gold_as_predictions(b), gold=a, resamples=0)
    types, labels = _pairs(a, b)
    same_evidence, shared = _same_evidence(a, b)
    return {
        "documents": len(a.documents),
        "entities": {
            "strict": _rate(result, "entities.strict"),
            "boundaries": _rate(result, "entities.exact"),
            "type_agreement": sum(x == y for x, y in types) / len(types) if types else None,
            "type_kappa": _kappa(types),
            "type_pairs": len(types),
            "lemma": _rate(result, "entities.lemma"),
            "entity_id": _rate(result, "entities.linking"),
        },
        "figures": {
            "value_unit": _rate(result, "figures.value_unit"),
            "qualifier": _rate(result, "figures.qualifier"),
            "source": _rate(result, "figures.source"),
        },
        "stance": {
            "pair": _rate(result, "stance.pair"),
            "tuple": _rate(result, "stance.tuple"),
            "relaxed_pair": _rate(result, "stance.relaxed_pair"),
            "relaxed_tuple": _rate(result, "stance.relaxed_tuple"),
            "label_kappa": _kappa(labels),
            "label_agreement": sum(x == y for x, y in labels) / len(labels) if labels else None,
            "label_pairs": len(labels),
            "evidence_same": same_evidence,
            "evidence_pairs": shared,
        },
    }


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def agreement_markdown(stats: dict[str, Any], a: str = "A", b: str = "B") -> str:
    """The agreement table of the dataset card."""
    e, f, s = stats["entities"], stats["figures"], stats["stance"]

    def f1(rate: dict[str, Any]) -> str:
        c = rate["counts"]
        found, gold = c.get("correct", c.get("found")), c.get("possible", c.get("gold"))
        return f"{_fmt(rate['f1'])} ({found} of {gold} / {c.get('actual', c.get('predicted'))})"

    def acc(rate: dict[str, Any]) -> str:
        return f"{_fmt(rate['accuracy'])} ({rate['counts']['correct']} of {rate['counts']['total']})"

    rows = [
        ("entities", "strict F1 (span + type)", f1(e["strict"])),
        ("entities", "boundary F1 (span only)", f1(e["boundaries"])),
        (
            "entities",
            "type agreement / Cohen's kappa (same-span mentions)",
            f"{_fmt(e['type_agreement'])} / {_fmt(e['type_kappa'])} (n = {e['type_pairs']})",
        ),
        ("entities", "lemma agreement (strict matches)", acc(e["lemma"])),
        ("entities", "entity id agreement (strict matches)", acc(e["entity_id"])),
        ("figures", "value + unit F1", f1(f["value_unit"])),
        ("figures", "qualifier agreement (matched figures)", acc(f["qualifier"])),
        ("figures", "source agreement (matched figures)", acc(f["source"])),
        ("stance", "pair F1 (holder, target)", f1(s["pair"])),
        ("stance", "tuple F1 (holder, target, label)", f1(s["tuple"])),
        ("stance", "pair F1, holder-relaxed (actor, target)", f1(s["relaxed_pair"])),
        ("stance", "tuple F1, holder-relaxed (actor, target, label)", f1(s["relaxed_tuple"])),
        (
            "stance",
            "label agreement / Cohen's kappa (shared pairs)",
            f"{_fmt(s['label_agreement'])} / {_fmt(s['label_kappa'])} (n = {s['label_pairs']})",
        ),
        (
            "stance",
            "same evidence spans (shared pairs)",
            f"{_fmt(s['evidence_same'] / s['evidence_pairs'] if s['evidence_pairs'] else None)} "
            f"({s['evidence_same']} of {s['evidence_pairs']})",
        ),
    ]
    lines = [
        f"Pass {b} scored against pass {a} over {stats['documents']} documents "
        "(F1 with matched of gold / predicted):",
        "",
        "| layer | measure | value |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {layer} | {measure} | {value} |" for layer, measure, value in rows]
    return "\n".join(lines)


def _entity_items(doc: Document) -> dict[str, str]:
    return {f"{e.start}:{e.end} {e.text!r}": f"{e.type} {e.lemma!r} {e.entity_id}" for e in doc.entities}


def _figure_items(doc: Document) -> dict[str, str]:
    return {
        f"{f.start}:{f.end} {f.text!r}": f"{f.value:g} {f.unit} {f.qualifier} source={f.source_id} "
        f"claim={f.claim_id}"
        for f in doc.figures
    }


def _stance_items(doc: Document) -> dict[str, str]:
    return {
        f"{s.holder_id} on {s.target}": f"{s.label} evidence="
        + ",".join(f"{sp.start}:{sp.end}" for sp in s.evidence)
        for s in doc.stance
    }


def _extra_items(doc: Document) -> dict[str, str]:
    items = {f"{sp.start}:{sp.end}": "boilerplate" for sp in doc.boilerplate}
    if doc.title is not None:
        items["title"] = repr(doc.title)
    return items


def disagreements(a: Gold, b: Gold) -> list[Disagreement]:
    """Every item annotated differently (or by one pass only), document by document."""
    a, b = _common(a, b)
    found = []
    for doc_a, doc_b in zip(a.documents, b.documents, strict=True):
        for layer, items in (
            ("entity", _entity_items),
            ("figure", _figure_items),
            ("stance", _stance_items),
            ("text", _extra_items),
        ):
            in_a, in_b = items(doc_a), items(doc_b)
            for key in sorted(in_a.keys() | in_b.keys()):
                if in_a.get(key) != in_b.get(key):
                    found.append(
                        Disagreement(doc_a.doc_id, layer, key, in_a.get(key, "-"), in_b.get(key, "-"))
                    )
    return found
