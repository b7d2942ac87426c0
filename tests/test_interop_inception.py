"""INCEpTION: UIMA CAS XMI (XML 1.0) written and read with dkpro-cassis, the Python implementation
of the CAS that INCEpTION's format is defined by. The round trip is lossless for every layer of the
gold; what INCEpTION exports (a zip per document, a project export with curation) is read back; bad
files are named. INCEpTION itself (a Java server) does not run here: the type system is checked
against the rules INCEpTION applies when it imports layers from a type system description
(``TypeSystemAnalysis`` in INCEpTION's sources), written out below.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import cassis
import pytest
from extending_fixtures import DOC_ID, LINES, cli, draft_lines, read_jsonl, snapshot, write_article

from nkru_bench.curation.interop.bundle import load_bundle
from nkru_bench.curation.interop.inception import (
    ENTITY,
    EVIDENCE,
    FIGURE,
    LINK,
    STANCE,
    TYPESYSTEM,
    typesystem,
)
from nkru_bench.gold.validation import validate

ROOT = Path(__file__).resolve().parent.parent
LAYER_OF = {ENTITY: "entity", FIGURE: "figure", "webanno.custom.Title": "title"}
LAYER_OF |= {"webanno.custom.Boilerplate": "boilerplate", STANCE: "stance"}


def _export(tmp: Path, gold: Path, seeds: Path) -> Path:
    result = cli(tmp, "export", "inception", str(tmp / "inc"), "--gold", str(gold), "--seeds", str(seeds))
    assert result.returncode == 0, result.stderr
    return tmp / "inc"


def _import(tmp: Path, source: Path, out: Path, seeds: Path) -> subprocess.CompletedProcess[str]:
    return cli(tmp, "import", "inception", str(source), "--out", str(out), "--seeds", str(seeds))


def test_the_gold_survives_export_and_import_with_every_layer(tmp_path: Path) -> None:
    original, problems = validate(ROOT / "annotations", ROOT / "seeds")
    assert problems == [] and original is not None
    for layer in ("entities", "figures", "stance", "boilerplate"):  # every layer the gold has
        assert any(getattr(doc, layer) for doc in original.documents), layer
    folder = _export(tmp_path, ROOT / "annotations", ROOT / "seeds")
    result = _import(tmp_path, folder, tmp_path / "annotations", ROOT / "seeds")
    assert result.returncode == 0, result.stderr
    again, problems = validate(tmp_path / "annotations", ROOT / "seeds")
    assert problems == [] and again == original


@pytest.mark.parametrize("lines", [LINES, draft_lines()], ids=["every-kind", "draft"])
def test_every_kind_of_line_comes_back_as_it_was(lines: list, tmp_path: Path) -> None:
    """Title, boilerplate, spans across a line break and around an emoji, notes that need quoting,
    null fields, two evidence spans, unreviewed lines: the lines come back equal, the file unchanged."""
    root = write_article(tmp_path / "checkout", lines=lines)
    before = snapshot(root)
    folder = _export(tmp_path, root / "annotations", root / "seeds")
    into_fresh = _import(tmp_path, folder, tmp_path / "fresh", root / "seeds")
    assert into_fresh.returncode == 0, into_fresh.stderr
    key = json.dumps
    back = read_jsonl(tmp_path / "fresh" / "docs" / f"{DOC_ID}.jsonl")
    assert sorted(map(key, back)) == sorted(map(key, lines))
    into_same = _import(tmp_path, folder, root / "annotations", root / "seeds")
    assert into_same.returncode == 0 and "unchanged" in into_same.stdout
    assert snapshot(root) == before


def test_cassis_reads_what_we_write_as_the_gold_says(tmp_path: Path) -> None:
    """Read with cassis alone (not with our reader): one annotation per line, one Evidence per
    distinct evidence span, each stance linking its evidence in order."""
    bundle = load_bundle(ROOT / "annotations")
    folder = _export(tmp_path, ROOT / "annotations", ROOT / "seeds")
    ts = cassis.load_typesystem(folder / TYPESYSTEM)
    for sheet in bundle.sheets:
        cas = cassis.load_cas_from_xmi(folder / f"{sheet.doc_id}.xmi", typesystem=ts)
        assert cas.sofa_string == sheet.text
        for name, layer in LAYER_OF.items():
            assert len(cas.select(name)) == sum(li.obj["layer"] == layer for li in sheet.lines), name
        stances = [li.obj for li in sheet.lines if li.obj["layer"] == "stance"]
        spans = {(q["start"], q["end"]) for obj in stances for q in obj["evidence"]}
        assert {(e.begin, e.end) for e in cas.select(EVIDENCE)} == spans
        assert len(cas.select(EVIDENCE)) == len(spans)
        linked = sorted(
            [(s.holder_id, s.target, [(link.target.begin, link.target.end) for link in s.evidence.elements])
             for s in cas.select(STANCE)]
        )  # fmt: skip
        expected = [
            (o["holder_id"], o["target"], [(q["start"], q["end"]) for q in o["evidence"]]) for o in stances
        ]
        assert linked == sorted(expected)


def test_the_type_system_is_one_inception_imports_as_layers() -> None:
    """INCEpTION makes a span layer of a type that inherits directly from uima.tcas.Annotation and
    whose features are primitive or slot features; a slot feature is an FSArray whose element type
    inherits from TOP and has exactly two features, a String role and a non-primitive target."""
    ts = cassis.load_typesystem(io.BytesIO(typesystem().to_xml().encode("utf-8")))
    primitive = {"uima.cas.String", "uima.cas.Boolean", "uima.cas.Integer", "uima.cas.Float"}
    layers = [t for t in ts.get_types() if t.name.startswith("webanno.custom.") and t.name != LINK]
    assert {t.name for t in layers} == {*LAYER_OF, EVIDENCE}
    slots = []
    for layer in layers:
        assert layer.supertype.name == "uima.tcas.Annotation", layer.name
        for feature in layer.features:
            if feature.rangeType.name in primitive:
                continue
            assert feature.rangeType.name == "uima.cas.FSArray", (layer.name, feature.name)
            link = ts.get_type(feature.elementType.name)
            assert link.name == LINK and link.supertype.name == "uima.cas.TOP"
            ranges = sorted(f.rangeType.name for f in link.features)
            assert ranges == sorted(["uima.cas.String", EVIDENCE])
            slots.append((layer.name, feature.name))
    assert slots == [(STANCE, "evidence")]
    assert {f.name for f in ts.get_type(ENTITY).features} >= {"entity_type", "lemma", "entity_id", "note"}


def _inception_zip(folder: Path, doc_id: str, edit=None) -> bytes:
    """What INCEpTION's document export looks like: a zip with the XMI (DKPro sentences and
    tokens added, as INCEpTION adds them) and the type system INCEpTION writes beside it."""
    ts = cassis.load_typesystem(folder / TYPESYSTEM)
    for name in ("Sentence", "Token"):
        ts.create_type(f"de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.{name}")
    cas = cassis.load_cas_from_xmi(folder / f"{doc_id}.xmi", typesystem=ts)
    sentence = ts.get_type("de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence")
    cas.add(sentence(begin=0, end=len(cas.sofa_string)))
    if edit is not None:
        edit(cas)
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr(f"{doc_id}.xmi", cas.to_xmi())
        archive.writestr("TypeSystem.xml", ts.to_xml())
    return data.getvalue()


def _relabel(cas) -> None:
    stance = next(s for s in cas.select(STANCE) if s.holder_id == "ORG-NATO")
    stance.label = "favor"


def test_a_project_export_is_read_from_its_curated_copy(tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout")
    folder = _export(tmp_path, root / "annotations", root / "seeds")
    project = tmp_path / "project.zip"
    with zipfile.ZipFile(project, "w") as archive:
        archive.writestr(f"annotation/{DOC_ID}.xmi/anna.zip", _inception_zip(folder, DOC_ID))
        archive.writestr(f"curation/{DOC_ID}.xmi/CURATION_USER.zip", _inception_zip(folder, DOC_ID, _relabel))
    result = _import(tmp_path, project, root / "annotations", root / "seeds")
    assert result.returncode == 0, result.stderr
    back = read_jsonl(root / "annotations" / "docs" / f"{DOC_ID}.jsonl")
    before, after = set(map(json.dumps, LINES)), set(map(json.dumps, back))
    (removed,), (added,) = before - after, after - before
    assert json.loads(added) == {**json.loads(removed), "label": "favor"}  # the curated change, only


def _unlink(cas) -> None:
    stance = next(s for s in cas.select(STANCE) if s.holder_id == "ORG-NATO")
    stance.evidence.elements = []


def _bad_value(cas) -> None:
    cas.select(FIGURE)[0].value = "12k"


def _foreign(cas) -> None:
    other = cas.typesystem.create_type("webanno.custom.Sentiment")
    cas.add(other(begin=0, end=3))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_unlink, "a stance needs at least one Evidence span"),
        (_bad_value, "'12k' is not a number"),
        (_foreign, "a layer nkru_bench does not read"),
    ],
)
def test_bad_inception_files_are_named_and_nothing_is_written(edit, message: str, tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout")
    folder = _export(tmp_path, root / "annotations", root / "seeds")
    ts = cassis.load_typesystem(folder / TYPESYSTEM)
    cas = cassis.load_cas_from_xmi(folder / f"{DOC_ID}.xmi", typesystem=ts)
    edit(cas)
    (folder / f"{DOC_ID}.xmi").write_text(cas.to_xmi(), "utf-8")
    (folder / TYPESYSTEM).write_text(cas.typesystem.to_xml(), "utf-8")
    before = snapshot(root)
    result = _import(tmp_path, folder, root / "annotations", root / "seeds")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr and str(folder / f"{DOC_ID}.xmi") in result.stderr
    assert snapshot(root) == before


def test_a_document_without_our_layers_is_refused_not_emptied(tmp_path: Path) -> None:
    """What INCEpTION exports when the layers were not imported first: its own types only."""
    root = write_article(tmp_path / "checkout")
    ts = cassis.TypeSystem()
    cas = cassis.Cas(typesystem=ts)
    cas.sofa_string = (root / "seeds" / f"{DOC_ID}.txt").read_text("utf-8")
    sentence = ts.create_type("de.tudarmstadt.ukp.dkpro.core.api.segmentation.type.Sentence")
    cas.add(sentence(begin=0, end=10))
    for system in (True, False):
        folder = tmp_path / f"export-{system}"
        folder.mkdir()
        (folder / f"{DOC_ID}.xmi").write_text(cas.to_xmi(), "utf-8")
        if system:
            (folder / "TypeSystem.xml").write_text(ts.to_xml(), "utf-8")
        before = snapshot(root)
        result = _import(tmp_path, folder, root / "annotations", root / "seeds")
        assert result.returncode == 2 and "has none of the nkru_bench layers" in result.stderr
        assert snapshot(root) == before


def test_a_broken_xmi_is_named(tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout")
    folder = _export(tmp_path, root / "annotations", root / "seeds")
    (folder / f"{DOC_ID}.xmi").write_text("<xmi:XMI", "utf-8")
    result = _import(tmp_path, folder, root / "annotations", root / "seeds")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{folder / DOC_ID}.xmi: is not a UIMA CAS XMI" in result.stderr


def test_without_dkpro_cassis_the_error_says_what_to_install(tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout")
    block = "import sys; sys.modules['cassis'] = None"  # as if dkpro-cassis were not installed
    code = f"{block}; from nkru_bench.cli import main; sys.exit(main(sys.argv[1:]))"
    args = ["export", "inception", str(tmp_path / "out"), "--gold", str(root / "annotations")]
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "pip install 'nkru_bench[inception]'" in result.stderr
