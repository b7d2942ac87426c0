"""Where the built gold lives: the config names and the paths of their Parquet files."""

from __future__ import annotations

from pathlib import Path

CONFIGS = ("default", "entities", "figures", "stance", "kb", "tokens")


DATA_DIR = Path("nkru_bench") / "data"


DATA_MANIFEST = "manifest.json"


def parquet_path(config: str) -> Path:
    """Where a config's Parquet file lives, relative to the checkout root (and the wheel's package)."""
    return DATA_DIR / config / "test.parquet"


PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent  # nkru_bench/gold/paths.py -> the root


def data_root() -> Path:
    """The folder that holds ``nkru_bench/data`` (a checkout's root or the wheel's site-packages)."""
    return PACKAGE_ROOT
