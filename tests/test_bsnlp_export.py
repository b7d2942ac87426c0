"""``nkru-bench export bsnlp``: the shared task's layout, read back by ``corus`` and by the evaluator's rules.

``corus`` (a maintained reader of BSNLP data on PyPI) reads the ``annotated`` files of the export and
the raw header it can parse (its pattern needs a ``YYYY-MM-DD`` date and a language among ru, bg, cs,
pl: the gold's dates are months, so the shipped articles leave the date empty, which the task allows and
corus does not; a draft with a day is read in full). The shipped gold's annotated files are the
reference ``golden`` folder byte for byte, and its raw files the reference ``raw`` folder, except that
a title the text starts with is not repeated.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import sys
import types
from pathlib import Path

import pytest
from extending_fixtures import cli

from nkru_bench.curation.interop.bsnlp import export, raw_text
from nkru_bench.curation.interop.bundle import Sheet, bundle_from_gold
from nkru_bench.gold.loading import load_gold


def _corus_bsnlp() -> types.ModuleType:
    """``corus.sources.bsnlp`` without running corus's package ``__init__``, which imports every
    source, among them a Wikipedia extractor that needs ``cgi`` (gone in Python 3.13)."""
    for name in ("corus", "corus.sources"):
        if name not in sys.modules:
            spec = importlib.util.find_spec(name)
            assert spec is not None, "corus is a test dependency (pyproject: test extra)"
            package = types.ModuleType(name)
            package.__path__ = list(spec.submodule_search_locations or [])
            sys.modules[name] = package
    return importlib.import_module("corus.sources.bsnlp")


corus = _corus_bsnlp()
ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "reference" / "bsnlp"
# The reference files were made from gold v2. Gold v3 took SlavicNER's spelling of two ids (rule K2,
# annotations/ADJUDICATION.md); nothing else of the entity layer changed, so the reference with these
# two ids renamed is gold v3's export.
K2_RENAMES = {
    b"GPE-Brussels": b"GPE-Brussles",
    b"ORG-Main-Intelligence-Directorate-Ukraine": b"ORG-Directorat-of-Ukraine-Intelligence",
}


def _as_v3(data: bytes) -> bytes:
    for old, new in K2_RENAMES.items():
        data = data.replace(old, new)
    return data


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bsnlp")
    result = cli(out, "export", "bsnlp", str(out / "export"))
    assert result.returncode == 0, result.stderr
    return out / "export"


def test_the_annotated_files_are_the_reference_golden_folder(exported: Path) -> None:
    ours = sorted(p.relative_to(exported / "annotated") for p in (exported / "annotated").rglob("*.out"))
    theirs = sorted(p.relative_to(REFERENCE / "golden") for p in (REFERENCE / "golden").rglob("*.out"))
    assert ours == theirs and len(ours) == 5
    for path in ours:
        assert (exported / "annotated" / path).read_bytes() == _as_v3(
            (REFERENCE / "golden" / path).read_bytes()
        )


def test_the_raw_files_have_the_tasks_header(exported: Path) -> None:
    """id, language, empty date (months only), empty URL, the title (002 only), then the text; the
    reference raw file repeats 002's title at the top of the text, the export does not."""
    for reference in sorted((REFERENCE / "raw").rglob("*.txt")):
        ours = (exported / reference.relative_to(REFERENCE)).read_text(encoding="utf-8")
        theirs = reference.read_text(encoding="utf-8")
        lines = theirs.split("\n")
        if lines[4]:  # a title: the reference text starts with it again
            assert lines[5] == lines[4]
            theirs = "\n".join(lines[:5] + lines[6:])
        assert ours == theirs, reference.name
        assert ours.split("\n")[:4] == [reference.stem, reference.parent.name, "", ""]


def test_corus_reads_the_annotated_files(exported: Path) -> None:
    gold = {d.doc_id: d for d in load_gold().documents}
    ids = list(corus.select_type(corus.load_ids(str(exported), ["cs", "pl", "sl"]), corus.ANNOTATED))
    assert sorted(i.name for i in ids) == sorted(gold)
    for record in corus.load_annotated(ids):
        doc = gold[record.id]
        expected = {
            (" ".join(e.text.split()), " ".join(e.lemma.split()), e.type, e.entity_id) for e in doc.entities
        }
        assert {(s.text, s.normal, s.type, s.id) for s in record.substrings} == expected


def test_corus_reads_a_raw_header_with_a_day() -> None:
    sheet = bundle_from_gold(load_gold()).sheets[2]  # 002, the article with a title
    dated = Sheet(sheet.doc_id, sheet.lang, "2024-10-15", sheet.text, sheet.lines, sheet.source)
    raw = corus.parse_raw(sheet.doc_id, raw_text(dated))
    assert (raw.id, raw.lang, raw.date.isoformat()[:10], raw.url) == (sheet.doc_id, "pl", "2024-10-15", None)
    title = next(line.obj for line in sheet.lines if line.obj["layer"] == "title")
    assert raw.text.split("\n")[0] == title["text"] and raw.text.split("\n")[1] != title["text"]


def test_score_bsnlp_on_the_export_is_perfect(exported: Path, tmp_path: Path) -> None:
    result = cli(tmp_path, "score-bsnlp", str(exported), "--json", "r.json")
    assert result.returncode == 0, result.stderr
    measures = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["measures"]
    assert {m: tuple(v["all"].values()) for m, v in measures.items()} == {
        m: (1.0, 1.0, 1.0) for m in measures
    }


def test_export_of_an_unknown_layout_writes_nothing_else(tmp_path: Path) -> None:
    written = export(bundle_from_gold(load_gold()), tmp_path)
    assert {p.relative_to(tmp_path).parts[:2] for p in written} == {("raw", "nkru"), ("annotated", "nkru")}


def test_import_projects_the_export_back_onto_the_text(exported: Path, tmp_path: Path) -> None:
    """``import bsnlp`` finds every form in the text again: the official relaxed exact is then 1."""
    from nkru_bench.scoring.scorer import score

    result = cli(tmp_path, "import", "bsnlp", str(exported), "--out", "p.jsonl")
    assert result.returncode == 0, result.stderr
    found = score(tmp_path / "p.jsonl", resamples=0)
    assert found["entities.relaxed.recall"] == found["entities.relaxed.precision"] == 1.0
