"""The gold (or a draft) written as BSNLP shared-task data.

``export`` writes ``raw/<lang>/<doc_id>.txt`` (the BSNLP raw header: id, language, date, source,
title, then the text) and ``annotated/<lang>/<doc_id>.out`` (the distinct ``(form, base form, type,
id)`` of its entity lines, in order of first mention; a form's white space runs become one space).
The response format itself, and scoring it, live in ``scoring.bsnlp`` and ``scoring.bsnlp_measures``.
"""

from __future__ import annotations

from pathlib import Path

from nkru_bench.common.files import write_inside
from nkru_bench.curation.interop.bundle import Bundle
from nkru_bench.scoring.bsnlp import form_of, out_text, response_of

RAW, ANNOTATED = "raw", "annotated"


# --- files ----------------------------------------------------------------------------------------


def export(bundle: Bundle, out_dir: Path) -> list[Path]:
    """Write ``raw/<lang>/<doc_id>.txt`` and ``annotated/<lang>/<doc_id>.out`` per article."""
    written = []
    for sheet in bundle.sheets:
        entities = sorted(
            (line.obj for line in sheet.lines if line.obj.get("layer") == "entity"),
            key=lambda obj: (obj["start"], obj["end"]),
        )
        response = response_of(
            sheet.doc_id, ((e["text"], e["lemma"], e["type"], e["entity_id"]) for e in entities)
        )
        titles = [line.obj["text"] for line in sheet.lines if line.obj.get("layer") == "title"]
        header = [
            sheet.doc_id,
            sheet.lang,
            sheet.date or "",
            f"seeds/{sheet.doc_id}.txt",
            form_of(titles[0]) if titles else "",
        ]
        for path, content in (
            (Path(RAW, sheet.lang, f"{sheet.doc_id}.txt"), "\n".join(header) + "\n" + sheet.text),
            (Path(ANNOTATED, sheet.lang, f"{sheet.doc_id}.out"), out_text(response)),
        ):
            written.append(write_inside(out_dir, path, content))
    return written


# --- projection onto the text ---------------------------------------------------------------------


# --- the BSNLP measures ---------------------------------------------------------------------------
