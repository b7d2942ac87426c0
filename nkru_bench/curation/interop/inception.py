"""INCEpTION: UIMA CAS XMI (XML 1.0) with a type system that carries every field of the gold.

Export writes ``typesystem.xml`` (import it in INCEpTION's project settings, *Layers*, *Import*: it
makes the layers below), one ``<doc_id>.xmi`` per article (import them under *Documents* with the
format "UIMA CAS XMI (XML 1.0)") and ``kb.jsonl`` (for reference). Import (``inception_import``)
reads what INCEpTION exports in that format: ``.xmi`` files in a folder or in ``.zip`` files (a
document export, or a project export whose ``curation/`` or ``annotation/`` folders hold them).
dkpro-cassis is an optional dependency (``pip install 'nkru_bench[inception]'``).

The layers (span layers, ``webanno.custom.*``, every string feature free text in INCEpTION; the
closed vocabularies are checked on import):

- ``Entity``: ``entity_type`` (PER, ORG, LOC, EVT, PRO), ``lemma``, ``entity_id``;
- ``Figure``: ``value`` (the number as text, e.g. ``12000`` or ``1.6``: a string so that no
  precision is lost), ``unit``, ``qualifier``, ``source_id``, ``claim_id`` (empty: null);
- ``Stance``: ``holder_id``, ``target``, ``label`` and the link feature ``evidence`` (role
  ``evidence``) whose slots are ``Evidence`` spans, in order; the stance annotation sits on its
  first evidence span;
- ``Evidence``, ``Title``, ``Boilerplate``: spans;
- every layer but ``Evidence``: ``note`` (string) and ``unreviewed`` (boolean: the line's
  ``"status": "unreviewed"``).

Offsets in XMI are UTF-16 code units; dkpro-cassis converts them to and from code points.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.common.jsonlines import dumps
from nkru_bench.curation.interop.bundle import UNREVIEWED, Bundle, Sheet, line_order, number_text
from nkru_bench.curation.interop.writing import write_files
from nkru_bench.gold.annotations import KB_FILE

TYPESYSTEM = "typesystem.xml"
PREFIX = "webanno.custom."
ENTITY, FIGURE, STANCE, EVIDENCE = (PREFIX + n for n in ("Entity", "Figure", "Stance", "Evidence"))
TITLE, BOILERPLATE = PREFIX + "Title", PREFIX + "Boilerplate"
LINK = STANCE + "EvidenceLink"
SPAN_TYPES = {"title": TITLE, "boilerplate": BOILERPLATE, "entity": ENTITY, "figure": FIGURE}
# per layer: (feature, line key); every feature is a string unless named in BOOLEAN
FEATURES: dict[str, tuple[tuple[str, str], ...]] = {
    "title": (),
    "boilerplate": (),
    "entity": (("entity_type", "type"), ("lemma", "lemma"), ("entity_id", "entity_id")),
    "figure": (
        ("value", "value"),
        ("unit", "unit"),
        ("qualifier", "qualifier"),
        ("source_id", "source_id"),
        ("claim_id", "claim_id"),
    ),
    "stance": (("holder_id", "holder_id"), ("target", "target"), ("label", "label")),
}
NULLABLE = {"source_id", "claim_id"}
ROLE = "evidence"
STRING, BOOLEAN, ANNOTATION = "uima.cas.String", "uima.cas.Boolean", "uima.tcas.Annotation"
DMD = "de.tudarmstadt.ukp.dkpro.core.api.metadata.type.DocumentMetaData"


def require_cassis() -> Any:
    """dkpro-cassis, or an error that says how to install it (it is an optional dependency)."""
    try:
        import cassis
    except ImportError:
        message = "INCEpTION's format needs dkpro-cassis: pip install 'nkru_bench[inception]'"
        raise InputError(Problem("inception", None, None, message)) from None
    return cassis


def typesystem() -> Any:
    """The type system of the six layers, as INCEpTION's layer import reads it (a cassis TypeSystem)."""
    ts = require_cassis().TypeSystem()
    types = {}
    for name, layer in (
        (TITLE, "title"),
        (BOILERPLATE, "boilerplate"),
        (ENTITY, "entity"),
        (FIGURE, "figure"),
    ):
        types[name] = ts.create_type(name, ANNOTATION, f"nkru_bench {layer} (see the README)")
        for feature, _ in FEATURES[layer]:
            ts.create_feature(types[name], feature, STRING)
    evidence = ts.create_type(EVIDENCE, ANNOTATION, "nkru_bench stance evidence: link it from a Stance")
    stance = ts.create_type(STANCE, ANNOTATION, "nkru_bench stance: holder, target, label and its Evidence")
    for feature, _ in FEATURES["stance"]:
        ts.create_feature(stance, feature, STRING)
    link = ts.create_type(LINK, "uima.cas.TOP")
    ts.create_feature(link, "role", STRING)
    ts.create_feature(link, "target", evidence)
    ts.create_feature(stance, "evidence", "uima.cas.FSArray", elementType=link)
    for type_ in (*types.values(), stance):  # Evidence has no features: nothing there to lose
        ts.create_feature(type_, "note", STRING)
        ts.create_feature(type_, "unreviewed", BOOLEAN)
    dmd = ts.create_type(DMD, "uima.tcas.DocumentAnnotation")
    for feature in ("documentTitle", "documentId", "documentUri", "collectionId", "documentBaseUri"):
        ts.create_feature(dmd, feature, STRING)
    ts.create_feature(dmd, "isLastSegment", BOOLEAN)
    return ts


