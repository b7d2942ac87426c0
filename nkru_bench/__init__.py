"""nkru_bench: entities, figures and stance in cs/pl/sl news on North Korean troops in Russia.

The public API is imported lazily so that ``import nkru_bench`` (and ``nkru-bench --help``) stays
fast: ``datasets`` and ``pyarrow`` are loaded only when a function that needs them is called.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from nkru_bench.common.version import __version__

_LAZY = {
    "load_dataset": "nkru_bench.gold.loading",
    "load_gold": "nkru_bench.gold.loading",
    "score": "nkru_bench.scoring.scorer",
    "compare": "nkru_bench.scoring.scorer",
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'nkru_bench' has no attribute {name!r}")
