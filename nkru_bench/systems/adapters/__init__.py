"""Adapters: the taggers people already have, as ``nkru-bench run`` systems and Python functions.

- ``iob2:TAGS.jsonl`` (``iob2``): IOB2 tags over the ``tokens`` config's tokens -> entity predictions;
- ``hf:MODEL_OR_PATH`` (``hf_pipeline``): a Hugging Face ``transformers`` token-classification model;
- ``spacy:PACKAGE_OR_PATH`` (``spacy_pipeline``): any spaCy pipeline.

Label names are mapped by ``labels`` (a documented table, or ``--labels LABEL=TYPE,...``). The heavy
packages are optional extras, imported only when such a system is made.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

PREFIXES = ("iob2:", "hf:", "spacy:")


def make(system: str, labels: str | None = None) -> tuple[str, Any] | None:
    """``(name, extractor)`` for a ``PREFIX:ARGUMENT`` system, or None when ``system`` has no such prefix.

    Raises ImportError (one line) when the extra is missing or the model cannot be loaded, and
    InputError for a bad ``--labels`` or tags file.
    """
    prefix = next((p for p in PREFIXES if system.startswith(p)), None)
    if prefix is None:
        return None
    from nkru_bench.systems.adapters.labels import parse_labels

    argument, mapping = system[len(prefix) :], parse_labels(labels)
    name = f"{prefix[:-1]}-{PurePath(argument).stem or 'model'}"  # the default output runs/NAME.jsonl
    if prefix == "iob2:":
        from nkru_bench.systems.adapters.iob2 import Iob2Tags

        return name, Iob2Tags(argument, mapping)
    if prefix == "hf:":
        from nkru_bench.systems.adapters.hf_pipeline import HfExtractor

        return name, HfExtractor(argument, mapping)
    from nkru_bench.systems.adapters.spacy_pipeline import SpacyExtractor

    return name, SpacyExtractor(argument, mapping)
