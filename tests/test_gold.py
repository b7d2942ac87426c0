"""Guards on the shipped gold itself, read from the built Parquet files (what users load).

These restate the validator's rules independently, on the published data, so that a bug in the
validator or the build cannot let a broken gold through.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from nkru_bench.gold.numbers import parse_number
from nkru_bench.gold.paths import parquet_path
from nkru_bench.gold.records import ENTITY_TYPES, LABELS, QUALIFIERS, TARGETS, UNITS


@pytest.fixture(scope="module")
def docs(root: Path) -> list[dict]:
    return pq.read_table(root / parquet_path("default")).to_pylist()


@pytest.fixture(scope="module")
def kb(root: Path) -> dict[str, dict]:
    return {row["entity_id"]: row for row in pq.read_table(root / parquet_path("kb")).to_pylist()}


def test_counts_per_layer_per_article_match_the_manifest(root: Path, docs: list[dict]) -> None:
    manifest = json.loads((root / "nkru_bench" / "data" / "manifest.json").read_text(encoding="utf-8"))
    for doc in docs:
        recorded = manifest["documents"][doc["doc_id"]]
        assert (recorded["entities"], recorded["figures"], recorded["stance"]) == (
            len(doc["entities"]),
            len(doc["figures"]),
            len(doc["stance"]),
        )
    assert sorted(manifest["documents"]) == sorted(doc["doc_id"] for doc in docs)


def test_every_span_quotes_its_text(docs: list[dict]) -> None:
    for doc in docs:
        for item in doc["entities"] + doc["figures"]:
            assert doc["text"][item["start"] : item["end"]] == item["text"], (doc["doc_id"], item)


def test_every_figure_value_agrees_with_its_text(docs: list[dict]) -> None:
    for doc in docs:
        for figure in doc["figures"]:
            assert parse_number(figure["text"]) == pytest.approx(figure["value"], rel=1e-6), figure
            assert figure["unit"] in UNITS and figure["qualifier"] in QUALIFIERS


def test_every_stance_evidence_span_lies_inside_its_article(docs: list[dict]) -> None:
    for doc in docs:
        for row in doc["stance"]:
            assert row["target"] in TARGETS and row["label"] in LABELS
            assert row["evidence"], row
            for span in row["evidence"]:
                assert 0 <= span["start"] < span["end"] <= len(doc["text"]), (doc["doc_id"], row)


def test_every_id_resolves_in_the_knowledge_base(docs: list[dict], kb: dict[str, dict]) -> None:
    for doc in docs:
        for entity in doc["entities"]:
            assert entity["type"] in ENTITY_TYPES
            assert kb[entity["entity_id"]]["type"] == entity["type"], entity
        for figure in doc["figures"]:
            assert figure["source_id"] is None or figure["source_id"] in kb, figure
        for row in doc["stance"]:
            assert row["holder_id"] in kb, row


def test_entity_spans_are_flat_and_outside_boilerplate(docs: list[dict]) -> None:
    for doc in docs:
        spans = sorted((e["start"], e["end"]) for e in doc["entities"])
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
        for start, end in spans:
            assert not any(b["start"] < end and start < b["end"] for b in doc["boilerplate"])


def test_one_stance_row_per_holder_and_target(docs: list[dict]) -> None:
    for doc in docs:
        pairs = Counter((row["holder_id"], row["target"]) for row in doc["stance"])
        assert max(pairs.values(), default=1) == 1, doc["doc_id"]


def test_a_claim_id_names_one_value_and_unit(docs: list[dict]) -> None:
    claims: dict[str, set[tuple[float, str]]] = {}
    for doc in docs:
        for figure in doc["figures"]:
            if figure["claim_id"]:
                claims.setdefault(figure["claim_id"], set()).add((figure["value"], figure["unit"]))
    assert claims, "the gold has shared claims (e.g. up to 12 000 troops)"
    assert all(len(values) == 1 for values in claims.values()), claims
