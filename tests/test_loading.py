"""Every config loads offline with the real ``datasets``, from the checkout and through the package."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import datasets
import pytest

import nkru_bench
from nkru_bench.curation.build import build
from nkru_bench.gold import loading
from nkru_bench.gold.paths import CONFIGS
from nkru_bench.gold.schema import features
from nkru_bench.gold.validation import validate


@pytest.mark.parametrize("config", CONFIGS)
def test_every_config_loads_from_the_checkout_with_its_declared_features(root: Path, config: str) -> None:
    ds = datasets.load_dataset(str(root), config, split="test")
    assert ds.features == features()[config]
    same = nkru_bench.load_dataset(config, split="test")
    assert same.features == ds.features
    assert same.to_list() == ds.to_list()


def test_the_default_config_holds_the_gold(root: Path) -> None:
    gold, _ = validate(root / "annotations", root / "seeds")
    rows = datasets.load_dataset(str(root), "default", split="test").to_list()
    assert [row["doc_id"] for row in rows] == [doc.doc_id for doc in gold.documents]
    for row, doc in zip(rows, gold.documents, strict=True):
        assert row["text"] == doc.text
        assert len(row["entities"]) == len(doc.entities)
        for entity in row["entities"]:
            assert row["text"][entity["start"] : entity["end"]] == entity["text"]


def test_without_split_a_dataset_dict_comes_back() -> None:
    assert list(nkru_bench.load_dataset("kb")) == ["test"]


def test_an_unknown_config_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown config"):
        nkru_bench.load_dataset("nope")


def test_a_rebuilt_dataset_is_never_served_stale(checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same folder, same YAML, different content: the package's loader must see the new content."""
    monkeypatch.setattr(loading, "data_root", lambda: checkout)
    before = nkru_bench.load_dataset("entities", split="test").num_rows
    path = sorted((checkout / "annotations" / "docs").glob("*.jsonl"))[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    first_entity = next(i for i, line in enumerate(lines) if json.loads(line)["layer"] == "entity")
    path.write_text("\n".join(lines[:first_entity] + lines[first_entity + 1 :]) + "\n", encoding="utf-8")
    build(checkout / "annotations", checkout / "seeds", checkout)
    assert nkru_bench.load_dataset("entities", split="test").num_rows == before - 1


def test_load_gold_reads_every_kind_of_gold_source_the_same(root: Path, tmp_path: Path) -> None:
    shipped = nkru_bench.load_gold()
    assert nkru_bench.load_gold(root / "annotations") == shipped
    assert nkru_bench.load_gold(root) == shipped
    assert nkru_bench.load_gold(root / "nkru_bench" / "data") == shipped
    assert nkru_bench.load_gold(root / "nkru_bench" / "data" / "default" / "test.parquet") == shipped
    copy = tmp_path / "elsewhere"
    shutil.copytree(root / "nkru_bench" / "data", copy)
    assert nkru_bench.load_gold(copy) == shipped


def test_load_gold_refuses_what_is_not_gold(tmp_path: Path) -> None:
    with pytest.raises(nkru_bench.common.errors.InputError, match="is not gold"):
        nkru_bench.load_gold(tmp_path)


def test_scoring_reads_the_kbs_ids_and_actors_as_columns_only_when_the_revision_is_stored(
    root: Path, tmp_path: Path
) -> None:
    """A built gold whose manifest vouches for its bytes (the shipped one, a copy of it) gives scoring
    the KB's ``entity_id`` and ``acts_for`` columns, no records; the pairs are those of the validated
    records. Without the manifest the revision is computed from the records' JSON: scoring gets them."""
    records = [(entry.entity_id, entry.acts_for) for entry in nkru_bench.load_gold().kb]
    assert any(actor is not None for _, actor in records) and any(actor is None for _, actor in records)
    copy = tmp_path / "data"
    shutil.copytree(root / "nkru_bench" / "data", copy)
    for source in (loading.gold_source(), loading.gold_source(copy)):
        assert source.revision is not None
        links = source.scoring_kb()
        assert {type(link) for link in links} == {loading.KBLink}
        assert [tuple(link) for link in links] == records
    (copy / "manifest.json").unlink()
    computed = loading.gold_source(copy)
    assert computed.revision is None
    assert computed.scoring_kb() is computed.kb
    assert {type(entry).__name__ for entry in computed.kb} == {"KBEntry"}
    assert [(entry.entity_id, entry.acts_for) for entry in computed.kb] == records
