"""The closed vocabularies and the three layers: plain constants, no pydantic.

They are ``Literal`` types so that the type checker, pydantic (``records``, which re-exports them)
and the validator agree on them, and tuples of their values for code that only needs the names:
scoring reads a built gold and a prediction file without building a single record. What each value
means is documented in ``annotations/GUIDELINES.md``.
"""

from __future__ import annotations

from typing import Literal, get_args

EntityType = Literal["PER", "ORG", "LOC", "EVT", "PRO"]
Unit = Literal["person", "munition", "missile", "EUR", "USD", "percent", "times", "other"]
Qualifier = Literal["exact", "approximately", "at_least", "more_than", "at_most", "vague"]
Target = Literal["nk_troops_in_russia", "nk_arms_to_russia", "russia_war_in_ukraine", "russia_nk_alliance"]
Label = Literal["favor", "against", "neutral"]
Lang = Literal["cs", "pl", "sl"]

ENTITY_TYPES: tuple[str, ...] = get_args(EntityType)
UNITS: tuple[str, ...] = get_args(Unit)
QUALIFIERS: tuple[str, ...] = get_args(Qualifier)
TARGETS: tuple[str, ...] = get_args(Target)
LABELS: tuple[str, ...] = get_args(Label)
LANGS: tuple[str, ...] = get_args(Lang)

TASKS = ("entities", "figures", "stance")  # the annotated layers, each a task scored on its own
