"""The LLM system's prompts, answer schemas and answer check (no server, no optional dependency)."""

from __future__ import annotations

import json
import re

import pytest

from nkru_bench.gold.records import ENTITY_TYPES, LABELS, QUALIFIERS, TARGETS, UNITS
from nkru_bench.systems.llm.answers import AnswerError, check_answer, json_schema, response_format
from nkru_bench.systems.llm.prompts import LANGUAGES, LAYERS, PROMPT_VERSION, messages, prompt_version


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_there_is_one_prompt_per_layer_and_language_with_the_article_in_it(layer: str, lang: str) -> None:
    text = "Článek {s} závorkami } a {text} uvnitř."
    system, user = messages(layer, lang, text)
    assert system["role"] == "system" and user["role"] == "user"
    assert user["content"].endswith(text)  # the article is inserted verbatim, braces and all
    language = {"cs": "Czech", "pl": "Polish", "sl": "Slovenian"}[lang]
    assert language in system["content"] and language in user["content"]
    assert "{" not in user["content"].replace(text, "")  # every placeholder was filled


def test_the_prompt_version_names_the_version_and_hashes_the_files() -> None:
    assert re.fullmatch(rf"{PROMPT_VERSION}\+[0-9a-f]{{12}}", prompt_version())


def test_the_schemas_list_the_closed_vocabularies_of_the_gold() -> None:
    entity = json_schema("entities")["properties"]["entities"]["items"]["properties"]
    figure = json_schema("figures")["properties"]["figures"]["items"]["properties"]
    stance = json_schema("stance")["properties"]["stance"]["items"]["properties"]
    assert entity["type"]["enum"] == list(ENTITY_TYPES)
    assert (figure["unit"]["enum"], figure["qualifier"]["enum"]) == (list(UNITS), list(QUALIFIERS))
    assert (stance["target"]["enum"], stance["label"]["enum"]) == (list(TARGETS), list(LABELS))
    strict = response_format("stance")
    assert strict["type"] == "json_schema" and strict["json_schema"]["strict"] is True


def test_a_fenced_answer_with_an_invalid_item_keeps_the_valid_ones_and_names_the_bad_one() -> None:
    items = [
        {"text": "NATO", "type": "ORG", "lemma": "NATO", "entity_id": "ORG-NATO"},
        {"text": "Kreml", "type": "GPE", "lemma": "Kreml", "entity_id": "LOC-Kremlin"},
        {"text": "", "type": "LOC", "lemma": "", "entity_id": "x"},
    ]
    content = "```json\n" + json.dumps({"entities": items}) + "\n```"
    valid, invalid = check_answer("entities", content)
    assert [item.text for item in valid] == ["NATO"]
    assert len(invalid) == 2
    assert invalid[0].startswith("entities item 2: type:")
    assert invalid[1].startswith("entities item 3: text:")


def test_a_truncated_answer_fails_and_says_it_was_cut_off() -> None:
    content = '{"figures": [{"text": "12 000", "value": 12000, "unit": "per'
    with pytest.raises(AnswerError, match="not valid JSON"):
        check_answer("figures", content)
    with pytest.raises(AnswerError, match="cut off at the token limit"):
        check_answer("figures", content, "length")


@pytest.mark.parametrize(
    "content",
    ['{"entities": []}', '"just a string"', '{"stance": {"holder_id": "x"}}', "{}", "I cannot help."],
)
def test_an_answer_that_is_not_the_layers_object_fails(content: str) -> None:
    with pytest.raises(AnswerError):
        check_answer("stance", content)


def test_text_after_the_object_and_a_bare_list_are_accepted() -> None:
    row = {"holder_id": "GPE-Russia", "target": "nk_troops_in_russia", "label": "against"}
    valid, _ = check_answer("stance", json.dumps({"stance": [row]}) + "\nHope this helps!")
    assert valid[0].holder_id == "GPE-Russia"
    assert check_answer("stance", json.dumps([row]))[0] == valid


def test_a_second_row_for_the_same_holder_and_target_is_left_out_and_counted() -> None:
    rows = [
        {"holder_id": "GPE-Russia", "target": "nk_troops_in_russia", "label": "against"},
        {"holder_id": "GPE-Russia", "target": "nk_troops_in_russia", "label": "favor"},
        {"holder_id": "GPE-Russia", "target": "russia_nk_alliance", "label": "favor"},
    ]
    valid, invalid = check_answer("stance", json.dumps({"stance": rows}))
    kept = [(s.target, s.label) for s in valid]
    assert kept == [("nk_troops_in_russia", "against"), ("russia_nk_alliance", "favor")]
    assert invalid == ["stance item 2: a second row for (GPE-Russia, nk_troops_in_russia)"]


def test_the_readme_cites_the_prompt_version_of_this_release(root) -> None:
    readme = (root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Evaluating a language model", 1)[1].split("\n## ", 1)[0]
    cited = set(re.findall(r"v1\+[0-9a-f]{12}", section))
    assert cited == {prompt_version()}, "update the prompt version the README cites"
