"""The official BSNLP evaluator (bsnlp-ner-evaluator-19.0.4.jar) reproduced, case by case.

``tests/reference/bsnlp/`` holds the 5 articles' gold in the evaluator's layout, 30 system responses and
what the evaluator printed for each (``official_output/<case>.txt``, verbatim) with the same numbers
parsed (``official_scores.json``); its README says how the tool was run and what each case isolates.
For every case, ``nkru-bench score-bsnlp`` on the response folder, with the shipped gold, must print
each number the evaluator printed (7 measures; P, R, F1; all, per type, per language, per article) to
its 5 decimals, and ``--report`` must write the evaluator's report byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from extending_fixtures import cli

from nkru_bench.gold.loading import load_gold
from nkru_bench.scoring import bsnlp_measures as bm
from nkru_bench.scoring.bsnlp import gold_articles, read_system
from nkru_bench.scoring.bsnlp_report import report, scores

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "tests" / "reference" / "bsnlp"
OFFICIAL = json.loads((REFERENCE / "official_scores.json").read_text(encoding="utf-8"))["cases"]
CASES = sorted(OFFICIAL)
GOLD = gold_articles(load_gold())


def test_every_reference_case_is_tested() -> None:
    assert sorted(p.name for p in (REFERENCE / "responses").iterdir()) == CASES
    assert len(CASES) == 30


def test_the_golden_folder_is_what_the_shipped_gold_reads_as(tmp_path: Path) -> None:
    """The evaluator's golden files, read as it reads them, equal the shipped gold's articles. The
    reference was made from gold v2; gold v3 took SlavicNER's spelling of two ids (rule K2,
    annotations/ADJUDICATION.md), so those two are renamed in a copy first."""
    renames = {
        "GPE-Brussels": "GPE-Brussles",
        "ORG-Main-Intelligence-Directorate-Ukraine": "ORG-Directorat-of-Ukraine-Intelligence",
    }
    for path in (REFERENCE / "golden").rglob("*.out"):
        text = path.read_text(encoding="utf-8")
        for old, new in renames.items():
            text = text.replace(old, new)
        copy = tmp_path / path.relative_to(REFERENCE / "golden")
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_text(text, encoding="utf-8")
    golden = read_system(tmp_path).articles
    assert sorted(golden, key=lambda a: a.doc_id) == sorted(GOLD, key=lambda a: a.doc_id)


def _printed(score: bm.Score | None) -> dict[str, float] | None:
    if score is None:
        return None
    return {k: float(bm.printed(getattr(score, k))) for k in ("precision", "recall", "f1")}


def _block(ours: dict, theirs: dict) -> None:
    assert _printed(ours["all"]) == theirs["all"]
    assert {t: _printed(s) for t, s in ours["by_type"].items()} == theirs["by_type"]


@pytest.mark.parametrize("case", CASES)
def test_every_printed_number_is_reproduced(case: str) -> None:
    """Each measure's "All corpora" line, per type, per language and per article (the lines the evaluator
    prints: a breakdown whose two denominators are 0 is not printed, and is absent here too)."""
    system = read_system(REFERENCE / "responses" / case).articles
    ours = scores(bm.units(GOLD, system))
    for measure, theirs in OFFICIAL[case].items():
        _block(ours[measure], theirs)
        assert ours[measure]["by_lang"].keys() == theirs["by_lang"].keys(), measure
        for lang, block in theirs["by_lang"].items():
            _block(ours[measure]["by_lang"][lang], block)
        assert ours[measure]["by_doc"].keys() == theirs["by_doc"].keys(), measure
        for doc_id, block in theirs["by_doc"].items():
            assert ours[measure]["by_doc"][doc_id]["lang"] == block["lang"]
            _block(ours[measure]["by_doc"][doc_id], block)


@pytest.mark.parametrize("case", CASES)
def test_the_report_is_the_evaluators_byte_for_byte(case: str) -> None:
    system = read_system(REFERENCE / "responses" / case).articles
    ours = report(bm.units(GOLD, system), GOLD)
    assert ours.encode("utf-8") == (REFERENCE / "official_output" / f"{case}.txt").read_bytes()


def test_the_command_writes_the_report_and_the_printed_numbers(tmp_path: Path) -> None:
    responses = REFERENCE / "responses" / "rules"
    result = cli(tmp_path, "score-bsnlp", str(responses), "--json", "r.json", "--report", "report.txt")
    assert result.returncode == 0, result.stderr
    official = (REFERENCE / "official_output" / "rules.txt").read_bytes()
    assert (tmp_path / "report.txt").read_bytes() == official
    found = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert found["measures"] == OFFICIAL["rules"]
    strict_f1 = OFFICIAL["rules"]["strict"]["all"]["f1"]
    assert "relaxed_exact" in result.stdout and f"{strict_f1:.5f}" in result.stdout


def test_ignored_lines_and_unmatched_files_are_reported(tmp_path: Path) -> None:
    """What the evaluator warns about, or silently drops, is said on stderr; the numbers stay its own."""
    result = cli(tmp_path, "score-bsnlp", str(REFERENCE / "responses" / "t_whitespace_only_form"))
    assert result.returncode == 0 and "line ignored" in result.stderr
    result = cli(tmp_path, "score-bsnlp", str(REFERENCE / "responses" / "t_bom_start_of_file"))
    assert result.returncode == 0 and "\\ufeff000_ad50d04fe0c25486" in result.stderr
    assert "000_ad50d04fe0c25486 (cs): no system file" in result.stderr


# --- the rules one by one, on small cases ---------------------------------------------------------


def _art(doc_id: str, lines: str, lang: str = "cs") -> bm.Article:
    found_id, parsed, _ = bm.parse(f"{doc_id}\n{lines}")
    return bm.Article("t", lang, found_id, parsed)


def _all(gold: list[bm.Article], system: list[bm.Article], measure: str) -> tuple[float, float]:
    s = scores(bm.units(gold, system))[measure]["all"]
    return s.recall, s.precision


def test_reading_trims_lowercases_and_defaults_the_id() -> None:
    doc_id, lines, ignored = bm.parse("\ufeffd1 \r\n\n NATO \t nato\t org\nx\ty\n\tRusko\tLOC\tGPE-Russia\n")
    assert doc_id == "\ufeffd1"  # Java's trim keeps a byte order mark
    assert lines == (bm.Line("nato", "nato", "ORG", "-1"),)
    assert [i.line for i in ignored] == [4, 5]  # two fields; a leading tab trimmed away shifts the fields


def test_relaxed_partial_matches_whole_words_only() -> None:
    gold = [_art("d", "Severní Korea\tSeverní Korea\tLOC\tK")]
    for form, found in (("Korea Severní", 1.0), ("Severní Amerika", 1.0), ("Sever", 0.0), ("Korea", 1.0)):
        assert _all(gold, [_art("d", f"{form}\t{form}\tLOC\tx")], "relaxed_partial") == (found, found)


def test_relaxed_exact_counts_one_entity_once_and_each_wrong_form_once() -> None:
    """Gold: one entity with two forms. System: both forms plus a wrong one: found 1 of 1; P = 1 / (1 + 1)."""
    gold = [_art("d", "Ruskem\tRusko\tLOC\tR\nRusku\tRusko\tLOC\tR")]
    lines = "Ruskem\tRusko\tLOC\tx\nRUSKU\trusko\tloc\nPraha\tPraha\tLOC\tx\nPraha\tPraha\tLOC\ty"
    system = [_art("d", lines)]
    assert _all(gold, system, "relaxed_exact") == (1.0, 0.5)
    assert _all(gold, system, "strict") == (1.0, pytest.approx(2 / 3))


def test_lea_weights_entities_by_log2_of_their_size() -> None:
    """Gold: A with 4 forms (weight 2), B with 2 (weight 1). System: A complete, B split into singletons:
    R = (2 * 6/6 + 1 * 0/1) / 3; P = 2 * 1 / 2 (the singletons are left out)."""
    gold = [_art("d", "a\ta\tPER\tA\nb\tb\tPER\tA\nc\tc\tPER\tA\nd\td\tPER\tA\ne\te\tPER\tB\nf\tf\tPER\tB")]
    system = [_art("d", "a\ta\tPER\t1\nb\tb\tPER\t1\nc\tc\tPER\t1\nd\td\tPER\t1\ne\te\tPER\t2\nf\tf\tPER\t3")]
    assert _all(gold, system, "lea_document") == (pytest.approx(2 / 3), 1.0)


def test_java_hash_order_is_the_reports_order() -> None:
    assert bm.java_string_hash("cs") == 3184 and bm.java_hash_order(["cs", "pl", "sl"]) == ["cs", "sl", "pl"]


# --- entities.relaxed of ``nkru-bench score`` is the official relaxed exact ----------------------


def _as_predictions(case: str) -> Path | list[dict]:
    """The predictions the reference response was made from: the rules baseline's stored output,
    the gold itself, or nothing for every article."""
    gold = load_gold()
    if case == "rules":
        return ROOT / "examples" / "predictions" / "rules.jsonl"
    if case == "gold":
        return [
            {"doc_id": d.doc_id, "entities": [e.model_dump(exclude={"text"}) for e in d.entities]}
            for d in gold.documents
        ]
    return [{"doc_id": d.doc_id, "entities": []} for d in gold.documents]


@pytest.mark.parametrize("case", ["rules", "gold", "empty"])
def test_entities_relaxed_is_the_official_relaxed_exact(case: str) -> None:
    """The rules case's response was made from ``examples/predictions/rules.jsonl`` (reference
    README): scoring those predictions gives the evaluator's relaxed-exact P, R and F1, "All corpora"."""
    from nkru_bench.scoring.scorer import score

    result = score(_as_predictions(case), resamples=0)
    official = OFFICIAL[case]["relaxed_exact"]["all"]
    for rate in ("precision", "recall", "f1"):
        assert f"{result[f'entities.relaxed.{rate}']:.5f}" == f"{official[rate]:.5f}", rate


