"""Entity documents whose pairs compete: their mentions rebuilt from the columns as small records
with the attributes ``matching`` reads, so that ``matching`` (the definition) counts them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from nkru_bench.gold.vocabularies import ENTITY_TYPES
from nkru_bench.scoring.tables import EntityColumns, GoldTable, SpanColumns


@dataclass(frozen=True, slots=True)
class Mention:
    """A gold or predicted entity mention as ``matching`` reads it."""

    start: int
    end: int
    type: str
    lemma: str | None
    entity_id: str | None


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


def rows_by_doc(doc: np.ndarray, wanted: np.ndarray) -> dict[int, np.ndarray]:
    """The rows of each wanted document (in their order), for the few documents ``matching`` counts."""
    rows = np.flatnonzero(np.isin(doc, wanted))
    rows = rows[np.argsort(doc[rows], kind="stable")]
    docs, first = np.unique(doc[rows], return_index=True)
    return dict(zip(docs.tolist(), np.split(rows, first[1:]), strict=True)) if len(rows) else {}


def spans_of(spans: SpanColumns, rows: np.ndarray) -> tuple[Span, ...]:
    return tuple(Span(int(spans.start[i]), int(spans.end[i])) for i in rows)


def mentions(table: GoldTable, columns: EntityColumns, rows: Sequence[int]) -> list[Mention]:
    """The mentions of ``rows`` of gold or predicted entity columns (codes named by the gold's ``Codes``)."""
    name = table.codes.name
    return [
        Mention(
            int(columns.start[i]),
            int(columns.end[i]),
            ENTITY_TYPES[columns.type[i]],
            name(int(columns.lemma[i])),
            name(int(columns.entity_id[i])),
        )
        for i in rows
    ]
