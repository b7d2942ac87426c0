"""The ``lexicon`` baseline's gazetteer, built at run time from the data of maintained packages.

Nothing here was written with the test articles in view: every name comes from a package's data.

- **babel** (the Unicode CLDR data it ships): country and territory names (``Locale(lang).territories``),
  and city names, the exemplar cities of CLDR's time zones (``babel.dates.get_timezone_location``).
  The English CLDR name gives the id, in the registry's form (guideline K1): ``GPE-North-Korea``,
  ``GPE-Moscow``; world regions get ``LOC-`` (``LOC-Europe``); the two organisations CLDR lists as
  territories (``EU``, ``UN``) get ``ORG-`` and type ``ORG``. CLDR's language names are not used:
  in Czech, Polish and Slovene they are lower-case common nouns ("korejština"), not named entities.
- **pycountry** (the iso-codes translations it ships): the official and common names of countries
  ("Ruská federace", "Koreańska Republika Ludowo-Demokratyczna"), with the id of the country's CLDR
  English name, and the translated names of subdivisions (regions, provinces), with the id of their
  ISO 3166-2 name. A translation that is only the English name again is skipped, and so are inverted
  forms with a comma ("Korea, republika").

The first entry of a surface form in a language wins (CLDR before pycountry), so a name has one id.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from dataclasses import dataclass

LANGS = ("cs", "pl", "sl")
# CLDR territory codes that are organisations, and codes that are no place
_ORGS = {"EU", "UN"}
_SKIP = {"EZ", "QO", "ZZ", "XA", "XB", "001"}
_LETTERS = str.maketrans(
    {"Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "ß": "ss", "Æ": "AE", "æ": "ae"}
)
_ID = re.compile(r"(ORG|LOC|GPE)-[A-Z0-9][A-Za-z0-9]*(-[A-Za-z0-9]+)*")


@dataclass(frozen=True)
class Name:
    """One name of an entity in one language: its surface (base form), type and id."""

    lang: str
    surface: str
    type: str
    entity_id: str
    source: str  # where it comes from: "cldr-territory", "cldr-city", "pycountry", "pycountry-subdivision"


def missing(extra: str = "lexicon") -> ImportError:
    return ImportError(
        f"the lexicon baseline needs babel, pycountry and simplemma: pip install 'nkru-bench[{extra}]'"
    )


def id_form(prefix: str, english: str) -> str:
    """``GPE-North-Korea`` from ``North Korea``: spaces to ``-``, no diacritics, no apostrophes (K1)."""
    text = unicodedata.normalize("NFKD", english.replace("&", " and ").translate(_LETTERS))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"['’.]", "", text)
    words = re.findall(r"[A-Za-z0-9]+", text)
    return f"{prefix}-{'-'.join(words)}"


def cldr_names() -> list[Name]:
    """Territories and time-zone cities from CLDR, in the three languages."""
    try:
        from babel import Locale
        from babel.core import get_global
        from babel.dates import get_timezone_location
    except ImportError:
        raise missing() from None
    english = Locale("en").territories
    names = []
    for lang in LANGS:
        for code, surface in Locale(lang).territories.items():
            if code in _SKIP or code not in english:
                continue
            if code in _ORGS:
                kind, prefix = "ORG", "ORG"
            else:
                kind, prefix = "LOC", "LOC" if code.isdigit() else "GPE"
            names.append(Name(lang, surface, kind, id_form(prefix, english[code]), "cldr-territory"))
    zones = sorted(
        zone for zone in get_global("zone_territories") if "/" in zone and not zone.startswith("Etc/")
    )
    for lang in LANGS:
        for zone in zones:
            city = get_timezone_location(zone, locale=lang, return_city=True)
            city_en = get_timezone_location(zone, locale="en", return_city=True)
            if city and city_en:
                names.append(Name(lang, city, "LOC", id_form("GPE", city_en), "cldr-city"))
    return names


def pycountry_names() -> list[Name]:
    """Country and subdivision names from pycountry's translations, where they add to CLDR."""
    try:
        import pycountry
        from babel import Locale
    except ImportError:
        raise missing() from None
    english = Locale("en").territories
    names = []
    for lang in LANGS:
        countries = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        for country in pycountry.countries:
            if country.alpha_2 not in english:
                continue
            entity_id = id_form("GPE", english[country.alpha_2])
            for field in ("name", "official_name", "common_name"):
                msgid = getattr(country, field, None)
                surface = countries.gettext(msgid) if msgid else None
                if surface and surface != msgid and "," not in surface:
                    names.append(Name(lang, surface, "LOC", entity_id, "pycountry"))
        subdivisions = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=[lang])
        for subdivision in pycountry.subdivisions:
            surface = subdivisions.gettext(subdivision.name)
            entity_id = id_form("GPE", subdivision.name)
            if (
                surface != subdivision.name
                and "," not in subdivision.name + surface
                and _ID.fullmatch(entity_id)
            ):
                names.append(Name(lang, surface, "LOC", entity_id, "pycountry-subdivision"))
    return names


def build() -> list[Name]:
    """Every name, one entry per (language, surface form): CLDR first, then pycountry.

    A surface that starts lower-case is left out (Polish provinces are adjectives: "łódzkie").
    """
    seen: set[tuple[str, str]] = set()
    result = []
    for name in [*cldr_names(), *pycountry_names()]:
        key = (name.lang, name.surface)
        if key not in seen and name.surface[:1].isupper():  # "łódzkie" is an adjective, not a name
            seen.add(key)
            result.append(name)
    return result
