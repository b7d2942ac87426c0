"""The ``spacy-cs`` baseline: the named entities of the spaCy pipeline ``cs_core_news_sm``.

An optional extra (``pip install 'nkru-bench[spacy]'``): the PyPI package ``cs-core-news-sm``
carries its weights, so it runs offline. Its license is CC BY-NC-SA 3.0 (it is trained on the Czech
Named Entity Corpus 2.0): non-commercial use, share alike; nkru_bench does not ship it.

It is the spaCy adapter (``nkru_bench.systems.adapters.spacy_pipeline``, ``run spacy:cs_core_news_sm``)
limited to Czech: for a Polish or Slovene document it predicts no entity (``entities: []``). It
predicts entities only (``figures`` and ``stance`` are left out: not attempted). The scorer takes a
task as attempted for the whole system, not per document, so its entity scores cover all the
documents and its ``by_lang.cs`` slice is the one to compare.

The model's labels (OntoNotes-style) map to the benchmark's types by the adapter's table (numeric,
temporal and ``MISC`` labels are dropped). A mention's lemma is the model's token lemmas joined, each
keeping the case of its first letter in the text ("Severní Koreou" -> "Severní Korea"). No entity ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nkru_bench.systems.adapters.spacy_pipeline import SpacyExtractor, load_pipeline

MODEL = "cs_core_news_sm"
LANG = "cs"


class SpacyCsExtractor(SpacyExtractor):
    """``SpacyCsExtractor()(doc) -> Prediction``; ``nlp`` is any spaCy-like pipeline (default: the model)."""

    def __init__(self, nlp: Callable[[str], Any] | None = None):
        if nlp is None:
            try:
                nlp = load_pipeline(MODEL)
            except ImportError:
                raise ImportError(
                    f"the spacy-cs baseline needs spaCy and {MODEL}: pip install 'nkru-bench[spacy]'"
                ) from None
        super().__init__(MODEL, langs={LANG}, nlp=nlp)
