"""One bad prediction file per class of problem, against the golden gold (documents g1_cs, g2_pl,
g3_sl): each has exactly one problem, at a known line and field. ``test_predictions`` reads them
through the API, ``test_cli_score`` through ``nkru-bench score``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

GOLDEN = Path(__file__).parent / "golden"
DOCS = ("g1_cs", "g2_pl", "g3_sl")


def line(doc_id: str, **tasks: object) -> bytes:
    body = {"doc_id": doc_id, "entities": [], "figures": [], "stance": []} | tasks
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


GOOD = [line(d) for d in DOCS]


@dataclass(frozen=True)
class Bad:
    name: str
    content: bytes
    line: int | None
    field: str | None
    says: str  # a fragment of the message


def _second(replacement: bytes) -> bytes:
    return b"\n".join([GOOD[0], replacement, GOOD[2]]) + b"\n"


def _entity(**fields: object) -> bytes:
    return line("g2_pl", entities=[{"start": 0, "end": 5, "type": "LOC"} | fields])


def _figure(**fields: object) -> bytes:
    return line("g2_pl", figures=[{"value": 10000, "unit": "person"} | fields])


def _stance(**fields: object) -> bytes:
    return line(
        "g2_pl",
        stance=[{"holder_id": "ORG-NATO", "target": "russia_nk_alliance", "label": "against"} | fields],
    )


BAD = [
    Bad("invalid JSON", _second(b'{"doc_id": "g2_pl", "entities": [}'), 2, None, "not valid JSON"),
    Bad("not an object", _second(b'["g2_pl"]'), 2, None, "must be a JSON object"),
    Bad("unknown key", _second(line("g2_pl", entites=[])), 2, "entites", "unknown key 'entites'"),
    Bad("unknown nested key", _second(_entity(score=0.9)), 2, "entities.0.score", "unknown key 'score'"),
    Bad("missing doc_id", _second(b'{"entities": [], "figures": [], "stance": []}'), 2, "doc_id", "required"),
    Bad("string for a number", _second(_entity(start="0")), 2, "entities.0.start", "integer"),
    Bad("float for an integer", _second(_entity(end=5.5)), 2, "entities.0.end", "integer"),
    Bad("boolean for an integer", _second(_entity(start=True)), 2, "entities.0.start", "integer"),
    Bad("list for a string", _second(_entity(lemma=["a"])), 2, "entities.0.lemma", "string"),
    Bad("object for a list", _second(line("g2_pl", stance={})), 2, "stance", "array"),
    Bad("NaN", _second(_figure(value=float("nan"))), 2, "figures.0.value", "NaN"),
    Bad("Infinity", _second(_figure().replace(b"10000", b"Infinity")), 2, "figures.0.value", "Infinity"),
    Bad(
        "overflow to infinity",
        _second(_figure().replace(b"10000", b"1e999")),
        2,
        "figures.0.value",
        "Infinity",
    ),
    Bad("offset past the end", _second(_entity(end=10_000)), 2, "entities.0.end", "past the end of document"),
    Bad("figure offset past the end", _second(_figure(start=0, end=999)), 2, "figures.0.end", "past the end"),
    Bad("start equals end", _second(_entity(start=5, end=5)), 2, "entities.0.end", "greater than start"),
    Bad("start after end", _second(_entity(start=9, end=5)), 2, "entities.0.end", "greater than start"),
    Bad("negative offset", _second(_entity(start=-1)), 2, "entities.0.start", ">= 0"),
    Bad("half the figure offsets", _second(_figure(start=3)), 2, "figures.0", "both start and end"),
    Bad(
        "not UTF-8",
        _second(_entity(lemma="Rosja").replace(b"Rosja", b"Ros\xff")),
        2,
        "entities.0.lemma",
        "UTF-8",
    ),
    Bad(
        "lone surrogate",
        _second(_entity(lemma="Rosja").replace(b"Rosja", b"\\ud800")),
        2,
        "entities.0.lemma",
        "UTF-8",
    ),
    Bad("byte order mark", b"\xef\xbb\xbf" + b"\n".join(GOOD) + b"\n", 1, None, "byte order mark"),
    Bad("unknown doc_id", b"\n".join([*GOOD, line("g9_xx")]) + b"\n", 4, "doc_id", "unknown doc_id 'g9_xx'"),
    Bad("duplicate doc_id", b"\n".join([*GOOD, GOOD[0]]) + b"\n", 4, "doc_id", "already on line 1"),
    Bad(
        "missing documents",
        b"\n".join(GOOD[:2]) + b"\n",
        None,
        "doc_id",
        "no prediction for 1 of 3 gold documents: g3_sl",
    ),
    Bad("empty file", b"", None, None, "has no predictions"),
    Bad(
        "task on some lines only",
        _second(b'{"doc_id": "g2_pl", "entities": [], "figures": []}'),
        2,
        "stance",
        "missing here",
    ),
    Bad(
        "no task at all",
        b"\n".join(json.dumps({"doc_id": d}).encode() for d in DOCS) + b"\n",
        None,
        None,
        "predicts no task",
    ),
    Bad(
        "unknown entity type",
        _second(_entity(type="PERSON")),
        2,
        "entities.0.type",
        "unknown entity type 'PERSON'",
    ),
    Bad("unknown unit", _second(_figure(unit="soldiers")), 2, "figures.0.unit", "unknown unit 'soldiers'"),
    Bad(
        "unknown qualifier",
        _second(_figure(qualifier="about")),
        2,
        "figures.0.qualifier",
        "unknown qualifier 'about'",
    ),
    Bad("unknown label", _second(_stance(label="support")), 2, "stance.0.label", "unknown label 'support'"),
    Bad(
        "unknown target",
        _second(_stance(target="nk_troops")),
        2,
        "stance.0.target",
        "unknown target 'nk_troops'",
    ),
    Bad(
        "one stance pair twice",
        _second(
            line(
                "g2_pl",
                stance=[
                    {"holder_id": "A", "target": "nk_arms_to_russia", "label": x}
                    for x in ("favor", "against")
                ],
            )
        ),
        2,
        "stance.1",
        "already in stance.0",
    ),
]
