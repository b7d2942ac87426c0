"""The gold revision: a short content hash of the whole gold that names it in every score signature."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

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
