"""brat and Label Studio: export then import is lossless; bad files are named by file and line.

Round trips run on whatever valid gold the checkout has (``annotations/`` and each valid pass),
and on a synthetic article with every kind of line (title, boilerplate, spans across line breaks,
two evidence spans, notes that need quoting, unreviewed drafts: ``extending_fixtures``).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from extending_fixtures import DOC_ID, KB, LINES, TEXT, cli, draft_lines, read_jsonl, snapshot, write_article

from nkru_bench.curation.interop.brat import annotation_conf, note_text, parse_note
from nkru_bench.curation.interop.brat import export as brat_export
from nkru_bench.curation.interop.bundle import load_bundle, number_text
from nkru_bench.curation.interop.labelstudio import CONFIG, TASKS, labeling_config
from nkru_bench.curation.interop.labelstudio import export as ls_export
from nkru_bench.curation.interop.labelstudio_import import index_of_utf16, read_export
from nkru_bench.curation.interop.writing import write_bundle
from nkru_bench.gold.validation import validate

ROOT = Path(__file__).resolve().parent.parent


def _valid_golds() -> list[str]:
    """``annotations`` and every annotation pass that validates today."""
    folders = [ROOT / "annotations", *sorted((ROOT / "annotations" / "passes").glob("*"))]
    return [str(f.relative_to(ROOT)) for f in folders if validate(f, ROOT / "seeds")[0] is not None]


GOLDS = _valid_golds()


def submitted(tasks_json: Path, out: Path) -> Path:
    """Label Studio's JSON export of our tasks once each was opened and submitted unchanged, in the
    shape of the real exports in ``tests/reference/labelstudio``: the prediction's results become
    the annotation (origin "prediction", the region's text added to ``choices`` values) and the
    task's ``predictions`` are ids."""
    tasks = json.loads(tasks_json.read_text(encoding="utf-8"))
    for number, task in enumerate(tasks, start=1):
        result = [{**r, "origin": "prediction"} for r in task["predictions"][0]["result"]]
        spans = {r["id"]: r["value"]["text"] for r in result if r["type"] == "labels"}
        for r in result:
            if r["type"] == "choices":
                r["value"] = {**r["value"], "text": spans[r["id"]]}
        annotation = {"id": number, "result": result, "was_cancelled": False, "ground_truth": False}
        task.update(id=number, annotations=[annotation], predictions=[number], drafts=[])
    out.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return out


def _round_trip(fmt: str, source: Path, seeds: Path, tmp: Path) -> Path:
    """Export ``source`` with the CLI, import it into a fresh annotations folder; return that folder."""
    out = tmp / "annotations"
    exported = cli(tmp, "export", fmt, str(tmp / fmt), "--gold", str(source), "--seeds", str(seeds))
    assert exported.returncode == 0, exported.stderr
    in_dir = tmp / fmt if fmt == "brat" else submitted(tmp / fmt / TASKS, tmp / fmt / "export.json")
    imported = cli(tmp, "import", fmt, str(in_dir), "--out", str(out), "--seeds", str(seeds))
    assert imported.returncode == 0, imported.stderr
    return out


@pytest.mark.parametrize("fmt", ["brat", "labelstudio"])
@pytest.mark.parametrize("gold", GOLDS)
def test_the_gold_survives_export_and_import(fmt: str, gold: str, tmp_path: Path) -> None:
    original, problems = validate(ROOT / gold, ROOT / "seeds")
    assert problems == []
    out = _round_trip(fmt, ROOT / gold, ROOT / "seeds", tmp_path)
    again, problems = validate(out, ROOT / "seeds")
    assert problems == []
    assert again == original


@pytest.mark.parametrize("fmt", ["brat", "labelstudio"])
def test_every_kind_of_line_survives_export_and_import(fmt: str, tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout")
    original, problems = validate(root / "annotations", root / "seeds")
    assert problems == [] and original is not None
    assert len(original.documents[0].stance[0].evidence) >= 1
    out = _round_trip(fmt, root / "annotations", root / "seeds", tmp_path)
    assert validate(out, root / "seeds")[0] == original
    assert read_jsonl(out / "kb.jsonl") == KB


@pytest.mark.parametrize("fmt", ["brat", "labelstudio"])
def test_a_draft_survives_with_its_unreviewed_lines(fmt: str, tmp_path: Path) -> None:
    """Drafts are not gold (validate refuses them), so the lines themselves must come back."""
    draft = draft_lines()
    root = write_article(tmp_path / "checkout", lines=draft)
    assert validate(root / "annotations", root / "seeds")[0] is None
    out = _round_trip(fmt, root / "annotations", root / "seeds", tmp_path)
    key = json.dumps
    back = read_jsonl(out / "docs" / f"{DOC_ID}.jsonl")
    assert sorted(map(key, back)) == sorted(map(key, draft))


def test_brat_files_look_as_brat_expects(tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout")
    brat_export(load_bundle(root / "annotations"), tmp_path / "brat")
    ann = (tmp_path / "brat" / f"{DOC_ID}.ann").read_text(encoding="utf-8").splitlines()
    assert (tmp_path / "brat" / f"{DOC_ID}.txt").read_bytes() == TEXT.encode("utf-8")
    assert "T1\tTitle 0 40\tKim Čong-un pošle do Ruska 12 000 vojáků" in ann
    korea = next(line for line in ann if "\tLOC" in line and "Severní" in line)
    start = TEXT.index("Severní")
    assert korea.split("\t")[1:] == [f"LOC {start} {start + 7};{start + 8} {start + 13}", "Severní Korea"]
    assert any(line.startswith("E") and "Evidence:" in line for line in ann)  # two evidence spans
    assert any('note=" says \\"a | b\\"  "' in line for line in ann)
    conf = annotation_conf()
    for word in ("[entities]", "[events]", "Stance\tEvidence*:Evidence", "Unit\tArg:Figure", "Unreviewed"):
        assert word in conf


@pytest.mark.parametrize(
    "pairs",
    [
        [("lemma", "Kim Čong-un"), ("entity_id", "PER-Kim-Jong-un")],
        [("lemma", " a | b "), ("note", '"quoted"'), ("entity_id", "x\ty")],
        [("value", 12000.0), ("source_id", None), ("claim_id", "c")],
        [("value", 1.6), ("note", "")],
    ],
)
def test_brat_notes_read_back_what_was_written(pairs: list) -> None:
    expected = {key: number_text(v) if key == "value" else v for key, v in pairs if v is not None}
    assert parse_note(note_text(pairs)) == expected


def _brat_folder(tmp_path: Path) -> tuple[Path, Path]:
    root = write_article(tmp_path / "checkout")
    brat_export(load_bundle(root / "annotations"), tmp_path / "brat")
    return root, tmp_path / "brat" / f"{DOC_ID}.ann"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda lines: [lines[0].replace("\tTitle 0 40\t", "\tTitle 0 41\t"), *lines[1:]], "is not the text"),
        (lambda lines: [lines[0].replace("Title", "Headline"), *lines[1:]], "unknown type 'Headline'"),
        (lambda lines: [*lines, "R1\tSource Arg1:T3 Arg2:T4"], "is a relation"),
        (lambda lines: [li.replace("lemma=NIS | ", "") for li in lines], "must give lemma="),
        (lambda lines: [li.replace("lemma=NIS | ", "lemma NIS | ") for li in lines], "key=value"),
        (lambda lines: [li.replace("Unit T", "Colour T") for li in lines], "has no attribute Colour"),
        (lambda lines: [li.replace(" at_most", " roughly") for li in lines], "'roughly' is not valid"),
    ],
)
def test_bad_brat_files_are_named_by_file_and_line(edit, message: str, tmp_path: Path) -> None:
    root, ann = _brat_folder(tmp_path)
    ann.write_text("\n".join(edit(ann.read_text(encoding="utf-8").splitlines())) + "\n", encoding="utf-8")
    before = snapshot(root)
    result = cli(tmp_path, "import", "brat", str(ann.parent), "--out", str(root / "annotations"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert message in result.stderr
    assert f"{ann}:" in result.stderr.splitlines()[0]
    assert snapshot(root) == before  # nothing written


def test_label_studio_config_declares_every_field_the_tasks_use(tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout", lines=draft_lines())
    ls_export(load_bundle(root / "annotations"), tmp_path / "ls")
    config = ET.fromstring((tmp_path / "ls" / CONFIG).read_text(encoding="utf-8"))
    names = {node.get("name") for node in config.iter() if node.get("name")}
    labels = {node.get("value") for node in config.iter("Label")}
    tasks = json.loads((tmp_path / "ls" / TASKS).read_text(encoding="utf-8"))
    results = tasks[0]["predictions"][0]["result"]
    assert {r["from_name"] for r in results} <= names
    assert {label for r in results for label in r["value"].get("labels", [])} <= labels
    assert labeling_config() == (tmp_path / "ls" / CONFIG).read_text(encoding="utf-8")


def _label_studio_export(tmp_path: Path, shift_utf16: bool = False) -> tuple[Path, Path]:
    """A checkout and what Label Studio's JSON export of its tasks looks like after review: the
    prediction submitted as an annotation (cancelled ones before and after it)."""
    root = write_article(tmp_path / "checkout")
    ls_export(load_bundle(root / "annotations"), tmp_path / "ls")
    tasks = json.loads((tmp_path / "ls" / TASKS).read_text(encoding="utf-8"))
    emoji = TEXT.index("😀")
    for number, task in enumerate(tasks, start=1):
        result = task["predictions"][0]["result"]
        if shift_utf16:  # offsets in UTF-16 code units, as older Label Studio versions wrote them
            for item in result:
                for key in ("start", "end"):
                    item["value"][key] += int(item["value"][key] > emoji)
        task.update(
            id=number,
            annotations=[
                {"id": 1, "result": [], "was_cancelled": True, "updated_at": "2024-12-01T09:00:00Z"},
                {"id": 2, "result": result, "was_cancelled": False, "updated_at": "2024-12-02T09:00:00Z"},
                {"id": 3, "result": [], "was_cancelled": True, "updated_at": "2024-12-03T09:00:00Z"},
            ],
            predictions=[7],
        )
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    return root, path


@pytest.mark.parametrize("shift_utf16", [False, True])
def test_a_label_studio_export_is_read_from_its_submitted_annotation(
    shift_utf16: bool, tmp_path: Path
) -> None:
    root, path = _label_studio_export(tmp_path, shift_utf16)
    original, _ = validate(root / "annotations", root / "seeds")
    bundle = read_export(path)
    out = tmp_path / "out"
    write_bundle(bundle, out, root / "seeds")
    (out / "kb.jsonl").write_bytes((root / "annotations" / "kb.jsonl").read_bytes())
    assert validate(out, root / "seeds")[0] == original


def test_utf16_offsets_convert_to_code_points() -> None:
    text = "a😀b"
    assert [index_of_utf16(text, u) for u in range(5)] == [0, 1, None, 2, 3]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r[0]["value"].update(labels=["Headline"]), "unknown label 'Headline'"),
        (lambda r: r[0]["value"].update(start=1), "does not select"),
        (lambda r: r.append({"id": "zz", "from_name": "colour", "type": "choices", "value": {}}), "colour"),
    ],
)
def test_bad_label_studio_exports_are_named_by_task_and_region(edit, message: str, tmp_path: Path) -> None:
    root, path = _label_studio_export(tmp_path)
    tasks = json.loads(path.read_text(encoding="utf-8"))
    edit(tasks[0]["annotations"][1]["result"])
    path.write_text(json.dumps(tasks), encoding="utf-8")
    result = cli(tmp_path, "import", "labelstudio", str(path), "--out", str(root / "annotations"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert message in result.stderr and f"{path}: field '[0].annotations[1].result" in result.stderr


def test_an_import_for_an_article_that_is_not_in_the_seeds_is_refused(tmp_path: Path) -> None:
    root, _ = _brat_folder(tmp_path)
    renamed = tmp_path / "brat" / "901_ffffffffffffffff"
    for suffix in (".ann", ".txt"):
        (tmp_path / "brat" / f"{DOC_ID}{suffix}").rename(renamed.with_suffix(suffix))
    result = cli(tmp_path, "import", "brat", str(tmp_path / "brat"), "--out", str(root / "annotations"))
    assert result.returncode == 2 and "add the article with add-doc first" in result.stderr


# --- BSNLP ----------------------------------------------------------------------------------------


def test_lines_of_every_layer_are_in_the_fixture() -> None:
    assert {line["layer"] for line in LINES} == {"title", "boilerplate", "entity", "figure", "stance"}
