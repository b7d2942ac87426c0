"""Shared test set-up.

Every test run gets its own ``HF_HOME`` (set before ``datasets`` is imported): the datasets
cache of a local folder is keyed on the folder name and its YAML, not on file contents, so a
shared cache could hide a stale build. The network is off for ``datasets`` and the hub.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="nkru-hf-home-")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    """The checkout under test."""
    return ROOT


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A scratch copy of what ``validate`` and ``build`` read and write: seeds, annotations, card, data."""
    dest = tmp_path / "nkru_bench_checkout"
    for name in ("seeds", "annotations"):
        shutil.copytree(ROOT / name, dest / name)
    shutil.copytree(ROOT / "nkru_bench" / "data", dest / "nkru_bench" / "data")
    shutil.copy(ROOT / "README.md", dest / "README.md")
    return dest
