"""Label Studio's JSON export read back into annotation lines.

Per task its submitted annotation is read, never its predictions (in an export they are ids; what
was proposed is not what was reviewed). A task with no submitted annotation (never opened, only
skipped or cancelled, only a draft) leaves its article's annotation file exactly as it is, and the
import says so; several submitted annotations are refused unless one is marked as ground truth.
Regions are grouped by their id (Label Studio gives a region drawn by hand a generated one);
results with any ``origin`` are read, and a ``choices`` value may carry the region's ``text``.
Nothing is written unless every task is understood. Offsets are code points (what Label Studio
stores since 1.4); offsets in UTF-16 code units, as older versions wrote around emoji, are
recognised by the region's text and converted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.common.jsonlines import read_json, read_jsonl
from nkru_bench.curation.interop.bundle import Bundle, Sheet, check_line, number_value
from nkru_bench.curation.interop.labelstudio import COMMON, FIELDS, LABEL, LAYER_OF_LABEL, NULLABLE
from nkru_bench.gold.annotations import KB_FILE, Line


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
        if isinstance(item, dict) and item.get("type") == "relation":
            task.problem(at, "a relation, which the gold has no place for: delete it")
            continue
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


def _submitted(task: _Task, raw: dict[str, Any]) -> tuple[dict[str, Any] | None, str, str]:
    """The submitted annotation to import, its place in the task, and when there is none, why.

    A task's ``predictions`` (in an export: the ids of the predictions) and an annotation's
    ``prediction`` are what was proposed, never what was reviewed: they are not read. Cancelled
    (skipped) annotations and unsubmitted drafts are not reviews either. Several submitted
    annotations are refused unless exactly one of them is marked as ground truth.
    """
    annotations = raw.get("annotations", [])
    if not isinstance(annotations, list):
        task.problem("annotations", "must be a list of annotations (Label Studio's JSON export)")
        return None, "", ""
    submitted = []
    for n, annotation in enumerate(annotations):
        if not isinstance(annotation, dict):
            task.problem(f"annotations[{n}]", "must be an annotation object")
        elif annotation.get("was_cancelled") is not True:
            submitted.append((n, annotation))
    if not submitted:
        skipped = len(annotations)
        drafts = raw.get("drafts") if isinstance(raw.get("drafts"), list) else []
        why = (
            f"{skipped} skipped (cancelled) annotation(s), nothing submitted"
            if skipped
            else "no submitted annotation"
        )
        if drafts:
            why += f"; {len(drafts)} unsubmitted draft(s) not read"
        return None, "", why
    if len(submitted) > 1:
        chosen = [(n, a) for n, a in submitted if a.get("ground_truth") is True]
        if len(chosen) != 1:
            ids = ", ".join(str(a.get("id", f"[{n}]")) for n, a in submitted)
            task.problem(
                "annotations",
                f"{len(submitted)} submitted annotations ({ids}): mark the one to import as ground truth "
                "in Label Studio, or delete the others",
            )
            return None, "", ""
        submitted = chosen
    n, annotation = submitted[0]
    return annotation, f"annotations[{n}].result", ""


def read_task(raw: Any, index: int, file: str) -> tuple[Sheet | None, str, list[Problem]]:
    """One exported task as a sheet of annotation lines; without a submitted annotation no sheet,
    and why (the article stays as it is); and the task's problems."""
    data = raw.get("data") if isinstance(raw, dict) else None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("doc_id"), str)
        or not isinstance(data.get("text"), str)
    ):
        problem = Problem(file, None, f"[{index}].data", "needs the doc_id and text the export gave it")
        return None, "", [problem]
    task = _Task(file, index, data["text"])
    annotation, where, why = _submitted(task, raw)
    if annotation is None:
        return None, why, task.problems
    regions = _regions(task, annotation.get("result"), where)
    found = [(region["at"], obj) for region in regions.values() if (obj := _line(task, region)) is not None]
    lines = []
    for at, obj in _merge_stance(task, found):
        for p in check_line(obj, task.text, file, None):
            task.problem(f"{at}.{p.field}" if p.field else at, p.message)
        lines.append(Line(f"{file}[{index}]", len(lines) + 1, obj))
    lang = data.get("lang") if isinstance(data.get("lang"), str) else ""
    sheet = Sheet(data["doc_id"], lang, data.get("date"), task.text, tuple(lines), f"{file}[{index}]")
    return sheet, "", task.problems


def read_export(path: Path) -> Bundle:
    """A Label Studio JSON export (a file, or every ``.json`` of a folder) as a bundle; a
    ``kb.jsonl`` beside it is read too."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise InputError(Problem(str(path), None, None, "has no .json export of Label Studio"))
    problems: list[Problem] = []
    sheets: list[Sheet] = []
    kept: list[tuple[str, str]] = []
    first: dict[str, str] = {}
    for file in files:
        tasks, read = read_json(file)  # the one JSON reader: every JSON-level problem located
        if read:
            problems += read
            continue
        if not isinstance(tasks, list):
            problems.append(
                Problem(str(file), None, None, "must be a list of tasks (Label Studio's JSON export)")
            )
            continue
        for index, raw in enumerate(tasks):
            sheet, why, found = read_task(raw, index, str(file))
            problems += found
            doc_id = raw["data"]["doc_id"] if sheet is not None or why else None
            if doc_id is None:
                continue
            if doc_id in first:
                message = f"{doc_id} is also {first[doc_id]}"
                problems.append(Problem(str(file), None, f"[{index}].data.doc_id", message))
                continue
            first[doc_id] = f"{file}[{index}]"
            if sheet is None:
                kept.append((doc_id, f"{file}[{index}]: {why}"))
            else:
                sheets.append(sheet)
    folder = path if path.is_dir() else path.parent
    kb: tuple[Line, ...] = ()
    if (folder / KB_FILE).is_file():
        objects, kb_problems = read_jsonl(folder / KB_FILE)
        problems += kb_problems
        kb = tuple(Line(str(folder / KB_FILE), n, obj) for n, obj in objects)
    if problems:
        raise InputError(problems)
    return Bundle(tuple(sheets), kb, tuple(kept))
