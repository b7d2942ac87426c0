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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from nkru_bench.annotations import KB_FILE, Line
from nkru_bench.errors import InputError, Problem
from nkru_bench.interop import (
    COLORS,
    UNREVIEWED,
    Bundle,
    Sheet,
    check_line,
    line_order,
    number_text,
    number_value,
)
from nkru_bench.jsonlines import dumps, read_jsonl
from nkru_bench.records import ENTITY_TYPES, LABELS, QUALIFIERS, TARGETS, UNITS

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
    for name, content in files.items():
        (out_dir / name).write_text(content, encoding="utf-8")
    return [out_dir / name for name in files]


# --- import ---------------------------------------------------------------------------------------


def index_of_utf16(text: str, offset: int) -> int | None:
    """The code-point index at ``offset`` UTF-16 code units into ``text`` (None: inside a pair)."""
    units = 0
    for index, char in enumerate(text):
        if units == offset:
            return index
        if units > offset:
            return None
        units += 2 if ord(char) > 0xFFFF else 1
    return len(text) if units == offset else None


@dataclass
class _Task:
    file: str
    index: int
    text: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.file, None, f"[{self.index}].{where}", message))


def _offsets(task: _Task, where: str, value: dict[str, Any]) -> tuple[int, int] | None:
    start, end, shown = value.get("start"), value.get("end"), value.get("text")
    if type(start) is not int or type(end) is not int:
        task.problem(where, "a text region needs whole-number start and end")
        return None
    text = task.text
    if 0 <= start < end <= len(text) and (shown is None or text[start:end] == shown):
        return start, end
    s16, e16 = index_of_utf16(text, start), index_of_utf16(text, end)
    if s16 is not None and e16 is not None and s16 < e16 and text[s16:e16] == shown:
        return s16, e16
    task.problem(where, f"{start}:{end} does not select {shown!r} in the task's text")
    return None


def _single(task: _Task, where: str, values: Any) -> str | None:
    if not isinstance(values, list) or len(values) != 1 or not isinstance(values[0], str):
        task.problem(where, f"give exactly one value, not {values!r}")
        return None
    return values[0]


def _regions(task: _Task, result: Any, where: str) -> dict[str, dict[str, Any]]:
    """Region id -> {"span", "label", from_name: value} from a result list, in region order."""
    regions: dict[str, dict[str, Any]] = {}
    if not isinstance(result, list):
        task.problem(where, "must be a list of results")
        return regions
    for n, item in enumerate(result):
        at = f"{where}[{n}]"
        if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
            task.problem(at, "must be an object with a value")
            continue
        rid, name, kind, value = item.get("id"), item.get("from_name"), item.get("type"), item["value"]
        region = regions.setdefault(str(rid), {"at": f"{where}[id={rid}]"})
        if name == LABEL:
            span = _offsets(task, at, value)
            label = _single(task, f"{at}.value.labels", value.get("labels"))
            if label is not None and label not in LAYER_OF_LABEL:
                task.problem(
                    f"{at}.value.labels", f"unknown label {label!r} (known: {', '.join(LAYER_OF_LABEL)})"
                )
            elif span is not None and label is not None:
                region.update(span=span, label=label)
            continue
        known = {n for layer in FIELDS.values() for n, _, _ in layer} | {n for n, _, _ in COMMON}
        if name not in known:
            task.problem(at, f"from_name {name!r} ({kind}) is not a field of nkru_bench's labeling config")
            continue
        entries = value.get("choices") if kind == "choices" else value.get("text")
        single = _single(task, f"{at}.value", entries)
        if name in region:
            task.problem(at, f"region {rid} has {name} twice")
        if single is not None:
            region[name] = single
    return regions


def _line(task: _Task, region: dict[str, Any]) -> dict[str, Any] | None:
    if "span" not in region:
        task.problem(region["at"], "has fields but no label")
        return None
    start, end = region["span"]
    label = region["label"]
    layer = LAYER_OF_LABEL[label]
    obj: dict[str, Any] = {"layer": layer}
    if layer != "stance":
        obj.update(start=start, end=end, text=task.text[start:end])
    if layer == "entity":
        obj["type"] = label
    for name, key, _ in (*FIELDS[layer], *COMMON):
        value = region.get(name)
        if value is None or (key in NULLABLE and not value.strip()):
            if key in NULLABLE:
                obj[key] = None
            elif key not in ("note", "status"):
                task.problem(f"{region['at']}.{name}", f"a {label} region needs {name}")
            continue
        if key == "value":
            try:
                value = float(value)
            except ValueError:
                task.problem(f"{region['at']}.{name}", f"{value!r} is not a number")
                continue
            value = number_value(value)
        elif key in NULLABLE or key in ("lemma", "entity_id", "holder_id"):
            value = value.strip()
        obj[key] = value
    extra = set(region) - {"at", "span", "label"} - {n for n, _, _ in (*FIELDS[layer], *COMMON)}
    for name in sorted(extra):
        task.problem(f"{region['at']}.{name}", f"a {label} region has no field {name}")
    if layer == "stance":
        obj["evidence"] = [{"start": start, "end": end, "text": task.text[start:end]}]
    return obj


