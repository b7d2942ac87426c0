"""Documents whose pairs compete: their records rebuilt from the columns, so that ``matching`` (the
definition) counts them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nkru_bench.gold.records import ENTITY_TYPES, QUALIFIERS, UNITS, Entity, Figure, Span
from nkru_bench.scoring.predictions import PredEntity, PredFigure
from nkru_bench.scoring.tables import EntityColumns, FigureColumns, GoldTable, SpanColumns


def rows_by_doc(doc: np.ndarray, wanted: np.ndarray) -> dict[int, np.ndarray]:
    """The rows of each wanted document (in their order), for the few documents ``matching`` counts."""
    rows = np.flatnonzero(np.isin(doc, wanted))
    rows = rows[np.argsort(doc[rows], kind="stable")]
    docs, first = np.unique(doc[rows], return_index=True)
    return dict(zip(docs.tolist(), np.split(rows, first[1:]), strict=True)) if len(rows) else {}


def spans_of(spans: SpanColumns, rows: np.ndarray) -> tuple[Span, ...]:
    return tuple(Span.model_construct(start=int(spans.start[i]), end=int(spans.end[i])) for i in rows)


def gold_entities(table: GoldTable, rows: Sequence[int]) -> list[Entity]:
    e, name = table.entities, table.codes.name
    return [
        Entity.model_construct(
            start=int(e.start[i]),
            end=int(e.end[i]),
            text="",
            type=ENTITY_TYPES[e.type[i]],
            lemma=name(int(e.lemma[i])),
            entity_id=name(int(e.entity_id[i])),
        )
        for i in rows
    ]


def pred_entities(table: GoldTable, pred: EntityColumns, rows: Sequence[int]) -> list[PredEntity]:
    name = table.codes.name
    return [
        PredEntity.model_construct(
            start=int(pred.start[i]),
            end=int(pred.end[i]),
            type=ENTITY_TYPES[pred.type[i]],
            lemma=name(int(pred.lemma[i])),
            entity_id=name(int(pred.entity_id[i])),
        )
        for i in rows
    ]


def gold_figures(table: GoldTable, rows: Sequence[int]) -> list[Figure]:
    f, name = table.figures, table.codes.name
    return [
        Figure.model_construct(
            start=int(f.start[i]),
            end=int(f.end[i]),
            text="",
            value=float(f.value[i]),
            unit=UNITS[f.unit[i]],
            qualifier=QUALIFIERS[f.qualifier[i]],
            source_id=name(int(f.source_id[i])),
            claim_id=None,
        )
        for i in rows
    ]


def pred_figures(table: GoldTable, pred: FigureColumns, rows: Sequence[int]) -> list[PredFigure]:
    name = table.codes.name

    def offset(value: int) -> int | None:
        return None if value < 0 else int(value)

    return [
        PredFigure.model_construct(
            value=float(pred.value[i]),
            unit=UNITS[pred.unit[i]],
            qualifier=None if pred.qualifier[i] < 0 else QUALIFIERS[pred.qualifier[i]],
            source_id=name(int(pred.source_id[i])),
            start=offset(pred.start[i]),
            end=offset(pred.end[i]),
        )
        for i in rows
    ]
