"""Scoring: predictions and gold in, a ``Result`` out; two systems in, a ``Comparison`` out.

The flow is one way: read the predictions (``predictions``), check them against the gold, match
each document (``matching``), and keep the per-document counts. Rates, intervals and slices are
computed from those counts only when asked (``metrics``), and ``report`` renders them.

>>> result = score("predictions.jsonl")          # doctest: +SKIP
>>> result["entities.strict.f1"], result.signature  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from nkru_bench import __version__
from nkru_bench.errors import InputError, Problem
from nkru_bench.matching import (
    FIGURE_REL_TOL,
    MIN_OVERLAP_PERCENT,
    EntityCounts,
    FigureCounts,
    StanceCounts,
    match_entities,
    match_figures,
    match_stance,
)
from nkru_bench.metrics import (
    CI_LEVEL,
    MIN_DOCS,
    CountTable,
    flatten,
    headline_values,
    paired_test,
    resample_weights,
    summarize_task,
)
from nkru_bench.predictions import (
    TASKS,
    Aligned,
    Prediction,
    Predictions,
    check_against_gold,
    read_predictions,
)
from nkru_bench.records import Document, Gold

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


@dataclass(frozen=True, slots=True)
class DocumentCounts:
    """The match counts of one document; a task that was not attempted is ``None``."""

    doc_id: str
    lang: str
    entities: EntityCounts | None
    figures: FigureCounts | None
    stance: StanceCounts | None


def count_document(doc: Document, prediction: Prediction) -> DocumentCounts:
    """Match one document's prediction against its gold, task by task."""
    return DocumentCounts(
        doc_id=doc.doc_id,
        lang=doc.lang,
        entities=None
        if prediction.entities is None
        else match_entities(doc.text, doc.entities, prediction.entities, doc.boilerplate),
        figures=None
        if prediction.figures is None
        else match_figures(doc.figures, prediction.figures, doc.boilerplate),
        stance=None if prediction.stance is None else match_stance(doc.stance, prediction.stance),
    )


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
    documents: tuple[DocumentCounts, ...]

    @property
    def signature(self) -> str:
        return self.settings.signature

    def table(self, task: str) -> CountTable:
        """The task's per-document counts as named integers."""
        return CountTable.build(
            [d.doc_id for d in self.documents],
            [d.lang for d in self.documents],
            [flatten(getattr(d, task)) for d in self.documents],
        )

    @cached_property
    def _weights(self) -> Any:
        return resample_weights(len(self.documents), self.settings.resamples, self.settings.seed)

    @cached_property
    def _json(self) -> dict[str, Any]:
        n_docs = len(self.documents)
        out: dict[str, Any] = {
            "signature": self.signature,
            "predictions": self.predictions,
            "gold": {"revision": self.settings.gold_revision, "documents": self.settings.documents},
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
            get = self.table(task).sums(self._weights)
            for name, values in headline_values(task, get).items():
                yield f"{task}.{name}", values


def resolve_gold(gold: Gold | Path | str | None) -> Gold:
    """``Gold`` records as given, or loaded from a path (None: the shipped gold)."""
    if isinstance(gold, Gold):
        return gold
    from nkru_bench.loading import load_gold

    return load_gold(None if gold is None else Path(gold))


def gold_revision(gold: Gold) -> str:
    from nkru_bench.build import gold_revision as revision

    return revision(gold)


@contextmanager
def _many_records() -> Iterator[None]:
    """Pause the cyclic garbage collector while many long-lived records are built.

    Reading and matching make millions of small objects and no reference cycles; the collector would
    walk all of them again each time their number grows by a quarter (about a third of the time of
    reading 100 000 documents). What is not in a cycle is freed as usual; the collector then resumes
    as it was."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_and_check(
    predictions: Any,
    gold: Gold | Path | str | None = None,
    *,
    allow_missing: bool = False,
    name: str | None = None,
) -> tuple[Gold, Predictions, Aligned]:
    """What ``score`` does before it matches anything: the gold loaded, the predictions read and
    checked against it (the least that scoring a prediction file costs). Bad input raises
    ``InputError``."""
    with _many_records():
        gold = resolve_gold(gold)
        if not gold.documents:
            raise InputError(Problem("gold", None, None, "has no documents to score against"))
        found = read_predictions(predictions, name)
        return gold, found, check_against_gold(found, gold, allow_missing)


def score(
    predictions: Any,
    gold: Gold | Path | str | None = None,
    *,
    allow_missing: bool = False,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    name: str | None = None,
) -> Result:
    """Score predictions (a JSONL path, a list of dicts or ``Prediction``s, a ``datasets.Dataset``)
    against the gold (default: the shipped gold; or ``Gold`` records, or any path ``load_gold``
    reads). Bad input raises ``InputError`` naming every problem's file, line and field."""
    if resamples < 0:
        raise ValueError("resamples must be >= 0")
    with _many_records():
        gold, found, aligned = read_and_check(predictions, gold, allow_missing=allow_missing, name=name)
        docs = tuple(
            count_document(doc, pred) for doc, pred in zip(gold.documents, aligned.predictions, strict=True)
        )
    settings = Settings(gold_revision(gold), len(gold.documents), allow_missing, resamples, seed)
    return Result(found.source, settings, aligned.attempted, aligned.missing, docs)


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
        for path in (p for p in a_values if p in b_values):
            a, b = self.a[path], self.b[path]
            ci, p_value = (
                paired_test(a_values[path], b_values[path]) if self.a.settings.resamples else (None, None)
            )
            difference = None if a is None or b is None else a - b
            metrics[path] = {"a": a, "b": b, "difference": difference, "ci": ci, "p_value": p_value}
        n_docs = len(self.a.documents)
        return {
            "signature": self.signature,
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
) -> Comparison:
    """Score two systems on the same gold and compare every headline metric they both attempt:
    the difference A - B, its interval and a p-value from a paired bootstrap over documents."""
    gold = resolve_gold(gold)
    options = {"allow_missing": allow_missing, "resamples": resamples, "seed": seed}
    return Comparison(score(a, gold, **options), score(b, gold, **options))
