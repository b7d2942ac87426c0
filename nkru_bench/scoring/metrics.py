"""From per-document counts to rates: P/R/F1, accuracies, stance label scores, slices, intervals.

Counts first, rates last. Each document's match counts are flattened into named integers
(``"strict.correct"``, ``"by_type.PER.strict.missed"``, ``"label.favor.against"``); a set of
documents is scored by summing its rows and only then dividing. A bootstrap resample is a
vector of document multiplicities, so all resamples are one matrix product, and a paired
bootstrap (``compare``) applies the same resamples to two systems.

Conventions: a precision or recall whose denominator is 0 is 0 (as in ``nervaluate``), except
where there is nothing to find and nothing was predicted: there P, R and F1 are undefined
(``None`` in JSON, left out of bootstrap intervals). An accuracy or a label score over nothing is
``None`` too, and ``attempted`` says whether the system gave the attribute at all. Slices with
fewer than ``MIN_DOCS`` documents are flagged ``underpowered``.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from nkru_bench.gold.vocabularies import ENTITY_TYPES, LABELS, LANGS, TARGETS, UNITS
from nkru_bench.scoring.bootstrap import interval
from nkru_bench.scoring.counts import Confusion

MIN_DOCS = 3
STANCE_F_AVG_LABELS = ("favor", "against")

Getter = Callable[[str], np.ndarray]


# --- flat counts ---------------------------------------------------------------------------------


def flatten(record: Any, prefix: str = "") -> dict[str, int]:
    """A count record as named integers: nested fields joined by dots, breakdowns by their key,
    a stance confusion as ``label.<gold>.<predicted>``."""
    if isinstance(record, int):
        return {prefix.rstrip("."): record}
    out: dict[str, int] = {}
    _flatten_into(record, prefix, out)
    return out


def _flatten_into(record: Any, prefix: str, out: dict[str, int]) -> None:
    """Put the integers of ``record`` into ``out``, each named ``prefix`` + its path."""
    if isinstance(record, Confusion):
        for gi, gold in enumerate(LABELS):
            for pi, pred in enumerate(LABELS):
                out[f"{prefix}{gold}.{pred}"] = record.cells[gi][pi]
    elif dataclasses.is_dataclass(record):
        for name in _field_names(type(record)):
            value = getattr(record, name)
            if isinstance(value, int):
                out[prefix + name] = value
            else:
                _flatten_into(value, f"{prefix}{name}.", out)
    elif isinstance(record, tuple):  # a breakdown: ((key, record), ...)
        for key, item in record:
            if isinstance(item, int):
                out[f"{prefix}{key}".rstrip(".")] = item
            else:
                _flatten_into(item, f"{prefix}{key}.", out)
    else:
        raise TypeError(f"cannot flatten {type(record).__name__}")


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(kind))


@dataclass(frozen=True)
class CountTable:
    """One task's flat counts: a row per document, a column per count name."""

    doc_ids: tuple[str, ...]
    langs: tuple[str, ...]
    keys: tuple[str, ...]
    counts: np.ndarray = dataclasses.field(compare=False)  # (docs, keys) integers, of any integer type

    @classmethod
    def build(
        cls, doc_ids: Sequence[str], langs: Sequence[str], counts: Sequence[Mapping[str, int]]
    ) -> CountTable:
        keys = tuple(sorted({k for c in counts for k in c}))
        rows = [[c.get(k, 0) for k in keys] for c in counts]
        matrix = np.asarray(rows, dtype=np.int64).reshape(len(rows), len(keys))
        return cls(tuple(doc_ids), tuple(langs), keys, matrix)

    def __post_init__(self) -> None:
        self.counts.flags.writeable = False

    def matrix(self) -> np.ndarray:
        """The counts as a ``(docs, keys)`` integer array (read-only)."""
        return self.counts

    def only(self, names: Iterable[str]) -> CountTable:
        """The same documents with only the columns of ``names`` (unknown names left out)."""
        index = {k: i for i, k in enumerate(self.keys)}
        keys = tuple(k for k in names if k in index)
        return CountTable(self.doc_ids, self.langs, keys, self.counts[:, [index[k] for k in keys]])

    def sums(self, weights: np.ndarray | None = None) -> Getter:
        """A getter of summed counts: over all documents, over a 0/1 mask (shape ``(docs,)``), or
        over every bootstrap resample (shape ``(resamples, docs)``); an unknown name is 0."""
        matrix = self.matrix()
        return _getter(self.keys, matrix.sum(axis=0) if weights is None else weighted_sums(weights, matrix))

    def documents_with(self, prefix: str) -> np.ndarray:
        """A 0/1 mask of the documents with any nonzero count under ``prefix``."""
        cols = [i for i, k in enumerate(self.keys) if k.startswith(prefix + ".")]
        if not cols or not len(self.doc_ids):
            return np.zeros(len(self.doc_ids), dtype=np.int64)
        return (self.matrix()[:, cols].sum(axis=1) > 0).astype(np.int64)

    def slice_keys(self, breakdown: str) -> list[str]:
        """The keys of a breakdown with any nonzero count (``by_type`` -> ``["LOC", "PER"]``), in the
        order of the columns."""
        found: list[str] = []
        used = self.matrix().any(axis=0) if len(self.doc_ids) else np.zeros(len(self.keys), dtype=bool)
        for k, nonzero in zip(self.keys, used.tolist(), strict=True):
            parts = k.split(".")
            if parts[0] == breakdown and nonzero and parts[1] not in found:
                found.append(parts[1])
        return found


