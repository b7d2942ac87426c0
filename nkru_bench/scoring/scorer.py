"""Scoring: predictions and gold in, a ``Result`` out; two systems in, a ``Comparison`` out.

The flow is one way: the gold as columns (``tables``), the predictions read and checked against it
into columns (``arrow_predictions`` a block of lines at a time, or ``predictions`` a line at a time),
the counts of a range of documents at a time (``counting``, which ``matching`` defines; ``tables``
cuts the ranges) and nothing else kept. Rates, intervals and slices are
computed from those counts only when asked (``metrics``), and ``report`` renders them.

>>> result = score("predictions.jsonl")          # doctest: +SKIP
>>> result["entities.strict.f1"], result.signature  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import gc
import os
import sys
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.common.version import __version__
from nkru_bench.gold.checkout import SHIPPED, gold_label
from nkru_bench.gold.schema import record_batches
from nkru_bench.gold.vocabularies import TASKS
from nkru_bench.scoring.arrow_predictions import read_ahead, read_prediction_table
from nkru_bench.scoring.bootstrap import CI_LEVEL, paired_test, resample_weights
from nkru_bench.scoring.checking import Checker
from nkru_bench.scoring.counting import COUNTERS, KEYS
from nkru_bench.scoring.figure_matching import FIGURE_REL_TOL
from nkru_bench.scoring.matching import MIN_OVERLAP_PERCENT
from nkru_bench.scoring.metrics import MIN_DOCS, CountTable, headline_values, resampled_tasks, summarize_task
from nkru_bench.scoring.tables import (
    GoldTable,
    PredictionColumns,
    PredictionTable,
    by_documents,
    gold_blocks,
    gold_table,
)

if TYPE_CHECKING:
    from nkru_bench.gold.records import Gold

DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 12345


@dataclass(frozen=True)
class Settings:
    """Everything that changes a number; the signature is built from these fields, in this order."""

    gold_revision: str
    documents: int
    allow_missing: bool
    resamples: int
    seed: int

    @property
    def signature(self) -> str:
        parts = (
            ("nkru_bench", __version__),
            ("gold", self.gold_revision),
            ("docs", str(self.documents)),
            ("missing", "empty" if self.allow_missing else "error"),
            ("entities", f"semeval2013-overlap{MIN_OVERLAP_PERCENT:g}pct"),
            ("figures", f"rtol{FIGURE_REL_TOL:g}-offsets-overlap"),
            ("boilerplate", "skip"),
            ("ci", f"{CI_LEVEL}-percentile"),
            ("resamples", str(self.resamples)),
            ("seed", str(self.seed)),
        )
        return "|".join(f"{key}:{value}" for key, value in parts)


def _get(tree: Any, path: str) -> Any:
    for part in path.split("."):
        tree = tree[part]
    return tree


@dataclass(frozen=True)
class Result:
    """The per-document counts of one system and how they were computed; rates on demand."""

    predictions: str
    settings: Settings
    attempted: tuple[str, ...]
    missing: tuple[str, ...]
    tables: dict[str, CountTable] = field(compare=False)  # of each attempted task
    gold_source: str = SHIPPED  # which gold: "shipped" or the path it was read from

    @property
    def signature(self) -> str:
        return self.settings.signature

    @property
    def gold(self) -> dict[str, Any]:
        """Which gold was scored: its source ("shipped" or a path), revision and document count."""
        return {
            "source": self.gold_source,
            "revision": self.settings.gold_revision,
            "documents": self.settings.documents,
        }

    def table(self, task: str) -> CountTable:
        """The task's per-document counts as named integers."""
        return self.tables[task]

    @cached_property
    def _weights(self) -> Any:
        return resample_weights(self.settings.documents, self.settings.resamples, self.settings.seed)

    @cached_property
    def _resampled(self) -> dict[str, Any]:
        """The headline counts of every resample, every attempted task's at once."""
        return resampled_tasks({task: self.table(task) for task in self.attempted}, self._weights)

    @cached_property
    def _json(self) -> dict[str, Any]:
        n_docs = self.settings.documents
        out: dict[str, Any] = {
            "signature": self.signature,
            "predictions": self.predictions,
            "gold": self.gold,
            "documents": {"scored": n_docs, "missing": list(self.missing), "underpowered": n_docs < MIN_DOCS},
            "settings": {
                "allow_missing": self.settings.allow_missing,
                "resamples": self.settings.resamples,
                "seed": self.settings.seed,
                "ci_level": CI_LEVEL,
                "min_documents": MIN_DOCS,
            },
            "tasks": {
                "attempted": list(self.attempted),
                "not_attempted": [t for t in TASKS if t not in self.attempted],
            },
        }
        for task in self.attempted:
            resamples = self._resampled[task] if self._weights.size else None
            out[task] = summarize_task(task, self.table(task), None, resamples)
        return out

    def to_json(self) -> dict[str, Any]:
        """The JSON result of SPEC section 7 (a fresh copy)."""
        return copy.deepcopy(self._json)

    def __getitem__(self, path: str) -> Any:
        """A value by its dotted path: ``result["entities.strict.f1"]``."""
        try:
            return copy.deepcopy(_get(self._json, path))
        except (KeyError, TypeError):
            raise KeyError(path) from None

    def headline(self) -> Iterator[tuple[str, Any]]:
        """(path, resampled values) of every headline rate, the same resamples for every result with
        the same settings: what ``compare`` pairs."""
        for task in self.attempted:
            get = self._resampled[task]
            for name, values in headline_values(task, get).items():
                yield f"{task}.{name}", values


