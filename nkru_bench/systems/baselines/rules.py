"""The ``rules`` baseline: gazetteer, capitalization, number and cue-word rules for cs/pl/sl.

It reads the document it is given and its own hand-written lexicon (``rules_lexicon.json``),
never the gold annotations or the knowledge base built from them. Every rule is described in
the lexicon's ``about`` fields and in the README; in short:

- entities: the gazetteer's names (with their lemma and id), then capitalized word sequences
  (ORG / LOC by a head word, PER otherwise; a lone word only as the surname of a PER seen before);
- figures: ``nkru_bench.numbers.find_numbers`` (the validator's normalizer), years and dates
  skipped, unit from the words that follow, qualifier from the hedge word before, source = the
  nearest actor before it in the paragraph;
- stance: a cue word (deny / confirm / condemn / support) plus a topic word in one sentence gives
  the sentence's first actor before the cue (after it when there is none) a position on the target.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nkru_bench.gold.numbers import find_numbers, parse_number
from nkru_bench.scoring.predictions import PredEntity, PredFigure, Prediction, PredStance

LEXICON = Path(__file__).with_name("rules_lexicon.json")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
_SENTENCE_END = '.!?:\n"„“”»«–—-('
_ORDINAL_AFTER = re.compile(r"\.\s*[^\W\d_]")
Token = tuple[int, int, str]  # start, end, word


def _words(words: list[str], flags: int = 0) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + r")(?!\w)", flags)


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    type: str
    lemma: str
    entity_id: str | None = None
    actor: str | None = None


@dataclass(frozen=True)
class Number:
    start: int
    end: int
    text: str
    value: float
    bare: bool


class RulesExtractor:
    """``RulesExtractor()(doc) -> Prediction`` for a document dict with ``doc_id``, ``lang``, ``text``."""

    def __init__(self, lexicon: Path = LEXICON):
        data = json.loads(lexicon.read_text(encoding="utf-8"))
        self.gazetteer: dict[str, list[tuple[re.Pattern[str], str, dict[str, Any]]]] = {}
        for entry in data["gazetteer"]:
            for lang, forms in entry["forms"].items():
                for lemma, regex in forms:
                    self.gazetteer.setdefault(lang, []).append((_words([regex]), lemma, entry))
        spot = data["spotting"]
        self.org_heads = tuple(spot["org_heads"])
        self.loc_heads = tuple(spot["loc_heads"])
        self.stop = frozenset(spot["stop"])
        self.function_words = frozenset(spot["function_words"])
        self.suffixes: dict[str, list[list[str]]] = spot["surname_suffixes"]
        fig = data["figures"]
        self.units = {unit: _words(words, re.IGNORECASE) for unit, words in fig["units"].items()}
        self.qualifiers = {name: _words(words) for name, words in fig["qualifiers"].items()}
        self.bare = _words([fig["bare_magnitudes"]], re.IGNORECASE)
        self.multiplier_unit = fig["multiplier_unit"]
        stance = data["stance"]
        self.cues = [(_words(c["words"]), c["kind"], c["label"]) for c in stance["cues"].values()]
        self.topics = [(target, _words(t["words"]), t["kind"]) for target, t in stance["topics"].items()]

    def __call__(self, doc: dict[str, Any]) -> Prediction:
        text, lang = doc["text"], doc["lang"]
        mentions = self.entities(text, lang)
        actors = [m for m in mentions if m.actor is not None]
        entities = tuple(
            PredEntity(start=m.start, end=m.end, type=m.type, lemma=m.lemma, entity_id=m.entity_id)  # type: ignore[arg-type]
            for m in mentions
        )
        return Prediction(
            doc_id=doc["doc_id"],
            entities=entities,
            figures=tuple(self.figures(text, actors)),
            stance=tuple(self.stance(text, actors)),
        )

    # --- entities ---------------------------------------------------------------------------

    def gazetteer_mentions(self, text: str, lang: str) -> list[Mention]:
        found = []
        for regex, lemma, entry in self.gazetteer.get(lang, []):
            actor = None if entry["type"] == "PRO" else entry.get("actor", entry["id"])
            for match in regex.finditer(text):
                found.append(Mention(match.start(), match.end(), entry["type"], lemma, entry["id"], actor))
        return _flat(found)

    def entities(self, text: str, lang: str) -> list[Mention]:
        """Gazetteer names first; capitalized sequences around them; the outermost name wins."""
        known = self.gazetteer_mentions(text, lang)
        spotted: list[Mention] = []
        for group in _capitalized_groups(text):
            first = group[0]
            covered = [m for m in known if m.start < group[-1][1] and first[0] < m.end]
            if first[2].startswith(self.org_heads) and not any(m.start <= first[0] for m in covered):
                known = [m for m in known if m not in covered]
                spotted.append(Mention(first[0], group[-1][1], "ORG", text[first[0] : group[-1][1]]))
                continue
            for run in _split(group, covered):
                if _sentence_initial(text, run[0][0]) and self._common(run[0][2], text):
                    run = run[1:]
                if not run:
                    continue
                mention = self._spot(text, run, lang, known + spotted)
                if mention is not None:
                    spotted.append(mention)
        return sorted(known + spotted, key=lambda m: m.start)

    def _spot(self, text: str, run: list[Token], lang: str, seen: list[Mention]) -> Mention | None:
        start, end = run[0][0], run[-1][1]
        surface = text[start:end]
        initial = _sentence_initial(text, start)
        if initial and len(run) == 1:
            return None
        if run[0][2].startswith(self.loc_heads):
            return Mention(start, end, "LOC", surface)
        if run[0][2].startswith(self.org_heads):
            return Mention(start, end, "ORG", surface)
        if len(run) == 1:
            word = run[0][2]
            if word in self.stop:
                return None
            if word.isupper() and 2 <= len(word) <= 6:
                return Mention(start, end, "ORG", word)
            for person in sorted(
                (m for m in seen if m.type == "PER" and m.end <= start), key=lambda m: -m.start
            ):
                surname = person.lemma.split()[-1]
                stem = surname[: max(4, len(surname) - 2)]
                if len(word) >= 4 and word.startswith(stem):
                    return Mention(start, end, "PER", surname, person.entity_id, person.actor)
            return None
        if len(run) > 4:
            return None
        if run[-1][2].isupper():
            return Mention(start, end, "ORG", surface)  # "Rosyjski MSZ"
        return Mention(start, end, "PER", self._person_lemma(surface, lang))

    def _common(self, word: str, text: str) -> bool:
        """A capitalized word that is no name: a function word, or one found in lower case too."""
        lower = word.lower()
        return (
            lower in self.function_words or re.search(rf"(?<!\w){re.escape(lower)}(?!\w)", text) is not None
        )

    def _person_lemma(self, surface: str, lang: str) -> str:
        *names, last = surface.split(" ")
        for suffix, replacement in self.suffixes.get(lang, []):
            if last.endswith(suffix) and len(last) > len(suffix) + 3:
                last = last[: -len(suffix)] + replacement
                break
        return " ".join([*names, last])

    # --- figures ----------------------------------------------------------------------------

    def numbers(self, text: str) -> list[Number]:
        found = [Number(m.start, m.end, m.text, m.value, False) for m in find_numbers(text)]
        for match in self.bare.finditer(text):
            value = parse_number(match.group())
            if value is not None and not any(n.start < match.end() and match.start() < n.end for n in found):
                found.append(Number(match.start(), match.end(), match.group(), value, True))
        return sorted(found, key=lambda n: n.start)

    def figures(self, text: str, actors: list[Mention]) -> list[PredFigure]:
        figures = []
        for number in self.numbers(text):
            if re.fullmatch(r"\d{4}", number.text) and 1900 <= number.value <= 2100:
                continue  # a year
            if _ORDINAL_AFTER.match(text, number.end) and text[number.end :].lstrip(". ")[:1].islower():
                continue  # a date or an ordinal: "1. listopadu"
            source = _nearest_before(actors, number.start, text.rfind("\n", 0, number.start) + 1)
            figures.append(
                PredFigure(
                    value=number.value,
                    unit=self._unit(text, number),  # type: ignore[arg-type]
                    qualifier=self._qualifier(text, number),  # type: ignore[arg-type]
                    source_id=source.actor if source else None,
                    start=number.start,
                    end=number.end,
                )
            )
        return figures

    def _unit(self, text: str, number: Number) -> str:
        if not any(ch.isdigit() for ch in number.text) and not number.bare:
            return self.multiplier_unit
        for word in [number.text, *_WORD.findall(text[number.end : number.end + 80])[:3]]:
            for unit, regex in self.units.items():
                if regex.search(word):
                    return unit
        return "other"

    def _qualifier(self, text: str, number: Number) -> str:
        if number.bare:
            return "vague"
        before = re.findall(r"[\w.]+", text[max(0, number.start - 40) : number.start])[-2:]
        for word in reversed(before):
            for qualifier, regex in self.qualifiers.items():
                if regex.fullmatch(word.lower()) or regex.fullmatch(word.lower().rstrip(".")):
                    return qualifier
        return "exact"

    # --- stance -----------------------------------------------------------------------------

    def stance(self, text: str, actors: list[Mention]) -> list[PredStance]:
        votes: dict[tuple[str, str], list[str]] = {}
        for start, end in _sentences(text):
            lower = text[start:end].lower()
            inside = [m for m in actors if start <= m.start and m.end <= end]
            for cue, kind, label in self.cues:
                for match in cue.finditer(lower):
                    at = start + match.start()
                    holder = next((m for m in inside if m.end <= at), None)  # the speaker comes first
                    holder = holder or next((m for m in inside if m.start > at), None)
                    if holder is None or holder.actor is None:
                        continue
                    for target, topic, topic_kind in self.topics:
                        if topic_kind == kind and topic.search(lower):
                            votes.setdefault((holder.actor, target), []).append(label)
        return [
            PredStance(holder_id=holder, target=target, label=Counter(labels).most_common(1)[0][0])  # type: ignore[arg-type]
            for (holder, target), labels in votes.items()
        ]


def _flat(mentions: list[Mention]) -> list[Mention]:
    """No overlap: earlier first, then longer; a mention overlapping a kept one is dropped."""
    kept: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: (m.start, m.start - m.end)):
        if not kept or mention.start >= kept[-1].end:
            kept.append(mention)
    return kept


def _capitalized_groups(text: str) -> list[list[Token]]:
    """Runs of capitalized words separated by single spaces, as (start, end, word)."""
    groups: list[list[Token]] = []
    for match in _WORD.finditer(text):
        word = match.group()
        if not (word[0].isalpha() and word[0].isupper()):
            continue
        token = (match.start(), match.end(), word)
        if groups and text[groups[-1][-1][1] : match.start()] == " ":
            groups[-1].append(token)
        else:
            groups.append([token])
    return groups


def _split(group: list[Token], covered: list[Mention]) -> list[list[Token]]:
    """The parts of a group of words that no gazetteer mention covers."""
    runs: list[list[Token]] = [[]]
    for token in group:
        if any(m.start < token[1] and token[0] < m.end for m in covered):
            runs.append([])
        else:
            runs[-1].append(token)
    return [run for run in runs if run]


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\u00a0")
    return not before or before[-1] in _SENTENCE_END


def _sentences(text: str) -> list[tuple[int, int]]:
    bounds, start = [], 0
    for match in re.finditer(r"(?<=[.!?])\s+(?=\W*[^\W\d_])|\n+", text):
        bounds.append((start, match.start()))
        start = match.end()
    bounds.append((start, len(text)))
    return [(s, e) for s, e in bounds if e > s]


def _nearest_before(mentions: list[Mention], position: int, floor: int) -> Mention | None:
    before = [m for m in mentions if floor <= m.start and m.end <= position]
    return max(before, key=lambda m: m.end) if before else None
