"""The ``spacy-cs`` baseline: the named entities of the spaCy pipeline ``cs_core_news_sm``.

An optional extra (``pip install 'nkru-bench[spacy]'``): the PyPI package ``cs-core-news-sm``
carries its weights, so it runs offline. Its license is CC BY-NC-SA 3.0 (it is trained on the Czech
Named Entity Corpus 2.0): non-commercial use, share alike; nkru_bench does not ship it.

It predicts entities only (``figures`` and ``stance`` are left out: not attempted), and only in
Czech: for a Polish or Slovene document it predicts no entity (``entities: []``). The scorer takes
a task as attempted for the whole system, not per document, so its entity scores cover all the
documents and its ``by_lang.cs`` slice is the one to compare.

The model's labels map to the benchmark's types (``LABELS``; numeric, temporal and ``MISC`` labels
are dropped). A mention's lemma is the model's token lemmas joined, each keeping the case of its
first letter in the text ("Severní Koreou" -> "Severní Korea"). No entity ids (no linking).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from nkru_bench.scoring.predictions import PredEntity, Prediction

MODEL = "cs_core_news_sm"
LANG = "cs"
LABELS = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "ADDRESS": "LOC",
    "EVENT": "EVT",
    "PRODUCT": "PRO",
    "WORK_OF_ART": "PRO",
}


def _lemma(span: Any) -> str:
    parts = []
    for token in span:
        lemma = token.lemma_ or token.text
        if token.text[:1].isupper():
            lemma = lemma[:1].upper() + lemma[1:]
        parts.append(lemma + token.whitespace_)
    return "".join(parts).strip()


def load_model() -> Callable[[str], Any]:
    try:
        import spacy
    except ImportError:
        raise ImportError("the spacy-cs baseline needs spaCy: pip install 'nkru-bench[spacy]'") from None
    try:
        return spacy.load(MODEL)
    except OSError:
        raise ImportError(
            f"the spacy-cs baseline needs the model {MODEL}: pip install 'nkru-bench[spacy]'"
        ) from None


class SpacyCsExtractor:
    """``SpacyCsExtractor()(doc) -> Prediction``; ``nlp`` is any spaCy-like pipeline (default: the model)."""

    def __init__(self, nlp: Callable[[str], Any] | None = None):
        self.nlp = nlp if nlp is not None else load_model()

    def __call__(self, doc: dict[str, Any]) -> Prediction:
        if doc["lang"] != LANG:
            return Prediction(doc_id=doc["doc_id"], entities=())
        parsed = self.nlp(doc["text"])
        entities = tuple(
            PredEntity(start=ent.start_char, end=ent.end_char, type=LABELS[ent.label_], lemma=_lemma(ent))  # type: ignore[arg-type]
            for ent in parsed.ents
            if ent.label_ in LABELS
        )
        return Prediction(doc_id=doc["doc_id"], entities=entities)
