"""Parquet files read by column names, without importing ``pyarrow.parquet``.

That module also imports ``pyarrow.fs`` and with it every filesystem pyarrow supports (S3, GCS,
HDFS, Azure): about 15 ms, which scoring the shipped gold end to end cannot spare. Scoring reads local
files only, so it opens them with the reader ``pyarrow.parquet.ParquetFile`` wraps
(``pyarrow._parquet.ParquetReader``), its options left at their defaults (a gold holds no extension
types), and selects columns as ``ParquetFile`` does: a name stands for every leaf column under it. A
pyarrow without that reader gets ``ParquetFile`` itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any


class ParquetColumns:
    """A local Parquet file: its rows (only ``columns``, if given) read whole or in batches."""

    def __init__(self, path: Path) -> None:
        try:
            from pyarrow._parquet import ParquetReader
        except ImportError:  # a pyarrow that moved it
            import pyarrow.parquet as pq

            self._file: Any = pq.ParquetFile(path)
            self._reader: Any = None
            return
        self._file = None
        self._reader = ParquetReader()
        self._reader.open(str(path))

    def _indices(self, columns: Sequence[str] | None) -> list[int] | None:
        """The leaf columns under each name, in the order given (``ParquetFile``'s rule)."""
        if columns is None:
            return None
        under: dict[str, list[int]] = {}
        for i, path in enumerate(self._reader.column_paths):
            for depth in range(1, len(path) + 1):
                under.setdefault(".".join(path[:depth]), []).append(i)
        return [i for name in columns for i in under.get(name, [])]

    def read(self, columns: Sequence[str] | None = None) -> Any:
        """The rows as one Arrow table."""
        if self._file is not None:
            return self._file.read(columns=columns)
        return self._reader.read_all(column_indices=self._indices(columns))

    def iter_batches(self, batch_size: int, columns: Sequence[str] | None = None) -> Iterator[Any]:
        """The rows as Arrow record batches of at most ``batch_size`` rows, in file order."""
        if self._file is not None:
            yield from self._file.iter_batches(batch_size=batch_size, columns=columns)
            return
        groups = range(self._reader.metadata.num_row_groups)
        yield from self._reader.iter_batches(batch_size, groups, column_indices=self._indices(columns))
