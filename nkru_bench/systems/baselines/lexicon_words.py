"""The ``lexicon`` baseline's unit and hedge words: written by hand from general language knowledge.

How and when (honestly): ``UNITS``, ``MULTIPLIERS``, ``HEDGES`` and ``REPORTED`` below were written on
2026-11-30 at about 16:45 UTC from general knowledge of Czech, Polish and Slovene, before re-reading
the five test articles, the gold, the seeds, the annotation guidelines or the SPEC's vocabularies; they
are kept here as written then (keys are English concept names). Only the two mappings at the end
(``UNIT_OF_CONCEPT``, ``QUALIFIER_OF_HEDGE``) were written afterwards, to map those concepts onto the
SPEC's closed unit and qualifier vocabularies; no word was added or removed after the draft. The
author had read the five articles earlier in the project (for other work), so the lists are "written
without the articles in view", not "by someone who never saw them".

Entries are lemmas (dictionary forms), matched through the lemmatizer and a stem rule
(``lexicon.py``); multi-word entries match as token sequences.
"""

from __future__ import annotations

# concept -> {lang: [lemmas]}
UNITS = {
    "soldier": {
        "cs": ["voják", "vojákové", "příslušník", "žoldák", "žoldnéř", "bojovník", "vojsko", "jednotka"],
        "pl": ["żołnierz", "wojskowy", "najemnik", "bojownik", "żołdak"],
        "sl": ["vojak", "pripadnik", "plačanec", "najemnik", "borec", "bojevnik"],
    },
    "person": {
        "cs": ["člověk", "lidé", "osoba", "občan", "obyvatel", "civilista", "dělník", "pracovník"],
        "pl": ["człowiek", "ludzie", "osoba", "obywatel", "mieszkaniec", "cywil", "robotnik", "pracownik"],
        "sl": ["človek", "ljudje", "oseba", "državljan", "prebivalec", "civilist", "delavec"],
    },
    "percent": {
        "cs": ["procento", "%"],
        "pl": ["procent", "%"],
        "sl": ["odstotek", "procent", "%"],
    },
    "kilometre": {
        "cs": ["kilometr", "km"],
        "pl": ["kilometr", "km"],
        "sl": ["kilometer", "km"],
    },
    "metre": {"cs": ["metr", "m"], "pl": ["metr", "m"], "sl": ["meter", "m"]},
    "dollar": {"cs": ["dolar", "$", "USD"], "pl": ["dolar", "$", "USD"], "sl": ["dolar", "$", "USD"]},
    "euro": {"cs": ["euro", "€", "EUR"], "pl": ["euro", "€", "EUR"], "sl": ["evro", "euro", "€", "EUR"]},
    "rouble": {"cs": ["rubl", "RUB"], "pl": ["rubel", "RUB"], "sl": ["rubelj", "RUB"]},
    "won": {"cs": ["won"], "pl": ["won"], "sl": ["von", "won"]},
    "crown": {"cs": ["koruna", "Kč", "CZK"], "pl": ["korona"], "sl": ["krona"]},
    "zloty": {"cs": ["zlotý"], "pl": ["złoty", "zł", "PLN"], "sl": ["zlot"]},
    "hryvnia": {"cs": ["hřivna"], "pl": ["hrywna"], "sl": ["grivna"]},
    "day": {"cs": ["den"], "pl": ["dzień", "doba"], "sl": ["dan"]},
    "week": {"cs": ["týden"], "pl": ["tydzień"], "sl": ["teden"]},
    "month": {"cs": ["měsíc"], "pl": ["miesiąc"], "sl": ["mesec"]},
    "year": {"cs": ["rok", "léto"], "pl": ["rok", "lata"], "sl": ["leto"]},
    "hour": {"cs": ["hodina"], "pl": ["godzina"], "sl": ["ura"]},
    "tank": {"cs": ["tank"], "pl": ["czołg"], "sl": ["tank"]},
    "missile": {
        "cs": ["raketa", "střela"],
        "pl": ["rakieta", "pocisk"],
        "sl": ["raketa", "izstrelek"],
    },
    "shell": {
        "cs": ["granát", "náboj", "dělostřelecký granát"],
        "pl": ["pocisk artyleryjski", "nabój", "granat"],
        "sl": ["granata", "naboj"],
    },
    "drone": {"cs": ["dron"], "pl": ["dron"], "sl": ["dron"]},
    "aircraft": {"cs": ["letadlo", "letoun"], "pl": ["samolot"], "sl": ["letalo"]},
    "brigade": {"cs": ["brigáda"], "pl": ["brygada"], "sl": ["brigada"]},
    "battalion": {"cs": ["prapor"], "pl": ["batalion"], "sl": ["bataljon"]},
    "division": {"cs": ["divize"], "pl": ["dywizja"], "sl": ["divizija"]},
    "regiment": {"cs": ["pluk"], "pl": ["pułk"], "sl": ["polk"]},
    "general": {"cs": ["generál"], "pl": ["generał"], "sl": ["general"]},
    "officer": {"cs": ["důstojník"], "pl": ["oficer"], "sl": ["častnik"]},
    "casualty": {
        "cs": ["oběť", "mrtvý", "raněný", "padlý"],
        "pl": ["ofiara", "zabity", "ranny", "poległy"],
        "sl": ["žrtev", "mrtev", "ranjen", "padel"],
    },
    "country": {"cs": ["země", "stát"], "pl": ["kraj", "państwo"], "sl": ["država"]},
    "ton": {"cs": ["tuna"], "pl": ["tona"], "sl": ["tona"]},
    "container": {"cs": ["kontejner"], "pl": ["kontener"], "sl": ["kontejner", "zabojnik"]},
    "vehicle": {"cs": ["vozidlo"], "pl": ["pojazd"], "sl": ["vozilo"]},
}

