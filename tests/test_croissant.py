"""``croissant.json``: valid for mlcroissant, its records equal to the Parquet files, stale when they change.

mlcroissant reads every record set from the local Parquet files offline, ``default`` included. Its
reader cannot extract a list inside a list, so ``default``'s ``stance`` field describes holder,
target and label without their ``evidence`` spans: the comparison checks that this is the only thing
left out, and that the ``stance`` record set gives those spans for the same rows.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import mlcroissant as mlc
import numpy as np
import pyarrow.parquet as pq
import pytest

from nkru_bench.curation import croissant, release
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


def test_mlcroissant_validates_the_metadata_without_a_warning(built: tuple) -> None:
    root, _, _ = built
    dataset = mlc.Dataset(jsonld=str(root / croissant.FILE))
    issues = dataset.metadata.ctx.issues
    assert not issues.errors
    assert not issues.warnings


def _without_evidence(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "stance": [{k: v for k, v in s.items() if k != "evidence"} for s in row["stance"]]}


def test_every_record_set_mlcroissant_reads_is_the_parquet_rows(built: tuple) -> None:
    root, _, _ = built
    dataset = mlc.Dataset(jsonld=str(root / croissant.FILE))  # the file as written, nothing removed
    read = {config: [_plain(record) for record in dataset.records(config)] for config in CONFIGS}
    for config in CONFIGS:
        rows = pq.read_table(root / parquet_path(config)).to_pylist()
        assert all(record.pop("split") == "test" for record in read[config]), config
        if config == "default":
            rows = [_without_evidence(row) for row in rows]  # the one thing mlcroissant cannot read
        assert read[config] == rows, config
    # the evidence left out of default is in the stance record set, row for row
    evidence = {(r["doc_id"], r["holder_id"], r["target"]): r["evidence"] for r in read["stance"]}
    for row in pq.read_table(root / parquet_path("default")).to_pylist():
        for stance in row["stance"]:
            key = (row["doc_id"], stance["holder_id"], stance["target"])
            assert evidence.pop(key) == stance["evidence"], key
    assert evidence == {}
    tags = [_plain(record) for record in dataset.records("tokens_tags")]
    assert tags == [{"index": i, "name": name} for i, name in enumerate(TAGS)]
    assert [_plain(record) for record in dataset.records(croissant.SPLITS)] == [{"name": "test"}]


def test_the_metadata_says_who_when_and_under_which_licence(built: tuple) -> None:
    root, _, _ = built
    metadata = json.loads((root / croissant.FILE).read_text(encoding="utf-8"))
    assert metadata["license"] == release.LICENSE
    assert metadata["url"] == f"https://huggingface.co/datasets/{release.REPOSITORY}"
    assert re.fullmatch(r"[A-Za-z0-9-]+/[A-Za-z0-9_.-]+", release.REPOSITORY)
    assert metadata["datePublished"] == release.PUBLISHED
    for role in ("creator", "publisher"):
        assert metadata[role] == {"@type": "sc:Organization", "name": release.CREATOR, "url": release.URL}
    assert metadata["citeAs"] == release.bibtex() and f"year   = {{{release.YEAR}}}" in metadata["citeAs"]
    types = {
        field["dataType"]
        for record_set in metadata["recordSet"]
        for field in _leaves(record_set.get("field", []))
    }
    assert types == {"sc:Text", "cr:Int32", "cr:Int64", "cr:Float64"}
    splits = next(rs for rs in metadata["recordSet"] if rs["@id"] == croissant.SPLITS)
    assert splits["dataType"] == "cr:Split"


def _leaves(fields: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [leaf for f in fields for leaf in (_leaves(f["subField"]) if "subField" in f else [f])]


def test_the_metadata_describes_every_config_and_file(built: tuple) -> None:
    root, gold, tables = built
    metadata = json.loads((root / croissant.FILE).read_text(encoding="utf-8"))
    digests = croissant.parquet_digests(root, list(CONFIGS))
    files = {f["@id"]: f for f in metadata["distribution"]}
    assert set(files) == {f"{c}-parquet" for c in CONFIGS}
    for config in CONFIGS:
        assert files[f"{config}-parquet"]["sha256"] == digests[config]
        assert ((root / croissant.FILE).parent / files[f"{config}-parquet"]["contentUrl"]).is_file()
    assert {rs["@id"] for rs in metadata["recordSet"]} == {*CONFIGS, "tokens_tags", croissant.SPLITS}
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
