"""The annotation lines' schemas: one pydantic model per layer, parsed with every problem located."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nkru_bench.common.errors import Problem
from nkru_bench.gold.annotations import Line
from nkru_bench.gold.records import (
    EntityType,
    Label,
    Qualifier,
    Target,
    Unit,
)

ID_PATTERN = re.compile(r"(PER|ORG|LOC|GPE|EVT|PRO)-[A-Za-z0-9][A-Za-z0-9.'-]*")


STATUSES = ("unreviewed",)


class LineModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    layer: str
    note: str | None = None
    status: str | None = None


class _Quote(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class _SpanLine(LineModel):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str


class _EntityLine(_SpanLine):
    type: EntityType
    lemma: str = Field(min_length=1)
    entity_id: str


class _FigureLine(_SpanLine):
    value: float = Field(allow_inf_nan=False)
    unit: Unit
    qualifier: Qualifier
    source_id: str | None
    claim_id: str | None


class _StanceLine(LineModel):
    holder_id: str
    target: Target
    label: Label
    evidence: tuple[_Quote, ...] = Field(min_length=1)


LINE_MODELS: dict[str, type[LineModel]] = {
    "title": _SpanLine,
    "boilerplate": _SpanLine,
    "entity": _EntityLine,
    "figure": _FigureLine,
    "stance": _StanceLine,
}


def field_name(loc: Iterable[Any]) -> str:
    return ".".join(str(part) for part in loc) or "(line)"


def parse_line(line: Line, model: type[BaseModel]) -> tuple[Any, list[Problem]]:
    try:
        return model.model_validate(line.obj, strict=False), []
    except ValidationError as error:
        return None, [
            Problem(line.file, line.line, field_name(e["loc"]), e["msg"].replace("\n", " "))
            for e in error.errors()
        ]
