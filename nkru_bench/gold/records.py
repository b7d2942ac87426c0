"""Gold records: the one boundary type for every gold source.

Annotation files, built Parquet files and any importer all end up as these frozen
pydantic models. The closed vocabularies (``Literal`` types and tuples of their values) live in
``vocabularies``, free of pydantic, and are re-exported here.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from nkru_bench.gold.vocabularies import (
    ENTITY_TYPES,
    LABELS,
    LANGS,
    QUALIFIERS,
    TARGETS,
    UNITS,
    EntityType,
    Label,
    Lang,
    Qualifier,
    Target,
    Unit,
)

__all__ = [
    "ENTITY_TYPES",
    "LABELS",
    "LANGS",
    "QUALIFIERS",
    "TARGETS",
    "UNITS",
    "Document",
    "Entity",
    "EntityType",
    "Figure",
    "Gold",
    "KBEntry",
    "Label",
    "Lang",
    "Name",
    "Qualifier",
    "Record",
    "Span",
    "Stance",
    "Target",
    "Unit",
]


class Record(BaseModel):
    """Base of every record: immutable, and no field it does not declare."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Span(Record):
    """A half-open range of code points into a document's ``text``."""

    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Entity(Record):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    type: EntityType
    lemma: str
    entity_id: str


class Figure(Record):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    value: float
    unit: Unit
    qualifier: Qualifier
    source_id: str | None = None
    claim_id: str | None = None


class Stance(Record):
    holder_id: str
    target: Target
    label: Label
    evidence: tuple[Span, ...] = ()


class Document(Record):
    doc_id: str
    lang: Lang
    date: str | None
    title: str | None
    text: str
    source_file: str
    sha256: str
    boilerplate: tuple[Span, ...] = ()
    entities: tuple[Entity, ...] = ()
    figures: tuple[Figure, ...] = ()
    stance: tuple[Stance, ...] = ()


class Name(Record):
    lang: str
    name: str


class KBEntry(Record):
    entity_id: str
    type: EntityType
    name_en: str
    names: tuple[Name, ...] = ()
    description: str = ""
    acts_for: str | None = None  # the KB id of the actor the entry acts for (GUIDELINES K6), or None


class Gold(Record):
    """A whole gold standard: documents sorted by ``doc_id`` and the knowledge base."""

    documents: tuple[Document, ...]
    kb: tuple[KBEntry, ...]

    def document(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.doc_id == doc_id:
                return doc
        raise KeyError(doc_id)