# Multipliers written as words (lemmas); the number normalizer may already handle these.
MULTIPLIERS = {
    "cs": {
        "tisíc": 1_000,
        "tis.": 1_000,
        "milion": 1_000_000,
        "mil.": 1_000_000,
        "miliarda": 10**9,
        "mld.": 10**9,
    },
    "pl": {
        "tysiąc": 1_000,
        "tys.": 1_000,
        "milion": 1_000_000,
        "mln": 1_000_000,
        "miliard": 10**9,
        "mld": 10**9,
    },
    "sl": {"tisoč": 1_000, "milijon": 1_000_000, "mio.": 1_000_000, "milijarda": 10**9, "mrd.": 10**9},
}

# Hedge class -> {lang: [phrases, lower case, word forms as written]}
HEDGES = {
    "approximately": {
        "cs": ["asi", "přibližně", "zhruba", "kolem", "okolo", "cca", "cca.", "řádově", "na", "odhadem"],
        "pl": ["około", "ok.", "mniej więcej", "rzędu", "blisko", "szacunkowo", "w przybliżeniu"],
        "sl": ["približno", "okoli", "okrog", "kakih", "kakšnih", "ocenjeno", "pribl."],
    },
    "at_least": {
        "cs": ["nejméně", "alespoň", "aspoň", "minimálně", "přinejmenším"],
        "pl": ["co najmniej", "przynajmniej", "minimum", "najmniej"],
        "sl": ["najmanj", "vsaj", "minimalno"],
    },
    "more_than": {
        "cs": ["více než", "víc než", "přes", "přes než", "nad", "přesahující", "přes více než"],
        "pl": ["ponad", "więcej niż", "przeszło", "powyżej", "z górą", "blisko ponad"],
        "sl": ["več kot", "čez", "nad", "preko", "dobrih"],
    },
    "at_most": {
        "cs": ["nejvýše", "maximálně", "nanejvýš", "až", "až do"],
        "pl": ["maksymalnie", "najwyżej", "co najwyżej", "do", "nawet"],
        "sl": ["največ", "kvečjemu", "do", "celo"],
    },
    "less_than": {
        "cs": ["méně než", "míň než", "pod", "necelých", "necelé", "necelá"],
        "pl": ["mniej niż", "poniżej", "niespełna", "nieco ponad"],
        "sl": ["manj kot", "pod", "slabih", "slabi"],
    },
    "nearly": {
        "cs": ["téměř", "skoro", "bezmála", "takřka", "zhruba až"],
        "pl": ["prawie", "niemal", "niemalże", "blisko", "bez mała"],
        "sl": ["skoraj", "domala", "malone"],
    },
    "range": {
        "cs": ["až", "-", "–", "od", "do"],
        "pl": ["-", "–", "od", "do"],
        "sl": ["-", "–", "od", "do"],
    },
}

# Words that make a figure reported rather than asserted (attribution hedges).
REPORTED = {
    "cs": ["údajně", "podle", "prý", "odhadem", "zřejmě", "pravděpodobně", "možná"],
    "pl": ["rzekomo", "według", "podobno", "prawdopodobnie", "szacuje się", "możliwe"],
    "sl": ["domnevno", "po podatkih", "naj bi", "menda", "verjetno", "po ocenah"],
}


# --- written after the draft: the SPEC's vocabularies ---------------------------------------------

# concept -> SPEC unit; None: a duration (days, years...), which the SPEC says is not a figure.
UNIT_OF_CONCEPT: dict[str, str | None] = {
    "soldier": "person",
    "person": "person",
    "casualty": "person",
    "general": "person",
    "officer": "person",
    "percent": "percent",
    "dollar": "USD",
    "euro": "EUR",
    "missile": "missile",
    "shell": "munition",
    "day": None,
    "week": None,
    "month": None,
    "year": None,
    "hour": None,
}
"""Every other concept (distances, other currencies, tanks, drones, units of an army...) is ``other``."""

# hedge class -> SPEC qualifier; None: not a qualifier ("range" words only join two numbers).
QUALIFIER_OF_HEDGE: dict[str, str | None] = {
    "approximately": "approximately",
    "at_least": "at_least",
    "more_than": "more_than",
    "at_most": "at_most",
    "less_than": "at_most",  # "fewer than N" bounds the figure from above
    "nearly": "approximately",  # "nearly N": close to N
    "range": None,
}
