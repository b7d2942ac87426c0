"""Label Studio, for real: three JSON exports made by a Label Studio 1.23.2 server import as their
README (``tests/reference/labelstudio/README.md``) says, and what we give Label Studio passes the
label interface parser of the real ``label-studio-sdk``.

The exports were made from the tasks ``nkru-bench export labelstudio`` wrote for the articles
``001_ed1deb6bce63000f`` and ``003_aa93ba8cf18fb355``; their annotation files as they were then are
kept beside the exports (``annotations/docs``), so that the expectations hold whatever later gold
versions change.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from extending_fixtures import cli, draft_lines, snapshot, write_article
from label_studio_sdk.label_interface import LabelInterface

from nkru_bench.curation.interop.bundle import load_bundle
from nkru_bench.curation.interop.labelstudio import CONFIG, TASKS, labeling_config, task
from nkru_bench.curation.interop.labelstudio import export as ls_export
from nkru_bench.curation.interop.labelstudio_import import read_export

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(__file__).resolve().parent / "reference" / "labelstudio"
FIRST, SECOND = "001_ed1deb6bce63000f", "003_aa93ba8cf18fb355"
ONE = "export_1task_submitted_001.json"
UNOPENED = "export_2tasks_submitted_001_unopened_003.json"
MANUAL = "export_2tasks_submitted_001_api_manual_region_003.json"
# the region added by hand through the REST API, as the reference README describes it
KIM = {"layer": "entity", "start": 2849, "end": 2852, "text": "Kim", "type": "PER", "lemma": "Kim",
       "entity_id": "PER-Kim-Jong-Un"}  # fmt: skip


def _checkout(tmp_path: Path) -> Path:
    """The two articles' seeds and their annotation files as they were when the exports were made."""
    root = tmp_path / "checkout"
    (root / "seeds").mkdir(parents=True)
    manifest = [json.loads(li) for li in (ROOT / "seeds" / "manifest.jsonl").read_text("utf-8").splitlines()]
    kept = [m for m in manifest if m["doc_id"] in (FIRST, SECOND)]
    (root / "seeds" / "manifest.jsonl").write_text("".join(json.dumps(m) + "\n" for m in kept), "utf-8")
    for m in kept:
        shutil.copy(ROOT / "seeds" / m["file"], root / "seeds" / m["file"])
    shutil.copytree(REFERENCE / "annotations", root / "annotations")
    shutil.copy(ROOT / "annotations" / "kb.jsonl", root / "annotations" / "kb.jsonl")
    return root


def _doc(root: Path, doc_id: str) -> Path:
    return root / "annotations" / "docs" / f"{doc_id}.jsonl"


def _import(root: Path, export: Path) -> Any:
    return cli(root, "import", "labelstudio", str(export), "--out", "annotations")


