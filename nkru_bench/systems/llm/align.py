"""Mention strings to offsets: the one deterministic rule that turns what a model quotes into spans.

A language model returns the strings it found, not offsets. ``align`` places them in the text, in the
order the model listed them, by this rule (documented in the README):

1. A string is searched as it was returned, then with its whitespace runs matching any whitespace,
   then also ignoring case (``str.casefold`` length-preserving characters only).
2. A match counts only on word boundaries (no letter or digit right before or after it) and only
   where it overlaps no span already placed.
3. Of the matches, the first one at or after the end of the previously placed span is taken (models
   list mentions in reading order, so a repeated name takes its next occurrence); when there is none
   after it, the first one from the start of the text.
4. A string with no match at all (or empty) is *unaligned*: it is counted and reported, never
   silently dropped and never guessed.

The result depends only on the text and the list of strings, so the same answer always gives the
same spans.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Alignment:
    spans: tuple[tuple[int, int] | None, ...]  # one per string: (start, end), or None when unaligned

    @property
    def unaligned(self) -> tuple[int, ...]:
        return tuple(i for i, span in enumerate(self.spans) if span is None)


def _patterns(mention: str) -> list[re.Pattern[str]]:
    words = mention.split()
    loose = r"\s+".join(re.escape(word) for word in words)
    patterns = [re.compile(re.escape(mention)), re.compile(loose)]
    if all(len(ch.casefold()) == 1 for ch in mention):
        patterns.append(re.compile(loose, re.IGNORECASE))
    return patterns


def _on_boundaries(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def _free(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= a or start >= b for a, b in taken)


def _place(text: str, mention: str, cursor: int, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    for pattern in _patterns(mention):
        matches = [
            (m.start(), m.end())
            for m in pattern.finditer(text)
            if m.end() > m.start() and _on_boundaries(text, m.start(), m.end())
            and _free(taken, m.start(), m.end())
        ]  # fmt: skip
        if matches:
            after = [span for span in matches if span[0] >= cursor]
            return after[0] if after else matches[0]
    return None


def align(text: str, mentions: Sequence[str]) -> Alignment:
    """Place each mention string in ``text`` by the rule above."""
    spans: list[tuple[int, int] | None] = []
    taken: list[tuple[int, int]] = []
    cursor = 0
    for mention in mentions:
        span = _place(text, mention.strip(), cursor, taken) if mention.strip() else None
        spans.append(span)
        if span is not None:
            taken.append(span)
            cursor = span[1]
    return Alignment(tuple(spans))
