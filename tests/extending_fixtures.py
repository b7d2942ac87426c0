"""A small synthetic article with every kind of annotation line, for the extending and interop tests.

The article has what the real gold may not have yet, and what every format must carry: a title,
boilerplate with an emoji (a code point that is two UTF-16 units), an entity and an evidence span
across a line break, a stance with two evidence spans, a note with a ``|``, quotes and edge spaces,
a figure with a source and a claim id, and null fields.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

TEXT = (
    "Kim Čong-un pošle do Ruska 12 000 vojáků\n"
    "Sdílet na Facebooku 😀 | Číst dál\n"
    "Podle jihokorejské NIS vyslala Severní\nKorea do Ruska až 12 000 vojáků. "
    "Kreml to popřel. Mluvčí Kremlu Dmitrij Peskov řekl, že jde o „další lež“.\n"
    "NATO to odsuzuje jako hrozbu.\n"
)
DOC_ID = "900_a1b2c3d4e5f60718"
LANG = "cs"


def span(needle: str, nth: int = 0, text: str = TEXT) -> dict[str, Any]:
    """``{start, end, text}`` of the ``nth`` occurrence of ``needle``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return {"start": start, "end": start + len(needle), "text": needle}


def entity(needle: str, type_: str, lemma: str, entity_id: str, nth: int = 0, **extra: Any) -> dict[str, Any]:
    return {
        "layer": "entity",
        **span(needle, nth),
        "type": type_,
        "lemma": lemma,
        "entity_id": entity_id,
        **extra,
    }


KB = [
    {"entity_id": "PER-Kim-Jong-un", "type": "PER", "name_en": "Kim Jong-un",
     "names": [{"lang": "cs", "name": "Kim Čong-un"}], "description": "leader of North Korea"},
    {"entity_id": "GPE-Russia", "type": "LOC", "name_en": "Russia",
     "names": [{"lang": "cs", "name": "Rusko"}], "description": ""},
    {"entity_id": "GPE-North-Korea", "type": "LOC", "name_en": "North Korea",
     "names": [{"lang": "cs", "name": "Severní Korea"}], "description": ""},
    {"entity_id": "ORG-NIS", "type": "ORG", "name_en": "National Intelligence Service",
     "names": [{"lang": "cs", "name": "NIS"}], "description": "South Korea's intelligence service"},
    {"entity_id": "LOC-Kremlin", "type": "LOC", "name_en": "Kremlin",
     "names": [{"lang": "cs", "name": "Kreml"}], "description": ""},
    {"entity_id": "PER-Dmitry-Peskov", "type": "PER", "name_en": "Dmitry Peskov",
     "names": [{"lang": "cs", "name": "Dmitrij Peskov"}], "description": "Kremlin spokesman"},
    {"entity_id": "ORG-NATO", "type": "ORG", "name_en": "NATO", "names": [], "description": ""},
]  # fmt: skip

LINES: list[dict[str, Any]] = [
    {"layer": "title", **span("Kim Čong-un pošle do Ruska 12 000 vojáků")},
    {"layer": "boilerplate", **span("Sdílet na Facebooku 😀 | Číst dál")},
    entity("Kim Čong-un", "PER", "Kim Čong-un", "PER-Kim-Jong-un"),
    entity("Ruska", "LOC", "Rusko", "GPE-Russia"),
    entity("NIS", "ORG", "NIS", "ORG-NIS", note=' says "a | b"  '),
    entity("Severní\nKorea", "LOC", "Severní Korea", "GPE-North-Korea"),
    entity("Ruska", "LOC", "Rusko", "GPE-Russia", nth=1),
    entity("Kreml", "LOC", "Kreml", "LOC-Kremlin"),
    entity("Kremlu", "LOC", "Kreml", "LOC-Kremlin"),
    entity("Dmitrij Peskov", "PER", "Dmitrij Peskov", "PER-Dmitry-Peskov"),
    entity("NATO", "ORG", "NATO", "ORG-NATO"),
    {"layer": "figure", **span("12 000"), "value": 12000, "unit": "person", "qualifier": "exact",
     "source_id": None, "claim_id": None},
    {"layer": "figure", **span("12 000", 1), "value": 12000, "unit": "person", "qualifier": "at_most",
     "source_id": "ORG-NIS", "claim_id": "nk-troops-up-to-12000", "note": "H16"},
    {"layer": "stance", "holder_id": "GPE-Russia", "target": "nk_troops_in_russia", "label": "against",
     "evidence": [span("Kreml to popřel"), span("jde o „další lež“.\nNATO")]},
    {"layer": "stance", "holder_id": "ORG-NATO", "target": "russia_nk_alliance", "label": "against",
     "evidence": [span("odsuzuje jako hrozbu")]},
    {"layer": "stance", "holder_id": "ORG-NIS", "target": "nk_troops_in_russia", "label": "favor",
     "evidence": [span("vyslala Severní\nKorea do Ruska")], "note": "reported claim"},
]  # fmt: skip


def draft_lines() -> list[dict[str, Any]]:
    """The same lines as a pre-annotated draft: some unreviewed, one with a placeholder id."""
    lines = [dict(line) for line in LINES]
    for i in (3, 9, 12, 14):
        lines[i]["status"] = "unreviewed"
    lines[9]["entity_id"] = "TODO-PER-Dmitrij-Peskov"
    return lines


def write_article(
    root: Path, lines: list[dict[str, Any]] | None = None, kb: list[dict[str, Any]] | None = None
) -> Path:
    """A checkout with the synthetic article only: seeds (manifest, seed file), annotations."""
    data = TEXT.encode("utf-8")
    (root / "seeds").mkdir(parents=True)
    (root / "seeds" / f"{DOC_ID}.txt").write_bytes(data)
    manifest = {"doc_id": DOC_ID, "file": f"{DOC_ID}.txt", "sha256": hashlib.sha256(data).hexdigest(),
                "lang": LANG, "date": None}  # fmt: skip
    (root / "seeds" / "manifest.jsonl").write_text(json.dumps(manifest) + "\n", encoding="utf-8")
    docs = root / "annotations" / "docs"
    docs.mkdir(parents=True)
    write_jsonl(docs / f"{DOC_ID}.jsonl", LINES if lines is None else lines)
    write_jsonl(root / "annotations" / "kb.jsonl", KB if kb is None else kb)
    return root


def write_jsonl(path: Path, objects: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects), encoding="utf-8")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m nkru_bench ARGS`` in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "nkru_bench", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` with its bytes: to show that a refused command wrote nothing."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