def test_the_submitted_task_comes_back_unchanged(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    before = snapshot(root)
    result = _import(root, REFERENCE / ONE)
    assert result.returncode == 0, result.stderr
    assert snapshot(root) == before  # byte for byte: the file is not even rewritten
    assert f"unchanged annotations/docs/{FIRST}.jsonl" in result.stdout


def test_a_task_nobody_opened_leaves_its_article_as_it_was(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    before = snapshot(root)
    result = _import(root, REFERENCE / UNOPENED)
    assert result.returncode == 0, result.stderr
    assert snapshot(root) == before  # the unopened article keeps all its lines: none removed, none added
    assert f"kept {SECOND} as it was" in result.stdout and "no submitted annotation" in result.stdout


def test_a_region_added_by_hand_is_the_only_change(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    first, second = _doc(root, FIRST).read_bytes(), _doc(root, SECOND).read_text("utf-8").splitlines()
    result = _import(root, REFERENCE / MANUAL)
    assert result.returncode == 0, result.stderr
    assert _doc(root, FIRST).read_bytes() == first
    after = _doc(root, SECOND).read_text("utf-8").splitlines()
    assert sorted(after) == sorted([*second, json.dumps(KIM, ensure_ascii=False)])  # old lines verbatim
    # the new entity overlaps the gold's "Kima" (2849-2853): written, and validate names the overlap
    validated = cli(root, "validate", "--annotations", "annotations")
    assert validated.returncode != 0
    assert "entity 2849:2853 overlaps entity 2849:2852" in validated.stdout + validated.stderr


def _edited(tmp_path: Path, name: str, edit) -> Path:
    tasks = json.loads((REFERENCE / name).read_text("utf-8"))
    edit(tasks)
    path = tmp_path / f"edited_{name}"
    path.write_text(json.dumps(tasks, ensure_ascii=False), "utf-8")
    return path


def _cancel(tasks: list) -> None:
    tasks[1]["annotations"][0]["was_cancelled"] = True


def _draft(tasks: list) -> None:
    tasks[1]["annotations"] = []
    tasks[1]["drafts"] = [{"id": 9, "result": tasks[0]["annotations"][0]["result"]}]


@pytest.mark.parametrize(
    ("edit", "why"), [(_cancel, "1 skipped (cancelled)"), (_draft, "1 unsubmitted draft")]
)
def test_a_skipped_task_or_a_draft_is_not_a_review(edit, why: str, tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    before = snapshot(root)
    result = _import(root, _edited(tmp_path, MANUAL, edit))
    assert result.returncode == 0, result.stderr
    assert snapshot(root) == before
    assert f"kept {SECOND} as it was" in result.stdout and why in result.stdout


def _second_annotation(tasks: list) -> None:
    tasks[1]["annotations"].append({**tasks[1]["annotations"][0], "id": 3, "result": []})


def test_two_submitted_annotations_are_refused_unless_one_is_ground_truth(tmp_path: Path) -> None:
    root = _checkout(tmp_path)
    before = snapshot(root)
    result = _import(root, _edited(tmp_path, MANUAL, _second_annotation))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "[1].annotations" in result.stderr and "2 submitted annotations (2, 3)" in result.stderr
    assert snapshot(root) == before  # nothing written, not even the understood task 0

    def starred(tasks: list) -> None:
        _second_annotation(tasks)
        tasks[1]["annotations"][0]["ground_truth"] = True

    result = _import(root, _edited(tmp_path, MANUAL, starred))
    assert result.returncode == 0, result.stderr
    assert json.dumps(KIM, ensure_ascii=False) in _doc(root, SECOND).read_text("utf-8")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t[1].update(annotations={"id": 2}), "'[1].annotations': must be a list"),
        (lambda t: t[1]["annotations"][0]["result"][0]["value"].update(labels=["Headline"]), "'Headline'"),
        (lambda t: t[1].update(data={"text": "x"}), "'[1].data': needs the doc_id"),
        (
            lambda t: t[1]["annotations"][0]["result"].append(
                {"from_id": "r1", "to_id": "r2", "type": "relation"}
            ),
            "a relation, which the gold has no place for",
        ),
    ],
)
def test_the_import_writes_nothing_unless_every_task_is_understood(
    edit, message: str, tmp_path: Path
) -> None:
    root = _checkout(tmp_path)
    before = snapshot(root)
    path = _edited(tmp_path, MANUAL, edit)
    result = _import(root, path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{path}: field '" in result.stderr and message in result.stderr
    assert snapshot(root) == before


def test_the_exports_read_the_annotations_never_the_predictions() -> None:
    """In every export the tasks' predictions are integer ids; what is read is the annotations."""
    for name in (ONE, UNOPENED, MANUAL):
        raw = json.loads((REFERENCE / name).read_text("utf-8"))
        assert all(isinstance(p, int) for t in raw for p in t["predictions"])
        bundle = read_export(REFERENCE / name)
        submitted = [t["data"]["doc_id"] for t in raw if t["annotations"]]
        assert [s.doc_id for s in bundle.sheets] == submitted
        assert [doc_id for doc_id, _ in bundle.kept] == [
            t["data"]["doc_id"] for t in raw if not t["annotations"]
        ]


# --- the real label-studio-sdk --------------------------------------------------------------------


def test_the_labeling_config_is_valid_for_label_studio() -> None:
    interface = LabelInterface(labeling_config())
    interface.validate()  # raises on an invalid config
    assert {c.name for c in interface.controls} >= {"label", "lemma", "entity_id", "unit", "stance", "review"}


def test_every_task_we_write_passes_label_studio_validation(tmp_path: Path) -> None:
    interface = LabelInterface(labeling_config())
    bundles = [load_bundle(ROOT / "annotations"), load_bundle(write_article(tmp_path / "a") / "annotations")]
    bundles.append(load_bundle(write_article(tmp_path / "d", lines=draft_lines()) / "annotations"))
    for bundle in bundles:
        ls_export(bundle, tmp_path / "ls")
        for written in json.loads((tmp_path / "ls" / TASKS).read_text("utf-8")):
            # validate_task checks the data the config's $variables need (its own prediction check is
            # broken in label-studio-sdk 2.1: it calls validate_prediction() without the prediction)
            assert interface.validate_task({"data": written["data"]})
            assert interface.validate_prediction(written["predictions"][0], return_errors=True) == []
    assert (tmp_path / "ls" / CONFIG).read_text("utf-8") == labeling_config()


def test_label_studio_validation_can_fail_on_our_tasks(tmp_path: Path) -> None:
    """The validator is not a rubber stamp: a value outside the config's choices is caught."""
    interface = LabelInterface(labeling_config())
    written = task(load_bundle(write_article(tmp_path / "a") / "annotations").sheets[0])
    unit = next(r for r in written["predictions"][0]["result"] if r["from_name"] == "unit")
    unit["value"]["choices"] = ["soldiers"]
    errors = interface.validate_prediction(written["predictions"][0], return_errors=True)
    assert len(errors) == 1 and "unit" in errors[0]


@pytest.mark.parametrize("name", [ONE, UNOPENED, MANUAL])
def test_what_label_studio_exported_is_valid_for_our_config(name: str) -> None:
    interface = LabelInterface(labeling_config())
    for exported in json.loads((REFERENCE / name).read_text("utf-8")):
        for annotation in exported["annotations"]:
            assert interface.validate_annotation(annotation)