def _is_gold(gold: Any) -> bool:
    """Whether ``gold`` is ``Gold`` records; there are none before ``gold.records`` (pydantic) is
    imported, which scoring a path does not need."""
    records = sys.modules.get("nkru_bench.gold.records")
    return records is not None and isinstance(gold, records.Gold)


def resolve_gold(gold: Gold | Path | str | None) -> Gold:
    """``Gold`` records as given, or loaded from a path (None: the shipped gold)."""
    if _is_gold(gold):
        return gold
    from nkru_bench.gold.loading import load_gold

    return load_gold(None if gold is None else Path(gold))


def resolve_gold_table(gold: GoldTable | Gold | Path | str | None) -> GoldTable:
    """The gold as columns: from ``Gold`` records, or streamed from a path (None: the shipped gold)."""
    if isinstance(gold, GoldTable):
        return gold
    if _is_gold(gold):
        return gold_table(record_batches(gold.documents), gold.documents, gold.kb)
    from nkru_bench.gold.loading import gold_source

    source = gold_source(None if gold is None else Path(gold))
    return gold_table(source.batches(), source.documents(), source.scoring_kb(), revision=source.revision)


@contextmanager
def _many_records() -> Iterator[None]:
    """Pause the cyclic garbage collector while many records are made.

    Reading makes millions of small objects and no reference cycles; the collector would walk the
    live ones again each time their number grows by a quarter. What is not in a cycle is freed as
    usual; the collector then resumes as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_and_check(
    predictions: Any,
    gold: GoldTable | Gold | Path | str | None = None,
    *,
    allow_missing: bool = False,
    name: str | None = None,
) -> tuple[GoldTable, PredictionTable]:
    """What ``score`` does before it matches anything: the gold loaded, the predictions read and
    checked against it into columns (the least that scoring a prediction file costs). A file is
    first read whole as Arrow columns (``arrow_predictions``); one that path cannot accept is read a
    line at a time, which locates every problem. Bad input raises ``InputError``."""
    fast_path = isinstance(predictions, str | Path) and str(predictions) != "-"
    ahead = read_ahead(Path(predictions)) if fast_path else None  # parsed while the gold is read
    with _many_records():
        try:
            table = resolve_gold_table(gold)
            if not table.doc_ids:
                where = str(gold) if isinstance(gold, str | Path) else "the gold"  # the path the user gave
                raise InputError(Problem(where, None, None, "has no documents to score against"))
            if ahead is not None:
                fast = read_prediction_table(ahead, table, allow_missing, name or str(predictions))
                if fast is not None:
                    return table, fast
        finally:
            if ahead is not None:
                ahead.close()
        from nkru_bench.scoring.predictions import stream_predictions  # pydantic: only on this path

        source, stream = stream_predictions(predictions, name)
        checker = Checker(source, table.doc_ids, table.lengths.tolist(), allow_missing)
        columns = PredictionColumns(table.codes)
        for prediction, line in stream:
            row = checker.add(prediction, line)
            if row is not None:
                columns.add(row, prediction)
        attempted, missing = checker.finish()
        return table, columns.finish(source, attempted, missing)


# Items (gold and predicted, of one task) counted at a time: what bounds the temporaries of counting.
BLOCK_ITEMS = 1 << 17
# Threads that count ranges of documents at once (the machine's cores, at most 2: the temporaries of
# each range are held at once).
COUNTING_THREADS = min(2, os.cpu_count() or 1)
_INTEGERS = (np.int8, np.int16, np.int32, np.int64)


def document_bounds(n_docs: int, docs: Sequence[np.ndarray], budget: int = BLOCK_ITEMS) -> list[int]:
    """Ranges of documents (``[0, ..., n_docs]``) of about ``budget`` items each: ``docs`` the document of
    each item, of every kind that is counted together (a document with more is a range of its own)."""
    per_doc = np.zeros(n_docs, dtype=np.int64)
    for doc in docs:
        per_doc += np.bincount(doc, minlength=n_docs)
    reached = np.cumsum(per_doc)
    total = int(reached[-1]) if n_docs else 0
    ends = np.searchsorted(reached, np.arange(budget, total, budget), side="left") + 1
    return sorted({0, n_docs, *np.minimum(ends, n_docs).tolist()})


def count_table(task: str, table: GoldTable, found: PredictionTable, budget: int = BLOCK_ITEMS) -> CountTable:
    """A task's per-document counts (``counting``), counted a range of documents at a time (so what
    counting holds meanwhile is bounded by a range, not by the gold), and kept in the smallest integer
    type that holds them (every sum of them is taken in 64 bits).

    Ranges are counted in ``COUNTING_THREADS`` threads, as many ranges at once and no more (the array
    operations that counting is made of release the GIL); each range's counts go to its own rows, in
    range order, so the result does not depend on which thread finishes first."""
    pred = getattr(found, task)
    bounds = document_bounds(len(table.doc_ids), (getattr(table, task).doc, pred.doc), budget)
    counts = np.zeros((len(table.doc_ids), len(KEYS[task])), dtype=_INTEGERS[0])
    blocks = zip(pairwise(bounds), gold_blocks(table, bounds), by_documents(pred, bounds), strict=True)

    def place(first: int, stop: int, block: np.ndarray) -> None:
        nonlocal counts
        if block.size:
            low, high = int(block.min()), int(block.max())
            fits = next(t for t in _INTEGERS if np.iinfo(t).min <= low and high <= np.iinfo(t).max)
            if np.iinfo(fits).bits > np.iinfo(counts.dtype).bits:
                counts = counts.astype(fits)
        counts[first:stop] = block

    if len(bounds) <= 2 or COUNTING_THREADS < 2:
        for (first, stop), gold, mine in blocks:
            place(first, stop, COUNTERS[task](gold, mine))
    else:
        from concurrent.futures import Future, ThreadPoolExecutor  # (it imports logging: only here)

        with ThreadPoolExecutor(COUNTING_THREADS, thread_name_prefix="nkru-bench counting") as pool:
            pending: deque[tuple[int, int, Future[np.ndarray]]] = deque()
            for (first, stop), gold, mine in blocks:
                pending.append((first, stop, pool.submit(COUNTERS[task], gold, mine)))
                if len(pending) >= COUNTING_THREADS:
                    first, stop, future = pending.popleft()
                    place(first, stop, future.result())
            for first, stop, future in pending:
                place(first, stop, future.result())
    return CountTable(table.doc_ids, table.langs, KEYS[task], counts)


def score(
    predictions: Any,
    gold: GoldTable | Gold | Path | str | None = None,
    *,
    allow_missing: bool = False,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    name: str | None = None,
    gold_source: str | None = None,
) -> Result:
    """Score predictions (a JSONL path, a list of dicts or ``Prediction``s, a ``datasets.Dataset``)
    against the gold (default: the shipped gold; or ``Gold`` records, or any path ``load_gold``
    reads). Bad input raises ``InputError`` naming every problem's file, line and field.
    ``gold_source`` names the gold in the result (default: "shipped" or the path given)."""
    if resamples < 0:
        raise ValueError("resamples must be >= 0")
    table, found = read_and_check(predictions, gold, allow_missing=allow_missing, name=name)
    tables = {task: count_table(task, table, found) for task in found.attempted}
    settings = Settings(table.revision, len(table.doc_ids), allow_missing, resamples, seed)
    source = gold_source or gold_label(gold)
    return Result(found.source, settings, found.attempted, found.missing, tables, source)


@dataclass(frozen=True)
class Comparison:
    """Two systems scored on the same gold with the same settings, compared by a paired bootstrap."""

    a: Result
    b: Result

    @property
    def signature(self) -> str:
        return f"{self.a.signature}|test:paired-bootstrap"

    @cached_property
    def _json(self) -> dict[str, Any]:
        a_values, b_values = dict(self.a.headline()), dict(self.b.headline())
        metrics: dict[str, Any] = {}
        # every headline metric of a task either side attempted, in task order; one only one side
        # attempted keeps that side's value, with no difference, interval or p-value
        paths = [*a_values, *(p for p in b_values if p not in a_values)]
        for path in sorted(paths, key=lambda p: TASKS.index(p.split(".", 1)[0])):
            if path not in b_values or path not in a_values:
                a = self.a[path] if path in a_values else None
                b = self.b[path] if path in b_values else None
                only = "a" if path in a_values else "b"
                none = {"difference": None, "ci": None, "p_value": None}
                metrics[path] = {"a": a, "b": b, **none, "only": only}
                continue
            a, b = self.a[path], self.b[path]
            ci, p_value = (
                paired_test(a_values[path], b_values[path]) if self.a.settings.resamples else (None, None)
            )
            difference = None if a is None or b is None else a - b
            metrics[path] = {"a": a, "b": b, "difference": difference, "ci": ci, "p_value": p_value}
        n_docs = self.a.settings.documents
        return {
            "signature": self.signature,
            "gold": self.a.gold,
            "a": {"predictions": self.a.predictions, "attempted": list(self.a.attempted)},
            "b": {"predictions": self.b.predictions, "attempted": list(self.b.attempted)},
            "documents": {"scored": n_docs, "underpowered": n_docs < MIN_DOCS},
            "metrics": metrics,
        }

    def to_json(self) -> dict[str, Any]:
        return copy.deepcopy(self._json)


def compare(
    a: Any,
    b: Any,
    gold: Gold | Path | str | None = None,
    *,
    allow_missing: bool = False,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    gold_source: str | None = None,
) -> Comparison:
    """Score two systems on the same gold and compare every headline metric they both attempt:
    the difference A - B, its interval and a p-value from a paired bootstrap over documents."""
    source = gold_source or gold_label(gold)
    gold = resolve_gold_table(gold)
    options = {"allow_missing": allow_missing, "resamples": resamples, "seed": seed, "gold_source": source}
    return Comparison(score(a, gold, **options), score(b, gold, **options))
