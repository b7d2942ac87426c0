"""Any spaCy pipeline as a system: ``run spacy:PACKAGE_OR_PATH``.

An optional extra (``pip install 'nkru-bench[spacy]'``). ``PACKAGE_OR_PATH`` is what ``spacy.load``
takes: an installed pipeline package (``cs_core_news_sm``, ``pl_core_news_sm``) or a folder written by
``nlp.to_disk``. Entities are the pipeline's ``doc.ents`` (character offsets from spaCy), labels
mapped by ``labels.LabelMap`` (the documented table of the CoNLL, OntoNotes, WikiNER, NKJP and
Czech Named Entity Corpus schemes, or a ``--labels`` mapping); a label that maps to nothing is
dropped. A mention's lemma is its tokens' lemmas joined, each keeping the case of its first letter
in the text ("Severní Koreou" -> "Severní Korea"; a token without a lemma keeps its text); a pipeline
without a lemmatizer gives no lemma (not attempted). No ids, no figures or stance. ``langs`` limits
the system to documents in those languages (others get ``entities: []``), for a single-language
pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from nkru_bench.scoring.predictions import PredEntity, Prediction
from nkru_bench.systems.adapters.labels import LabelMap

EXTRA = "pip install 'nkru-bench[spacy]'"


def load_pipeline(model: str) -> Callable[[str], Any]:
    try:
        import spacy
    except ImportError:
        raise ImportError(f"spacy: systems need spaCy: {EXTRA}") from None
    try:
        return spacy.load(model)
    except OSError as error:
        first = str(error).strip().splitlines()[0]
        raise ImportError(f"spacy:{model}: cannot load the pipeline: {first}") from None


def span_lemma(span: Any) -> str | None:
    """The lemma of a mention, or None when the pipeline gives no lemma at all (no lemmatizer)."""
    if not any(token.lemma_ for token in span):
        return None
    parts = []
    for token in span:
        lemma = token.lemma_ or token.text
        if token.text[:1].isupper():
            lemma = lemma[:1].upper() + lemma[1:]
        parts.append(lemma + token.whitespace_)
    return "".join(parts).strip() or None


class SpacyExtractor:
    """``SpacyExtractor(model)(doc) -> Prediction``; ``nlp`` may be any spaCy-like callable."""

    def __init__(
        self,
        model: str = "",
        labels: Mapping[str, str | None] | None = None,
        langs: Collection[str] | None = None,
        nlp: Callable[[str], Any] | None = None,
    ):
        self.labels = LabelMap(labels)
        self.langs = set(langs) if langs is not None else None
        self.nlp = nlp if nlp is not None else load_pipeline(model)

    def __call__(self, doc: dict[str, Any]) -> Prediction:
        if self.langs is not None and doc["lang"] not in self.langs:
            return Prediction(doc_id=doc["doc_id"], entities=())
        entities = []
        for ent in self.nlp(doc["text"]).ents:
            kind = self.labels(ent.label_)
            if kind is not None:
                lemma = span_lemma(ent)
                entities.append(PredEntity(start=ent.start_char, end=ent.end_char, type=kind, lemma=lemma))  # type: ignore[arg-type]
        return Prediction(doc_id=doc["doc_id"], entities=tuple(entities))