def _merge_stance(task: _Task, lines: list[tuple[str, dict[str, Any]]]) -> list[tuple[str, dict[str, Any]]]:
    """Evidence regions with the same holder and target make one stance line, evidence in order."""
    merged: list[tuple[str, dict[str, Any]]] = []
    stances: dict[tuple[Any, Any], dict[str, Any]] = {}
    for at, obj in lines:
        if obj["layer"] != "stance":
            merged.append((at, obj))
            continue
        key = (obj.get("holder_id"), obj.get("target"))
        first = stances.get(key)
        if first is None:
            stances[key] = obj
            merged.append((at, obj))
            continue
        if first.get("label") != obj.get("label"):
            task.problem(
                at, f"stance {first.get('label')} elsewhere for {key[0]} on {key[1]}: one label per pair"
            )
        first["evidence"] += obj["evidence"]
        for optional in ("note", "status"):
            if optional in obj:
                first.setdefault(optional, obj[optional])
    return merged


def _chosen(task: _Task, raw: dict[str, Any]) -> tuple[Any, str]:
    """The result list to import: the latest annotation not cancelled, else our prediction."""
    annotations = [
        (str(a.get("updated_at") or a.get("created_at") or ""), n, a)
        for n, a in enumerate(raw.get("annotations") or [])
        if isinstance(a, dict) and not a.get("was_cancelled")
    ]
    if annotations:
        _, n, chosen = max(annotations, key=lambda item: item[:2])
        return chosen.get("result"), f"annotations[{n}].result"
    predictions = [(n, p) for n, p in enumerate(raw.get("predictions") or []) if isinstance(p, dict)]
    ours = [(n, p) for n, p in predictions if p.get("model_version") == MODEL_VERSION] or predictions
    if ours:
        n, chosen = ours[0]
        return chosen.get("result"), f"predictions[{n}].result"
    return [], "result"


def read_task(raw: Any, index: int, file: str) -> tuple[Sheet | None, list[Problem]]:
    """One exported task as a sheet of annotation lines, or its problems."""
    data = raw.get("data") if isinstance(raw, dict) else None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("doc_id"), str)
        or not isinstance(data.get("text"), str)
    ):
        return None, [Problem(file, None, f"[{index}].data", "needs the doc_id and text the export gave it")]
    task = _Task(file, index, data["text"])
    result, where = _chosen(task, raw)
    regions = _regions(task, result, where)
    found = [(region["at"], obj) for region in regions.values() if (obj := _line(task, region)) is not None]
    lines = []
    for at, obj in _merge_stance(task, found):
        for p in check_line(obj, task.text, file, None):
            task.problem(f"{at}.{p.field}" if p.field else at, p.message)
        lines.append(Line(f"{file}[{index}]", len(lines) + 1, obj))
    lang = data.get("lang") if isinstance(data.get("lang"), str) else ""
    sheet = Sheet(data["doc_id"], lang, data.get("date"), task.text, tuple(lines), f"{file}[{index}]")
    return sheet, task.problems


def read_export(path: Path) -> Bundle:
    """A Label Studio JSON export (a file, or every ``.json`` of a folder) as a bundle; a
    ``kb.jsonl`` beside it is read too."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise InputError(Problem(str(path), None, None, "has no .json export of Label Studio"))
    problems: list[Problem] = []
    sheets: list[Sheet] = []
    first: dict[str, str] = {}
    for file in files:
        try:
            tasks = json.loads(file.read_bytes().decode("utf-8"))
        except (OSError, ValueError) as error:
            problems.append(Problem(str(file), None, None, f"is not a JSON export: {error}"))
            continue
        if not isinstance(tasks, list):
            problems.append(
                Problem(str(file), None, None, "must be a list of tasks (Label Studio's JSON export)")
            )
            continue
        for index, raw in enumerate(tasks):
            sheet, found = read_task(raw, index, str(file))
            problems += found
            if sheet is None:
                continue
            if sheet.doc_id in first:
                problems.append(
                    Problem(
                        str(file),
                        None,
                        f"[{index}].data.doc_id",
                        f"{sheet.doc_id} is also {first[sheet.doc_id]}",
                    )
                )
                continue
            first[sheet.doc_id] = sheet.source
            sheets.append(sheet)
    folder = path if path.is_dir() else path.parent
    kb: tuple[Line, ...] = ()
    if (folder / KB_FILE).is_file():
        objects, kb_problems = read_jsonl(folder / KB_FILE)
        problems += kb_problems
        kb = tuple(Line(str(folder / KB_FILE), n, obj) for n, obj in objects)
    if problems:
        raise InputError(problems)
    return Bundle(tuple(sheets), kb)
