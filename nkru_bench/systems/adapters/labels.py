"""Label names of other taggers -> the benchmark's entity types, and the ``--labels`` mapping.

The default table covers the label schemes that public NER models use (matched case-sensitively,
after a ``B-``/``I-``/``E-``/``S-``/``L-``/``U-`` prefix is taken off). A label mapped to ``None``
is dropped (not a named entity in the benchmark's sense), and so is a label the table does not know.

- CoNLL-2003, WikiNER (``xx_ent_wiki_sm``, many ``*_core_news``), BSNLP / SlavicNER: ``PER``, ``ORG``,
  ``LOC``; ``EVT``, ``PRO`` (SlavicNER); ``MISC`` dropped;
- OntoNotes 5 (``en_core_web_*``; ``cs_core_news_sm`` uses it too): ``PERSON`` -> PER; ``ORG``;
  ``GPE``, ``LOC``, ``FAC``, ``ADDRESS`` -> LOC; ``EVENT`` -> EVT; ``PRODUCT``, ``WORK_OF_ART``,
  ``LAW`` -> PRO; ``NORP``, ``LANGUAGE``, numbers and dates dropped;
- NKJP (``pl_core_news_*``): ``persName`` -> PER; ``orgName`` -> ORG; ``geogName``, ``placeName``
  -> LOC; ``date``, ``time`` dropped;
- the Czech Named Entity Corpus 2.0 (two-letter types and their supertypes): ``P``, ``p``, ``pf``,
  ``ps``, ``pm``, ``pd``, ``pp``, ``pc`` -> PER; ``g``, ``gc``, ``gu``, ``gl``, ``gq``, ``gr``,
  ``gs``, ``gh``, ``gt`` -> LOC; ``i``, ``ia``, ``ic``, ``if``, ``io`` -> ORG; ``m``, ``me``,
  ``mi``, ``mn``, ``ms``, ``o``, ``oa``, ``op`` -> PRO; the rest dropped.

``--labels`` adds to or overrides the table: ``MISC=PRO,LABEL_1=PER,NORP=O`` (``O`` drops a label).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.gold.records import ENTITY_TYPES

_PREFIX = re.compile(r"^[BIELSU]-")

DEFAULT_LABELS: dict[str, str | None] = {
    # CoNLL-2003, WikiNER, BSNLP / SlavicNER
    "PER": "PER",
    "ORG": "ORG",
    "LOC": "LOC",
    "EVT": "EVT",
    "PRO": "PRO",
    "MISC": None,
    # OntoNotes 5
    "PERSON": "PER",
    "GPE": "LOC",
    "FAC": "LOC",
    "ADDRESS": "LOC",
    "EVENT": "EVT",
    "PRODUCT": "PRO",
    "WORK_OF_ART": "PRO",
    "LAW": "PRO",
    "NORP": None,
    "LANGUAGE": None,
    # NKJP
    "persName": "PER",
    "orgName": "ORG",
    "geogName": "LOC",
    "placeName": "LOC",
    # Czech Named Entity Corpus 2.0
    **dict.fromkeys(("P", "p", "pf", "ps", "pm", "pd", "pp", "pc"), "PER"),
    **dict.fromkeys(("g", "gc", "gu", "gl", "gq", "gr", "gs", "gh", "gt"), "LOC"),
    **dict.fromkeys(("i", "ia", "ic", "if", "io"), "ORG"),
    **dict.fromkeys(("m", "me", "mi", "mn", "ms", "o", "oa", "op"), "PRO"),
}


def parse_labels(spec: str | None, where: str = "--labels") -> dict[str, str | None]:
    """``"MISC=PRO,NORP=O"`` -> ``{"MISC": "PRO", "NORP": None}``; InputError on a malformed item."""
    mapping: dict[str, str | None] = {}
    for item in (spec or "").split(","):
        if not item.strip():
            continue
        source, sep, target = (part.strip() for part in item.partition("="))
        if not sep or not source or target not in (*ENTITY_TYPES, "O"):
            types = ", ".join(ENTITY_TYPES)
            message = f"{item.strip()!r}: expected LABEL=TYPE with TYPE one of {types} or O (drop)"
            raise InputError(Problem(where, None, "labels", message))
        mapping[source] = None if target == "O" else target
    return mapping


class LabelMap:
    """A tagger's label -> an entity type (or None: dropped), from the table and the user's mapping."""

    def __init__(self, extra: Mapping[str, str | None] | None = None):
        self.table = {**DEFAULT_LABELS, **(extra or {})}

    def __call__(self, label: str) -> str | None:
        if label in self.table:
            return self.table[label]
        return self.table.get(_PREFIX.sub("", label))
