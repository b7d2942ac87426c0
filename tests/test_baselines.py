"""The baselines: valid predictions for every document, rules that do what they say, the gold
never read, and a README leaderboard that matches what the harness computes."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from nkru_bench.gold.loading import load_gold
from nkru_bench.gold.numbers import parse_number
from nkru_bench.scoring.predictions import Prediction
from nkru_bench.systems.baselines import BASELINES, HELD_OUT, leaderboard
from nkru_bench.systems.baselines.rules import LEXICON, RulesExtractor
from nkru_bench.systems.baselines.spacy_cs import SpacyCsExtractor
from nkru_bench.systems.protocol import document_dict
from nkru_bench.systems.resolve import documents_from_seeds

ROOT = Path(__file__).resolve().parent.parent
DOCS = documents_from_seeds(ROOT / "seeds")
RULES = RulesExtractor()
ID_SCHEME = re.compile(r"(PER|ORG|LOC|EVT|PRO|GPE)-[A-Z0-9][A-Za-z0-9]*(-[A-Za-z0-9]+)*")


def doc(text: str, lang: str) -> dict[str, Any]:
    return {"doc_id": "t", "lang": lang, "date": None, "title": None, "text": text}


@pytest.mark.parametrize("document", DOCS, ids=[d["doc_id"] for d in DOCS])
def test_rules_predict_every_layer_validly(document: dict[str, Any]) -> None:
    prediction = RULES(document)
    text = document["text"]
    assert Prediction.model_validate(prediction.model_dump()) == prediction
    assert prediction.entities and prediction.figures and prediction.stance
    spans = sorted((e.start, e.end) for e in prediction.entities)
    assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    for entity in prediction.entities:
        assert 0 <= entity.start < entity.end <= len(text) and text[entity.start : entity.end].strip()
        assert entity.entity_id is None or ID_SCHEME.fullmatch(entity.entity_id)
    for figure in prediction.figures:
        assert figure.start is not None and figure.end is not None
        assert parse_number(text[figure.start : figure.end]) == figure.value  # the validator's normalizer
    for stance in prediction.stance:
        assert ID_SCHEME.fullmatch(stance.holder_id)


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("odhadla, že by mohla vyslat až 12 000 vojáků", "cs", [("12 000", 12000, "person", "at_most")]),
        ("co najmniej 3 tys. żołnierzy Korei", "pl", [("3 tys.", 3000, "person", "at_least")]),
        (
            "dostarczyła około 1,6 mln pocisków artyleryjskich",
            "pl",
            [("1,6 mln", 1.6e6, "munition", "approximately")],
        ),
        ("opozorile na tisoče severnokorejskih vojakov", "sl", [("tisoče", 1000, "person", "vague")]),
        (
            "prek 1000 raket in več milijonov kosov streliva",
            "sl",
            [("1000", 1000, "missile", "more_than"), ("več milijonov", 1e6, "munition", "vague")],
        ),
        ("liczba ta może być trzykrotnie wyższa", "pl", [("trzykrotnie", 3, "times", "exact")]),
        ("pomocy o wartości 40 mld euro", "pl", [("40 mld euro", 4e10, "EUR", "exact")]),
        ("ponad 99 proc. wsparcia", "pl", [("99 proc.", 99, "percent", "more_than")]),
        ("od začátku invaze v roce 2022, nasazeni 1. listopadu", "cs", []),
        ("po raz pierwszy od 2000 roku", "pl", []),
    ],
)
def test_rules_figures(text: str, lang: str, expected: list[tuple[str, float, str, str]]) -> None:
    figures = RULES(doc(text, lang)).figures or ()
    assert [(text[f.start : f.end], f.value, f.unit, f.qualifier) for f in figures] == expected  # type: ignore[index]


def test_rules_attribute_a_figure_to_the_nearest_actor_before_it() -> None:
    text = (
        "Pentagon informował, że w rejonie kurskim jest około 10 tys. żołnierzy.\nInny akapit: 5 żołnierzy."
    )
    figures = RULES(doc(text, "pl")).figures or ()
    assert [f.source_id for f in figures] == ["ORG-Pentagon", None]


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Vztahy se zlepšily se Severní Koreou.",
            "cs",
            [("Severní Koreou", "LOC", "Severní Korea", "GPE-North-Korea")],
        ),
        (
            "Obiecał zjednoczyć się z Władimirem Putinem.",
            "pl",
            [("Władimirem Putinem", "PER", "Władimir Putin", "PER-Vladimir-Putin")],
        ),
        ("Kreml to popřel.", "cs", [("Kreml", "LOC", "Kreml", "LOC-Kremlin")]),
        (
            "je dejal ameriški državni sekretar Antony Blinken",
            "sl",
            [("Antony Blinken", "PER", "Antony Blinken", "PER-Antony-Blinken")],
        ),
        # not in the gazetteer: spotted by capitalization; a later surname is the same person
        (
            "Šéf rozvědky Ivan Novák uvedl. Podle Nováka je to tak.",
            "cs",
            [("Ivan Novák", "PER", "Ivan Novák", None), ("Nováka", "PER", "Novák", None)],
        ),
        (
            "podczas negocjacji w gmachu Komitetu Centralnego Partii",
            "pl",
            [("Komitetu Centralnego Partii", "ORG", "Komitetu Centralnego Partii", None)],
        ),
        ("Nie wiadomo, czy były ofiary.", "pl", []),  # a sentence-initial word is no name on its own
    ],
)
def test_rules_entities(text: str, lang: str, expected: list[tuple[str, str, str, str | None]]) -> None:
    entities = RULES(doc(text, lang)).entities or ()
    assert [(text[e.start : e.end], e.type, e.lemma, e.entity_id) for e in entities] == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        (
            "Kreml popřel, že by severokorejští vojáci byli zapojeni do války.",
            "cs",
            {("GPE-Russia", "nk_troops_in_russia", "against")},
        ),
        (
            "Władimir Putin pośrednio potwierdził, że wojska Korei Północnej są w Rosji.",
            "pl",
            {("PER-Vladimir-Putin", "nk_troops_in_russia", "favor")},
        ),
        (
            "Mark Rutte dodał, że współpraca Moskwy z Pjongjangiem stanowi globalne zagrożenie.",
            "pl",
            {("PER-Mark-Rutte", "russia_nk_alliance", "against")},
        ),
        ("Rutte mluvil o počasí.", "cs", set()),
    ],
)
def test_rules_stance(text: str, lang: str, expected: set[tuple[str, str, str]]) -> None:
    stance = RULES(doc(text, lang)).stance or ()
    assert {(s.holder_id, s.target, s.label) for s in stance} == expected


def test_the_rules_lexicon_ids_follow_the_documented_scheme() -> None:
    data = json.loads(LEXICON.read_text(encoding="utf-8"))
    for entry in data["gazetteer"]:
        assert ID_SCHEME.fullmatch(entry["id"]), entry["id"]
        assert entry["id"].split("-")[0] in {entry["type"], "GPE"}
        assert entry["type"] == "LOC" or not entry["id"].startswith("GPE-")
        assert set(entry["forms"]) == {"cs", "pl", "sl"}, entry["id"]


PACKAGE_DATA = {
    # what each baseline must be seen reading: its own lexicon, or the packages' data it is built from
    "rules": [r"/rules_lexicon\.json$"],
    "lexicon": [
        *(rf"/babel/locale-data/{lang}\.dat$" for lang in ("cs", "pl", "sl", "en")),
        *(rf"/pycountry/locales/{lang}/LC_MESSAGES/iso3166-[12]\.mo$" for lang in ("cs", "pl", "sl")),
        r"/pycountry/databases/iso3166-1\.json$",
        *(rf"/simplemma/strategies/dictionaries/data/{lang}\.plzma$" for lang in ("cs", "pl", "sl")),
    ],
}


@pytest.mark.parametrize(
    ("name", "spec"), [("rules", "rules:RulesExtractor"), ("lexicon", "lexicon:LexiconExtractor")]
)
def test_a_baseline_never_opens_the_gold(name: str, spec: str) -> None:
    """Run it in a fresh interpreter with an audit hook that records every file opened: it reads the
    documents it is given and its own data, never the gold, the seeds or the annotations."""
    module, attr = spec.split(":")
    probe = textwrap.dedent(
        f"""
        import json, sys
        opened = []
        sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
        from pathlib import Path
        from nkru_bench.systems.resolve import documents_from_seeds
        docs = documents_from_seeds(Path(sys.argv[1]) / "seeds")
        start = len(opened)
        from nkru_bench.systems.baselines.{module} import {attr}
        extract = {attr}()
        predictions = [extract(doc) for doc in docs]
        assert all(p.entities for p in predictions)
        print(json.dumps({{"opened": opened[start:], "modules": sorted(sys.modules)}}))
        """
    )
    out = subprocess.run([sys.executable, "-c", probe, str(ROOT)], capture_output=True, text=True, check=True)
    seen = json.loads(out.stdout)
    opened = [p.replace("\\", "/") for p in seen["opened"]]
    for pattern in PACKAGE_DATA[name]:
        assert any(re.search(pattern, p) for p in opened), f"{name} did not read {pattern}"
    gold = [p for p in opened if re.search(r"annotations|seeds|nkru_bench/data|\.parquet$|kb\.jsonl$", p)]
    assert gold == []
    assert not {"nkru_bench.gold.loading", "nkru_bench.gold.annotations", "nkru_bench.gold.validation"} & set(
        seen["modules"]
    )


class FakeSpan:
    """What the baseline reads of a spaCy entity span: offsets, label, and tokens with lemmas."""

    def __init__(self, text: str, start: int, end: int, label: str, lemmas: list[str]):
        self.start_char, self.end_char, self.label_ = start, end, label
        words = text[start:end].split(" ")
        pairs = zip(words, lemmas, strict=True)
        self.tokens = [SimpleNamespace(text=w, lemma_=lemma, whitespace_=" ") for w, lemma in pairs]
        self.tokens[-1].whitespace_ = ""

    def __iter__(self) -> Any:
        return iter(self.tokens)


def fake_nlp(text: str) -> SimpleNamespace:
    """A stand-in for the spaCy pipeline: 'Severní Koreou' (GPE), 'NATO' (MISC), '2022' (DATE)."""
    spans = [(0, 14, "GPE", ["severní", "Korea"]), (15, 19, "MISC", ["NATO"]), (20, 24, "DATE", ["2022"])]
    return SimpleNamespace(ents=[FakeSpan(text, *span) for span in spans])


def test_spacy_cs_maps_labels_and_lemmas_and_predicts_nothing_outside_czech() -> None:
    extract = SpacyCsExtractor(nlp=fake_nlp)
    czech = extract(doc("Severní Koreou NATO 2022", "cs"))
    assert [(e.start, e.end, e.type, e.lemma, e.entity_id) for e in czech.entities or ()] == [
        (0, 14, "LOC", "Severní Korea", None)
    ]
    assert czech.figures is None and czech.stance is None
    assert extract(doc("Korea Północna", "pl")) == Prediction(doc_id="t", entities=())


def test_every_baseline_is_registered_by_module_attr() -> None:
    assert set(BASELINES) == {"rules", "spacy-cs", "lexicon"}
    assert {"lexicon", "spacy-cs"} == HELD_OUT  # rules was written with the test articles in view
    assert all(":" in spec for spec in BASELINES.values())


@pytest.mark.parametrize("name", ["rules", "lexicon"])  # spacy-cs: tests/heavy (tox -e adapters)
def test_the_stored_predictions_are_a_fresh_run(name: str, tmp_path: Path) -> None:
    gold = load_gold()
    assert [d["doc_id"] for d in map(document_dict, gold.documents)] == [d["doc_id"] for d in DOCS]
    fresh = tmp_path / f"{name}.jsonl"
    leaderboard.run_baseline(name, gold, fresh)
    stored = leaderboard.predictions_path(name, ROOT)
    assert fresh.read_text(encoding="utf-8") == stored.read_text(encoding="utf-8"), (
        "run: python -m nkru_bench.systems.baselines.leaderboard"
    )


def test_the_readme_leaderboard_is_what_the_harness_computes() -> None:
    region = leaderboard.readme_region((ROOT / "README.md").read_text(encoding="utf-8"))
    assert region is not None, f"README.md needs a region {leaderboard.BEGIN} ... {leaderboard.END}"
    assert region == leaderboard.table(load_gold(), ROOT), (
        "run: python -m nkru_bench.systems.baselines.leaderboard"
    )


def test_the_readme_shows_the_tested_node_example() -> None:
    example = (ROOT / "examples" / "extractor.js").read_text(encoding="utf-8")
    assert f"```js\n{example}```" in (ROOT / "README.md").read_text(encoding="utf-8")
