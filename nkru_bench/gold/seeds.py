"""The raw articles: ``seeds/manifest.jsonl`` and the seed files it lists.

A seed is a UTF-8 text file. Its optional leading header `` date YYYY-MM `` (or ``YYYY-MM-DD``)
is metadata; the document ``text`` is what follows it, byte for byte.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from nkru_bench.common.errors import Problem
from nkru_bench.common.files import check_name
from nkru_bench.common.jsonlines import read_jsonl

MANIFEST = "manifest.jsonl"
HEADER = re.compile(r"\A date (\d{4}-\d{2}(?:-\d{2})?) ")
MANIFEST_FIELDS = ("doc_id", "file", "sha256", "lang", "date")


@dataclass(frozen=True)
class Seed:
    """One manifest line, with the seed file's decoded content once it is read."""

    doc_id: str
    file: str
    sha256: str
    lang: str
    date: str | None
    line: int


def split_header(raw: str) -> tuple[str | None, str]:
    """``(date, text)``: the header's date (or None) and the document text after it."""
    match = HEADER.match(raw)
    if match is None:
        return None, raw
    return match.group(1), raw[match.end() :]


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(seeds_dir: Path) -> tuple[list[Seed], list[Problem]]:
    """The manifest's seeds, and every problem with its lines (not with the seed files)."""
    path = seeds_dir / MANIFEST
    lines, problems = read_jsonl(path)
    seeds: list[Seed] = []
    for number, obj in lines:
        missing = [name for name in MANIFEST_FIELDS if name not in obj]
        unknown = sorted(set(obj) - set(MANIFEST_FIELDS))
        for name in missing:
            problems.append(Problem(str(path), number, name, "missing"))
        for name in unknown:
            problems.append(Problem(str(path), number, name, f"unknown field (expected {MANIFEST_FIELDS})"))
        if missing or unknown:
            continue
        bad = [n for n in MANIFEST_FIELDS if n != "date" and not isinstance(obj[n], str)]
        if obj["date"] is not None and not isinstance(obj["date"], str):
            bad.append("date")
        for name in bad:
            problems.append(Problem(str(path), number, name, "must be a string"))
        for name in ("doc_id", "file"):  # each becomes a file name: one safe path component
            if name not in bad:
                unsafe = check_name(obj[name], str(path), number, name)
                problems += unsafe
                bad += [name] if unsafe else []
        if not bad:
            seeds.append(Seed(obj["doc_id"], obj["file"], obj["sha256"], obj["lang"], obj["date"], number))
    return seeds, problems


def check_seed(seed: Seed, seeds_dir: Path) -> tuple[str | None, list[Problem]]:
    """The seed's document text, or None and the problems that stop it from being read."""
    manifest = str(seeds_dir / MANIFEST)
    path = seeds_dir / seed.file
    if not path.is_file():
        return None, [Problem(manifest, seed.line, "file", f"seed file {path} does not exist")]
    data = path.read_bytes()
    problems = []
    if sha256_of(data) != seed.sha256:
        problems.append(
            Problem(manifest, seed.line, "sha256", f"{path} has changed: its sha256 is {sha256_of(data)}")
        )
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(
            Problem(str(path), 1, None, "starts with a byte order mark: save it as UTF-8 without BOM")
        )
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as error:
        problems.append(Problem(str(path), None, None, f"is not valid UTF-8 (byte {error.start})"))
        return None, problems
    if path.stem != seed.doc_id:
        problems.append(
            Problem(manifest, seed.line, "doc_id", f"must be the file name without .txt: {path.stem}")
        )
    if "\x00" in raw:
        problems.append(
            Problem(str(path), None, None, "contains a NUL character (\\u0000), which is not text")
        )
        return None, problems
    date, text = split_header(raw)
    if date != seed.date:
        problems.append(Problem(manifest, seed.line, "date", f"the seed's header says {date!r}"))
    return text, problems
