"""Counting a range of documents at a time (``scorer.count_table``) gives the counts of counting every
document at once, kept in the smallest integer type that holds them, whatever the number of threads
that count ranges at once; and the pieces it stands on:
ranges of documents (``tables.by_documents``, ``tables.gold_blocks``, ``scorer.document_bounds``),
columns grown in place (``tables.ColumnStack``), sums of counts of any integer type
(``metrics.weighted_sums``)."""

from __future__ import annotations

import random
from collections import Counter
from itertools import pairwise
from unittest import mock

import numpy as np
import pytest
from factories import perturb, random_gold, seeds
from hypothesis import given, settings
from hypothesis import strategies as st

from nkru_bench.gold.schema import record_batches
from nkru_bench.scoring import scorer
from nkru_bench.scoring.counting import COUNTERS, KEYS
from nkru_bench.scoring.metrics import weighted_sums
from nkru_bench.scoring.scorer import count_table, document_bounds, read_and_check
from nkru_bench.scoring.tables import ColumnStack, SpanColumns, by_documents, gold_blocks, gold_table

INTEGERS = (np.int8, np.int16, np.int32, np.int64)


def smallest_holding(values: np.ndarray) -> type:
    low, high = (int(values.min()), int(values.max())) if values.size else (0, 0)
    return next(t for t in INTEGERS if np.iinfo(t).min <= low and high <= np.iinfo(t).max)


@settings(max_examples=40, deadline=None)
@given(seeds, st.integers(min_value=1, max_value=8), st.integers(min_value=1, max_value=60))
def test_counting_a_range_at_a_time_gives_the_counts_of_counting_all_at_once(
    seed: int, n_docs: int, budget: int
) -> None:
    rnd = random.Random(seed)
    g = random_gold(seed, n_docs)
    predictions = [perturb(rnd, doc) for doc in g.documents]
    rnd.shuffle(predictions)  # lines in any order: the items of a document stay in theirs
    table, found = read_and_check(predictions, g)
    for task in found.attempted:
        whole = COUNTERS[task](table, getattr(found, task))
        for threads in (1, 2, 3):
            with mock.patch.object(scorer, "COUNTING_THREADS", threads):
                blocked = count_table(task, table, found, budget)
            assert blocked.keys == KEYS[task]
            assert blocked.matrix().tolist() == whole.tolist()
            assert blocked.matrix().dtype == smallest_holding(whole)


