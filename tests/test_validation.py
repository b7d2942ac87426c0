"""``nkru-bench validate``: every kind of broken annotation is reported with file, line and field."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from nkru_bench.gold.validation import validate

Lines = list[dict]


def _doc_files(checkout: Path) -> list[Path]:
    return sorted((checkout / "annotations" / "docs").glob("*.jsonl"))


def _edit(path: Path, change: Callable[[Lines], None]) -> None:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    change(lines)
    path.write_text("".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in lines), encoding="utf-8")


def _first(lines: Lines, layer: str) -> tuple[int, dict]:
    """The 1-based line number and object of the first line of a layer."""
    for number, obj in enumerate(lines, start=1):
        if obj["layer"] == layer:
            return number, obj
    raise AssertionError(f"the gold has no {layer} line to corrupt")


def _run(checkout: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "nkru_bench", "validate"],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_shipped_annotations_are_valid(root: Path) -> None:
    gold, problems = validate(root / "annotations", root / "seeds")
    assert problems == []
    assert gold is not None and len(gold.documents) == 5


def test_the_cli_exits_0_on_the_shipped_annotations(root: Path) -> None:
    result = _run(root)
    assert result.returncode == 0, result.stderr


def _shift_entity(lines: Lines) -> None:
    _first(lines, "entity")[1]["start"] += 1


def _bad_unit(lines: Lines) -> None:
    _first(lines, "figure")[1]["unit"] = "persons"


def _unknown_id(lines: Lines) -> None:
    _first(lines, "entity")[1]["entity_id"] = "PER-Nobody-Known"


def _wrong_value(lines: Lines) -> None:
    figure = _first(lines, "figure")[1]
    figure["value"] = figure["value"] * 10


def _bad_type(lines: Lines) -> None:
    _first(lines, "entity")[1]["type"] = "GPE"


def _bad_qualifier(lines: Lines) -> None:
    _first(lines, "figure")[1]["qualifier"] = "roughly"


def _bad_target(lines: Lines) -> None:
    _first(lines, "stance")[1]["target"] = "peace"


def _bad_label(lines: Lines) -> None:
    _first(lines, "stance")[1]["label"] = "pro"


def _unknown_holder(lines: Lines) -> None:
    _first(lines, "stance")[1]["holder_id"] = "ORG-Nobody"


def _evidence_outside(lines: Lines) -> None:
    _first(lines, "stance")[1]["evidence"][0]["end"] = 10**6


def _unknown_key(lines: Lines) -> None:
    _first(lines, "entity")[1]["confidence"] = 0.9


def _unreviewed(lines: Lines) -> None:
    _first(lines, "entity")[1]["status"] = "unreviewed"


def _nested_entity(lines: Lines) -> None:
    entity = dict(_first(lines, "entity")[1])
    entity["end"] = entity["start"] + 1
    entity["text"] = entity["text"][0]
    lines.append(entity)


def _duplicate_stance(lines: Lines) -> None:
    lines.append(dict(_first(lines, "stance")[1]))


CORRUPTIONS = {
    # name: (change, layer of the changed line, field named in the message, words in the message)
    "wrong offset": (_shift_entity, "entity", "text", "does not match"),
    "bad unit": (_bad_unit, "figure", "unit", "Input should be"),
    "unknown KB id": (_unknown_id, "entity", "entity_id", "not in the knowledge base"),
    "value disagrees with its text": (_wrong_value, "figure", "value", "disagrees with its text"),
    "unknown type": (_bad_type, "entity", "type", "Input should be"),
    "unknown qualifier": (_bad_qualifier, "figure", "qualifier", "Input should be"),
    "unknown target": (_bad_target, "stance", "target", "Input should be"),
    "unknown label": (_bad_label, "stance", "label", "Input should be"),
    "unknown holder": (_unknown_holder, "stance", "holder_id", "not in the knowledge base"),
    "evidence outside the text": (_evidence_outside, "stance", "evidence.0", "past the end"),
    "unknown key": (_unknown_key, "entity", "confidence", "Extra inputs"),
    "unreviewed": (_unreviewed, "entity", "status", "unreviewed"),
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_a_corrupted_line_is_reported_with_file_line_and_field(checkout: Path, name: str) -> None:
    change, layer, field, words = CORRUPTIONS[name]
    path = _doc_files(checkout)[0]
    lines_before = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    line_number = _first(lines_before, layer)[0]
    _edit(path, change)

    result = _run(checkout)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    expected_place = f"annotations/docs/{path.name}:{line_number}: field '{field}':"
    matching = [line for line in result.stderr.splitlines() if expected_place in line]
    assert matching, result.stderr
    assert words in matching[0]


def test_overlapping_entities_are_reported(checkout: Path) -> None:
    path = _doc_files(checkout)[0]
    _edit(path, _nested_entity)
    result = _run(checkout)
    assert result.returncode == 1
    assert "overlaps" in result.stderr and f"{path.name}:" in result.stderr


def test_duplicate_stance_rows_are_reported(checkout: Path) -> None:
    path = _doc_files(checkout)[0]
    _edit(path, _duplicate_stance)
    result = _run(checkout)
    assert result.returncode == 1
    assert "one row per holder and target" in result.stderr


def test_a_changed_seed_is_reported_against_the_manifest(checkout: Path) -> None:
    seed = sorted((checkout / "seeds").glob("*.txt"))[0]
    seed.write_bytes(seed.read_bytes() + b" ")
    result = _run(checkout)
    assert result.returncode == 1
    assert "seeds/manifest.jsonl:1: field 'sha256':" in result.stderr


def test_duplicate_kb_ids_are_reported(checkout: Path) -> None:
    kb = checkout / "annotations" / "kb.jsonl"
    first = kb.read_text(encoding="utf-8").splitlines()[0]
    kb.write_text(kb.read_text(encoding="utf-8") + first + "\n", encoding="utf-8")
    result = _run(checkout)
    assert result.returncode == 1
    assert "kb.jsonl:" in result.stderr and "duplicate id" in result.stderr


def test_a_line_that_is_not_json_is_reported_and_the_rest_still_checked(checkout: Path) -> None:
    path = _doc_files(checkout)[0]
    _edit(path, _bad_unit)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    result = _run(checkout)
    assert result.returncode == 1
    assert "is not valid JSON" in result.stderr
    assert "field 'unit'" in result.stderr  # every problem is collected before reporting


def test_every_problem_is_one_line(checkout: Path) -> None:
    for path in _doc_files(checkout)[:2]:
        _edit(path, _bad_unit)
        _edit(path, _shift_entity)
    result = _run(checkout)
    problems = result.stderr.splitlines()[:-1]
    assert len(problems) >= 4
    assert all(line.startswith("annotations/") for line in problems)
