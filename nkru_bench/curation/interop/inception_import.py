"""INCEpTION's UIMA CAS XMI (XML 1.0) read back into annotation lines (the layers: ``inception``).

A folder, a ``.zip`` (also zips inside a zip, as a project export has them) or an ``.xmi``; each XMI
is read with the ``typesystem.xml`` beside it (INCEpTION writes ``TypeSystem.xml``), else with ours.
The article is the document name INCEpTION keeps in ``DocumentMetaData``, else the file name.
Annotations of other custom layers (or INCEpTION's built-in Named Entity layer) are refused, not
dropped; sentences, tokens and other segmentation are ignored. A document without the nkru_bench
layers at all (INCEpTION drops them when the project lacks them) is refused, never read as empty.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.common.jsonlines import read_jsonl
from nkru_bench.common.reading import MAX_INPUT_BYTES, read_input, too_large
from nkru_bench.curation.interop.bundle import UNREVIEWED, Bundle, Sheet, check_line, number_value
from nkru_bench.curation.interop.inception import (
    DMD,
    EVIDENCE,
    FEATURES,
    LINK,
    NULLABLE,
    PREFIX,
    SPAN_TYPES,
    STANCE,
    TYPESYSTEM,
    require_cassis,
    typesystem,
)
from nkru_bench.gold.annotations import KB_FILE, Line


class _Doc:
    def __init__(self, source: str, text: str) -> None:
        self.source, self.text = source, text
        self.problems: list[Problem] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append(Problem(self.source, None, where, message))


def _where(fs: Any) -> str:
    return f"{fs.type.name.removeprefix(PREFIX)}[xmi:id={fs.xmiID}]"


def _get(fs: Any, name: str) -> Any:
    return fs.get(name) if fs.type.get_feature(name) is not None else None


def _fields(doc: _Doc, fs: Any, layer: str) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for feature, key in FEATURES[layer]:
        value = _get(fs, feature)
        if value is None or (key in NULLABLE and not str(value).strip()):
            if key in NULLABLE:
                obj[key] = None
            else:
                doc.problem(f"{_where(fs)}.{feature}", f"a {layer} needs {feature}")
            continue
        value = str(value).strip()
        if key == "value":
            try:
                number = float(value)
            except ValueError:
                doc.problem(f"{_where(fs)}.{feature}", f"{value!r} is not a number")
                continue
            value = number_value(number)
        obj[key] = value
    note = _get(fs, "note")
    if note is not None:
        obj["note"] = note
    if _get(fs, "unreviewed"):
        obj["status"] = UNREVIEWED
    return obj


def _span(doc: _Doc, fs: Any) -> dict[str, Any]:
    return {"start": fs.begin, "end": fs.end, "text": doc.text[fs.begin : fs.end]}


def lines_of(cas: Any, source: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The annotation lines of a CAS with the nkru_bench layers (other layers are ignored)."""
    doc = _Doc(source, cas.sofa_string or "")
    found: list[dict[str, Any]] = []
    names = {t.name for t in cas.typesystem.get_types()}
    for layer, name in SPAN_TYPES.items():
        if name not in names:
            continue
        for fs in cas.select(name):
            found.append({"layer": layer, **_span(doc, fs), **_fields(doc, fs, layer)})
    linked: set[int] = set()
    if STANCE in names:
        for fs in cas.select(STANCE):
            evidence = []
            for n, link in enumerate(_get(fs, "evidence").elements if _get(fs, "evidence") else []):
                target = link.get("target") if link is not None else None
                if target is None:
                    doc.problem(
                        f"{_where(fs)}.evidence[{n}]", "an empty slot: link an Evidence span or remove it"
                    )
                    continue
                linked.add(target.xmiID)
                evidence.append(_span(doc, target))
            if not evidence:
                doc.problem(
                    f"{_where(fs)}.evidence",
                    "a stance needs at least one Evidence span in its evidence slots",
                )
            fields = _fields(doc, fs, "stance")
            stance = {
                "layer": "stance",
                **{k: fields.pop(k) for k in ("holder_id", "target", "label") if k in fields},
            }
            found.append({**stance, "evidence": evidence, **fields})
    if EVIDENCE in names:
        for fs in cas.select(EVIDENCE):
            if fs.xmiID not in linked:
                doc.problem(_where(fs), "an Evidence span that no Stance links: link it or delete it")
    return found, doc.problems


OTHER_LAYERS = ("webanno.custom.", "de.tudarmstadt.ukp.dkpro.core.api.ner.type.NamedEntity")
OURS = {*SPAN_TYPES.values(), STANCE, EVIDENCE, LINK}
_Entry = tuple[str, bytes, "bytes | None"]


def _strip(name: str) -> str:
    """A document name without the extensions INCEpTION or an export gave it."""
    name = name.rpartition("/")[2]
    while name.lower().endswith((".xmi", ".txt", ".zip")):
        name = name[:-4]
    return name