@pytest.mark.parametrize("threads", [1, 2])
def test_counts_that_outgrow_their_type_widen_it(threads: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A later range with larger counts than the first widens the matrix; none is cut short."""
    monkeypatch.setattr(scorer, "COUNTING_THREADS", threads)
    g = random_gold(3, 6)
    table, found = read_and_check([perturb(random.Random(3), doc) for doc in g.documents], g)
    task = "stance"
    width = len(KEYS[task])

    def counter(gold, pred):  # every count of a document: 100 times its gold row, less 1
        first = table.doc_ids.index(gold.doc_ids[0])
        rows = np.arange(first, first + len(gold.doc_ids))
        return np.repeat(rows[:, None] * 100 - 1, width, axis=1)

    monkeypatch.setitem(scorer.COUNTERS, task, counter)
    got = count_table(task, table, found, budget=1).matrix()
    assert got.tolist() == [[row * 100 - 1] * width for row in range(6)]
    assert got.dtype == np.int16  # -1 and 499


@given(st.lists(st.integers(0, 9), max_size=60), st.integers(min_value=1, max_value=20))
def test_ranges_of_documents_cover_every_document_once_within_the_budget(
    docs: list[int], budget: int
) -> None:
    bounds = document_bounds(10, [np.array(docs, dtype=np.int64)], budget)
    assert bounds[0] == 0 and bounds[-1] == 10
    assert all(a < b for a, b in pairwise(bounds))
    per_doc = Counter(docs)
    for first, stop in pairwise(bounds):
        items = [per_doc[d] for d in range(first, stop) if per_doc[d]]
        assert sum(items[:-1]) < budget  # only the range's last document with items may pass it
    assert document_bounds(0, [np.zeros(0, dtype=np.int64)], budget) == [0]


@given(st.lists(st.integers(0, 5), max_size=40), st.sets(st.integers(1, 5)))
def test_items_by_documents_keep_their_order_within_a_document(docs: list[int], cuts: set[int]) -> None:
    bounds = sorted({0, 6, *cuts})
    n = len(docs)
    columns = SpanColumns(np.array(docs, dtype=np.int64), np.arange(n), np.arange(n) + 1)
    blocks = list(by_documents(columns, bounds))
    assert len(blocks) == len(bounds) - 1
    for (first, stop), block in zip(pairwise(bounds), blocks, strict=True):
        rows = sorted((i for i, d in enumerate(docs) if first <= d < stop), key=lambda i: docs[i])
        assert block.doc.tolist() == [docs[i] - first for i in rows]
        assert block.start.tolist() == rows
        assert block.end.tolist() == [i + 1 for i in rows]


@settings(max_examples=20, deadline=None)
@given(seeds, st.integers(min_value=1, max_value=7), st.sets(st.integers(1, 6)))
def test_a_range_of_the_gold_is_its_documents(seed: int, n_docs: int, cuts: set[int]) -> None:
    """Texts read in batches of two documents, ranges cut anywhere: each range holds its documents'
    ids, texts and items, numbered from the range's first document."""
    g = random_gold(seed, n_docs)
    batches = [b.slice(i, 2) for b in record_batches(g.documents) for i in range(0, b.num_rows, 2)]
    table = gold_table(batches, g.documents, g.kb)
    bounds = sorted({0, n_docs, *(c for c in cuts if c < n_docs)})
    for (first, stop), block in zip(pairwise(bounds), gold_blocks(table, bounds), strict=True):
        assert block.doc_ids == tuple(d.doc_id for d in g.documents[first:stop])
        assert block.codes is table.codes and block.revision == table.revision
        for i, doc in enumerate(g.documents[first:stop]):
            assert block.text(i) == doc.text
            assert block.lengths[i] == len(doc.text)
            starts = block.entities.start[block.entities.doc == i].tolist()
            assert starts == [e.start for e in doc.entities]
            assert (block.stance.doc == i).sum() == len(doc.stance)


@pytest.mark.parametrize("reserved", [None, 0, 4, 1000])
def test_a_column_stack_holds_what_was_added_whatever_room_was_reserved(reserved: int | None) -> None:
    parts = [SpanColumns(np.arange(n), np.arange(n) * 2, np.arange(n) * 3) for n in (0, 5, 1, 17, 3)]
    stack = ColumnStack(SpanColumns)
    for i, part in enumerate(parts):
        stack.add(part)
        if i == 1 and reserved is not None:
            stack.reserve(reserved)
    got = stack.finish()
    for name in ("doc", "start", "end"):
        values = getattr(got, name)
        assert values.tolist() == [v for p in parts for v in getattr(p, name).tolist()]
        assert values.dtype == np.int64


@given(seeds)
def test_weighted_sums_are_the_integer_products(seed: int) -> None:
    """Masks, resample weights and other weights over counts of every integer type (a count at the
    least value of its type too) give the product in Python integers (no overflow, no rounding)."""
    rng = np.random.default_rng(seed)
    for dtype in INTEGERS:
        matrix = rng.integers(-5, 40, size=(50, 7)).astype(dtype)
        matrix[0, 0] = np.iinfo(dtype).min if dtype != np.int64 else -(2**40)
        exact = matrix.astype(object)
        mask = rng.integers(0, 2, size=50)
        weights = rng.integers(0, 4, size=(30, 50)).astype(np.uint8)
        signed = rng.integers(-3, 4, size=50)
        assert weighted_sums(mask, matrix).tolist() == (mask.astype(object) @ exact).tolist()
        assert weighted_sums(weights, matrix).tolist() == (weights.astype(object) @ exact).tolist()
        assert weighted_sums(signed, matrix).tolist() == (signed.astype(object) @ exact).tolist()
    big = rng.integers(0, 2**50, size=(50, 3))  # past 2**53 once weighted: the integer product
    weights = rng.integers(0, 11, size=(4, 50))
    assert weighted_sums(weights, big).tolist() == (weights.astype(object) @ big.astype(object)).tolist()


@pytest.mark.parametrize("chunk", [1, 7, 1 << 18])
def test_resample_weights_are_one_draw_of_every_row_whatever_the_rows_drawn_at_a_time(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each row of the weights counts how often each document is drawn in that row's ``n_docs`` draws,
    all rows one stream from the seed: drawing fewer rows at a time changes nothing."""
    from nkru_bench.scoring import bootstrap

    n_docs, resamples = 13, 40
    monkeypatch.setattr(bootstrap, "DRAW_CHUNK", chunk)
    draws = np.random.default_rng(5).integers(0, n_docs, size=(resamples, n_docs))
    expected = [np.bincount(row, minlength=n_docs).tolist() for row in draws]
    assert bootstrap.resample_weights(n_docs, resamples, 5).tolist() == expected
