"""``run spacy:PATH`` end to end with real spaCy pipelines made here: a blank pipeline with an entity
ruler (its spans are known, so the offsets and the label table are checked exactly), saved to disk and
loaded by path; and the ``spacy-cs`` baseline, whose model ships on PyPI, as a fresh run of its
stored predictions."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import spacy

from nkru_bench.gold.loading import load_gold
from nkru_bench.systems.adapters.spacy_pipeline import SpacyExtractor
from nkru_bench.systems.baselines import leaderboard

ROOT = Path(__file__).resolve().parents[2]
TEXT = "Kim Čong-un přijel do Moskvy. NATO to odsoudilo; Washington Post psal o Kursku."


def ruler_pipeline(folder: Path, patterns: list[dict]) -> Path:
    nlp = spacy.blank("xx")
    nlp.add_pipe("entity_ruler").add_patterns(patterns)
    nlp.to_disk(folder)
    return folder


def test_labels_of_each_scheme_map_to_the_benchmark_types(tmp_path: Path) -> None:
    patterns = [
        {
            "label": "persName",
            "pattern": [{"TEXT": "Kim"}, {"TEXT": "Čong"}, {"TEXT": "-"}, {"TEXT": "un"}],
        },  # NKJP
        {"label": "GPE", "pattern": "Moskvy"},  # OntoNotes
        {"label": "MISC", "pattern": "NATO"},  # CoNLL: dropped
        {"label": "mn", "pattern": [{"TEXT": "Washington"}, {"TEXT": "Post"}]},  # Czech NE corpus: media
        {"label": "B-LOC", "pattern": "Kursku"},  # a prefixed label
    ]
    extract = SpacyExtractor(str(ruler_pipeline(tmp_path / "nlp", patterns)))
    prediction = extract({"doc_id": "d", "lang": "cs", "text": TEXT})
    got = [(TEXT[e.start : e.end], e.type, e.lemma) for e in prediction.entities or ()]
    assert got == [
        ("Kim Čong-un", "PER", None),
        ("Moskvy", "LOC", None),
        ("Washington Post", "PRO", None),
        ("Kursku", "LOC", None),
    ]
    only_pl = SpacyExtractor(str(tmp_path / "nlp"), langs={"pl"}, labels={"MISC": "ORG"})
    assert only_pl({"doc_id": "d", "lang": "cs", "text": TEXT}).entities == ()
    assert [e.type for e in only_pl({"doc_id": "d", "lang": "pl", "text": TEXT}).entities or ()] == [
        "PER",
        "LOC",
        "ORG",
        "PRO",
        "LOC",
    ]


def test_nkru_bench_run_spacy_end_to_end(tmp_path: Path) -> None:
    gold = load_gold()
    names = sorted(
        {e.text for doc in gold.documents for e in doc.entities if " " not in e.text and e.type == "LOC"}
    )
    folder = ruler_pipeline(tmp_path / "nlp", [{"label": "LOC", "pattern": name} for name in names])
    out, scores = tmp_path / "spacy.jsonl", tmp_path / "scores.json"
    done = subprocess.run(
        [sys.executable, "-m", "nkru_bench", "run", f"spacy:{folder}", "-o", str(out), "--json", str(scores)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [row["doc_id"] for row in rows] == [doc.doc_id for doc in gold.documents]
    for row, doc in zip(rows, gold.documents, strict=True):
        for entity in row["entities"]:
            assert doc.text[entity["start"] : entity["end"]] in names and entity["type"] == "LOC"
    # a phrase pattern matches where spaCy's tokens start and end at the mention's edges, so each such
    # one-word LOC mention of the gold is found with its span and type (strict correct)
    tokenizer = spacy.blank("xx")
    expected = 0
    for doc in gold.documents:
        tokens = tokenizer(doc.text)
        starts, ends = {t.idx for t in tokens}, {t.idx + len(t) for t in tokens}
        one_word = [e for e in doc.entities if e.type == "LOC" and " " not in e.text]
        expected += sum(1 for e in one_word if e.start in starts and e.end in ends)
    result = json.loads(scores.read_text(encoding="utf-8"))
    assert expected > 0
    assert result["entities"]["strict"]["counts"]["correct"] == expected


def test_a_missing_pipeline_is_one_line_and_exit_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nkru_bench",
            "run",
            f"spacy:{tmp_path / 'nothing'}",
            "-o",
            str(tmp_path / "p.jsonl"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "cannot load the pipeline" in done.stderr and "Traceback" not in done.stderr


def test_the_stored_spacy_cs_predictions_are_a_fresh_run(tmp_path: Path) -> None:
    gold = load_gold()
    fresh = tmp_path / "spacy-cs.jsonl"
    leaderboard.run_baseline("spacy-cs", gold, fresh)
    stored = leaderboard.predictions_path("spacy-cs", ROOT)
    assert fresh.read_text(encoding="utf-8") == stored.read_text(encoding="utf-8"), (
        "run: python -m nkru_bench.systems.baselines.leaderboard"
    )
