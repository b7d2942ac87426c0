"""Building, exporting, importing and reporting under hostile conditions, held to the contract of
``adversarial.py``: a build is all or nothing and a mixed state is named until ``build`` repairs it;
an export never writes outside its folder, through a link, or over an earlier export unless asked;
an import reads its JSON as strictly as every other input; the HTML report isolates its data."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from adversarial import ROOT, Case, call_main, make_world, run_case, snapshot

FORMATS = ("brat", "labelstudio", "inception", "bsnlp", "slavicner")
FIRST_FILE = {
    "brat": "g1_cs.txt",
    "labelstudio": "tasks.json",
    "bsnlp": "raw/nkru/cs/g1_cs.txt",
    "inception": "g1_cs.xmi",
    "slavicner": "raw/nkru/cs/g1_cs.txt",
}


# --- export --------------------------------------------------------------------------------------


def _export_cases() -> Iterator[Case]:
    for fmt in FORMATS:
        argv = ["export", fmt, "out", "--gold", "gold/annotations"]

        def earlier(scratch: Path, fmt: str = fmt) -> list[str]:
            (scratch / "out").mkdir()
            (scratch / "out" / "notes.md").write_text("mine\n")
            return ["export", fmt, "out", "--gold", "gold/annotations"]

        yield Case(f"export/{fmt}/into a folder that is not empty", earlier, 2, "not empty", "out")

        def link(scratch: Path, fmt: str = fmt, force: bool = False) -> list[str]:
            target = scratch.parent / "outside" / "victim.txt"
            path = scratch / "out" / FIRST_FILE[fmt]
            path.parent.mkdir(parents=True)
            path.symlink_to(target)
            return ["export", fmt, "out", "--gold", "gold/annotations", *(["--force"] if force else [])]

        yield Case(f"export/{fmt}/a link where a file goes", link, 2, "not empty", "out")
        # with --force the link is removed and a file written in its place; outside/ stays empty
        yield Case(
            f"export/{fmt}/a link where a file goes, --force",
            lambda s, fmt=fmt: link(s, fmt, True),
            0,
            "wrote",
            outputs=("out",),
        )

        def a_file(scratch: Path, argv: list[str] = argv) -> list[str]:
            (scratch / "out").write_text("a file\n")
            return argv

        yield Case(f"export/{fmt}/a file as the folder", a_file, 2, "not a folder", "out")

        def escape_id(scratch: Path, fmt: str = fmt) -> list[str]:
            import pyarrow as pa
            import pyarrow.parquet as pq

            path = scratch / "pq" / "default" / "test.parquet"
            table = pq.read_table(path)
            ids = table.column("doc_id").to_pylist()
            ids[0] = "../../outside/x"
            column = pa.array(ids, type=table.schema.field("doc_id").type)
            pq.write_table(table.set_column(0, table.schema.field("doc_id"), column), path)
            return ["export", fmt, "out", "--gold", "pq"]

        yield Case(
            f"export/{fmt}/a doc_id that leaves the folder",
            escape_id,
            2,
            "not a safe name",
            "pq/default/test.parquet",
            1,
            "doc_id",
        )


@pytest.mark.parametrize("case", list(_export_cases()), ids=lambda c: c.name)
def test_export(case: Case, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    run_case(case, tmp_path, tmp_path_factory.getbasetemp())


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_force_replaces_an_earlier_export_and_keeps_other_files(fmt: str, tmp_path, tmp_path_factory):
    scratch = make_world(tmp_path, tmp_path_factory.getbasetemp())
    argv = ["export", fmt, "out", "--gold", "gold/annotations"]
    assert call_main(argv, scratch)[0] == 0
    stale = scratch / "out" / FIRST_FILE[fmt].replace("g1_cs", "g0_old")
    stale.write_text("an article no longer in the gold\n")
    (scratch / "out" / "notes.md").write_text("mine\n")
    status, _, err = call_main([*argv, "--doc", "g2_pl", "--force"], scratch)
    assert status == 0, err
    assert (not stale.exists() and not (scratch / "out" / FIRST_FILE[fmt]).exists()) or fmt == "labelstudio"
    assert (scratch / "out" / "notes.md").read_text() == "mine\n"


# --- import --------------------------------------------------------------------------------------

DEEP = b"[" * 100_000 + b"]" * 100_000
TASKS_FAULTS = {
    "nested 100,000 deep": (DEEP, None, "nested deeper"),
    "a key twice": (b'[{"data": {"text": "x", "text": "y"}}]', "0.data.text", "given twice"),
    "NaN": (b'[{"data": {"value": NaN}}]', "0.data.value", "NaN"),
    "a NUL": (b'[{"data": {"text": "a\\u0000"}}]', "0.data.text", "NUL"),
    "a lone surrogate": (b'[{"data": {"text": "\\udc00"}}]', "0.data.text", "surrogate"),
    "an integer of 400 digits": (b'[{"id": 1' + b"0" * 400 + b"}]", "0.id", "out of range"),
    "not UTF-8": (b'[{"data": {"text": "\xff"}}]', "0.data.text", "UTF-8"),
}


def _import_cases() -> Iterator[Case]:
    for name, (content, field, says) in TASKS_FAULTS.items():

        def setup(scratch: Path, content: bytes = content) -> list[str]:
            (scratch / "ls").mkdir()
            (scratch / "ls" / "tasks.json").write_bytes(content)
            return ["import", "labelstudio", "ls", "--out", "gold/annotations"]

        yield Case(f"import/labelstudio/{name}", setup, 2, says, "ls/tasks.json", None, field)
    for name, (content, says) in {
        "a key twice in kb.jsonl": (b'{"entity_id": "X", "entity_id": "Y"}\n', "given twice"),
        "kb.jsonl nested 100,000 deep": (b'{"names": ' + DEEP + b"}\n", "nested deeper"),
    }.items():

        def setup_brat(scratch: Path, content: bytes = content) -> list[str]:
            (scratch / "brat_in" / "kb.jsonl").write_bytes(content)
            return ["import", "brat", "brat_in", "--out", "gold/annotations"]

        yield Case(f"import/brat/{name}", setup_brat, 2, says, "brat_in/kb.jsonl", 1)


def _linked_annotation(scratch: Path) -> list[str]:
    """An annotation file that is a link to a file outside: the import must not write through it."""
    victim = scratch.parent / "outside" / "victim.jsonl"
    victim.write_text("not yours\n")
    doc = scratch / "gold" / "annotations" / "docs" / "g1_cs.jsonl"
    doc.unlink()
    doc.symlink_to(victim)
    return ["import", "brat", "brat_in", "--out", "gold/annotations"]


def _endless(place: str, argv: list[str]) -> Callable[[Path], list[str]]:
    """``place`` (a file a command reads whole) made a link to ``/dev/zero``: an input with no end."""

    def setup(scratch: Path) -> list[str]:
        path = scratch / place
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        path.symlink_to("/dev/zero")
        return argv

    return setup


# Inputs read whole that never end: refused once past ``reading.MAX_INPUT_BYTES`` (before, read until
# memory ran out).
ENDLESS_CASES = [
    Case(
        "import/labelstudio/an export that never ends",
        _endless("ls/tasks.json", ["import", "labelstudio", "ls", "--out", "gold/annotations"]),
        2,
        "is larger than",
        "ls/tasks.json",
    ),
    Case(
        "import/brat/an .ann file that never ends",
        _endless("brat_in/g1_cs.ann", ["import", "brat", "brat_in", "--out", "gold/annotations"]),
        2,
        "is larger than",
        "brat_in/g1_cs.ann",
    ),
    Case(
        "import/inception/an .xmi file that never ends",
        _endless("inc/g1_cs.xmi", ["import", "inception", "inc/g1_cs.xmi", "--out", "gold/annotations"]),
        2,
        "is larger than",
        "inc/g1_cs.xmi",
    ),
    Case(
        "add-doc/an article that never ends",
        lambda scratch: ["add-doc", "/dev/zero", "--lang", "cs", "--root", "gold"],
        2,
        "is larger than",
        "/dev/zero",
    ),
]

IMPORT_CASES = [
    *_import_cases(),
    *ENDLESS_CASES,
    Case(
        "import/brat/a link in the annotations folder",
        _linked_annotation,
        2,
        "symbolic link",
        "gold/annotations/docs/g1_cs.jsonl",
    ),
]


@pytest.mark.parametrize("case", IMPORT_CASES, ids=lambda c: c.name)
def test_import(case: Case, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    run_case(case, tmp_path, tmp_path_factory.getbasetemp())


# --- build ---------------------------------------------------------------------------------------


@pytest.fixture
def checkout(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A checkout with the small gold: annotations, seeds, the card; built once."""
    scratch = make_world(tmp_path, tmp_path_factory.getbasetemp())
    root = scratch / "checkout"
    shutil.copytree(scratch / "gold" / "annotations", root / "annotations")
    shutil.copytree(scratch / "gold" / "seeds", root / "seeds")
    shutil.copy(ROOT / "README.md", root / "README.md")
    status, _, err = call_main(
        ["build", "--root", "checkout", "--annotations", "checkout/annotations", "--seeds", "checkout/seeds"],
        scratch,
    )
    assert status == 0, err
    return root


