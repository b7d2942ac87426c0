"""``nkru-bench build``: reproducible content, and ``--check`` says when the committed files are stale."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
from huggingface_hub import DatasetCard

from nkru_bench.curation.build import build, check
from nkru_bench.curation.card import counts
from nkru_bench.gold.paths import CONFIGS, parquet_path
from nkru_bench.gold.schema import gold_tables
from nkru_bench.gold.validation import validate


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nkru_bench", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_the_committed_build_is_up_to_date(root: Path) -> None:
    result = _cli(root, "build", "--check")
    assert result.returncode == 0, result.stderr


def test_a_changed_annotation_makes_the_build_stale(checkout: Path) -> None:
    path = sorted((checkout / "annotations" / "docs").glob("*.jsonl"))[0]
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")  # drop one annotation
    result = _cli(checkout, "build", "--check")
    assert result.returncode == 1
    assert "stale" in result.stderr and "nkru_bench/data/" in result.stderr
    assert _cli(checkout, "build").returncode == 0
    assert _cli(checkout, "build", "--check").returncode == 0


def test_a_hand_edited_card_header_is_stale(checkout: Path) -> None:
    card = checkout / "README.md"
    card.write_text(
        card.read_text(encoding="utf-8").replace("num_examples: 5", "num_examples: 6", 1), encoding="utf-8"
    )
    assert any("README.md" in line for line in check(checkout / "annotations", checkout / "seeds", checkout))


def test_two_builds_give_the_same_content(checkout: Path, tmp_path: Path) -> None:
    build(checkout / "annotations", checkout / "seeds", checkout)
    first = {c: pq.read_table(checkout / parquet_path(c)) for c in CONFIGS}
    build(checkout / "annotations", checkout / "seeds", checkout)
    for config in CONFIGS:
        again = pq.read_table(checkout / parquet_path(config))
        assert again.equals(first[config])
        assert again.schema.metadata == first[config].schema.metadata


def test_the_card_header_parses_and_lists_every_config(root: Path) -> None:
    card = DatasetCard.load(root / "README.md")
    data = card.data.to_dict()
    assert [c["config_name"] for c in data["configs"]] == list(CONFIGS)
    assert sorted(data["language"]) == ["cs", "pl", "sl"]
    sizes = {info["config_name"]: info["splits"][0]["num_examples"] for info in data["dataset_info"]}
    gold, _ = validate(root / "annotations", root / "seeds")
    tables = gold_tables(gold)
    assert sizes == {config: tables[config].num_rows for config in CONFIGS}


def test_the_data_manifest_counts_match_the_annotations(root: Path) -> None:
    """Counts per layer per article, recounted from the annotation files line by line."""
    manifest = json.loads((root / "nkru_bench" / "data" / "manifest.json").read_text(encoding="utf-8"))
    for path in sorted((root / "annotations" / "docs").glob("*.jsonl")):
        layers = [json.loads(line)["layer"] for line in path.read_text(encoding="utf-8").splitlines() if line]
        recorded = manifest["documents"][path.stem]
        assert recorded["entities"] == layers.count("entity")
        assert recorded["figures"] == layers.count("figure")
        assert recorded["stance"] == layers.count("stance")
        assert recorded["boilerplate"] == layers.count("boilerplate")
    gold, _ = validate(root / "annotations", root / "seeds")
    assert manifest["totals"] == counts(gold)["totals"]


def test_build_refuses_invalid_annotations_without_touching_the_outputs(checkout: Path) -> None:
    before = {c: (checkout / parquet_path(c)).read_bytes() for c in CONFIGS}
    path = sorted((checkout / "annotations" / "docs").glob("*.jsonl"))[0]
    path.write_text(path.read_text(encoding="utf-8") + '{"layer": "entity"}\n', encoding="utf-8")
    result = _cli(checkout, "build")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{path.name}:" in result.stderr
    assert before == {c: (checkout / parquet_path(c)).read_bytes() for c in CONFIGS}


def test_an_invalid_pass_stops_the_build_before_anything_is_written(checkout: Path) -> None:
    """The agreement table needs valid passes; build computes it before writing any output."""
    outputs = [checkout / parquet_path(c) for c in CONFIGS] + [checkout / "README.md"]
    before = [path.read_bytes() for path in outputs]
    gold_file = sorted((checkout / "annotations" / "docs").glob("*.jsonl"))[0]
    lines = gold_file.read_text(encoding="utf-8").splitlines()
    gold_file.write_text("\n".join(lines[1:]) + "\n", encoding="utf-8")  # a valid change to the gold...
    kb = checkout / "annotations" / "passes" / "b" / "kb.jsonl"  # ...and an invalid pass
    kb.write_text(kb.read_text(encoding="utf-8") + '{"entity_id": "bad id"}\n', encoding="utf-8")
    result = _cli(checkout, "build")
    assert result.returncode == 2
    assert "passes/b/kb.jsonl" in result.stderr and "Traceback" not in result.stderr
    assert [path.read_bytes() for path in outputs] == before
