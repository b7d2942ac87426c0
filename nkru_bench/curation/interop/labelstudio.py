"""Label Studio: tasks with the annotation lines as pre-filled predictions, the labeling
configuration that shows them, and Label Studio's JSON export read back into annotation lines.

Export writes ``tasks.json`` (one task per article: ``data`` = doc_id, lang, date, text; one
prediction holding every line), ``labeling_config.xml`` (paste it into the project's Labeling
Interface) and ``kb.jsonl`` (for reference; the KB is edited in ``annotations/``). Every line
becomes a region of the ``Text``: its label (``PER`` … ``PRO``, ``Figure``, ``Title``,
``Boilerplate``, ``Evidence``) and per-region fields:

- entity: ``lemma`` and ``entity_id`` (text areas);
- figure: ``figure_value``, ``source_id``, ``claim_id`` (text areas; empty is null), ``unit``
  and ``qualifier`` (choices);
- stance: one ``Evidence`` region per evidence span, each with ``holder_id`` (text area),
  ``target`` and ``stance`` (the label; choices); the regions with the same holder and target
  are one stance line, their evidence in region order;
- every region: ``note`` (text area) and ``review`` (a choice ``unreviewed``: the line's status;
  untick it once checked).

Import reads a JSON export (a file, or every ``.json`` file of a folder): per task the most
recently updated annotation that was not cancelled, else the prediction, so that tasks nobody
opened come back as they went. Offsets are code points (what Label Studio stores since 1.4);
offsets in UTF-16 code units, as older versions wrote around emoji, are recognised by the
region's text and converted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from nkru_bench.common.files import write_inside
from nkru_bench.common.jsonlines import dumps
from nkru_bench.curation.interop.bundle import COLORS, UNREVIEWED, Bundle, Sheet, line_order, number_text
from nkru_bench.gold.annotations import KB_FILE
from nkru_bench.gold.records import ENTITY_TYPES, LABELS, QUALIFIERS, TARGETS, UNITS

CONFIG, TASKS = "labeling_config.xml", "tasks.json"
MODEL_VERSION = "nkru-bench"
LABEL, TEXT = "label", "text"
REGION_LABELS = {"title": "Title", "boilerplate": "Boilerplate", "figure": "Figure", "stance": "Evidence"}
LAYER_OF_LABEL = {**{v: k for k, v in REGION_LABELS.items()}, **{t: "entity" for t in ENTITY_TYPES}}
# per layer: (from_name, line key, kind); "choices" fields have a closed vocabulary
FIELDS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "title": (),
    "boilerplate": (),
    "entity": (("lemma", "lemma", "textarea"), ("entity_id", "entity_id", "textarea")),
    "figure": (
        ("figure_value", "value", "textarea"),
        ("unit", "unit", "choices"),
        ("qualifier", "qualifier", "choices"),
        ("source_id", "source_id", "textarea"),
        ("claim_id", "claim_id", "textarea"),
    ),
    "stance": (
        ("holder_id", "holder_id", "textarea"),
        ("target", "target", "choices"),
        ("stance", "label", "choices"),
    ),
}
COMMON = (("note", "note", "textarea"), ("review", "status", "choices"))
NULLABLE = {"source_id", "claim_id"}
VOCABULARY = {
    "unit": UNITS,
    "qualifier": QUALIFIERS,
    "target": TARGETS,
    "stance": LABELS,
    "review": (UNREVIEWED,),
}


# --- the labeling configuration -------------------------------------------------------------------


def _textarea(name: str, hint: str) -> str:
    return (
        f'    <TextArea name="{name}" toName="{TEXT}" perRegion="true" editable="true" maxSubmissions="1" '
        f'rows="1" placeholder={quoteattr(hint)}/>'
    )


def _choices(name: str, values: Sequence[str]) -> str:
    options = "".join(f'<Choice value="{v}"/>' for v in values)
    return f'    <Choices name="{name}" toName="{TEXT}" perRegion="true" choice="single">{options}</Choices>'


def labeling_config() -> str:
    """The Label Studio labeling interface for nkru_bench tasks."""
    colors = {name: color for name, color in COLORS.items() if name != "Stance"}  # stance = its evidence
    labels = "\n".join(f'    <Label value="{name}" background="{color}"/>' for name, color in colors.items())
    entity_labels = ",".join(ENTITY_TYPES)
    hints = {
        "lemma": "base form of the whole mention",
        "entity_id": "KB id, e.g. GPE-North-Korea",
        "figure_value": "normalized value, e.g. 12000",
        "source_id": "KB id of the source (empty: none)",
        "claim_id": "claim id shared across articles (empty: none)",
        "holder_id": "KB id of the holder",
        "note": "a comment for reviewers",
    }
    parts = [
        "<View>",
        "  <Style>.htx-text { white-space: pre-wrap; }</Style>",
        '  <Header value="$doc_id ($lang)"/>',
        f'  <Labels name="{LABEL}" toName="{TEXT}">',
        labels,
        "  </Labels>",
        f'  <Text name="{TEXT}" value="$text" granularity="symbol"/>',
        f'  <View visibleWhen="region-selected" whenLabelValue="{entity_labels}">',
        _textarea("lemma", hints["lemma"]),
        _textarea("entity_id", hints["entity_id"]),
        "  </View>",
        '  <View visibleWhen="region-selected" whenLabelValue="Figure">',
        _textarea("figure_value", hints["figure_value"]),
        _choices("unit", UNITS),
        _choices("qualifier", QUALIFIERS),
        _textarea("source_id", hints["source_id"]),
        _textarea("claim_id", hints["claim_id"]),
        "  </View>",
        '  <View visibleWhen="region-selected" whenLabelValue="Evidence">',
        _textarea("holder_id", hints["holder_id"]),
        _choices("target", TARGETS),
        _choices("stance", LABELS),
        "  </View>",
        '  <View visibleWhen="region-selected">',
        _textarea("note", hints["note"]),
        _choices("review", (UNREVIEWED,)),
        "  </View>",
        "</View>",
        "",
    ]
    return "\n".join(parts)


# --- export ---------------------------------------------------------------------------------------


def _region(rid: str, text: str, start: int, end: int, label: str, obj: dict[str, Any], layer: str) -> list:
    where = {"start": start, "end": end}
    results: list[dict[str, Any]] = [
        {
            "id": rid,
            "from_name": LABEL,
            "to_name": TEXT,
            "type": "labels",
            "value": {**where, "text": text[start:end], "labels": [label]},
        }
    ]
    for name, key, kind in (*FIELDS[layer], *COMMON):
        value = obj.get(key)
        if value is None:
            continue
        if key == "value":
            value = number_text(value)
        entry = {"choices": [value]} if kind == "choices" else {"text": [value]}
        results.append(
            {"id": rid, "from_name": name, "to_name": TEXT, "type": kind, "value": {**where, **entry}}
        )
    return results


def task(sheet: Sheet) -> dict[str, Any]:
    """One Label Studio task: the article and its lines as a prediction."""
    result: list[dict[str, Any]] = []
    count = 0
    for line in sorted(sheet.lines, key=lambda li: line_order(li.obj)):
        obj, layer = line.obj, line.obj["layer"]
        spans = (
            [(q["start"], q["end"]) for q in obj["evidence"]]
            if layer == "stance"
            else [(obj["start"], obj["end"])]
        )
        label = obj["type"] if layer == "entity" else REGION_LABELS[layer]
        for start, end in spans:
            count += 1
            result += _region(f"r{count}", sheet.text, start, end, label, obj, layer)
    data = {"doc_id": sheet.doc_id, "lang": sheet.lang, "date": sheet.date, "text": sheet.text}
    return {"data": data, "predictions": [{"model_version": MODEL_VERSION, "result": result}]}


def export(bundle: Bundle, out_dir: Path) -> list[Path]:
    """Write ``tasks.json``, ``labeling_config.xml`` and ``kb.jsonl`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        TASKS: json.dumps([task(sheet) for sheet in bundle.sheets], ensure_ascii=False, indent=1) + "\n",
        CONFIG: labeling_config(),
        KB_FILE: "".join(dumps(line.obj) + "\n" for line in bundle.kb),
    }
    return [write_inside(out_dir, name, content) for name, content in files.items()]


# --- import ---------------------------------------------------------------------------------------
