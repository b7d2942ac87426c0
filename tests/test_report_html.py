"""The HTML error report, read back with ``html.parser``: its marks agree with the JSON result, every
string from gold or predictions is escaped, the compare mode shows both systems, and the command
line writes it atomically. ``test_report_browser.py`` checks the same in Chromium."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from factories import document, entity, figure, gold, golds, random_predictions, seeds, stance
from hypothesis import given, settings
from report_dom import ITEM_CLASSES, Page, expected_classes, found_classes

from nkru_bench.gold.loading import load_gold
from nkru_bench.gold.records import KBEntry
from nkru_bench.scoring.html.page import render_comparison, render_report
from nkru_bench.scoring.predictions import PredEntity, PredFigure, Prediction, PredStance, gold_as_predictions
from nkru_bench.scoring.scorer import compare, score
from nkru_bench.systems.protocol import document_dict
from nkru_bench.systems.resolve import resolve_system

SCRIPT = "<script>document.title='pwned'</script>"
IMG = '"><img src=x onerror="document.title=\'pwned\'">'


def rules_predictions(g) -> list[Prediction]:
    _, extractor = resolve_system("rules")
    return [Prediction.model_validate(extractor(document_dict(doc))) for doc in g.documents]


@pytest.fixture(scope="module")
def shipped():
    g = load_gold()
    return g, rules_predictions(g)


def expected_page(result: dict) -> dict[str, int]:
    return {**dict.fromkeys(ITEM_CLASSES, 0), **expected_classes(result)}


def test_rules_report_marks_equal_the_result_counts(shipped) -> None:
    g, preds = shipped
    result = score(preds, g, resamples=50)
    page = Page(render_report(result, g, preds))
    assert found_classes(page) == expected_page(result.to_json())
    assert page.texts == [doc.text for doc in g.documents]  # every character once, in order


@settings(max_examples=25, deadline=None)
@given(golds(max_docs=3), seeds)
def test_marks_equal_the_counts_on_random_gold(g, seed) -> None:
    """Random predictions overlap gold and each other, cross boilerplate, relabel and shift spans."""
    preds = random_predictions(seed, g)
    result = score(preds, g, resamples=0)
    page = Page(render_report(result, g, preds))
    assert found_classes(page) == expected_page(result.to_json())
    assert page.texts == [doc.text for doc in g.documents]


def test_a_perfect_system_has_only_correct_marks(shipped) -> None:
    g, _ = shipped
    preds = gold_as_predictions(g)
    page = Page(render_report(score(preds, g, resamples=0), g, preds))
    n_entities = sum(len(doc.entities) for doc in g.documents)
    assert {k: v for k, v in found_classes(page).items() if v} == {
        "m-correct": n_entities,
        "f-matched": sum(len(doc.figures) for doc in g.documents),
        "s-correct": sum(len(doc.stance) for doc in g.documents),
    }


# --- escaping ------------------------------------------------------------------------------------

TEXT = 'Kim <b>Čong-un</b> & "NATO" <script>alert(1)</script> tvrdí, že 12 000 vojáků.' + " " * 30


def hostile_gold_and_prediction():
    kim = entity(TEXT, 0, 3, "PER", entity_id=IMG, lemma=SCRIPT)
    nato = entity(TEXT, 27, 33, "ORG", entity_id="ORG-NATO")
    troops = figure(TEXT, 72, 78, 12000.0, "person", source_id=SCRIPT)
    doc = document(
        "d<i>1", TEXT, entities=[kim, nato], figures=[troops], stance=[stance(SCRIPT, label="favor")]
    )
    g = gold(doc).model_copy(update={"kb": (KBEntry(entity_id=SCRIPT, type="PER", name_en=IMG),)})
    pred = Prediction(
        doc_id=doc.doc_id,
        entities=(
            PredEntity(start=0, end=3, type="PER", lemma=IMG, entity_id=SCRIPT),
            PredEntity(start=34, end=42, type="LOC", lemma=SCRIPT, entity_id=IMG),  # "<script>"
        ),
        figures=(PredFigure(value=12000, unit="person", source_id=IMG), PredFigure(value=3, unit="times")),
        stance=(
            PredStance(holder_id=IMG, target="nk_troops_in_russia", label="against"),
            PredStance(holder_id=SCRIPT, target="nk_troops_in_russia", label="against"),
        ),
    )
    return g, [pred]


def assert_inert(html: str) -> Page:
    page = Page(html)
    tags = {tag for tag, _ in page.tags}
    assert not tags & {"script", "img", "iframe", "object", "embed", "link", "base", "form"}
    attributes = {name for _, attrs in page.tags for name in attrs}
    assert not [name for name in attributes if name.startswith("on")]
    assert not re.search(r"<\s*(script|img)", html, re.IGNORECASE)
    urls = [v for _, attrs in page.tags for k, v in attrs.items() if k in ("src", "href") and v]
    assert all(url.startswith("#") for url in urls), urls  # nothing is loaded, links stay in the page
    return page


def test_markup_in_gold_and_predictions_is_shown_as_text() -> None:
    g, preds = hostile_gold_and_prediction()
    result = score(preds, g, resamples=0)
    html = render_report(result, g, preds)
    page = assert_inert(html)
    assert page.texts == [TEXT]  # the article's own markup is text too
    shown = "".join(page.data)
    assert SCRIPT in shown  # the stance holder, as text
    titles = "".join(attrs.get("title") or "" for _, attrs in page.tags)
    assert SCRIPT in titles and IMG in titles  # lemma and id, in the marks' tooltips
    assert "d<i>1" in shown and found_classes(page) == expected_page(result.to_json())


def test_the_page_forbids_scripts_and_loads_nothing() -> None:
    g, preds = hostile_gold_and_prediction()
    html = render_report(score(preds, g, resamples=0), g, preds)
    csp = [a["content"] for t, a in Page(html).tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0] and "script-src" not in csp[0]
    assert html.index("Content-Security-Policy") < html.index("<title>")


def test_comparison_is_inert_and_shows_both_sides() -> None:
    g, preds = hostile_gold_and_prediction()
    other = gold_as_predictions(g)
    comparison = compare(preds, other, g, resamples=0)
    page = assert_inert(render_comparison(comparison, g, preds, other))
    assert page.texts == [TEXT, TEXT]
    assert found_classes(page, "a") == expected_page(comparison.a.to_json())
    assert found_classes(page, "b") == expected_page(comparison.b.to_json())


# --- compare mode --------------------------------------------------------------------------------


def test_side_by_side_marks_equal_each_systems_counts(shipped) -> None:
    g, rules = shipped
    perfect = gold_as_predictions(g)
    comparison = compare(rules, perfect, g, resamples=50)
    page = Page(render_comparison(comparison, g, rules, perfect))
    assert found_classes(page, "a") == expected_page(comparison.a.to_json())
    assert found_classes(page, "b") == expected_page(comparison.b.to_json())
    assert page.texts == [doc.text for doc in g.documents for _ in "ab"]
    sides = [attrs["class"] for tag, attrs in page.tags if "side" in (attrs.get("class") or "").split()]
    assert sides == ["side side-a", "side side-b"] * len(g.documents)


def test_tasks_not_attempted_are_said_and_not_marked(shipped) -> None:
    g, rules = shipped
    only_entities = [p.model_copy(update={"figures": None, "stance": None}) for p in rules]
    page = Page(render_report(score(only_entities, g, resamples=0), g, only_entities))
    shown = "".join(page.data)
    assert "figures: not attempted" in shown and "stance: not attempted" in shown
    assert not any(page.count(c) for c in ITEM_CLASSES if not c.startswith("m-"))


# --- command line --------------------------------------------------------------------------------


def nkru_bench(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "nkru_bench", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_cli_report_one_and_two_systems(tmp_path: Path, shipped) -> None:
    g, rules = shipped
    pred = tmp_path / "rules.jsonl"
    pred.write_text("".join(json.dumps(p.model_dump(exclude_none=True)) + "\n" for p in rules))
    done = nkru_bench("report", str(pred), "-o", "one.html", "--resamples", "20", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = score(rules, g, resamples=20).to_json()
    assert found_classes(Page((tmp_path / "one.html").read_text())) == expected_page(result)
    done = nkru_bench("report", str(pred), str(pred), "-o", "two.html", "--resamples", "0", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    page = Page((tmp_path / "two.html").read_text())
    assert found_classes(page, "a") == found_classes(page, "b") == expected_page(result)


def test_cli_report_keeps_an_old_report_on_bad_input(tmp_path: Path) -> None:
    old = tmp_path / "report.html"
    old.write_text("old report")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc_id": "nope", "entities": [{"start": 0}]}\n')
    done = nkru_bench("report", str(bad), "-o", str(old), cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "bad.jsonl:1" in done.stderr
    assert old.read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.jsonl", "report.html"]


def test_cli_run_writes_the_report(tmp_path: Path) -> None:
    done = nkru_bench(
        "run", "rules", "-o", "pred.jsonl", "--json", "result.json", "--report", "report.html", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    result = json.loads((tmp_path / "result.json").read_text())
    assert found_classes(Page((tmp_path / "report.html").read_text())) == expected_page(result)
    refused = nkru_bench("run", "rules", "--no-score", "--report", "x.html", cwd=tmp_path)
    assert refused.returncode == 2 and "--no-score" in refused.stderr
