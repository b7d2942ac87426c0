"""The ``tokens`` config: a deterministic tokenizer, sentence splitter and IOB2 tagging.

Tokenizer: a token is a number with internal ``.``/``,`` groups ("10.000", "1,6"), a word with
internal hyphens or apostrophes ("Čong-un", "wojskowo-techniczną"), or any other single
non-space character (punctuation, quotes, dashes).

Sentences: a sentence ends at a line break, or after ``.``, ``!``, ``?`` or ``…`` (with any
closing quotes or brackets written right after it) when the next token starts with an upper-case
letter, a digit or an opening quote (not a dash: in `?" - pytał Rutte` the sentence goes on),
unless the period ends a known abbreviation ("tys.", "mln.", "r.") or the break would fall inside
an entity span.

Tags: IOB2 over the five entity types. An entity whose span does not start and end on token
boundaries cannot be tagged; ``unaligned`` lists such entities (the gold has none).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from nkru_bench.gold.records import ENTITY_TYPES, Entity

TAGS: tuple[str, ...] = ("O", *(f"{prefix}-{t}" for t in ENTITY_TYPES for prefix in ("B", "I")))
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|\w+(?:[-'’]\w+)*|[^\w\s]")
_END = {".", "!", "?", "…"}
_CLOSERS = {'"', "“", "”", "»", "«", ")", "]", "'", "’"}
_OPENERS = {'"', "„", "“", "»", "«", "(", "'"}
_ABBREVIATIONS = {
    "tys",
    "mln",
    "mld",
    "proc",
    "r",
    "tzw",
    "tzv",
    "np",
    "např",
    "tj",
    "t",
    "j",
    "red",
    "tis",
    "mio",
    "oz",
    "dr",
    "prof",
    "ul",
    "št",
    "ok",
    "itd",
    "itp",
    "mj",
    "resp",
    "sv",
    "gen",
    "płk",
    "plk",
}


@dataclass(frozen=True)
class Sentence:
    sentence_id: int
    tokens: tuple[str, ...]
    token_starts: tuple[int, ...]
    ner_tags: tuple[str, ...]


def tokenize(text: str) -> list[tuple[int, int]]:
    """The ``(start, end)`` of every token, in order."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def _starts_sentence(token: str) -> bool:
    return token[0].isupper() or token[0].isdigit() or token in _OPENERS


def sentence_breaks(
    text: str, tokens: Sequence[tuple[int, int]], entities: Sequence[Entity] = ()
) -> list[int]:
    """Indices ``i`` of the tokens that start a new sentence (never 0)."""
    inside = set()
    for entity in entities:
        inside.update(range(entity.start + 1, entity.end))
    breaks = []
    for i in range(1, len(tokens)):
        gap = text[tokens[i - 1][1] : tokens[i][0]]
        if "\n" in gap:
            breaks.append(i)
            continue
        if tokens[i][0] in inside or (not gap and text[tokens[i][0] : tokens[i][1]] in _CLOSERS):
            continue
        j = i - 1
        while j > 0 and text[tokens[j][0] : tokens[j][1]] in _CLOSERS and tokens[j - 1][1] == tokens[j][0]:
            j -= 1
        last = text[tokens[j][0] : tokens[j][1]]
        if last not in _END or not _starts_sentence(text[tokens[i][0] : tokens[i][1]]):
            continue
        if last == "." and j > 0 and tokens[j - 1][1] == tokens[j][0]:
            word = text[tokens[j - 1][0] : tokens[j - 1][1]]
            if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper()):
                continue
        breaks.append(i)
    return breaks


def iob2(tokens: Sequence[tuple[int, int]], entities: Sequence[Entity]) -> tuple[list[str], list[Entity]]:
    """The IOB2 tag of every token, and the entities that do not align to token boundaries."""
    tags = ["O"] * len(tokens)
    index_of_start = {start: i for i, (start, _) in enumerate(tokens)}
    index_of_end = {end: i for i, (_, end) in enumerate(tokens)}
    unaligned = []
    for entity in entities:
        first, last = index_of_start.get(entity.start), index_of_end.get(entity.end)
        if first is None or last is None:
            unaligned.append(entity)
            continue
        tags[first] = f"B-{entity.type}"
        for k in range(first + 1, last + 1):
            tags[k] = f"I-{entity.type}"
    return tags, unaligned


def sentences(text: str, entities: Sequence[Entity] = ()) -> list[Sentence]:
    """The document as tagged sentences."""
    tokens = tokenize(text)
    tags, _ = iob2(tokens, entities)
    bounds = [0, *sentence_breaks(text, tokens, entities), len(tokens)]
    result = []
    for number, (a, b) in enumerate(itertools.pairwise(bounds)):
        result.append(
            Sentence(
                sentence_id=number,
                tokens=tuple(text[s:e] for s, e in tokens[a:b]),
                token_starts=tuple(s for s, _ in tokens[a:b]),
                ner_tags=tuple(tags[a:b]),
            )
        )
    return result


def spans_from_tags(
    token_starts: Sequence[int], tokens: Sequence[str], tags: Sequence[str]
) -> list[tuple[int, int, str]]:
    """``(start, end, type)`` of every IOB2 chunk: the inverse of ``iob2`` for aligned entities."""
    spans: list[tuple[int, int, str]] = []
    current: list = []
    for start, token, tag in zip(token_starts, tokens, tags, strict=True):
        if tag.startswith("I-") and current and current[2] == tag[2:]:
            current[1] = start + len(token)
            continue
        if current:
            spans.append(tuple(current))
        current = [start, start + len(token), tag[2:]] if tag != "O" else []
    if current:
        spans.append(tuple(current))
    return spans


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` without the white space at either edge."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
