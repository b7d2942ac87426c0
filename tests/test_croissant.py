"""``croissant.json``: valid for mlcroissant, its records equal to the Parquet files, stale when they change.

mlcroissant reads every record set from the local Parquet files offline, except one field: the
``stance`` list of the ``default`` config holds ``evidence`` lists (a list in a list), which its
reader cannot extract; that field is left out of the comparison (the ``stance`` config has the
same rows, and is compared whole).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import numpy as np
import pyarrow.parquet as pq
import pytest

from nkru_bench.curation import croissant
from nkru_bench.gold.paths import CONFIGS, parquet_path
from nkru_bench.gold.records import Gold
from nkru_bench.gold.schema import gold_tables
from nkru_bench.gold.tokens import TAGS
from nkru_bench.gold.validation import validate


@pytest.fixture
def built(checkout: Path) -> tuple[Path, Gold, dict[str, Any]]:
    """The checkout's gold, tables and Parquet files, with its croissant.json written."""
    gold, problems = validate(checkout / "annotations", checkout / "seeds")
    assert problems == []
    tables = gold_tables(gold)
    for config, table in tables.items():
        pq.write_table(table, checkout / parquet_path(config), compression="zstd")
    croissant.write(gold, tables, checkout)
    return checkout, gold, tables


def _plain(value: Any) -> Any:
    """An mlcroissant value as the Parquet reader gives it: text decoded, field ids as names."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, dict):
        return {key.rsplit("/", 1)[-1]: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(item) for item in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def test_mlcroissant_validates_the_metadata(built: tuple) -> None:
    root, _, _ = built
    dataset = mlc.Dataset(jsonld=str(root / croissant.FILE))
    issues = dataset.metadata.ctx.issues
    assert not issues.errors
    assert all("datePublished" in warning for warning in issues.warnings)


def test_the_records_mlcroissant_reads_are_the_parquet_rows(built: tuple, tmp_path: Path) -> None:
    root, _, _ = built
    metadata = json.loads((root / croissant.FILE).read_text(encoding="utf-8"))
    for record_set in metadata["recordSet"]:
        if record_set["@id"] == "default":
            record_set["field"] = [f for f in record_set["field"] if f["name"] != "stance"]
    readable = root / "readable.json"
    readable.write_text(json.dumps(metadata), encoding="utf-8")
    dataset = mlc.Dataset(jsonld=str(readable))
    for config in CONFIGS:
        rows = pq.read_table(root / parquet_path(config)).to_pylist()
        if config == "default":
            rows = [{k: v for k, v in row.items() if k != "stance"} for row in rows]
        records = [_plain(record) for record in dataset.records(config)]
        assert records == rows, config
    tags = [_plain(record) for record in dataset.records("tokens_tags")]
    assert tags == [{"index": i, "name": name} for i, name in enumerate(TAGS)]


def test_the_metadata_describes_every_config_and_file(built: tuple) -> None:
    root, gold, tables = built
    metadata = json.loads((root / croissant.FILE).read_text(encoding="utf-8"))
    digests = croissant.parquet_digests(root, list(CONFIGS))
    files = {f["@id"]: f for f in metadata["distribution"]}
    assert set(files) == {f"{c}-parquet" for c in CONFIGS}
    for config in CONFIGS:
        assert files[f"{config}-parquet"]["sha256"] == digests[config]
        assert (root / files[f"{config}-parquet"]["contentUrl"]).is_file()
    assert {rs["@id"] for rs in metadata["recordSet"]} == {*CONFIGS, "tokens_tags"}
    assert metadata == croissant.croissant(gold, tables, digests)  # pure: the same inputs, the same output
    assert metadata["conformsTo"] == croissant.CONFORMS_TO


def test_check_names_a_stale_croissant(built: tuple) -> None:
    root, gold, tables = built
    assert croissant.check(gold, tables, root) == []
    path = root / parquet_path("kb")
    pq.write_table(pq.read_table(path), path, compression="none")  # same rows, other bytes
    assert croissant.check(gold, tables, root) == [
        f"{root / croissant.FILE}: differs from the gold or from the sha256 of the Parquet files"
    ]
    croissant.write(gold, tables, root)
    assert croissant.check(gold, tables, root) == []
    smaller = Gold(documents=gold.documents[1:], kb=gold.kb)
    assert croissant.check(smaller, gold_tables(smaller), root) != []
    (root / croissant.FILE).unlink()
    assert croissant.check(gold, tables, root) == [f"{root / croissant.FILE}: missing"]


def test_the_content_digest_follows_the_rows_not_the_bytes(built: tuple) -> None:
    _, gold, tables = built
    assert croissant.content_digest(tables) == croissant.content_digest(gold_tables(gold))
    smaller = Gold(documents=gold.documents[1:], kb=gold.kb)
    assert croissant.content_digest(gold_tables(smaller)) != croissant.content_digest(tables)
