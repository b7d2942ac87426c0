"""brat: stance rows that cite the same span share one text-bound annotation (brat's own verifier,
``server/src/verify_annotations.py``, warns about triggers with identical span and type), and a
brat folder nobody touched imports back into byte-identical annotation files.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from extending_fixtures import DOC_ID, LINES, cli, snapshot, span, write_article

from nkru_bench.curation.interop.brat import ann
from nkru_bench.curation.interop.bundle import load_bundle

ROOT = Path(__file__).resolve().parent.parent

# two more stance rows on spans the fixture's stances already cite (first and second evidence)
SHARED = [
    {"layer": "stance", "holder_id": "PER-Dmitry-Peskov", "target": "nk_troops_in_russia", "label": "against",
     "evidence": [span("Kreml to popřel"), span("jde o „další lež“.\nNATO")]},
    {"layer": "stance", "holder_id": "LOC-Kremlin", "target": "russia_nk_alliance", "label": "neutral",
     "evidence": [span("odsuzuje jako hrozbu"), span("Kreml to popřel")]},
]  # fmt: skip


def _text_bound(content: str) -> list[tuple[str, str]]:
    """(type, offsets) of every text-bound annotation of an .ann file."""
    rows = [line.split("\t") for line in content.splitlines() if line.startswith("T")]
    return [(head.split(" ", 1)[0], head.split(" ", 1)[1]) for _, head, _ in rows]


def test_stance_rows_citing_one_span_share_its_annotation(tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout", lines=[*LINES, *SHARED])
    content = ann(load_bundle(root / "annotations").sheets[0])
    bounds = _text_bound(content)
    assert [b for b, n in Counter(bounds).items() if n > 1] == []  # brat's "identical span and type"
    stances = [line for line in content.splitlines() if line.startswith("E")]
    assert len(stances) == sum(obj["layer"] == "stance" for obj in [*LINES, *SHARED])
    triggers = Counter(line.split("\t")[1].split()[0] for line in stances)
    assert max(triggers.values()) == 2  # "Kreml to popřel" opens two rows: one trigger for both


def test_the_gold_exports_without_duplicate_triggers(tmp_path: Path) -> None:
    for sheet in load_bundle(ROOT / "annotations").sheets:
        bounds = _text_bound(ann(sheet))
        assert len(bounds) == len(set(bounds)), sheet.doc_id


def _shipped(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    shutil.copytree(ROOT / "annotations", root / "annotations", ignore=shutil.ignore_patterns("passes"))
    shutil.copytree(ROOT / "seeds", root / "seeds")
    return root


@pytest.mark.parametrize(
    ("make", "written"),
    [
        (_shipped, re.compile(r'"value": \d+\.0,')),
        (lambda tmp: write_article(tmp / "checkout"), re.compile(r'"value": \d+,')),
    ],
    ids=["shipped-gold", "fixture"],
)
def test_an_untouched_brat_folder_reimports_byte_identically(
    make, written: re.Pattern, tmp_path: Path
) -> None:
    """The shipped annotation files write whole figure values as floats (1500.0), the fixture as
    integers (12000): a re-import of what was exported changes neither, nor any other byte."""
    root = make(tmp_path)
    assert any(written.search(p.read_text("utf-8")) for p in (root / "annotations" / "docs").glob("*.jsonl"))
    before = snapshot(root)
    exported = cli(root, "export", "brat", str(tmp_path / "brat"), "--gold", "annotations")
    assert exported.returncode == 0, exported.stderr
    imported = cli(root, "import", "brat", str(tmp_path / "brat"), "--out", "annotations")
    assert imported.returncode == 0, imported.stderr
    assert snapshot(root) == before
    articles = len(list((root / "annotations" / "docs").glob("*.jsonl")))
    assert imported.stdout.count("unchanged annotations/docs/") == articles


def test_an_edited_brat_file_rewrites_only_what_changed(tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout", lines=[*LINES, *SHARED])
    doc = root / "annotations" / "docs" / f"{DOC_ID}.jsonl"
    doc.write_text(doc.read_text("utf-8").replace('"value": 12000,', '"value": 12000.0,'), "utf-8")
    before = doc.read_text("utf-8").splitlines()
    exported = cli(root, "export", "brat", str(tmp_path / "brat"), "--gold", "annotations")
    assert exported.returncode == 0, exported.stderr
    path = tmp_path / "brat" / f"{DOC_ID}.ann"
    content = path.read_text("utf-8")
    assert "\tLabel E2 neutral\n" in content  # E2: the Kremlin's row (stance rows sort by holder)
    path.write_text(content.replace("\tLabel E2 neutral\n", "\tLabel E2 favor\n"), "utf-8")
    imported = cli(root, "import", "brat", str(tmp_path / "brat"), "--out", "annotations")
    assert imported.returncode == 0, imported.stderr
    after = doc.read_text("utf-8").splitlines()
    (removed,), (added,) = set(before) - set(after), set(after) - set(before)
    assert added == removed.replace('"label": "neutral"', '"label": "favor"')
    assert all('"value": 12000.0,' in line for line in after if '"layer": "figure"' in line)
