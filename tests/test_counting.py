"""Counting every document at once (``counting``) gives, document by document, the counts of
``matching`` (the definition), whether a document's pairs stand alone or compete."""

from __future__ import annotations

import random

import numpy as np
from factories import (
    document,
    entity,
    figure,
    gold,
    perturb,
    random_gold,
    seeds,
    stance,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from nkru_bench.gold.records import Document, Gold
from nkru_bench.scoring.counting import COUNTERS, KEYS, inside_spans
from nkru_bench.scoring.figure_matching import match_figures
from nkru_bench.scoring.matching import inside, match_entities
from nkru_bench.scoring.metrics import flatten
from nkru_bench.scoring.predictions import PredEntity, PredFigure, Prediction, PredStance
from nkru_bench.scoring.scorer import read_and_check
from nkru_bench.scoring.stance_matching import match_stance
from nkru_bench.scoring.tables import SpanColumns


def reference(task: str, doc: Document, pred: Prediction) -> dict[str, int]:
    """One document's counts from ``matching``, every name of ``KEYS[task]`` given."""
    if task == "entities":
        counts = match_entities(doc.text, doc.entities, pred.entities, doc.boilerplate)
    elif task == "figures":
        counts = match_figures(doc.figures, pred.figures, doc.boilerplate)
    else:
        counts = match_stance(doc.stance, pred.stance)
    return dict.fromkeys(KEYS[task], 0) | flatten(counts)


def counted(g: Gold, predictions: list[Prediction]) -> dict[str, list[dict[str, int]]]:
    """Every document's counts from ``counting``, by task."""
    table, found = read_and_check(predictions, g)
    out = {}
    for task in found.attempted:
        matrix = COUNTERS[task](table, getattr(found, task))
        out[task] = [dict(zip(KEYS[task], row, strict=True)) for row in matrix.tolist()]
    return out


def compete(rnd: random.Random, doc: Document, pred: Prediction) -> Prediction:
    """``pred`` with items that compete for a gold item: a span over two gold mentions, a second
    prediction on a gold mention, a second figure with a gold value."""
    entities, figures = list(pred.entities), list(pred.figures)
    gold_entities = sorted(doc.entities, key=lambda e: e.start)
    if len(gold_entities) >= 2:
        i = rnd.randrange(len(gold_entities) - 1)
        a, b = gold_entities[i], gold_entities[i + 1]
        entities.append(PredEntity(start=a.start, end=b.end, type=a.type))
    if gold_entities:
        e = rnd.choice(gold_entities)
        entities.append(
            PredEntity(start=e.start, end=max(e.start + 1, e.end - 1), type=e.type, lemma=e.lemma)
        )
    if doc.figures:
        f = rnd.choice(doc.figures)
        figures.append(PredFigure(value=f.value, unit=f.unit, qualifier=f.qualifier))
        figures.append(PredFigure(value=f.value, unit=f.unit, source_id=f.source_id))
    return pred.model_copy(update={"entities": tuple(entities), "figures": tuple(figures)})


@settings(max_examples=60, deadline=None)
@given(seeds, st.integers(min_value=1, max_value=8), st.floats(min_value=0, max_value=1))
def test_counting_gives_the_counts_of_matching(seed: int, n_docs: int, share: float) -> None:
    rnd = random.Random(seed)
    g = random_gold(seed, n_docs)
    predictions = [perturb(rnd, doc) for doc in g.documents]
    predictions = [
        compete(rnd, d, p) if rnd.random() < share else p
        for d, p in zip(g.documents, predictions, strict=True)
    ]
    found = counted(g, predictions)
    for task, rows in found.items():
        for doc, pred, row in zip(g.documents, predictions, rows, strict=True):
            assert row == reference(task, doc, pred), (task, doc.doc_id)


def _contested(g: Gold, predictions: list[Prediction]) -> list[bool]:
    from nkru_bench.scoring.counting import _entity_pairs

    table, found = read_and_check(predictions, g)
    gold_sorted = table.entities.take(np.lexsort((table.entities.start, table.entities.doc)))
    kept = found.entities.take(np.lexsort((found.entities.end, found.entities.start, found.entities.doc)))
    return _entity_pairs(gold_sorted, kept, len(table.doc_ids))[1].tolist()


def test_both_ways_of_counting_are_taken() -> None:
    """Perturbed predictions are mostly counted at once; competing ones send their document to
    ``matching``, and it is still counted as ``matching`` counts it (nothing dropped)."""
    rnd = random.Random(7)
    g = random_gold(7, 8)
    plain = [perturb(rnd, doc) for doc in g.documents]
    alone = _contested(g, plain)
    k = next(i for i, doc in enumerate(g.documents) if len(doc.entities) >= 2 and not alone[i])
    predictions = [*plain[:k], compete(rnd, g.documents[k], plain[k]), *plain[k + 1 :]]
    assert _contested(g, predictions) == [*alone[:k], True, *alone[k + 1 :]]
    assert alone.count(False) >= 4
    row = counted(g, predictions)["entities"][k]
    assert row == reference("entities", g.documents[k], predictions[k])
    assert row["strict.spurious"] + row["strict.incorrect"] > 0  # the competing ones are counted


def test_gold_that_is_not_flat_is_counted_as_matching_counts_it() -> None:
    """Validated gold is flat; records given directly may not be: nested and repeated spans."""
    text = "Kim Jong Un met Putin in Pyongyang on Wednesday."
    doc = document(
        "d1",
        text,
        entities=[
            entity(text, 0, 11, "PER", entity_id="PER-kim"),
            entity(text, 4, 8, "PER", entity_id="PER-jong"),
            entity(text, 16, 21, "PER", entity_id="PER-putin"),
            entity(text, 16, 21, "ORG", entity_id="ORG-putin"),
        ],
    )
    pred = Prediction(
        doc_id="d1",
        entities=(PredEntity(start=0, end=11, type="PER"), PredEntity(start=16, end=21, type="ORG")),
    )
    assert counted(gold(doc), [pred])["entities"] == [reference("entities", doc, pred)]


def test_figures_and_stance_edge_cases() -> None:
    """A figure without offsets that matches two gold figures; a stance prediction on a pair the gold
    does not have; a document with nothing predicted."""
    text = "Around 10,000 soldiers, and 10000 more; 3 missiles."
    doc = document(
        "d1",
        text,
        figures=[
            figure(text, 7, 13, 10000.0, "person"),
            figure(text, 28, 33, 10000.0, "person"),
            figure(text, 40, 41, 3.0, "missile"),
        ],
        stance=[stance("PER-1", "nk_troops_in_russia", "against"), stance("PER-2")],
    )
    empty = document("d2", "Nothing here.")
    preds = [
        Prediction(
            doc_id="d1",
            entities=(),
            figures=(PredFigure(value=10000.0, unit="person", qualifier="approximately"),),
            stance=(
                PredStance(holder_id="PER-1", target="nk_troops_in_russia", label="favor"),
                PredStance(holder_id="PER-3", target="nk_arms_to_russia", label="neutral"),
            ),
        ),
        Prediction(doc_id="d2", entities=(), figures=(), stance=()),
    ]
    found = counted(gold(doc, empty), preds)
    for task in ("figures", "stance"):
        assert found[task] == [reference(task, d, p) for d, p in zip((doc, empty), preds, strict=True)]


@given(seeds)
def test_inside_spans_is_matching_inside(seed: int) -> None:
    rnd = random.Random(seed)
    n_docs = rnd.randint(1, 4)
    spans = sorted(
        (rnd.randrange(n_docs), s, s + rnd.randint(1, 30))
        for s in (rnd.randrange(60) for _ in range(rnd.randint(0, 6)))
    )
    items = [
        (rnd.randrange(n_docs), s, s + rnd.randint(1, 20)) for s in (rnd.randrange(80) for _ in range(40))
    ]
    columns = SpanColumns(*(np.array([s[i] for s in spans], dtype=np.int64) for i in range(3)))
    doc, start, end = (np.array([x[i] for x in items], dtype=np.int64) for i in range(3))
    got = inside_spans(doc, start, end, columns).tolist()
    from nkru_bench.gold.records import Span

    expected = [inside(s, e, [Span(start=a, end=b) for d2, a, b in spans if d2 == d]) for d, s, e in items]
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(*(st.integers(0, 3),) * 3), max_size=12), st.booleans())
def test_rows_already_in_order_are_those_lexsort_leaves(rows: list[tuple[int, int, int]], sort: bool) -> None:
    """``tables.in_order`` (which lets sorted columns skip the sort) says yes exactly when
    ``np.lexsort`` would leave the rows where they are."""
    from nkru_bench.scoring.tables import in_order

    rows = sorted(rows, key=lambda r: (r[2], r[1], r[0])) if sort else rows
    keys = tuple(np.array([r[i] for r in rows], dtype=np.int64) for i in range(3))
    assert in_order(keys) == np.array_equal(np.lexsort(keys), np.arange(len(rows)))
