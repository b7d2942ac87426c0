"""Scoring: predictions and gold in, a ``Result`` out; two systems in, a ``Comparison`` out.

The flow is one way: the gold as columns (``tables``), the predictions read and checked against it
a line at a time into columns (``predictions``, ``tables``), every document's counts at once
(``counting``, which ``matching`` defines) and nothing else kept. Rates, intervals and slices are
computed from those counts only when asked (``metrics``), and ``report`` renders them.

>>> result = score("predictions.jsonl")          # doctest: +SKIP
>>> result["entities.strict.f1"], result.signature  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.common.version import __version__
from nkru_bench.gold.checkout import SHIPPED, gold_label
from nkru_bench.gold.records import Gold
from nkru_bench.gold.schema import record_batches
from nkru_bench.scoring.arrow_predictions import read_prediction_table
from nkru_bench.scoring.bootstrap import CI_LEVEL, paired_test, resample_weights
from nkru_bench.scoring.checking import Checker
from nkru_bench.scoring.counting import COUNTERS, KEYS
from nkru_bench.scoring.figure_matching import FIGURE_REL_TOL
from nkru_bench.scoring.matching import MIN_OVERLAP_PERCENT
from nkru_bench.scoring.metrics import MIN_DOCS, CountTable, headline_values, resampled, summarize_task
from nkru_bench.scoring.predictions import TASKS, stream_predictions
from nkru_bench.scoring.tables import GoldTable, PredictionColumns, PredictionTable, gold_table

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
            out[task] = summarize_task(task, self.table(task), self._weights)
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
            get = resampled(task, self.table(task), self._weights)
            for name, values in headline_values(task, get).items():
                yield f"{task}.{name}", values


def resolve_gold(gold: Gold | Path | str | None) -> Gold:
    """``Gold`` records as given, or loaded from a path (None: the shipped gold)."""
    if isinstance(gold, Gold):
        return gold
    from nkru_bench.gold.loading import load_gold

    return load_gold(None if gold is None else Path(gold))


def resolve_gold_table(gold: GoldTable | Gold | Path | str | None) -> GoldTable:
    """The gold as columns: from ``Gold`` records, or streamed from a path (None: the shipped gold)."""
    if isinstance(gold, GoldTable):
        return gold
    if isinstance(gold, Gold):
        return gold_table(record_batches(gold.documents), gold.documents, gold.kb)
    from nkru_bench.gold.loading import gold_source

    source = gold_source(None if gold is None else Path(gold))
    return gold_table(source.batches(), source.documents(), source.kb, revision=source.revision)


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
    with _many_records():
        table = resolve_gold_table(gold)
        if not table.doc_ids:
            where = str(gold) if isinstance(gold, str | Path) else "the gold"  # the path the user gave
            raise InputError(Problem(where, None, None, "has no documents to score against"))
        if isinstance(predictions, str | Path) and str(predictions) != "-":
            source = name or str(predictions)
            fast = read_prediction_table(Path(predictions), table, allow_missing, source)
            if fast is not None:
                return table, fast
        source, stream = stream_predictions(predictions, name)
        checker = Checker(source, table.doc_ids, table.lengths.tolist(), allow_missing)
        columns = PredictionColumns(table.codes)
        for prediction, line in stream:
            row = checker.add(prediction, line)
            if row is not None:
                columns.add(row, prediction)
        attempted, missing = checker.finish()
        return table, columns.finish(source, attempted, missing)


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
    tables = {
        task: CountTable(table.doc_ids, table.langs, KEYS[task], COUNTERS[task](table, getattr(found, task)))
        for task in found.attempted
    }
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