def _getter(keys: Sequence[str], totals: np.ndarray) -> Getter:
    """A getter of ``totals`` (a column per key, in the order of ``keys``); an unknown name is 0."""
    index = {k: i for i, k in enumerate(keys)}
    zero = np.zeros(totals.shape[:-1], dtype=np.int64)
    return lambda name: totals[..., index[name]] if name in index else zero


# Rows of weights multiplied at a time (bounds the float64 copy of the weights).
SUM_CHUNK = 64


def weighted_sums(weights: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """``weights @ matrix`` as 64-bit integers, whatever the integer type of ``matrix``.

    A 0/1 mask (shape ``(docs,)``) sums the rows it keeps. Otherwise the product is computed in float64
    (BLAS) where that is exact: every product and partial sum is an integer no larger than
    ``max(weights) * max column sum of |matrix|``; below 2**53 float64 holds all of them exactly,
    whatever the order of the additions, so the result is the integer product. Above it, the integer
    product (slower)."""
    weights = np.asarray(weights)
    rows = weights[None, :] if weights.ndim == 1 else weights
    if not rows.size or not matrix.size:
        return weights.astype(np.int64) @ matrix.astype(np.int64)
    if weights.ndim == 1 and np.all((weights == 0) | (weights == 1)):
        return matrix[weights == 1].sum(axis=0, dtype=np.int64)
    magnitude = np.abs(matrix, dtype=np.int64) if matrix.min() < 0 else matrix  # no overflow in abs
    bound = int(np.abs(rows).max()) * int(magnitude.sum(axis=0, dtype=np.int64).max())
    if bound >= 2**53:
        return weights.astype(np.int64) @ matrix.astype(np.int64)
    dense = matrix.astype(np.float64)
    out = np.empty((len(rows), matrix.shape[1]), dtype=np.int64)
    for start in range(0, len(rows), SUM_CHUNK):
        out[start : start + SUM_CHUNK] = rows[start : start + SUM_CHUNK].astype(np.float64) @ dense
    return out[0] if weights.ndim == 1 else out


# --- rates ---------------------------------------------------------------------------------------


def _divide(num: np.ndarray, den: np.ndarray, empty: float) -> np.ndarray:
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    out = np.full(np.broadcast(num, den).shape, empty, dtype=np.float64)
    return np.divide(num, den, out=out, where=den > 0)


def _f1(p: np.ndarray, r: np.ndarray) -> np.ndarray:
    # the same operations, in the same order, as nervaluate: identical floats
    return _divide(2 * (p * r), p + r, 0.0)


def _prf(p: np.ndarray, r: np.ndarray, nothing: np.ndarray) -> dict[str, np.ndarray]:
    """P, R and F1, undefined (NaN) where there is nothing to find and nothing was predicted."""
    f1 = _f1(p, r)
    return {
        name: np.where(nothing, np.nan, value)
        for name, value in (("precision", p), ("recall", r), ("f1", f1))
    }


def semeval_rates(get: Getter) -> dict[str, np.ndarray]:
    """SemEval-2013 P/R/F1: ``(correct + 0.5 * partial) / actual`` and ``... / possible``."""
    c, i, pa, m, s = (get(k) for k in ("correct", "incorrect", "partial", "missed", "spurious"))
    actual, possible = c + i + pa + s, c + i + pa + m
    p = _divide(c + 0.5 * pa, actual, 0.0)
    r = _divide(c + 0.5 * pa, possible, 0.0)
    return _prf(p, r, actual + possible == 0)


def set_rates(get: Getter) -> dict[str, np.ndarray]:
    """P = correct / predicted, R = found / gold."""
    p = _divide(get("correct"), get("predicted"), 0.0)
    r = _divide(get("found"), get("gold"), 0.0)
    return _prf(p, r, get("predicted") + get("gold") == 0)


def tally_rates(get: Getter) -> dict[str, np.ndarray]:
    return {"accuracy": _divide(get("correct"), get("total"), np.nan)}


def confusion(get: Getter) -> np.ndarray:
    """The gold x predicted label counts, shape ``(..., 3, 3)``."""
    return np.stack([np.stack([get(f"{g}.{p}") for p in LABELS], axis=-1) for g in LABELS], axis=-2)


def label_rates(get: Getter) -> dict[str, np.ndarray]:
    """Label scores from confusion counts, vectorized (for the bootstrap).

    Per label F1 = 2tp / (2tp + fp + fn). ``macro_f1``: a label with no gold and no predicted instance
    among the matched pairs is left out of the mean (scikit-learn's ``zero_division=np.nan``).
    ``f_avg`` is SemEval-2016 Task 6's ``eval.pl``: (F(favor) + F(against)) / 2, always over both, a
    class with no gold and no predicted pair counting F = 0; undefined only without matched pairs.
    """
    cm = confusion(get).astype(np.float64)
    tp = np.diagonal(cm, axis1=-2, axis2=-1)
    fp, fn = cm.sum(axis=-2) - tp, cm.sum(axis=-1) - tp
    f1 = _divide(2 * tp, 2 * tp + fp + fn, np.nan)
    keep = [LABELS.index(label) for label in STANCE_F_AVG_LABELS]
    with warnings.catch_warnings():  # the mean of no defined F1 is NaN: undefined, not a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        macro = np.nanmean(f1, axis=-1)
    f_avg = np.nan_to_num(f1[..., keep], nan=0.0).mean(axis=-1)
    f_avg = np.where(cm.sum(axis=(-2, -1)) > 0, f_avg, np.nan)
    accuracy = _divide(tp.sum(axis=-1), cm.sum(axis=(-2, -1)), np.nan)
    return {"macro_f1": macro, "f_avg": f_avg, "accuracy": accuracy}


def label_scores(cells: Sequence[Sequence[int]]) -> dict[str, float | None]:
    """The point estimates of the stance label scores from a confusion matrix: ``label_rates`` of its
    counts, which equal scikit-learn's ``f1_score`` and ``accuracy_score`` (the tests check it)
    without importing scikit-learn, half the time of scoring a small gold."""
    if sum(map(sum, cells)) == 0:
        return {"macro_f1": None, "f_avg": None, "accuracy": None}
    counts = {
        f"{g}.{p}": np.int64(n)
        for g, row in zip(LABELS, cells, strict=True)
        for p, n in zip(LABELS, row, strict=True)
    }
    return {name: _number(value) for name, value in label_rates(counts.__getitem__).items()}


RATES: dict[str, Callable[[Getter], dict[str, np.ndarray]]] = {
    "semeval": semeval_rates,
    "set": set_rates,
    "tally": tally_rates,
    "labels": label_rates,
}
COUNT_NAMES = {
    "semeval": ("correct", "incorrect", "partial", "missed", "spurious"),
    "set": ("gold", "predicted", "found", "correct"),
    "tally": ("correct", "total", "given"),
}
# Which rate carries the interval (``ci``); the others get ``<name>_ci``.
MAIN_RATE = {"semeval": "f1", "set": "f1", "tally": "accuracy", "labels": "macro_f1"}
RATES_OF_LABELS = ("macro_f1", "f_avg", "accuracy")

# The metrics of each task: (name, kind); the breakdown of each task and the metrics it repeats.
METRICS: dict[str, tuple[tuple[str, str], ...]] = {
    "entities": (
        ("strict", "semeval"),
        ("exact", "semeval"),
        ("partial", "semeval"),
        ("ent_type", "semeval"),
        ("relaxed", "set"),
        ("lemma", "tally"),
        ("linking", "tally"),
    ),
    "figures": (("value", "set"), ("value_unit", "set"), ("qualifier", "tally"), ("source", "tally")),
    "stance": (
        ("tuple", "set"),
        ("pair", "set"),
        ("relaxed_tuple", "set"),
        ("relaxed_pair", "set"),
        ("label", "labels"),
    ),
}
BREAKDOWNS: dict[str, tuple[str, tuple[str, ...], tuple[tuple[str, str], ...]]] = {
    "entities": ("by_type", ENTITY_TYPES, tuple(m for m in METRICS["entities"] if m[1] == "semeval")),
    "figures": ("by_unit", UNITS, (("value_unit", "set"),)),
    "stance": (
        "by_target",
        TARGETS,
        (("tuple", "set"), ("pair", "set"), ("relaxed_tuple", "set"), ("relaxed_pair", "set")),
    ),
}


def _number(value: Any) -> float | None:
    value = float(value)
    return None if np.isnan(value) else value


def _prefixed(get: Getter, prefix: str) -> Getter:
    return lambda name: get(f"{prefix}.{name}")


def metric(kind: str, get: Getter) -> dict[str, Any]:
    """One metric's JSON object: its rates and the counts they come from."""
    if kind == "labels":
        cells = confusion(get).tolist()
        out: dict[str, Any] = dict(label_scores(cells))
        pairs = int(sum(map(sum, cells)))
        matrix = {g: {p: int(cells[gi][pi]) for pi, p in enumerate(LABELS)} for gi, g in enumerate(LABELS)}
        out["counts"] = {"pairs": pairs, "confusion": matrix}
        return out
    out = {name: _number(value) for name, value in RATES[kind](get).items()}
    counts = {name: int(get(name)) for name in COUNT_NAMES[kind]}
    if kind == "semeval":
        counts["possible"] = counts["correct"] + counts["incorrect"] + counts["partial"] + counts["missed"]
        counts["actual"] = counts["correct"] + counts["incorrect"] + counts["partial"] + counts["spurious"]
    if kind == "tally":
        out["attempted"] = counts["given"] > 0
    out["counts"] = counts
    return out


# --- bootstrap -----------------------------------------------------------------------------------


def resampled(task: str, table: CountTable, weights: np.ndarray) -> Getter:
    """The summed counts of every bootstrap resample, only those the task's headline rates use (the
    breakdowns have no intervals)."""
    return resampled_tasks({task: table}, weights)[task]


def resampled_tasks(tables: Mapping[str, CountTable], weights: np.ndarray) -> dict[str, Getter]:
    """``resampled`` of every task at once: their headline columns side by side, so the resample
    weights are read (and made float64) once for all of them."""
    parts = {
        task: table.only(k for k in table.keys if k.split(".", 1)[0] in {name for name, _ in METRICS[task]})
        for task, table in tables.items()
    }
    matrices = [part.matrix() for part in parts.values()]
    width = sum(m.shape[1] for m in matrices)
    matrix = np.concatenate(matrices, axis=1) if matrices else np.zeros((weights.shape[-1], 0), np.int64)
    totals = weighted_sums(weights, matrix) if width else np.zeros((*weights.shape[:-1], 0), np.int64)
    getters: dict[str, Getter] = {}
    at = 0
    for task, part in parts.items():
        columns = totals[..., at : at + len(part.keys)]
        at += len(part.keys)
        getters[task] = _getter(part.keys, columns)
    return getters


def headline_values(task: str, get: Getter) -> dict[str, np.ndarray]:
    """Every headline rate of a task (``"strict.f1"``, ``"label.macro_f1"``, ...), vectorized."""
    out: dict[str, np.ndarray] = {}
    for name, kind in METRICS[task]:
        rates = RATES[kind](_prefixed(get, name))
        keep = rates if kind == "labels" else {MAIN_RATE[kind]: rates[MAIN_RATE[kind]]}
        out.update({f"{name}.{rate}": value for rate, value in keep.items()})
    return out


# --- the JSON of a task --------------------------------------------------------------------------


def _slice(table: CountTable, mask: np.ndarray, metrics: Iterable[tuple[str, str]], prefix: str = "") -> dict:
    get = table.sums(mask)
    n_docs = int(mask.sum())
    out: dict[str, Any] = {"documents": n_docs, "underpowered": n_docs < MIN_DOCS}
    for name, kind in metrics:
        out[name] = metric(kind, _prefixed(get, prefix + name))
    return out


def summarize_task(
    task: str, table: CountTable, weights: np.ndarray | None, resamples: Getter | None = None
) -> dict[str, Any]:
    """A task's JSON: headline metrics with intervals, then ``by_lang`` and the task's breakdown. The
    intervals come from ``resamples`` (``resampled``) when given, else from the ``weights``."""
    get = table.sums()
    out: dict[str, Any] = {"documents": len(table.doc_ids)}
    if task != "stance":
        out["ignored_in_boilerplate"] = int(get("ignored"))
    if resamples is None and weights is not None and weights.size:
        resamples = resampled(task, table, weights)
    for name, kind in METRICS[task]:
        out[name] = metric(kind, _prefixed(get, name))
        rates = RATES[kind](_prefixed(resamples, name)) if resamples is not None else {}
        for rate in RATES_OF_LABELS if kind == "labels" else (MAIN_RATE[kind],):
            key = "ci" if rate == MAIN_RATE[kind] else f"{rate}_ci"
            out[name][key] = interval(rates[rate]) if rates else None
        out[name]["counts"] = out[name].pop("counts")
    out["by_lang"] = {
        lang: _slice(table, np.array([x == lang for x in table.langs], dtype=np.int64), METRICS[task])
        for lang in LANGS
        if lang in table.langs
    }
    breakdown, order, metrics = BREAKDOWNS[task]
    present = table.slice_keys(breakdown)
    out[breakdown] = {
        key: _slice(table, table.documents_with(f"{breakdown}.{key}"), metrics, f"{breakdown}.{key}.")
        for key in order
        if key in present
    }
    return out
