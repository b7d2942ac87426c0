"""Adding an article to the gold (``nkru-bench add-doc``).

``plan_seed`` is pure: the article's bytes, its language and date, and the existing seeds in;
the new seed (doc_id, file name, sha256, bytes to write) out, or an ``InputError`` that says why
the article is refused: not UTF-8 (with the byte offset), a byte order mark, an unknown language,
a bad or contradictory date, an empty text, or a duplicate of an existing seed (the same bytes,
or the same text once the date header is stripped and white space and Unicode normalized).

``add_doc`` does the I/O: it checks everything first and writes only when nothing is wrong,
in an order that never leaves the manifest pointing at a missing file (seed file, empty
annotation file, then the manifest line, each written atomically).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.common.files import folder_lock, write_atomically
from nkru_bench.common.jsonlines import dumps
from nkru_bench.common.reading import read_input
from nkru_bench.gold.annotations import DOCS_DIR
from nkru_bench.gold.records import LANGS
from nkru_bench.gold.seeds import MANIFEST, read_manifest, sha256_of, split_header

DATE = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?")
_NUMBERED = re.compile(r"(\d{3,})_")
BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class ExistingSeed:
    """A seed already in the manifest, with its file's bytes (None when the file is missing)."""

    doc_id: str
    file: str
    data: bytes | None


@dataclass(frozen=True)
class NewSeed:
    doc_id: str
    file: str
    sha256: str
    lang: str
    date: str | None
    data: bytes  # what is written to seeds/<file>: the article, with a date header if one was added

    def manifest_line(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "file": self.file,
            "sha256": self.sha256,
            "lang": self.lang,
            "date": self.date,
        }


def normalized(text: str) -> str:
    """The text compared for duplicates: NFC, white space runs as one space, no edge spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def decode(data: bytes, source: str) -> str:
    """The article as text, or an ``InputError`` for a BOM or bytes that are not UTF-8."""
    if data.startswith(BOM):
        raise InputError(
            Problem(source, 1, None, "starts with a byte order mark: save it as UTF-8 without BOM")
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start]
        message = (
            f"is not valid UTF-8: byte 0x{byte:02x} at byte offset {error.start}; "
            "convert it to UTF-8 (e.g. iconv -f cp1250 -t utf-8)"
        )
        raise InputError(Problem(source, line, None, message)) from None


def next_number(names: Iterable[str]) -> int:
    """One more than the highest ``NNN_`` prefix among the seed file names (0 for none)."""
    numbers = [int(m.group(1)) for name in names if (m := _NUMBERED.match(name))]
    return max(numbers, default=-1) + 1


def _check_date(date: str | None, header_date: str | None, source: str) -> str | None:
    if header_date is not None and not DATE.fullmatch(header_date):
        raise InputError(Problem(source, 1, "date", f"the header's date {header_date!r} is not a real date"))
    if date is None:
        return header_date
    if not DATE.fullmatch(date):
        raise InputError(Problem("--date", None, None, f"{date!r} is not YYYY-MM or YYYY-MM-DD"))
    if header_date is not None and header_date != date:
        message = f"--date {date} contradicts the file's header, which says {header_date}: drop --date"
        raise InputError(Problem(source, 1, "date", message))
    return date


def _duplicate(data: bytes, text: str, existing: Sequence[ExistingSeed]) -> str | None:
    """The doc_id of an existing seed with the same bytes or the same normalized text."""
    key = normalized(text)
    for seed in existing:
        if seed.data is None:
            continue
        if seed.data == data:
            return seed.doc_id
        try:
            other = seed.data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if normalized(split_header(other)[1]) == key:
            return seed.doc_id
    return None


def plan_seed(
    data: bytes, source: str, lang: str, date: str | None, existing: Sequence[ExistingSeed]
) -> NewSeed:
    """The seed to add for an article, or an ``InputError`` naming what is wrong with it."""
    if lang not in LANGS:
        raise InputError(Problem("--lang", None, None, f"{lang!r} is not one of {', '.join(LANGS)}"))
    raw = decode(data, source)
    header_date, text = split_header(raw)
    if header_date is None and raw.startswith(" date "):
        message = "starts like a date header but is not ' date YYYY-MM ' or ' date YYYY-MM-DD '"
        raise InputError(Problem(source, 1, "date", message))
    date = _check_date(date, header_date, source)
    if not text.strip():
        raise InputError(Problem(source, None, None, "has no text"))
    duplicate = _duplicate(data, text, existing)
    if duplicate is not None:
        message = f"is already in the gold as {duplicate} (the same text): nothing added"
        raise InputError(Problem(source, None, None, message))
    if header_date is None and date is not None:
        data = f" date {date} ".encode() + data  # the seed carries its date like the other seeds
    digest = sha256_of(data)
    number = next_number(seed.file for seed in existing)
    doc_id = f"{number:03d}_{digest[:16]}"
    return NewSeed(doc_id, f"{doc_id}.txt", digest, lang, date, data)


# --- I/O -----------------------------------------------------------------------------------------


def append_jsonl(path: Path, objects: Sequence[dict[str, Any]]) -> None:
    """Append lines to a JSONL file, atomically, keeping every byte already there."""
    data = path.read_bytes() if path.exists() else b""
    if data and not data.endswith(b"\n"):
        data += b"\n"
    data += "".join(dumps(obj) + "\n" for obj in objects).encode("utf-8")
    write_atomically(path, data, parents=True)


def existing_seeds(seeds_dir: Path) -> list[ExistingSeed]:
    """The manifest's seeds with their bytes, plus stray numbered files; a broken manifest is refused."""
    seeds, problems = read_manifest(seeds_dir)
    if problems:
        raise InputError([*problems, Problem(str(seeds_dir / MANIFEST), None, None, "fix it before adding")])
    found = []
    for seed in seeds:
        path = seeds_dir / seed.file
        found.append(ExistingSeed(seed.doc_id, seed.file, path.read_bytes() if path.is_file() else None))
    listed = {seed.file for seed in seeds}
    for path in sorted(seeds_dir.glob("*.txt")):
        if path.name not in listed:  # not in the manifest, but its number is taken
            found.append(ExistingSeed(path.stem, path.name, None))
    return found


def add_doc(article: Path, lang: str, date: str | None, root: Path) -> NewSeed:
    """Add ``article`` to the seeds of the checkout at ``root`` with an empty annotation file."""
    seeds_dir, docs_dir = root / "seeds", root / "annotations" / DOCS_DIR
    try:
        data = read_input(article)
    except OSError as error:
        raise InputError(Problem(str(article), None, None, f"cannot be read: {error.strerror}")) from None
    if not (seeds_dir / MANIFEST).is_file():
        message = "is missing: run add-doc from the checkout root or pass --root"
        raise InputError(Problem(str(seeds_dir / MANIFEST), None, None, message))
    with folder_lock(seeds_dir):  # a second add-doc waits: it must see this one's number
        seed = plan_seed(data, str(article), lang, date, existing_seeds(seeds_dir))
        annotation = docs_dir / f"{seed.doc_id}.jsonl"
        for path in (seeds_dir / seed.file, annotation):
            if path.exists():
                message = "already exists: remove it or fix the manifest"
                raise InputError(Problem(str(path), None, None, message))
        write_atomically(seeds_dir / seed.file, seed.data, parents=True)
        write_atomically(annotation, b"", parents=True)
        append_jsonl(seeds_dir / MANIFEST, [seed.manifest_line()])
    return seed
