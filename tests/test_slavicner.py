"""SlavicNER layout: the entity layer out and back in, unchanged.

SlavicNER (Piskorski, Marcinczuk and Yangarber, LREC-COLING 2024; the corpus whose conventions the
gold's entities follow) ships ``raw/<topic>/<lang>/<name>.txt`` (the text) and
``ner/<topic>/<lang>/<name>.tsv``: one line per occurrence, no header,
``start<TAB>end<TAB>mention<TAB>lemma<TAB>type<TAB>id``, code-point offsets into the text, end
exclusive (checked against the corpus's repository: e.g. ``121 133 Asia Bibiová`` in its Czech
``asia_bibi`` files is ``text[121:133]``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from extending_fixtures import DOC_ID, TEXT, cli, read_jsonl, write_article, write_jsonl

from nkru_bench.common.errors import InputError
from nkru_bench.curation.interop.bundle import load_bundle
from nkru_bench.curation.interop.slavicner import export, parse_tsv, read_folder, tsv
from nkru_bench.gold.validation import validate

ROOT = Path(__file__).resolve().parent.parent


def test_the_files_have_the_corpus_layout(tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout")
    bundle = load_bundle(root / "annotations")
    written = export(bundle, tmp_path / "out")
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == [
        f"ner/nkru/cs/{DOC_ID}.tsv",
        f"raw/nkru/cs/{DOC_ID}.txt",
    ]
    assert (tmp_path / "out" / "raw" / "nkru" / "cs" / f"{DOC_ID}.txt").read_text(encoding="utf-8") == TEXT
    rows = [row.split("\t") for row in tsv(bundle.sheets[0]).splitlines()]
    entities = sorted(
        (line.obj for line in bundle.sheets[0].lines if line.obj["layer"] == "entity"),
        key=lambda o: (o["start"], o["end"]),
    )
    assert len(rows) == len(entities) > 0 and all(len(row) == 6 for row in rows)
    for row, e in zip(rows, entities, strict=True):
        start, end = int(row[0]), int(row[1])
        assert (start, end, row[3], row[4], row[5]) == (
            e["start"],
            e["end"],
            e["lemma"],
            e["type"],
            e["entity_id"],
        )
        assert row[2] == TEXT[start:end].replace("\n", " ")  # "Severní\nKorea" spans a line break


def test_the_shipped_gold_survives_export_and_import(tmp_path: Path) -> None:
    """Export the gold, import it into a copy of the annotations with the entity lines removed: the
    validated gold is the original (the import keeps every other line of an article)."""
    original, problems = validate(ROOT / "annotations", ROOT / "seeds")
    assert problems == [] and original is not None
    exported = cli(tmp_path, "export", "slavicner", str(tmp_path / "sn"), "--gold", str(ROOT / "annotations"))
    assert exported.returncode == 0, exported.stderr
    copy = tmp_path / "annotations"
    shutil.copytree(ROOT / "annotations", copy, ignore=shutil.ignore_patterns("passes"))
    for path in (copy / "docs").glob("*.jsonl"):
        kept = [
            line for line in path.read_text(encoding="utf-8").splitlines() if '"layer": "entity"' not in line
        ]
        path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert validate(copy, ROOT / "seeds")[0] != original
    imported = cli(
        tmp_path,
        "import",
        "slavicner",
        str(tmp_path / "sn"),
        "--out",
        str(copy),
        "--seeds",
        str(ROOT / "seeds"),
    )
    assert imported.returncode == 0, imported.stderr
    assert validate(copy, ROOT / "seeds")[0] == original


def test_every_kind_of_entity_line_survives(tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout")
    before = load_bundle(root / "annotations").sheets[0]
    export(load_bundle(root / "annotations"), tmp_path / "out")
    after = read_folder(tmp_path / "out").sheets[0]
    entities = sorted(
        (line.obj for line in before.lines if line.obj["layer"] == "entity"), key=lambda o: o["start"]
    )
    assert [line.obj for line in after.lines] == [
        {k: o[k] for k in ("layer", "start", "end", "text", "type", "lemma", "entity_id")} for o in entities
    ]
    assert (after.doc_id, after.lang, after.text) == (DOC_ID, "cs", TEXT)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("0\t3\tKim\tKim\tPER", "expected 6 tab-separated fields"),
        ("x\t3\tKim\tKim\tPER\tPER-Kim", "are not offsets"),
        ("0\t3\tPut\tKim\tPER\tPER-Kim", "is not the text at 0:3"),
        ("0\t3\tKim\tKim\tPERSON\tPER-Kim", "'PERSON' is not valid here"),
    ],
)
def test_bad_lines_are_named_by_file_and_line(row: str, message: str) -> None:
    found, problems = parse_tsv(f"0\t3\tKim\tKim\tPER\tPER-Kim\n{row}\n", "Kim Čong-un", "x.tsv")
    assert len(found) == 1 and len(problems) == 1
    assert problems[0].file == "x.tsv" and problems[0].line == 2 and message in str(problems[0])


def test_a_lemma_with_a_tab_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout")
    lines = read_jsonl(root / "annotations" / "docs" / f"{DOC_ID}.jsonl")
    next(line for line in lines if line["layer"] == "entity")["lemma"] = "Kim\tČong-un"
    write_jsonl(root / "annotations" / "docs" / f"{DOC_ID}.jsonl", lines)
    with pytest.raises(InputError, match="holds a tab or a line break"):
        export(load_bundle(root / "annotations"), tmp_path / "out")
    assert not (tmp_path / "out").exists()
