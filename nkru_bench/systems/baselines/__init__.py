"""The built-in baselines, by the name ``nkru-bench run NAME`` knows them.

Each value is a ``module:attr`` naming an extractor class; it is imported only when it is run,
so an optional baseline's dependencies (spaCy) are needed only by those who run it.
"""

from __future__ import annotations

BASELINES: dict[str, str] = {
    "rules": "nkru_bench.systems.baselines.rules:RulesExtractor",
    "spacy-cs": "nkru_bench.systems.baselines.spacy_cs:SpacyCsExtractor",
}
