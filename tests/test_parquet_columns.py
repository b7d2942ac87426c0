"""``gold.parquet.ParquetColumns`` reads what ``pyarrow.parquet.ParquetFile`` reads: the same columns
for the same names (a list column's name stands for every leaf under it), the same batches, every
row group."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from nkru_bench.gold.parquet import ParquetColumns
from nkru_bench.gold.paths import parquet_path
from nkru_bench.gold.schema import DOCUMENT_FIELDS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / parquet_path("default")
COLUMNS = [None, ["doc_id"], list(DOCUMENT_FIELDS), ["entities"], ["stance", "doc_id"], ["nope", "text"]]


@pytest.mark.parametrize("columns", COLUMNS)
def test_the_shipped_gold_reads_as_with_parquet_file(columns: list[str] | None) -> None:
    expected = pq.ParquetFile(DEFAULT).read(columns=columns)
    got = ParquetColumns(DEFAULT).read(columns)
    assert got.equals(expected, check_metadata=True)
    if columns is not None:
        assert got.column_names == [c for c in columns if c != "nope"]


@pytest.mark.parametrize("columns", COLUMNS)
def test_batches_of_every_row_group_as_with_parquet_file(tmp_path: Path, columns: list[str] | None) -> None:
    path = tmp_path / "groups.parquet"
    pq.write_table(pq.read_table(DEFAULT), path, row_group_size=2)  # five documents: three row groups
    assert pq.ParquetFile(path).metadata.num_row_groups == 3
    expected = list(pq.ParquetFile(path).iter_batches(batch_size=2, columns=columns))
    got = list(ParquetColumns(path).iter_batches(2, columns))
    assert [batch.num_rows for batch in got] == [2, 2, 1]
    assert len(got) == len(expected) and all(a.equals(b) for a, b in zip(got, expected, strict=True))
    assert pa.Table.from_batches(got).equals(pq.ParquetFile(path).read(columns=columns))


def test_a_pyarrow_without_the_reader_gets_parquet_file(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow._parquet

    monkeypatch.delattr(pyarrow._parquet, "ParquetReader")
    assert ParquetColumns(DEFAULT)._reader is None  # the fallback, not the reader
    columns = list(DOCUMENT_FIELDS)
    assert ParquetColumns(DEFAULT).read(columns).equals(pq.ParquetFile(DEFAULT).read(columns=columns))
    batches = list(ParquetColumns(DEFAULT).iter_batches(2, ["doc_id"]))
    assert [b.column("doc_id").to_pylist() for b in batches] == [
        b.column("doc_id").to_pylist()
        for b in pq.ParquetFile(DEFAULT).iter_batches(batch_size=2, columns=["doc_id"])
    ]
