"""The bootstrap over documents: resample weights, percentile intervals, the paired test."""

from __future__ import annotations

import numpy as np

CI_LEVEL = 95


# Documents drawn at a time when resampling (bounds the temporary int64 arrays).
DRAW_CHUNK = 1 << 18


def resample_weights(n_docs: int, resamples: int, seed: int) -> np.ndarray:
    """``(resamples, n_docs)`` multiplicities: each row draws ``n_docs`` documents with replacement.

    Drawn a few rows at a time (the same stream as one draw of every row) into the smallest
    unsigned integer type that holds them."""
    rng = np.random.default_rng(seed)
    out = np.zeros((resamples, n_docs), dtype=np.uint8)
    step = max(1, DRAW_CHUNK // max(n_docs, 1))
    for start in range(0, resamples if n_docs else 0, step):
        k = min(step, resamples - start)
        draws = rng.integers(0, n_docs, size=(k, n_docs)) + (np.arange(k) * n_docs)[:, None]
        counts = np.bincount(draws.ravel(), minlength=k * n_docs).reshape(k, n_docs)
        if counts.max() > np.iinfo(out.dtype).max:
            out = out.astype(np.promote_types(out.dtype, np.min_scalar_type(counts.max())))
        out[start : start + k] = counts
    return out


def interval(values: np.ndarray) -> list[float] | None:
    """The central ``CI_LEVEL``% percentile interval of bootstrap values (undefined ones left out)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return None
    tail = (100 - CI_LEVEL) / 2
    low, high = np.percentile(values, [tail, 100 - tail])
    return [float(low), float(high)]


def paired_test(a: np.ndarray, b: np.ndarray) -> tuple[list[float] | None, float | None]:
    """The interval of the resampled differences ``a - b`` and a two-sided p-value for "no difference":
    ``min(1, 2 * min(#(d <= 0) + 1, #(d >= 0) + 1) / (R + 1))`` over the defined resamples."""
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    diff = diff[~np.isnan(diff)]
    if diff.size == 0:
        return None, None
    tail = min(int((diff <= 0).sum()), int((diff >= 0).sum())) + 1
    return interval(diff), min(1.0, 2 * tail / (diff.size + 1))
