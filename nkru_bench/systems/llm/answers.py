"""What the model must answer for each layer: the JSON schema it is asked for, and the check of the answer.

The schema goes to the server as ``response_format`` (``json_schema``, strict) where the server supports
structured output; where it does not, it is written into the prompt and the same check applies. The
check is the same in every mode: the answer must be one JSON object ``{"<layer>": [items]}`` (a Markdown
code fence around it and text after it are tolerated, a bare list is taken as the items); an answer that
is not JSON, or is cut off, fails its document. Each item is then validated on its own: an item that
breaks the schema (an unknown type, a missing key, an empty string), or repeats a stance's
(holder, target), is left out and counted as invalid, never silently.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nkru_bench.gold.records import EntityType, Label, Qualifier, Target, Unit

MAX_ITEMS = {"entities": 300, "figures": 60, "stance": 60}


class AnswerError(Exception):
    """The answer as a whole is unusable (not JSON, cut off, not the expected object)."""


class _Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EntityItem(_Item):
    text: str = Field(min_length=1)
    type: EntityType
    lemma: str
    entity_id: str


class FigureItem(_Item):
    text: str
    value: float = Field(allow_inf_nan=False)
    unit: Unit
    qualifier: Qualifier
    source_id: str | None = None


class StanceItem(_Item):
    holder_id: str = Field(min_length=1)
    target: Target
    label: Label


ITEM_MODELS: dict[str, type[_Item]] = {"entities": EntityItem, "figures": FigureItem, "stance": StanceItem}
Layer = Literal["entities", "figures", "stance"]


def _enum(values: tuple[str, ...]) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


def json_schema(layer: str) -> dict[str, Any]:
    """The JSON schema of one layer's answer, in the subset strict structured output accepts."""
    from nkru_bench.gold.records import ENTITY_TYPES, LABELS, QUALIFIERS, TARGETS, UNITS

    string = {"type": "string"}
    properties: dict[str, dict[str, Any]] = {
        "entities": {"text": string, "type": _enum(ENTITY_TYPES), "lemma": string, "entity_id": string},
        "figures": {
            "text": string,
            "value": {"type": "number"},
            "unit": _enum(UNITS),
            "qualifier": _enum(QUALIFIERS),
            "source_id": {"anyOf": [string, {"type": "null"}]},
        },
        "stance": {"holder_id": string, "target": _enum(TARGETS), "label": _enum(LABELS)},
    }[layer]
    item = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    array = {"type": "array", "items": item, "maxItems": MAX_ITEMS[layer]}
    return {
        "type": "object",
        "properties": {layer: array},
        "required": [layer],
        "additionalProperties": False,
    }


def response_format(layer: str) -> dict[str, Any]:
    """The ``response_format`` of a chat-completions request that enforces the layer's schema."""
    schema = {"name": f"nkru_bench_{layer}", "schema": json_schema(layer), "strict": True}
    return {"type": "json_schema", "json_schema": schema}


def schema_instruction(layer: str) -> str:
    """Appended to the prompt when the server cannot enforce the schema itself."""
    schema = json.dumps(json_schema(layer), ensure_ascii=False)
    return f"\n\nAnswer with one JSON object that validates against this JSON schema:\n{schema}"


_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n?(.*?)\n?```\s*$", re.DOTALL)


def _decode(content: str) -> Any:
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        return json.loads(text)
    except ValueError as error:
        first_error = error
    start = min((i for i in (text.find("{"), text.find("[")) if i >= 0), default=-1)
    if start >= 0:
        try:
            return json.JSONDecoder().raw_decode(text[start:])[0]
        except ValueError:
            pass
    raise AnswerError(f"the answer is not valid JSON ({first_error})")


def check_answer(layer: str, content: str, finish_reason: str | None = None) -> tuple[list[Any], list[str]]:
    """The valid items of an answer, and one line per item left out (which item, why)."""
    try:
        obj = _decode(content)
    except AnswerError as error:
        if finish_reason == "length":
            raise AnswerError(f"{error}: it was cut off at the token limit (finish_reason=length)") from None
        raise
    if isinstance(obj, dict):
        if set(obj) != {layer} or not isinstance(obj[layer], list):
            keys = ", ".join(map(repr, obj)) or "none"
            raise AnswerError(f'expected a JSON object {{"{layer}": [...]}}, got one with keys {keys}')
        raw_items = obj[layer]
    elif isinstance(obj, list):
        raw_items = obj
    else:
        raise AnswerError(f"expected a JSON object, got {type(obj).__name__}")
    model = ITEM_MODELS[layer]
    items: list[Any] = []
    invalid: list[str] = []
    pairs: set[tuple[str, str]] = set()
    for number, raw in enumerate(raw_items, start=1):
        try:
            item = model.model_validate(raw)
        except ValidationError as error:
            first = error.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "(item)"
            invalid.append(f"{layer} item {number}: {field}: {first['msg']}")
            continue
        if isinstance(item, StanceItem):  # one row per (holder, target): the first one counts
            if (item.holder_id, item.target) in pairs:
                invalid.append(f"stance item {number}: a second row for ({item.holder_id}, {item.target})")
                continue
            pairs.add((item.holder_id, item.target))
        items.append(item)
    return items, invalid
