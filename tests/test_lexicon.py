"""The ``lexicon`` baseline: names from CLDR and pycountry matched through lemmas, figures from the
number normalizer and the hand-written unit and hedge words. The sentences here are made up for the
tests (none is from the five articles). That it never opens the gold, and that it reads the packages'
data, is tested in ``test_baselines.py`` (the audit hook)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from babel import Locale

from nkru_bench.common.errors import InputError
from nkru_bench.gold.records import QUALIFIERS, UNITS
from nkru_bench.systems.baselines import gazetteer, lexicon_words
from nkru_bench.systems.baselines.lexicon import LexiconExtractor
from nkru_bench.systems.resolve import resolve_system

ID_SCHEME = re.compile(r"(ORG|LOC|GPE)-[A-Z0-9][A-Za-z0-9]*(-[A-Za-z0-9]+)*")


@pytest.fixture(scope="module")
def lexicon() -> LexiconExtractor:
    return LexiconExtractor()


def run(extract: LexiconExtractor, text: str, lang: str) -> tuple[list[tuple], list[tuple]]:
    prediction = extract({"doc_id": "t", "lang": lang, "text": text})
    entities = [(text[e.start : e.end], e.type, e.lemma, e.entity_id) for e in prediction.entities or ()]
    figures = [(text[f.start : f.end], f.value, f.unit, f.qualifier) for f in prediction.figures or ()]  # type: ignore[index]
    assert prediction.stance is None  # not attempted
    return entities, figures


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Delegace odletěla z Prahy do Kyjeva, pak do Spojených států a do Evropské unie.",
            "cs",
            [
                ("Prahy", "LOC", "Praha", "GPE-Prague"),
                ("Kyjeva", "LOC", "Kyjev", "GPE-Kyiv"),
                ("Spojených států", "LOC", "Spojené státy", "GPE-United-States"),
                ("Evropské unie", "ORG", "Evropská unie", "ORG-European-Union"),
            ],
        ),
        (
            "Premier pojechał do Stanów Zjednoczonych, a potem do Kijowa i Warszawy.",
            "pl",
            [
                ("Stanów Zjednoczonych", "LOC", "Stany Zjednoczone", "GPE-United-States"),
                ("Kijowa", "LOC", "Kijów", "GPE-Kyiv"),
                ("Warszawy", "LOC", "Warszawa", "GPE-Warsaw"),
            ],
        ),
        (  # the longest name wins; a lower-case word never matches a capitalized name
            "Minister je obiskal Združene države Amerike in japonsko ambasado.",
            "sl",
            [("Združene države Amerike", "LOC", "Združene države Amerike", "GPE-United-States")],
        ),
        (
            "Ruská federace a Rusko.",
            "cs",
            [
                ("Ruská federace", "LOC", "Ruská federace", "GPE-Russia"),
                ("Rusko", "LOC", "Rusko", "GPE-Russia"),
            ],
        ),
    ],
)
def test_names_match_through_lemmas_with_the_packages_base_form_and_english_id(
    lexicon: LexiconExtractor, text: str, lang: str, expected: list[tuple]
) -> None:
    assert run(lexicon, text, lang)[0] == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Ve městě žije přibližně 25 000 obyvatel a nejméně 40 tanků, "
            "za 3 dny, v roce 2023, 1. ledna, v 12:30.",
            "cs",
            [("25 000", 25000.0, "person", "approximately"), ("40", 40.0, "other", "at_least")],
        ),
        (
            "Wydano ponad 500 dolarów i około 2 tys. osób, prawie 80 proc.",
            "pl",
            [
                ("500 dolarów", 500.0, "USD", "more_than"),
                ("2 tys.", 2000.0, "person", "approximately"),
                ("80 proc.", 80.0, "percent", "approximately"),
            ],
        ),
        (
            "Tam je več kot 300 vojakov in tisoče ljudi ter več milijonov evrov.",
            "sl",
            [
                ("300", 300.0, "person", "more_than"),
                ("tisoče", 1000.0, "person", "vague"),
                ("več milijonov", 1e6, "EUR", "vague"),
            ],
        ),
        (
            "Vyslali dva generály a třikrát více dronů; 7 bez názvu.",
            "cs",
            [("dva", 2.0, "person", "exact"), ("třikrát", 3.0, "times", "exact")],
        ),
    ],
)
def test_figures_unit_and_qualifier(
    lexicon: LexiconExtractor, text: str, lang: str, expected: list[tuple]
) -> None:
    assert run(lexicon, text, lang)[1] == expected


def test_the_gazetteer_is_the_packages_data() -> None:
    names = gazetteer.build()
    by_key = {(n.lang, n.surface): n for n in names}
    for lang in gazetteer.LANGS:  # every CLDR country name is there, with the id of its English name
        for code in ("KP", "KR", "RU", "UA", "US", "CN", "JP"):
            name = by_key[(lang, Locale(lang).territories[code])]
            assert name.entity_id == gazetteer.id_form("GPE", Locale("en").territories[code])
    assert by_key[("pl", "Federacja Rosyjska")].source == "pycountry"  # an official name CLDR lacks
    assert by_key[("cs", "Moskva")].entity_id == "GPE-Moscow"  # a CLDR time-zone city
    assert all(ID_SCHEME.fullmatch(n.entity_id) for n in names)
    assert {n.source for n in names} == {"cldr-territory", "cldr-city", "pycountry", "pycountry-subdivision"}
    assert len(names) > 3000
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"{len(names):,} names in the three languages" in readme


def test_the_hand_written_words_map_onto_the_closed_vocabularies() -> None:
    mapped = {lexicon_words.UNIT_OF_CONCEPT.get(c, "other") for c in lexicon_words.UNITS} - {None}
    assert mapped <= set(UNITS)
    assert set(lexicon_words.QUALIFIER_OF_HEDGE) == set(lexicon_words.HEDGES)
    assert set(lexicon_words.QUALIFIER_OF_HEDGE.values()) - {None} <= set(QUALIFIERS)
    for table in (lexicon_words.UNITS, lexicon_words.HEDGES):
        assert all(set(by_lang) == {"cs", "pl", "sl"} for by_lang in table.values())


def test_a_document_in_another_language_gets_empty_lists(lexicon: LexiconExtractor) -> None:
    prediction: Any = lexicon({"doc_id": "t", "lang": "de", "text": "Berlin, 5 Soldaten."})
    assert prediction.entities == () and prediction.figures == ()


def test_nkru_bench_run_lexicon_scores_entities_and_figures_with_intervals(tmp_path: Path) -> None:
    out, scores = tmp_path / "lexicon.jsonl", tmp_path / "scores.json"
    command = [sys.executable, "-m", "nkru_bench", "run", "lexicon", "-o", str(out), "--json", str(scores)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    result = json.loads(scores.read_text(encoding="utf-8"))
    for metric in (result["entities"]["strict"], result["figures"]["value_unit"]):
        low, high = metric["ci"]
        assert 0 < low <= metric["f1"] <= high <= 1
    assert re.search(r"^entities .*95% CI", done.stdout, re.MULTILINE)


@pytest.mark.parametrize("module", ["simplemma", "babel"])
def test_without_its_extra_it_is_one_line(module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # import fails as when the package is absent
    with pytest.raises(InputError) as caught:
        resolve_system("lexicon")
    needs = "the lexicon baseline needs babel, pycountry and simplemma: pip install 'nkru-bench[lexicon]'"
    assert str(caught.value) == f"lexicon: {needs}"
