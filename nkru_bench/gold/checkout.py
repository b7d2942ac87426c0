"""Which gold a command used, and whether the checkout it runs in has built a different one.

An installed ``nkru-bench`` (``pip install .``) scores the gold it was installed with, while a
checkout's ``nkru-bench build`` writes a new one under ``nkru_bench/data``: the scoring commands name
the gold they scored (``gold_label``) and, when they scored the shipped gold, warn if the checkout's
built gold is another (``mismatch_warning``). Both read only the small ``manifest.json`` the build writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nkru_bench.gold.paths import DATA_DIR, DATA_MANIFEST

SHIPPED = "shipped"


def gold_label(gold: Any) -> str:
    """How a command names the gold it was given: ``shipped`` (none given), or its path."""
    if gold is None:
        return SHIPPED
    if isinstance(gold, str | Path):
        return str(gold)
    return "given in memory"


@dataclass(frozen=True)
class BuiltGold:
    """A checkout's built gold, as its manifest describes it."""

    data: Path
    revision: str
    documents: int


def checkout_gold(start: Path) -> BuiltGold | None:
    """The built gold of the checkout ``start`` is in (it or a folder above it holds ``pyproject.toml``
    and ``nkru_bench/data/manifest.json``); ``None`` outside a checkout or for an unreadable manifest."""
    start = start.resolve()
    for folder in (start, *start.parents):
        manifest = folder / DATA_DIR / DATA_MANIFEST
        if (folder / "pyproject.toml").is_file() and manifest.is_file():
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
                documents = int(data["totals"]["documents"])
                return BuiltGold(manifest.parent, str(data["gold_revision"]), documents)
            except (OSError, ValueError, KeyError, TypeError):
                return None
    return None


def mismatch_warning(label: str, revision: str, documents: int, start: Path) -> str | None:
    """A one-line warning when the checkout around ``start`` has built a gold other than the one
    scored (``label``, ``revision``, ``documents``); ``None`` when they agree or there is no checkout."""
    built = checkout_gold(start)
    if built is None or built.revision == revision:
        return None
    return (
        f"warning: this checkout's built gold ({built.data}: revision {built.revision}, "
        f"{built.documents} documents) is not the gold scored here ({label}: revision {revision}, "
        f"{documents} documents); score it with --gold {built.data.parent.parent} or install the checkout "
        "with pip install -e ."
    )
