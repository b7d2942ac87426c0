"""Extending the gold: ``add-doc`` (refusals write nothing), ``preannotate`` (unreviewed drafts that
never touch reviewed lines), and a new article taken from a text file to a loadable gold record with
the commands alone."""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import pytest
from extending_fixtures import (
    DOC_ID,
    KB,
    LINES,
    TEXT,
    cli,
    read_jsonl,
    snapshot,
    span,
    write_article,
    write_jsonl,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from nkru_bench.common.errors import InputError
from nkru_bench.curation.extending import ExistingSeed, next_number, normalized, plan_seed
from nkru_bench.curation.preannotation import draft, placeholder_id
from nkru_bench.gold.loading import load_gold
from nkru_bench.gold.seeds import read_manifest
from nkru_bench.scoring.predictions import PredEntity, PredFigure, Prediction, PredStance

ARTICLE = "Severní Korea podle NATO poslala do Ruska 12 000 vojáků.\n\nKreml to popřel.\n"


def _manifest(root: Path) -> list[dict]:
    return read_jsonl(root / "seeds" / "manifest.jsonl")


# --- add-doc --------------------------------------------------------------------------------------


def test_add_doc_copies_the_article_and_lists_it(checkout: Path, tmp_path: Path) -> None:
    article = tmp_path / "clanek.txt"
    article.write_bytes(ARTICLE.encode("utf-8"))
    before = (checkout / "seeds" / "manifest.jsonl").read_bytes()
    numbers = [int(line["doc_id"][:3]) for line in _manifest(checkout)]
    result = cli(checkout, "add-doc", str(article), "--lang", "cs", "--date", "2024-11")
    assert result.returncode == 0, result.stderr
    after = (checkout / "seeds" / "manifest.jsonl").read_bytes()
    assert after.startswith(before) and after.count(b"\n") == before.count(b"\n") + 1
    line = _manifest(checkout)[-1]
    seed = checkout / "seeds" / line["file"]
    data = seed.read_bytes()
    assert data == b" date 2024-11 " + ARTICLE.encode("utf-8")  # the date travels with the seed
    assert line == {
        "doc_id": seed.stem,
        "file": seed.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "lang": "cs",
        "date": "2024-11",
    }
    assert re.fullmatch(r"\d{3}_[0-9a-f]{16}", seed.stem)
    assert int(seed.stem[:3]) == max(numbers) + 1 and seed.stem[4:] == line["sha256"][:16]
    assert (checkout / "annotations" / "docs" / f"{seed.stem}.jsonl").read_bytes() == b""
    assert seed.stem in result.stdout
    assert cli(checkout, "validate").returncode == 0


def test_add_doc_takes_the_date_from_the_header(checkout: Path, tmp_path: Path) -> None:
    article = tmp_path / "artykul.txt"
    article.write_bytes(b" date 2024-10-05 " + ARTICLE.encode("utf-8"))
    assert cli(checkout, "add-doc", str(article), "--lang", "pl").returncode == 0
    line = _manifest(checkout)[-1]
    assert line["date"] == "2024-10-05" and line["lang"] == "pl"
    assert (checkout / "seeds" / line["file"]).read_bytes() == article.read_bytes()


def _existing_seed(checkout: Path) -> tuple[str, bytes]:
    first = _manifest(checkout)[0]
    return first["doc_id"], (checkout / "seeds" / first["file"]).read_bytes()


def _respaced(checkout: Path) -> bytes:
    """An existing seed without its header, its white space changed."""
    _, data = _existing_seed(checkout)
    text = re.sub(r"\A date \S+ ", "", data.decode("utf-8"))
    return ("  " + text.replace(" ", "  ").replace("\n", "\r\n") + "\n\n").encode("utf-8")


REFUSALS = [
    ("bom", lambda c: b"\xef\xbb\xbf" + ARTICLE.encode(), ["--lang", "cs"], "byte order mark"),
    (
        "cp1250",
        lambda c: "Ahoj čtenáři".encode("cp1250"),
        ["--lang", "cs"],
        "not valid UTF-8: byte 0xe8 at byte offset 5",
    ),
    ("lang", lambda c: ARTICLE.encode(), ["--lang", "ru"], "'ru' is not one of cs, pl, sl"),
    ("same bytes", lambda c: _existing_seed(c)[1], ["--lang", "cs"], "is already in the gold as {doc_id}"),
    ("same text", _respaced, ["--lang", "cs"], "is already in the gold as {doc_id}"),
    (
        "bad date",
        lambda c: ARTICLE.encode(),
        ["--lang", "cs", "--date", "2024-13"],
        "is not YYYY-MM or YYYY-MM-DD",
    ),
    (
        "contradiction",
        lambda c: b" date 2024-10 " + ARTICLE.encode(),
        ["--lang", "cs", "--date", "2024-11"],
        "contradicts the file's header",
    ),
    ("empty", lambda c: b" \n\t\n", ["--lang", "cs"], "has no text"),
]


@pytest.mark.parametrize(
    ("content", "options", "message"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_add_doc_refuses_bad_articles_and_writes_nothing(
    content, options: list[str], message: str, checkout: Path, tmp_path: Path
) -> None:
    article = tmp_path / "article.txt"
    article.write_bytes(content(checkout))
    before = snapshot(checkout)
    result = cli(checkout, "add-doc", str(article), *options)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.stderr
    assert message.format(doc_id=_existing_seed(checkout)[0]) in lines[0]
    assert snapshot(checkout) == before


def test_seed_numbers_continue_after_the_highest() -> None:
    assert next_number([]) == 0
    assert next_number(["000_aa.txt", "004_bb.txt", "notes.txt"]) == 5


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([" ", "  ", "\n", "\t", "\r\n", "\u00a0"]), min_size=1, max_size=30))
def test_only_white_space_apart_is_the_same_article(gaps: list[str]) -> None:
    words = ARTICLE.split()
    respaced = "".join(w + gaps[i % len(gaps)] for i, w in enumerate(words))
    assert normalized(respaced) == normalized(ARTICLE)
    existing = [ExistingSeed("000_x", "000_x.txt", b" date 2024-10 " + ARTICLE.encode())]
    with pytest.raises(InputError, match="already in the gold as 000_x"):
        plan_seed(respaced.encode(), "new.txt", "cs", None, existing)


# --- preannotate ----------------------------------------------------------------------------------

REVIEWED = LINES[2]  # "Kim Čong-un", reviewed: kept byte for byte


def _prediction() -> dict:
    peskov, nato, mluvci = span("Dmitrij Peskov"), span("NATO"), span("Mluvčí")
    kim, kreml, second = span("Kim Čong-un"), span("Kreml"), span("12 000", 1)
    return {
        "entities": [
            {"start": kim["start"], "end": kim["end"] - 3, "type": "PER"},  # overlaps the reviewed line
            {"start": peskov["start"], "end": peskov["end"], "type": "PER"},  # id found by KB name
            {"start": nato["start"], "end": nato["end"], "type": "ORG", "lemma": "NATO"},
            {"start": mluvci["start"], "end": mluvci["end"], "type": "PER"},  # placeholder id
            {"start": kreml["start"], "end": kreml["end"], "type": "LOC", "entity_id": "LOC-Kremlin-Palace"},
        ],
        "figures": [
            {"value": 12000, "unit": "person"},  # no offsets: the first free "12 000"
            {
                "value": 12000,
                "unit": "person",
                "qualifier": "at_most",
                "source_id": "ORG-NIS",
                "start": second["start"],
                "end": second["end"],
            },
            {"value": 5, "unit": "missile"},  # not in the text: skipped
        ],
        "stance": [
            {"holder_id": "PER-Dmitry-Peskov", "target": "nk_troops_in_russia", "label": "against"},
            {"holder_id": "GPE-Japan", "target": "russia_nk_alliance", "label": "against"},
        ],
    }


def _system(root: Path, prediction: dict) -> str:
    (root / "fake_system.py").write_text(
        f"import json\n\nPREDICTION = json.loads({json.dumps(json.dumps(prediction))})\n\n\n"
        "def extract(doc):\n    return dict(PREDICTION)\n",
        encoding="utf-8",
    )
    return "fake_system:extract"


def test_preannotate_drafts_unreviewed_lines_and_keeps_reviewed_ones(tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout", lines=[REVIEWED], kb=KB)
    path = root / "annotations" / "docs" / f"{DOC_ID}.jsonl"
    reviewed_bytes = path.read_bytes()
    result = cli(root, "preannotate", DOC_ID, "--system", _system(root, _prediction()))
    assert result.returncode == 0, result.stderr
    assert path.read_bytes().startswith(reviewed_bytes)
    lines = read_jsonl(path)[1:]
    assert all(line["status"] == "unreviewed" for line in lines)
    by_text = {line.get("text"): line for line in lines if line["layer"] == "entity"}
    assert set(by_text) == {"Dmitrij Peskov", "NATO", "Mluvčí", "Kreml"}  # the overlapping one skipped
    assert by_text["Dmitrij Peskov"]["entity_id"] == "PER-Dmitry-Peskov"
    assert by_text["Dmitrij Peskov"]["lemma"] == "Dmitrij Peskov"
    assert by_text["NATO"]["entity_id"] == "ORG-NATO"
    assert by_text["Mluvčí"]["entity_id"] == "TODO-PER-Mluvci" and "placeholder" in by_text["Mluvčí"]["note"]
    figures = [line for line in lines if line["layer"] == "figure"]
    assert [(f["start"], f["qualifier"], f["source_id"]) for f in figures] == [
        (span("12 000")["start"], "exact", None),
        (span("12 000", 1)["start"], "at_most", "ORG-NIS"),
    ]
    stance = {line["holder_id"]: line for line in lines if line["layer"] == "stance"}
    peskov_sentence = "Mluvčí Kremlu Dmitrij Peskov řekl, že jde o „další lež“."
    assert stance["PER-Dmitry-Peskov"]["evidence"] == [span(peskov_sentence)]
    assert "first sentence" in stance["GPE-Japan"]["note"]
    drafts = read_jsonl(root / "annotations" / "kb.jsonl")[len(KB) :]
    assert {d["entity_id"] for d in drafts} == {"TODO-PER-Mluvci", "LOC-Kremlin-Palace", "GPE-Japan"}
    assert all(d["status"] == "unreviewed" for d in drafts)
    assert "skipped" in result.stderr and "5 missile" in result.stderr
    validated = cli(root, "validate")
    assert validated.returncode == 1 and "unreviewed: check the line" in validated.stderr

    again = snapshot(root)
    assert cli(root, "preannotate", DOC_ID, "--system", "fake_system:extract").returncode == 0
    assert snapshot(root) == again  # nothing new the second time

    assert cli(root, "preannotate", DOC_ID, "--system", "fake_system:extract", "--replace").returncode == 0
    assert read_jsonl(path) == [REVIEWED, *lines]  # the draft replaced by the same draft


def test_a_reviewed_draft_validates(tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout", lines=[REVIEWED], kb=KB)
    assert cli(root, "preannotate", DOC_ID, "--system", _system(root, _prediction())).returncode == 0
    for name in ("docs/" + DOC_ID + ".jsonl", "kb.jsonl"):
        path = root / "annotations" / name
        text = path.read_text(encoding="utf-8").replace("TODO-PER-Mluvci", "PER-Kremlin-Spokesman")
        reviewed = [
            {k: v for k, v in json.loads(line).items() if k != "status"} for line in text.splitlines()
        ]
        write_jsonl(path, reviewed)
    result = cli(root, "validate")
    assert result.returncode == 0, result.stderr


def test_preannotate_speaks_the_runner_protocol_with_cmd(tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout", lines=[], kb=KB)
    nato = span("NATO")
    script = (
        "import json, sys\n"
        "for line in sys.stdin:\n"
        "    doc = json.loads(line)\n"
        f"    print(json.dumps({{'doc_id': doc['doc_id'], 'entities': [{{'start': {nato['start']}, "
        f"'end': {nato['end']}, 'type': 'ORG'}}]}}), flush=True)\n"
    )
    (root / "system.py").write_text(script, encoding="utf-8")
    result = cli(root, "preannotate", DOC_ID, "--cmd", f"{sys.executable} system.py")
    assert result.returncode == 0, result.stderr
    assert [line["entity_id"] for line in read_jsonl(root / "annotations" / "docs" / f"{DOC_ID}.jsonl")] == [
        "ORG-NATO"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999_nothere", "--system", "rules"], "'999_nothere' is not in the manifest"),
        ([DOC_ID], "give either SYSTEM or --cmd"),
        ([DOC_ID, "--system", "no_such_module:extract"], "cannot import module 'no_such_module'"),
    ],
)
def test_preannotate_refuses_with_one_line(args: list[str], message: str, tmp_path: Path) -> None:
    root = write_article(tmp_path / "checkout", lines=[], kb=KB)
    before = snapshot(root)
    result = cli(root, "preannotate", *args)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert snapshot(root) == before


def test_draft_is_pure_and_skips_what_is_taken() -> None:
    boiler = span("Sdílet na Facebooku 😀 | Číst dál")
    existing = [(1, {"layer": "boilerplate", **boiler}), (2, dict(LINES[3])), (3, dict(LINES[13]))]
    ruska = span("Ruska")
    prediction = Prediction(
        doc_id=DOC_ID,
        entities=(
            PredEntity(start=ruska["start"], end=ruska["end"], type="LOC"),  # already there
            PredEntity(start=boiler["start"], end=boiler["start"] + 6, type="ORG"),  # in boilerplate
            PredEntity(start=0, end=len(TEXT) + 5, type="ORG"),  # past the end
            PredEntity(start=span("NIS")["start"] - 1, end=span("NIS")["end"] + 1, type="ORG"),  # trimmed
        ),
        figures=(PredFigure(value=12000, unit="person"),),
        stance=(
            PredStance(holder_id="GPE-Russia", target="nk_troops_in_russia", label="favor"),
        ),  # pair taken
    )
    result = draft(TEXT, "cs", prediction, existing, KB)
    assert [(line["text"], line["entity_id"]) for line in result.lines if line["layer"] == "entity"] == [
        ("NIS", "ORG-NIS")
    ]
    assert len(result.skipped) == 4 and result.kb == () and result.dropped == ()
    assert placeholder_id("LOC", "Łódź Kaliska") == "TODO-LOC-Lodz-Kaliska"


# --- end to end -----------------------------------------------------------------------------------


def test_a_new_article_becomes_a_loadable_gold_record(checkout: Path, tmp_path: Path) -> None:
    """add-doc, preannotate, review in brat (edit the .ann), import, review the KB, validate, build, load."""
    article = tmp_path / "novy_clanek.txt"
    article.write_bytes(TEXT.encode("utf-8"))
    assert cli(checkout, "add-doc", str(article), "--lang", "cs", "--date", "2024-11-02").returncode == 0
    doc_id = _manifest(checkout)[-1]["doc_id"]
    assert cli(checkout, "preannotate", doc_id, "--system", _system(checkout, _prediction())).returncode == 0

    exported = cli(checkout, "export", "brat", str(tmp_path / "brat"), "--doc", doc_id)
    assert exported.returncode == 0, exported.stderr
    ann = tmp_path / "brat" / f"{doc_id}.ann"
    reviewed = [
        line.replace("TODO-", "")  # the linguist gives each placeholder a real id ...
        for line in ann.read_text(encoding="utf-8").splitlines()
        if "\tUnreviewed " not in line  # ... and unticks "Unreviewed" on every checked annotation
    ]
    ann.write_text("\n".join(reviewed) + "\n", encoding="utf-8")
    imported = cli(checkout, "import", "brat", str(tmp_path / "brat"), "--out", "annotations")
    assert imported.returncode == 0, imported.stderr

    kb = checkout / "annotations" / "kb.jsonl"  # and reviews the draft KB entries the same way
    entries: dict[str, dict] = {}
    for line in kb.read_text(encoding="utf-8").splitlines():
        entry = {k: v for k, v in json.loads(line.replace("TODO-", "")).items() if k != "status"}
        entries.setdefault(entry["entity_id"], entry)
    write_jsonl(kb, list(entries.values()))

    validated = cli(checkout, "validate")
    assert validated.returncode == 0, validated.stderr
    built = cli(checkout, "build")
    assert built.returncode == 0, built.stderr
    assert cli(checkout, "build", "--check").returncode == 0
    gold = load_gold(checkout)
    doc = gold.document(doc_id)
    assert doc.text == TEXT and doc.date == "2024-11-02" and doc.lang == "cs"
    assert [e.text for e in doc.entities] == ["Kim Čong", "Kreml", "Mluvčí", "Dmitrij Peskov", "NATO"]
    assert {e.entity_id for e in doc.entities} <= {entry.entity_id for entry in gold.kb}
    assert len(doc.figures) == 2 and len(doc.stance) == 2
    assert [s.doc_id for s in read_manifest(checkout / "seeds")[0]][-1] == doc_id
