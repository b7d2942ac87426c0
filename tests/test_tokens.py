"""The ``tokens`` config: deterministic tokens and sentences, IOB2 tags that give back the gold spans."""

from __future__ import annotations

from pathlib import Path

import datasets
from seqeval.metrics import classification_report, f1_score
from seqeval.scheme import IOB2

from nkru_bench.gold.records import Entity
from nkru_bench.gold.tokens import TAGS, iob2, sentences, spans_from_tags, tokenize
from nkru_bench.gold.validation import validate


def _entity(text: str, part: str, type_: str = "LOC") -> Entity:
    start = text.index(part)
    return Entity(start=start, end=start + len(part), text=part, type=type_, lemma=part, entity_id="GPE-X")


def test_tokenize_keeps_numbers_and_hyphenated_names_whole() -> None:
    text = "Kim Čong-un: 10.000 vojakov, 1,6 mln."
    assert [text[s:e] for s, e in tokenize(text)] == [
        "Kim",
        "Čong-un",
        ":",
        "10.000",
        "vojakov",
        ",",
        "1,6",
        "mln",
        ".",
    ]


def test_sentences_split_at_periods_and_line_breaks_but_not_after_abbreviations() -> None:
    text = "Pjongjang wyśle nawet 12 tys. osób do Rosji. Putin milczy.\nNowy akapit"
    assert [" ".join(s.tokens) for s in sentences(text)] == [
        "Pjongjang wyśle nawet 12 tys . osób do Rosji .",
        "Putin milczy .",
        "Nowy akapit",
    ]


def test_a_sentence_never_breaks_inside_an_entity() -> None:
    text = "Mluvil s J. Novákem."
    entity = _entity(text, "J. Novákem", "PER")
    assert len(sentences(text, [entity])) == 1


def test_iob2_tags_and_back() -> None:
    text = "Severní Korea a Rusko"
    entities = [_entity(text, "Severní Korea"), _entity(text, "Rusko")]
    tokens = tokenize(text)
    tags, unaligned = iob2(tokens, entities)
    assert tags == ["B-LOC", "I-LOC", "O", "B-LOC"]
    assert unaligned == []
    words = [text[s:e] for s, e in tokens]
    assert spans_from_tags([s for s, _ in tokens], words, tags) == [(0, 13, "LOC"), (16, 21, "LOC")]


def test_an_entity_off_token_boundaries_is_reported_not_tagged() -> None:
    text = "Severokorejci"
    tags, unaligned = iob2(tokenize(text), [_entity(text, "Severo")])
    assert tags == ["O"] and len(unaligned) == 1


def _aligned_gold_spans(root: Path) -> dict[str, set[tuple[int, int, str]]]:
    gold, _ = validate(root / "annotations", root / "seeds")
    spans = {}
    for doc in gold.documents:
        tokens = tokenize(doc.text)
        _, unaligned = iob2(tokens, doc.entities)
        spans[doc.doc_id] = {(e.start, e.end, e.type) for e in doc.entities if e not in unaligned}
    return spans


def test_the_tokens_config_gives_back_every_aligned_gold_span(root: Path) -> None:
    rows = datasets.load_dataset(str(root), "tokens", split="test")
    names = rows.features["ner_tags"].feature.names
    assert tuple(names) == TAGS
    found: dict[str, set[tuple[int, int, str]]] = {}
    for row in rows:
        tags = [names[i] for i in row["ner_tags"]]
        found.setdefault(row["doc_id"], set()).update(
            spans_from_tags(row["token_starts"], row["tokens"], tags)
        )
    expected = _aligned_gold_spans(root)
    assert found == {doc_id: spans for doc_id, spans in expected.items()}


def test_the_gold_aligns_to_the_tokenizer(root: Path) -> None:
    gold, _ = validate(root / "annotations", root / "seeds")
    for doc in gold.documents:
        assert iob2(tokenize(doc.text), doc.entities)[1] == [], doc.doc_id


def test_seqeval_scores_gold_against_itself_as_1(root: Path) -> None:
    rows = datasets.load_dataset(str(root), "tokens", split="test")
    names = rows.features["ner_tags"].feature.names
    tags = [[names[i] for i in row["ner_tags"]] for row in rows]
    assert f1_score(tags, tags, mode="strict", scheme=IOB2) == 1.0
    assert "micro avg" in classification_report(tags, tags, mode="strict", scheme=IOB2)
