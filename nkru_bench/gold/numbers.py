"""A small multilingual (cs/pl/sl) normalizer for numeric expressions.

``parse_number("1,6 mln") == 1_600_000.0``. The validator uses it to check that a gold figure's
``value`` agrees with its surface text, and the ``rules`` baseline uses the same function to
read figures, so a system and the gold never disagree on arithmetic.

Conventions of the three languages: a comma is the decimal mark; a space (also no-break or
thin space) or a dot followed by exactly three digits groups thousands ("12 000", "10.000").
A magnitude word or abbreviation may follow ("12 tys.", "40 mld", "3 tis."). Spelled-out
numbers cover what news text uses for quantities: small cardinals, multipliers
("trzykrotnie", "třikrát") and bare plural magnitudes ("tisíce", "tysiące", "tisoče"), which
count as one unit of that magnitude (the qualifier ``vague`` says the rest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

# Magnitude words and abbreviations, lower-cased, by the power of ten they stand for.
# Each entry is a regex alternative matched at a word start; longer forms come first.
_MAGNITUDES: dict[int, tuple[str, ...]] = {
    3: (r"tysi[ąę]c\w*", r"tys\.?", r"tisíc\w*", r"tisíce", r"tis\.?", r"tisoč\w*", r"tisoče"),
    6: (r"milion\w*", r"milión\w*", r"milijon\w*", r"mln\.?", r"mil\.?"),
    9: (r"miliard\w*", r"milijard\w*", r"mld\.?", r"mlrd\.?"),
}

# Spelled-out cardinals and multipliers used for quantities in the three languages.
_WORDS: dict[str, float] = {}
for _value, _forms in {
    1: "jeden jedna jedno jednego jednej jednu ena en eno enega",
    2: "dva dvě dvou dwa dwie dwóch dwoma dve dveh dvema",
    3: "tři tří třech trzy trzech trzema trije tri treh",
    4: "čtyři čtyř cztery czterech štirje štiri štirih",
    5: "pět pięć pięciu pet petih",
    10: "deset dziesięć dziesięciu",
    100: "sto",
}.items():
    for _form in _forms.split():
        _WORDS[_form] = float(_value)

_MULTIPLIERS: dict[str, float] = {
    "dvakrát": 2,
    "dwukrotnie": 2,
    "dvakrat": 2,
    "třikrát": 3,
    "trzykrotnie": 3,
    "trikrat": 3,
    "čtyřikrát": 4,
    "czterokrotnie": 4,
    "štirikrat": 4,
    "pětkrát": 5,
    "pięciokrotnie": 5,
    "petkrat": 5,
    "desetkrát": 10,
    "dziesięciokrotnie": 10,
    "desetkrat": 10,
}

# Unit words that belong to the numeric expression itself ("99 proc.", "40 mld euro", "5 %"): they
# do not change the value; which unit they name is the annotation's ``unit``.
_UNIT_WORDS = (
    r"proc\.?",
    r"procent\w*",
    r"odstot\w*",
    r"%",
    r"euro",
    r"eur",
    r"€",
    r"usd",
    r"dolar\w*",
    r"\$",
)
# Words that make a bare magnitude vague ("več milijonov", "kilka tysięcy", "několik tisíc").
_SEVERAL = ("več", "kilka", "kilkanaście", "několik", "nekaj", "wiele", "mnoho")

_SEP = r"[ \u00a0\u202f\u2009]"
_DIGITS = rf"\d{{1,3}}(?:(?:{_SEP}|\.)\d{{3}})+(?!\d)|\d+"
_MAG_RE = "|".join(f"(?:{form})" for forms in _MAGNITUDES.values() for form in forms)
_UNIT_RE = "|".join(f"(?:{form})" for form in _UNIT_WORDS)
_NUMERAL = (
    rf"(?P<num>{_DIGITS})(?:,(?P<frac>\d+))?(?:{_SEP}(?P<mag>{_MAG_RE})(?!\w))?"
    rf"(?:{_SEP}?(?P<unit>{_UNIT_RE})(?!\w))?"
)
_BARE_MAGNITUDE = rf"^(?:(?P<word>\w+){_SEP})?(?P<mag>{_MAG_RE})$"


@cache
def _pattern(pattern: str) -> re.Pattern[str]:
    """A pattern of this module compiled (ignoring case) when first used: scoring imports the module
    for ``values_agree`` alone, and compiling them all takes a few milliseconds."""
    return re.compile(pattern, re.IGNORECASE)


def _magnitude(word: str) -> int:
    for power, forms in _MAGNITUDES.items():
        if any(re.fullmatch(form, word, re.IGNORECASE) for form in forms):
            return power
    raise ValueError(word)


def parse_number(surface: str) -> float | None:
    """The value of a numeric expression, or ``None`` when the text is not one.

    >>> parse_number("12 000"), parse_number("1,6 mln"), parse_number("10.000")
    (12000.0, 1600000.0, 10000.0)
    >>> parse_number("trzykrotnie"), parse_number("tisoče"), parse_number("40 mld euro")
    (3.0, 1000.0, 40000000000.0)
    >>> parse_number("99 proc."), parse_number("več milijonov"), parse_number("1. listopadu")
    (99.0, 1000000.0, None)
    """
    text = surface.strip()
    match = _pattern(_NUMERAL).fullmatch(text)
    if match:
        whole = re.sub(rf"{_SEP}|\.", "", match["num"])
        value = float(f"{whole}.{match['frac']}") if match["frac"] else float(whole)
        if match["mag"]:
            value *= 10.0 ** _magnitude(match["mag"])
        return value
    lower = text.lower()
    if lower in _MULTIPLIERS:
        return float(_MULTIPLIERS[lower])
    if lower in _WORDS:
        return _WORDS[lower]
    bare = _pattern(_BARE_MAGNITUDE).fullmatch(lower)
    if bare and len(bare["mag"].rstrip(".")) > 4:  # a whole word ("tisoče"), not an abbreviation ("mln")
        word = bare["word"]
        base = 1.0 if word is None or word in _SEVERAL else _WORDS.get(word)
        if base is not None:
            return base * 10.0 ** _magnitude(bare["mag"])
    return None


@dataclass(frozen=True)
class NumberMatch:
    start: int
    end: int
    text: str
    value: float


_SCAN = (
    rf"(?<![\w.,])(?:{_NUMERAL})(?![\w]|[.,]\d)"
    rf"|(?<!\w)(?:{'|'.join(sorted(_MULTIPLIERS, key=len, reverse=True))})(?!\w)"
)


def find_numbers(text: str) -> list[NumberMatch]:
    """Every digit-based numeral (with its magnitude word) and multiplier in ``text``, in order."""
    found = []
    for match in _pattern(_SCAN).finditer(text):
        value = parse_number(match.group(0))
        if value is not None:
            found.append(NumberMatch(match.start(), match.end(), match.group(0), value))
    return found


def values_agree(a: float, b: float, rel_tol: float = 1e-6) -> bool:
    """Equal within a relative tolerance (the figure matching rule of the harness)."""
    return abs(a - b) <= rel_tol * max(abs(a), abs(b)) or a == b
