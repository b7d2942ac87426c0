"""The ``lexicon`` baseline: a held-out system built only from maintained public resources.

Nothing in it was derived from the five test articles (see ``gazetteer`` and ``lexicon_words`` for
where each word comes from and when it was written); it reads the document it is given and the
packages' data, never the gold, the seeds or the annotations (a test watches every file it opens).

- **entities**: the gazetteer's names (CLDR via babel, pycountry's translations), matched over the
  tokens of ``nkru_bench.gold.tokens`` through the lemmatizer ``simplemma`` (which ships its data)
  and a stem rule (a word matches a name's word when it is that word with its final vowels replaced
  by an ending of at most three letters: "Kyjevem" ~ "Kyjev", "Stanów" ~ "Stany"); a capitalized
  name word only matches a capitalized word; the longest name wins. The lemma is the name's base
  form from the package, the id its English CLDR name in the registry's form.
- **figures**: ``find_numbers`` (the project's number normalizer) and spelled-out numbers it parses;
  years (four digits, 1800-2100), ordinals ("1. ledna") and clock times are skipped. The unit is
  the first unit word among the three words after the number (or inside it: "5 proc."; an
  abbreviation with a period matches the unit words it begins), else the number is no figure;
  multipliers ("třikrát") are ``times``; durations are no figures. The qualifier is the hedge phrase right
  before the number; a bare magnitude ("tisíce") is ``vague``. No source (not attempted).
- **stance**: not attempted.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nkru_bench.gold.numbers import find_numbers, parse_number
from nkru_bench.gold.tokens import tokenize
from nkru_bench.scoring.predictions import PredEntity, PredFigure, Prediction
from nkru_bench.systems.baselines import gazetteer, lexicon_words

_VOWELS = "aeiouyáéíóúůýěąęǫ"
_MAX_ENDING = 3
_UNIT_WINDOW = 3
_DURATION = "duration"  # a unit word that makes the number no figure
_YEAR = re.compile(r"\d{4}")
_ORDINAL_AFTER = re.compile(r"\.[ \u00a0]*[^\W\d_]")


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str
    lower: str
    forms: frozenset[str]  # lower-cased form and lemma


def _stem(lower: str) -> str:
    stem = lower.rstrip(_VOWELS)
    return stem if len(stem) >= 3 and len(lower) >= 4 else lower


class Matcher:
    """Token-sequence matching of lexicon entries through lemmas, stems and case."""

    def __init__(self, lemmatize: Callable[[str], str]):
        self.lemmatize = lemmatize

    def word(self, text: str, start: int = 0, end: int = 0) -> Word:
        lower = text.lower()
        return Word(start, end, text, lower, frozenset({lower, self.lemmatize(text).lower()}))

    def phrase(self, text: str) -> tuple[Word, ...]:
        return tuple(self.word(text[s:e], s, e) for s, e in tokenize(text))

    @staticmethod
    def same(word: Word, entry: Word) -> bool:
        if entry.text[:1].isupper() and not word.text[:1].isupper():
            return False
        if word.forms & entry.forms:
            return True
        stem = _stem(entry.lower)
        ending = word.lower[len(stem) :]
        return (
            (stem != entry.lower or len(stem) >= 4)
            and word.lower.startswith(stem)
            and len(ending) <= _MAX_ENDING
            and ending.isalpha()
        )

    @staticmethod
    def keys(entry: Word) -> set[str]:
        return {*entry.forms, _stem(entry.lower)}

    @staticmethod
    def lookup_keys(word: Word) -> set[str]:
        cut = range(0, min(_MAX_ENDING, len(word.lower) - 3) + 1)
        return {*word.forms, *(word.lower[: len(word.lower) - k] for k in cut)}


class Index:
    """Entries (token tuples with a payload) found by their first word; the longest match wins."""

    def __init__(self, matcher: Matcher):
        self.matcher = matcher
        self.by_key: dict[str, list[tuple[tuple[Word, ...], Any]]] = {}

    def add(self, phrase: tuple[Word, ...], payload: Any) -> None:
        if phrase:
            for key in Matcher.keys(phrase[0]):
                self.by_key.setdefault(key, []).append((phrase, payload))

    def match_at(self, words: list[Word], i: int) -> tuple[int, Any] | None:
        """The longest entry that starts at ``words[i]``: (its length in words, payload)."""
        best: tuple[int, Any] | None = None
        seen: set[int] = set()
        for key in Matcher.lookup_keys(words[i]):
            for phrase, payload in self.by_key.get(key, ()):
                if id(phrase) in seen or i + len(phrase) > len(words):
                    continue
                seen.add(id(phrase))
                fits = all(Matcher.same(w, e) for w, e in zip(words[i:], phrase, strict=False))
                if fits and (best is None or len(phrase) > best[0]):
                    best = (len(phrase), payload)
        return best

    def match_ending_at(self, words: list[Word], stop: int) -> Any:
        """The payload of the longest entry that ends right before ``words[stop]``, or None."""
        for length in range(min(stop, 4), 0, -1):
            hit = self.match_at(words[stop - length : stop], 0)
            if hit is not None and hit[0] == length:
                return hit[1]
        return None


def _load_lemmatizer() -> Callable[[str, str], str]:
    try:
        import simplemma
    except ImportError:
        raise gazetteer.missing() from None
    return lambda token, lang: simplemma.lemmatize(token, lang=lang)


class LexiconExtractor:
    """``LexiconExtractor()(doc) -> Prediction`` for a document dict with ``doc_id``, ``lang``, ``text``."""

    def __init__(self) -> None:
        lemmatize = _load_lemmatizer()
        self.matchers = {lang: Matcher(lambda t, lang=lang: lemmatize(t, lang)) for lang in gazetteer.LANGS}
        self.names = {lang: Index(m) for lang, m in self.matchers.items()}
        for name in gazetteer.build():
            self.names[name.lang].add(self.matchers[name.lang].phrase(name.surface), name)
        self.units = {lang: Index(m) for lang, m in self.matchers.items()}
        self.hedges = {lang: Index(m) for lang, m in self.matchers.items()}
        for lang, matcher in self.matchers.items():
            for concept, by_lang in lexicon_words.UNITS.items():
                unit = lexicon_words.UNIT_OF_CONCEPT.get(concept, "other") or _DURATION
                for entry in by_lang.get(lang, ()):
                    self.units[lang].add(matcher.phrase(entry), unit)
            for hedge, by_lang in lexicon_words.HEDGES.items():
                qualifier = lexicon_words.QUALIFIER_OF_HEDGE[hedge]
                for entry in by_lang.get(lang, ()):
                    if qualifier is not None:
                        self.hedges[lang].add(matcher.phrase(entry), qualifier)

    def __call__(self, doc: dict[str, Any]) -> Prediction:
        text, lang = doc["text"], doc["lang"]
        if lang not in self.matchers:
            return Prediction(doc_id=doc["doc_id"], entities=(), figures=())
        matcher = self.matchers[lang]
        words = [matcher.word(text[s:e], s, e) for s, e in tokenize(text)]
        return Prediction(
            doc_id=doc["doc_id"],
            entities=tuple(self.entities(words, lang)),
            figures=tuple(self.figures(text, words, lang)),
        )

    def entities(self, words: list[Word], lang: str) -> list[PredEntity]:
        found, i = [], 0
        while i < len(words):
            hit = self.names[lang].match_at(words, i) if words[i].text[:1].isupper() else None
            if hit is None:
                i += 1
                continue
            length, name = hit
            found.append(
                PredEntity(
                    start=words[i].start,
                    end=words[i + length - 1].end,
                    type=name.type,
                    lemma=name.surface,
                    entity_id=name.entity_id,
                )
            )
            i += length
        return found

    def figures(self, text: str, words: list[Word], lang: str) -> list[PredFigure]:
        index_of_start = {w.start: i for i, w in enumerate(words)}
        index_after = {w.end: i + 1 for i, w in enumerate(words)}
        numerals = find_numbers(text)  # digits (with a magnitude word) and multipliers ("třikrát")
        taken = {i for n in numerals for i in range(n.start, n.end)}
        candidates = [(n.start, n.end, n.value, n.text) for n in numerals]
        candidates += [c for c in self._spelled(words) if not taken & set(range(c[0], c[1]))]
        figures = []
        for start, end, value, surface in sorted(candidates):
            if (
                start not in index_of_start
                or end not in index_after
                or self._not_a_quantity(text, start, end, surface)
            ):
                continue
            first, after = index_of_start[start], index_after[end]
            spelled = not any(c.isdigit() for c in surface)
            multiplier = spelled and (start, end) in {(n.start, n.end) for n in numerals}
            unit = "times" if multiplier else self._unit(words, first, after, lang)
            if unit is None:
                continue
            bare = spelled and value >= 1000
            qualifier = "vague" if bare else self.hedges[lang].match_ending_at(words, first) or "exact"
            figures.append(PredFigure(value=value, unit=unit, qualifier=qualifier, start=start, end=end))
        return figures

    @staticmethod
    def _spelled(words: list[Word]) -> list[tuple[int, int, float, str]]:
        """Numbers written as words that the normalizer reads ("tisíce", "več milijonov", "dwóch")."""
        found = []
        for i, word in enumerate(words):
            if not word.text.isalpha():
                continue
            value = parse_number(word.text)
            if value is None or value < 2:
                continue
            if i > 0 and words[i - 1].text.isalpha():
                pair = f"{words[i - 1].text} {word.text}"
                pair_value = parse_number(pair)
                if pair_value is not None:
                    found.append((words[i - 1].start, word.end, pair_value, pair))
                    continue
            found.append((word.start, word.end, value, word.text))
        return found

    @staticmethod
    def _not_a_quantity(text: str, start: int, end: int, surface: str) -> bool:
        """A year ("2024"), an ordinal or a date ("1. ledna"), or a clock time ("12:30")."""
        if _YEAR.fullmatch(surface) and 1800 <= int(surface) <= 2100:
            return True
        after = text[end : end + 3]
        if _ORDINAL_AFTER.match(after) and after.lstrip(". \u00a0")[:1].islower():
            return True
        return text[end : end + 1] == ":" or text[max(start - 1, 0) : start] == ":"

    def _unit(self, words: list[Word], first: int, after: int, lang: str) -> str | None:
        inside = words[first + 1 : after]
        for i in range(len(inside)):
            unit = self._unit_word(inside, i, lang)
            if unit is not None:
                return None if unit == _DURATION else unit
        window = words[after : after + _UNIT_WINDOW]
        for i, word in enumerate(window):
            if not word.text[:1].isalpha() and word.text != "%" and word.text not in "$€":
                break
            unit = self._unit_word(window, i, lang)
            if unit is not None:
                return None if unit == _DURATION else unit
        return None

    def _unit_word(self, words: list[Word], i: int, lang: str) -> str | None:
        hit = self.units[lang].match_at(words, i)
        if hit is not None:
            return hit[1]
        word = words[i]
        if i + 1 < len(words) and words[i + 1].text == "." and len(word.lower) >= 3:  # an abbreviation
            for key, entries in self.units[lang].by_key.items():
                if key.startswith(word.lower):
                    return entries[0][1]
        return None
