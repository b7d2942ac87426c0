"""The gold (or a draft) written as BSNLP shared-task data, in the layout the official tools read.

``export`` writes, per article, with the topic level the shared task's folders have (topic ``nkru``):

- ``raw/nkru/<lang>/<doc_id>.txt``: the raw header as the task defines it: the id, the language, the
  creation date as ``YYYY-MM-DD`` or an empty line (the gold's dates are months, so they stay empty),
  the URL or an empty line (the articles have none), the title (the article's title line, white space
  runs made one space, or an empty line), then the text; the text does not repeat the title when the
  article starts with it.
- ``annotated/nkru/<lang>/<doc_id>.out``: the document id, then the distinct
  ``form<TAB>base form<TAB>type<TAB>id`` of its entity lines in order of first mention (a form's white
  space runs become one space): the file the official evaluator reads from its ``golden`` folder
  (``tests/reference/bsnlp/golden`` is this output for the shipped gold).

The response format itself, and scoring it, live in ``scoring.bsnlp`` and ``scoring.bsnlp_measures``.
"""

from __future__ import annotations

import re
from pathlib import Path

from nkru_bench.common.files import write_inside
from nkru_bench.curation.interop.bundle import Bundle, Sheet
from nkru_bench.scoring.bsnlp import TOPIC, form_of, out_text, response_of

RAW, ANNOTATED = "raw", "annotated"
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def raw_text(sheet: Sheet) -> str:
    """The raw file: the five header lines, then the text (without a leading title)."""
    titles = [line.obj for line in sheet.lines if line.obj.get("layer") == "title"]
    title = titles[0] if titles else None
    text = sheet.text
    if title is not None and title["start"] == 0:
        text = text[title["end"] :].lstrip("\r\n")
    date = sheet.date if sheet.date and _DAY.fullmatch(sheet.date) else ""
    header = [sheet.doc_id, sheet.lang, date, "", form_of(title["text"]) if title else ""]
    return "\n".join(header) + "\n" + text


def annotated_text(sheet: Sheet) -> str:
    entities = sorted(
        (line.obj for line in sheet.lines if line.obj.get("layer") == "entity"),
        key=lambda obj: (obj["start"], obj["end"]),
    )
    return out_text(
        response_of(sheet.doc_id, ((e["text"], e["lemma"], e["type"], e["entity_id"]) for e in entities))
    )


def export(bundle: Bundle, out_dir: Path) -> list[Path]:
    """Write ``raw/nkru/<lang>/<doc_id>.txt`` and ``annotated/nkru/<lang>/<doc_id>.out`` per article."""
    written = []
    for sheet in bundle.sheets:
        for path, content in (
            (Path(RAW, TOPIC, sheet.lang, f"{sheet.doc_id}.txt"), raw_text(sheet)),
            (Path(ANNOTATED, TOPIC, sheet.lang, f"{sheet.doc_id}.out"), annotated_text(sheet)),
        ):
            written.append(write_inside(out_dir, path, content))
    return written
