"""The gold revision: a short content hash of the whole gold that names it in every score signature.

Computing it means validating every record and hashing its JSON: most of what loading a large gold
costs. ``build`` therefore stores it in ``manifest.json`` beside the Parquet files, together with
the SHA-256 of the files it wrote (``parquet_sha256``); ``stored_revision`` gives it back only while
the files' bytes are still those, so an edited or replaced file is validated and hashed anew and
gets its true revision.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nkru_bench.gold.records import Document, Gold, KBEntry


def gold_revision(gold: Gold) -> str:
    """A short content hash of the whole gold: it names the gold in every score signature."""
    if tuple(type(gold).model_fields) != ("documents", "kb"):  # a field this does not know: all at once
        return revision_of([gold.model_dump_json()])
    return revision_of(gold_json_chunks(gold.documents, gold.kb))


def revision_of(chunks: Iterable[str]) -> str:
    """The short hash of the gold's JSON, given a piece at a time."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk.encode("utf-8"))
    return digest.hexdigest()[:12]


def gold_json_chunks(documents: Iterable[Document], kb: Iterable[KBEntry]) -> Iterator[str]:
    """``Gold(documents=..., kb=...).model_dump_json()`` a record at a time, so that a large gold is
    never held as text (nor, when ``documents`` is a stream, as records)."""
    for opening, records in (('{"documents":[', documents), ('],"kb":[', kb)):
        yield opening
        for i, record in enumerate(records):
            yield ("," if i else "") + record.model_dump_json()
    yield "]}"


DIGESTS = "parquet_sha256"  # the manifest's key: config -> SHA-256 of its Parquet file
DIGESTED = ("default", "kb")  # the configs the revision is a hash of


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def stored_revision(manifest: Path, files: dict[str, Path]) -> str | None:
    """The revision ``manifest`` records, if it records the SHA-256 of each of ``files`` (config ->
    path) and the files still have those bytes; otherwise ``None`` (compute it)."""
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
        digests = recorded[DIGESTS]
        revision = recorded["gold_revision"]
        if not isinstance(revision, str) or not isinstance(digests, dict) or set(digests) != set(files):
            return None
        for config, path in files.items():
            if digests.get(config) != file_digest(path):
                return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return revision
