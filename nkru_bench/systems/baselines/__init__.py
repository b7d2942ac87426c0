"""The built-in baselines, by the name ``nkru-bench run NAME`` knows them.

Each value is a ``module:attr`` naming an extractor class; it is imported only when it is run,
so an optional baseline's dependencies (spaCy) are needed only by those who run it.

``HELD_OUT`` are the baselines built without the test articles in view (the leaderboard lists them
first); the others were written while reading them (``rules``), a reference point, not a result.
"""

from __future__ import annotations

BASELINES: dict[str, str] = {
    "lexicon": "nkru_bench.systems.baselines.lexicon:LexiconExtractor",
    "spacy-cs": "nkru_bench.systems.baselines.spacy_cs:SpacyCsExtractor",
    "rules": "nkru_bench.systems.baselines.rules:RulesExtractor",
}
HELD_OUT: frozenset[str] = frozenset({"lexicon", "spacy-cs"})
