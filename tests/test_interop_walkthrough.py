"""The README's "Extending the gold" walkthrough, step 3 and 4, for each tool: a pre-annotated draft
is exported with the README's command, reviewed the way the tool's user does it (what the tool
writes is made here the way the tool writes it: Label Studio's JSON export, INCEpTION's zip of an
XMI and its type system, brat's edited .ann), imported with the README's command, and validates
as the gold it was meant to be.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import cassis
import pytest
from extending_fixtures import DOC_ID, LINES, cli, draft_lines, write_article

from nkru_bench.curation.interop.inception import STANCE, TYPESYSTEM
from nkru_bench.gold.validation import validate

PLACEHOLDER, REAL = "TODO-PER-Dmitrij-Peskov", "PER-Dmitry-Peskov"


def _label_studio(review: Path, tmp: Path) -> Path:
    """Each task opened, the placeholder id corrected, *unreviewed* unticked, submitted; the
    project exported as JSON (annotations as the editor writes them, predictions as ids)."""
    tasks = json.loads((review / "tasks.json").read_text("utf-8"))
    for number, task in enumerate(tasks, start=1):
        result = []
        for item in task["predictions"][0]["result"]:
            if item["from_name"] == "review":
                continue  # unticked
            item = json.loads(json.dumps(item).replace(PLACEHOLDER, REAL))
            result.append({**item, "origin": "prediction"})
        annotation = {"id": number, "result": result, "was_cancelled": False, "ground_truth": False}
        task.update(id=number, annotations=[annotation], predictions=[number])
    path = tmp / "project-export.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), "utf-8")
    return path


def _inception(review: Path, tmp: Path) -> Path:
    """The XMI imported, each annotation checked (``unreviewed`` off, the placeholder id corrected),
    the document exported as UIMA CAS XMI (XML 1.0): a zip with the XMI and TypeSystem.xml."""
    ts = cassis.load_typesystem(review / TYPESYSTEM)
    cas = cassis.load_cas_from_xmi(review / f"{DOC_ID}.xmi", typesystem=ts)
    for annotation in cas.select_all_annotations():
        if annotation.type.name.startswith("webanno.custom.") and annotation.type.get_feature("unreviewed"):
            annotation.unreviewed = False
        if annotation.type.get_feature("entity_id") and annotation.entity_id == PLACEHOLDER:
            annotation.entity_id = REAL
    assert cas.select(STANCE)
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr(f"{DOC_ID}.xmi", cas.to_xmi())
        archive.writestr("TypeSystem.xml", ts.to_xml())
    path = tmp / "review-inception.zip"
    path.write_bytes(data.getvalue())
    return path


def _brat(review: Path, tmp: Path) -> Path:
    """**Unreviewed** unticked on every annotation, the placeholder id corrected in its note."""
    ann = review / f"{DOC_ID}.ann"
    lines = [li.replace(PLACEHOLDER, REAL) for li in ann.read_text("utf-8").splitlines()]
    ann.write_text("".join(li + "\n" for li in lines if "\tUnreviewed " not in li), "utf-8")
    return review


@pytest.mark.parametrize("tool", ["labelstudio", "inception", "brat"])
def test_the_walkthrough_reviews_a_draft_into_gold(tool: str, tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout", lines=draft_lines())
    expected, problems = validate(
        write_article(tmp_path / "gold") / "annotations", tmp_path / "gold" / "seeds"
    )
    assert problems == [] and expected is not None
    assert validate(root / "annotations", root / "seeds")[0] is None  # a draft is not gold yet
    exported = cli(root, "export", tool, "review/", "--doc", DOC_ID)
    assert exported.returncode == 0, exported.stderr
    reviewed = {"labelstudio": _label_studio, "inception": _inception, "brat": _brat}[tool](
        root / "review", root
    )
    imported = cli(root, "import", tool, str(reviewed.relative_to(root)), "--out", "annotations")
    assert imported.returncode == 0, imported.stderr
    assert f"wrote annotations/docs/{DOC_ID}.jsonl" in imported.stdout
    gold, problems = validate(root / "annotations", root / "seeds")
    assert problems == [] and gold == expected
    assert len(LINES) == sum(1 for _ in (root / "annotations" / "docs" / f"{DOC_ID}.jsonl").open())