BUILD = ["build", "--root", "checkout", "--annotations", "checkout/annotations", "--seeds", "checkout/seeds"]


@pytest.mark.parametrize("kind", ["a folder", "a FIFO", "a dangling link"])
def test_build_refuses_a_card_that_is_not_a_file_and_writes_nothing(kind: str, checkout: Path) -> None:
    card = checkout / "README.md"
    card.unlink()
    {
        "a folder": card.mkdir,
        "a FIFO": lambda: os.mkfifo(card),
        "a dangling link": lambda: card.symlink_to("x"),
    }[kind]()
    (checkout / "annotations" / "docs" / "g3_sl.jsonl").write_text("")  # a change to build
    before = snapshot(checkout)
    status, _, err = call_main(BUILD, checkout.parent)
    assert status == 2, err
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert err.startswith("error: checkout/README.md:")
    assert snapshot(checkout) == before


def test_a_build_that_fails_between_files_is_named_and_repaired(checkout: Path, monkeypatch) -> None:
    """A build that dies while it replaces its files (here the third rename fails, as a kill would
    stop it) leaves a mixed state: ``build --check`` and ``validate`` name it, ``build`` repairs it."""
    from nkru_bench.curation import build

    doc = checkout / "annotations" / "docs" / "g3_sl.jsonl"
    doc.write_text("".join(line + "\n" for line in doc.read_text().splitlines()[:-1]))  # one line less
    renames = []
    real = os.replace

    def dying_replace(src, dst):
        renames.append(dst)
        if len(renames) == 3:
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    monkeypatch.setattr(build.os, "replace", dying_replace)
    status, _, err = call_main(BUILD, checkout.parent)
    assert status == 2 and "No space left" in err and len(err.splitlines()) == 1
    monkeypatch.setattr(build.os, "replace", real)
    leftovers = [p for p in checkout.rglob("*.tmp")]
    assert not leftovers  # staged files are removed
    status, _, err = call_main([*BUILD, "--check"], checkout.parent)
    assert status == 1 and "interrupted" in err.splitlines()[0]
    status, _, err = call_main(
        ["validate", "--annotations", "checkout/annotations", "--seeds", "checkout/seeds"], checkout.parent
    )
    assert status == 1 and "interrupted" in err
    assert call_main(BUILD, checkout.parent)[0] == 0
    status, _, err = call_main([*BUILD, "--check"], checkout.parent)
    assert status == 0, err


