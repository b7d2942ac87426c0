"""Gold v3 (issue 16): the KB field ``acts_for`` (GUIDELINES K6) is checked, exported and loaded, and
the fixes of the review are in the gold: SlavicNER's ids for Brussels and HUR (K2), Beijing's neutral
row on the war in 004 (S14), hedges read from the words (F15), holders as the text names them (S15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nkru_bench.gold.loading import load_dataset, load_gold
from nkru_bench.gold.records import Gold
from nkru_bench.gold.validation import validate


def _kb_lines(checkout: Path) -> tuple[Path, list[dict]]:
    path = checkout / "annotations" / "kb.jsonl"
    return path, [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _set_acts_for(checkout: Path, entity_id: str, value: str | None) -> int:
    """Set ``acts_for`` of one KB line; its 1-based line number."""
    path, lines = _kb_lines(checkout)
    number = next(i for i, obj in enumerate(lines, start=1) if obj["entity_id"] == entity_id)
    lines[number - 1]["acts_for"] = value
    path.write_text("".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in lines), encoding="utf-8")
    return number


@pytest.mark.parametrize(
    ("entity_id", "value", "words"),
    [
        ("LOC-Kremlin", "GPE-Atlantis", "'GPE-Atlantis' is not in the knowledge base"),
        ("LOC-Kremlin", "LOC-Kremlin", "cannot act for itself"),
        ("PER-John-Kirby", "LOC-White-House", "'LOC-White-House' acts for 'GPE-USA': name the final actor"),
        ("LOC-Kremlin", 7, "Input should be a valid string"),
    ],
)
def test_a_bad_acts_for_is_reported_with_file_line_and_field(checkout: Path, entity_id, value, words) -> None:
    number = _set_acts_for(checkout, entity_id, value)
    gold, problems = validate(checkout / "annotations", checkout / "seeds")
    assert gold is None
    kb_problems = [p for p in problems if Path(p.file).name == "kb.jsonl"]
    assert [(p.line, p.field) for p in kb_problems] == [(number, "acts_for")]
    assert words in kb_problems[0].message


def test_acts_for_is_optional(checkout: Path) -> None:
    path, lines = _kb_lines(checkout)
    for obj in lines:
        obj.pop("acts_for", None)
    path.write_text("".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in lines), encoding="utf-8")
    gold, problems = validate(checkout / "annotations", checkout / "seeds")
    assert problems == [] and gold is not None
    assert all(entry.acts_for is None for entry in gold.kb)


@pytest.fixture(scope="module")
def gold() -> Gold:
    return load_gold()


def test_the_kb_config_has_acts_for() -> None:
    kb = load_dataset("kb", split="test")
    rows = {row["entity_id"]: row for row in kb}
    assert rows["LOC-Kremlin"]["acts_for"] == "GPE-Russia"
    assert rows["ORG-US-Officials"]["acts_for"] == "GPE-USA"
    assert rows["PER-Sergey-Lavrov"]["acts_for"] == "GPE-Russia"
    assert rows["GPE-Russia"]["acts_for"] is None
    # every actor named is a KB entry that acts for no one (K6)
    assert all(rows[row["acts_for"]]["acts_for"] is None for row in kb if row["acts_for"])


def test_the_ids_are_slavicner_s(gold: Gold) -> None:
    ids = {e.entity_id for e in gold.kb}
    assert {"GPE-Brussles", "ORG-Directorat-of-Ukraine-Intelligence"} <= ids
    assert not {"GPE-Brussels", "ORG-Main-Intelligence-Directorate-Ukraine"} & ids
    used = {e.entity_id for d in gold.documents for e in d.entities}
    assert {"GPE-Brussles", "ORG-Directorat-of-Ukraine-Intelligence"} <= used


def test_the_reviewed_rows_and_figures(gold: Gold) -> None:
    doc = {d.doc_id[:3]: d for d in gold.documents}
    beijing = {(s.target, s.label) for s in doc["004"].stance if s.holder_id == "GPE-Beijing"}
    assert ("russia_war_in_ukraine", "neutral") in beijing
    [row] = [
        s for s in doc["004"].stance if s.holder_id == "GPE-Beijing" and s.target == "russia_war_in_ukraine"
    ]
    assert (
        doc["004"]
        .text[row.evidence[0].start : row.evidence[0].end]
        .startswith("Peking je doslej strani pozival")
    )
    # F15: focus particles are not hedges; a word of limit is
    qualifiers = {(k, f.text): f.qualifier for k, d in doc.items() for f in d.figures}
    assert qualifiers[("000", "12 000")] == "exact"  # až 12 000
    assert qualifiers[("001", "12 tys.")] == "exact"  # nawet 12 tys.
    assert qualifiers[("003", "12 tys.")] == "at_most"  # nawet do 12 tys.
    assert qualifiers[("004", "8000")] == "exact"  # kar 8000
    # S15: the Kremlin is its own holder; S13: no row from the noun phrase "ruské invaze"
    holders = {(s.holder_id, s.target) for s in doc["000"].stance}
    assert ("LOC-Kremlin", "nk_troops_in_russia") in holders
    assert ("GPE-Russia", "russia_war_in_ukraine") not in holders
