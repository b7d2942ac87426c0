"""The BSNLP shared task's measures (Slavic NER, normalization and cross-lingual linking).

A BSNLP system response is one ``.out`` file per document: the document id on the first line,
then one line per distinct mention form, ``mention<TAB>base form<TAB>category<TAB>cross-lingual id``.
It has no offsets, so a response is scored per document, as the shared task did.

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

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nkru_bench.gold.records import Gold
from nkru_bench.scoring.bsnlp import Response, aligned, gold_responses


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