# --- export ---------------------------------------------------------------------------------------


def _common(obj: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {"unreviewed": obj.get("status") == UNREVIEWED}
    if obj.get("note") is not None:
        fields["note"] = obj["note"]
    return fields


def cas_of(sheet: Sheet, ts: Any) -> Any:
    """The CAS of one article: its text and one annotation per line (stance: one per stance row,
    one Evidence per distinct evidence span, shared by the rows that cite it)."""
    cas = require_cassis().Cas(typesystem=ts)
    cas.sofa_string = sheet.text
    cas.sofa_mime = "text/plain"
    dmd = ts.get_type(DMD)  # the document annotation INCEpTION reads the name and language from
    language = sheet.lang or "x-unspecified"
    cas.add(
        dmd(
            begin=0,
            end=len(sheet.text),
            language=language,
            documentTitle=sheet.doc_id,
            documentId=sheet.doc_id,
        )
    )
    evidence: dict[tuple[int, int], Any] = {}
    link = ts.get_type(LINK)
    for line in sorted(sheet.lines, key=lambda li: line_order(li.obj)):
        obj, layer = line.obj, line.obj["layer"]
        if layer == "stance":
            spans = [(q["start"], q["end"]) for q in obj["evidence"]]
            for span in spans:
                if span not in evidence:
                    evidence[span] = ts.get_type(EVIDENCE)(begin=span[0], end=span[1])
                    cas.add(evidence[span])
            links = [link(role=ROLE, target=evidence[span]) for span in spans]
            fields = {feature: obj[key] for feature, key in FEATURES[layer]}
            array = ts.get_type("uima.cas.FSArray")(elements=links)
            stance = ts.get_type(STANCE)(
                begin=spans[0][0], end=spans[0][1], evidence=array, **fields, **_common(obj)
            )
            cas.add(stance)
            continue
        fields = {}
        for feature, key in FEATURES[layer]:
            value = obj[key]
            if key == "value":
                value = number_text(value)
            if value is not None:
                fields[feature] = value
        cas.add(ts.get_type(SPAN_TYPES[layer])(begin=obj["start"], end=obj["end"], **fields, **_common(obj)))
    return cas


def export(bundle: Bundle, out_dir: Path) -> list[Path]:
    """Write ``typesystem.xml``, ``<doc_id>.xmi`` per article and ``kb.jsonl`` into ``out_dir``."""
    ts = typesystem()
    files = {TYPESYSTEM: ts.to_xml()}
    for sheet in bundle.sheets:
        files[f"{sheet.doc_id}.xmi"] = cas_of(sheet, ts).to_xmi()
    files[KB_FILE] = "".join(dumps(line.obj) + "\n" for line in bundle.kb)
    return write_files(out_dir, files)