def test_what_is_not_the_evaluators_input_is_a_located_error(tmp_path: Path) -> None:
    """A folder without the evaluator's ``<topic>/<lang>/<file>`` layout, bytes that are not UTF-8
    (the evaluator would replace them) and two files with one id in a language folder (it would keep
    either): exit 2, one line naming the file."""
    (tmp_path / "flat").mkdir()
    (tmp_path / "flat" / "a.out").write_text("000_ad50d04fe0c25486\n", encoding="utf-8")
    result = cli(tmp_path, "score-bsnlp", "flat")
    assert result.returncode == 2 and "<topic>/<lang>/<file>" in result.stderr
    cs = tmp_path / "sys" / "nkru" / "cs"
    cs.mkdir(parents=True)
    (cs / "a.out").write_bytes(b"000_ad50d04fe0c25486\nNATO\tNATO\tORG\n\xff\n")
    result = cli(tmp_path, "score-bsnlp", "sys")
    assert result.returncode == 2 and "a.out: is not valid UTF-8 (byte offset 35)" in result.stderr
    (cs / "a.out").write_text("000_ad50d04fe0c25486\n", encoding="utf-8")
    (cs / "b.out").write_text("000_ad50d04fe0c25486\n", encoding="utf-8")
    result = cli(tmp_path, "score-bsnlp", "sys")
    assert result.returncode == 2 and "b.out" in result.stderr and "is also the id of" in result.stderr
    assert "Traceback" not in result.stderr