def test_a_build_refused_for_bad_annotations_changes_nothing(checkout: Path) -> None:
    doc = checkout / "annotations" / "docs" / "g2_pl.jsonl"
    doc.write_bytes(doc.read_bytes().replace(b'"layer"', b'"layer": "entity", "layer"', 1))
    before = snapshot(checkout)
    status, _, err = call_main(BUILD, checkout.parent)
    assert status == 2 and "given twice" in err
    assert snapshot(checkout) == before


# --- the HTML report ----------------------------------------------------------------------------


def test_the_report_isolates_right_to_left_data(tmp_path: Path, tmp_path_factory) -> None:
    scratch = make_world(tmp_path, tmp_path_factory.getbasetemp())
    lines = [json.loads(x) for x in (scratch / "pred.jsonl").read_text().splitlines()]
    lines[1]["entities"][0]["lemma"] = "\u202eevil\u202c"
    (scratch / "rtl.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    status, _, err = call_main(
        ["report", "rtl.jsonl", "-o", "r.html", "--gold", "gold/annotations", "--resamples", "10"], scratch
    )
    assert status == 0, err
    html = (scratch / "r.html").read_text()
    assert "\u202e" in html
    for at in [i for i, c in enumerate(html) if c == "\u202e"]:
        before, after = html.rfind("\u2068", 0, at), html.find("\u2069", at)
        assert before != -1 and after != -1 and "<" not in html[before:after]  # isolated, within one text