def _from_zip(source: str, data: bytes) -> Iterator[_Entry]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise InputError(Problem(source, None, None, f"is not a readable .zip: {error}")) from None
    with archive:
        names = sorted(archive.namelist())
        systems = {n.rpartition("/")[0]: n for n in names if n.rpartition("/")[2].lower() == TYPESYSTEM}

        def read(name: str) -> bytes:  # a member's size as the archive declares it bounds what is read
            if archive.getinfo(name).file_size > MAX_INPUT_BYTES:
                raise too_large(f"{source}!{name}")
            return archive.read(name)

        for name in names:
            if name.lower().endswith(".zip"):  # a project export holds a zip per annotated document
                yield from _from_zip(f"{source}!{name}", read(name))
            elif name.lower().endswith(".xmi"):
                system = systems.get(name.rpartition("/")[0])
                yield f"{source}!{name}", read(name), read(system) if system else None


def _entries(path: Path) -> Iterator[_Entry]:
    """(source, XMI bytes, type system bytes or None) of every XMI in ``path`` (a folder, a .zip or
    an .xmi; zips are opened, also inside zips); the type system is the ``typesystem.xml`` beside it."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if file.suffix.lower() == ".zip":
            yield from _from_zip(str(file), read_input(file))
        elif file.suffix.lower() == ".xmi":
            system = next((p for p in file.parent.iterdir() if p.name.lower() == TYPESYSTEM), None)
            yield str(file), read_input(file), read_input(system) if system else None


def _doc_id(cas: Any, source: str) -> str:
    """The article's doc_id: the document name INCEpTION keeps in DocumentMetaData, else the file's."""
    if DMD in {t.name for t in cas.typesystem.get_types()}:
        for fs in cas.select(DMD):
            for feature in ("documentTitle", "documentId"):
                if fs.get(feature):
                    return _strip(fs.get(feature))
    return _strip(source.rpartition("!")[2])


def _read_cas(source: str, data: bytes, system: bytes | None) -> tuple[Any, list[Problem]]:
    cassis = require_cassis()
    try:
        ts = cassis.load_typesystem(io.BytesIO(system)) if system else typesystem()
        # without its own type system (an .xmi alone) the annotations of other types are skipped
        cas = cassis.load_cas_from_xmi(io.BytesIO(data), typesystem=ts, lenient=system is None)
    except Exception as error:
        return None, [
            Problem(source, None, None, f"is not a UIMA CAS XMI (XML 1.0) that cassis reads: {error}")
        ]
    ours = {*SPAN_TYPES.values(), STANCE, EVIDENCE}
    known = ours & {t.name for t in ts.get_types()} if system else b"/webanno/custom.ecore" in data
    if not known:  # INCEpTION drops the layers its project lacks: an empty import would erase the article
        message = (
            "has none of the nkru_bench layers: in INCEpTION, import typesystem.xml under Settings, Layers, "
            "then the documents (a document imported before that lost its annotations)"
        )
        return None, [Problem(source, None, None, message)]
    problems = []
    for name in sorted({fs.type.name for fs in cas.select_all_annotations()}):
        if name.startswith(OTHER_LAYERS) and name not in OURS:
            message = "annotations of a layer nkru_bench does not read: redo them on its layers (README)"
            problems.append(Problem(source, None, name, message))
    return cas, problems


def read_export(path: Path) -> Bundle:
    """What INCEpTION exports as UIMA CAS XMI (XML 1.0): a folder, a .zip or an .xmi, as a bundle
    (a ``kb.jsonl`` beside it is read too). Where a project export has a document more than once,
    its ``curation/`` copy is read; a document twice otherwise is an error."""
    entries = [
        e for e in (_entries(path) if path.exists() else []) if not _strip(e[0]).startswith("INITIAL_CAS")
    ]
    if not entries:
        message = "has no .xmi file: export the documents from INCEpTION as UIMA CAS XMI (XML 1.0)"
        raise InputError(Problem(str(path), None, None, message))
    problems: list[Problem] = []
    found: dict[str, list[tuple[str, Any]]] = {}
    for source, data, system in entries:
        cas, cas_problems = _read_cas(source, data, system)
        problems += cas_problems
        if cas is not None:
            found.setdefault(_doc_id(cas, source), []).append((source, cas))
    sheets = []
    for doc_id, copies in sorted(found.items()):
        curated = [c for c in copies if "curation/" in c[0].replace("\\", "/")]
        copies = curated or copies
        if len(copies) > 1:
            names = ", ".join(source for source, _ in copies)
            problems.append(
                Problem(
                    copies[0][0], None, "doc_id", f"{doc_id} is in {len(copies)} files ({names}): import one"
                )
            )
            continue
        source, cas = copies[0]
        objects, line_problems = lines_of(cas, source)
        problems += line_problems
        text = cas.sofa_string or ""
        for obj in objects:
            problems += check_line(obj, text, source, None)
        lines = tuple(Line(source, n, obj) for n, obj in enumerate(objects, start=1))
        sheets.append(Sheet(doc_id, cas.document_language or "", None, text, lines, source))
    folder = path if path.is_dir() else path.parent
    kb: tuple[Line, ...] = ()
    if (folder / KB_FILE).is_file():
        kb_objects, kb_problems = read_jsonl(folder / KB_FILE)
        problems += kb_problems
        kb = tuple(Line(str(folder / KB_FILE), n, obj) for n, obj in kb_objects)
    if problems:
        raise InputError(problems)
    return Bundle(tuple(sheets), kb)
