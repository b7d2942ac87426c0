"""Predictions: the one boundary type every system output becomes before it is matched.

A task key that is ``None`` means "not attempted" (not scored); an empty tuple means
"predicted nothing". Optional attributes left as ``None`` are not scored either.
"""

from __future__ import annotations

from pydantic import Field

from nkru_bench.records import EntityType, Label, Qualifier, Record, Target, Unit


class PredEntity(Record):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    type: EntityType
    lemma: str | None = None
    entity_id: str | None = None


class PredFigure(Record):
    value: float
    unit: Unit
    qualifier: Qualifier | None = None
    source_id: str | None = None
    start: int | None = Field(default=None, ge=0)
    end: int | None = Field(default=None, ge=0)


class PredStance(Record):
    holder_id: str
    target: Target
    label: Label


class Prediction(Record):
    doc_id: str
    entities: tuple[PredEntity, ...] | None = None
    figures: tuple[PredFigure, ...] | None = None
    stance: tuple[PredStance, ...] | None = None
