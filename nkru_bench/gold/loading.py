"""Loading the built dataset: as Hugging Face datasets, or as gold records for scoring.

``load_dataset(config)`` works from a checkout and from an installed wheel alike: the Parquet
files ship inside the package. Its cache is keyed on the gold revision (a hash of the gold's
content), so a rebuilt dataset is never served from a stale cache.

``load_gold(path)`` gives the ``Gold`` records from the shipped data (no path), an annotations
folder (validated first), a built dataset folder or checkout, or a ``default`` Parquet file (checked
first as the annotations are, unless it is the shipped one).

Scoring reads a gold through ``gold_source`` as Arrow columns; a built gold whose revision is stored
is scored without building a single record, so pydantic (``records``, ``built``) is imported only
where records are made.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.gold.parquet import ParquetColumns
from nkru_bench.gold.paths import CONFIGS, DATA_DIR, DATA_MANIFEST, data_root, parquet_path
from nkru_bench.gold.revision import stored_revision
from nkru_bench.gold.schema import BATCH_ROWS, DOCUMENT_FIELDS, record_batches

if TYPE_CHECKING:
    from nkru_bench.gold.records import Document, Gold, KBEntry


def shipped_revision(root: Path | None = None) -> str:
    manifest = (root or data_root()) / DATA_DIR / DATA_MANIFEST
    return json.loads(manifest.read_text(encoding="utf-8"))["gold_revision"]


def load_dataset(name: str = "default", split: str | None = None, **kwargs: Any) -> Any:
    """Like ``datasets.load_dataset(<checkout>, name, split=split)``, from the package's own files."""
    import datasets

    if name not in CONFIGS:
        raise ValueError(f"unknown config {name!r}: expected one of {', '.join(CONFIGS)}")
    root = data_root()
    cache = Path(kwargs.pop("cache_dir", None) or datasets.config.HF_DATASETS_CACHE)
    return datasets.load_dataset(
        "parquet",
        data_files={"test": str(root / parquet_path(name))},
        split=split,
        cache_dir=str(cache / "nkru_bench" / shipped_revision(root) / name),
        **kwargs,
    )


def iter_batches(path: Path, columns: Sequence[str] | None = None) -> Iterator[Any]:
    """The rows of a ``default`` Parquet file in ``doc_id`` order, as Arrow record batches of at most
    ``BATCH_ROWS`` rows (only ``columns``, if given)."""
    import pyarrow as pa

    parquet = ParquetColumns(path)
    ids = parquet.read(columns=["doc_id"]).column("doc_id").to_pylist()
    order = sorted(range(len(ids)), key=ids.__getitem__)
    if order == list(range(len(ids))):  # as ``build`` writes it: read in file order
        yield from parquet.iter_batches(BATCH_ROWS, columns)
        return
    table = parquet.read(columns)
    for i in range(0, len(order), BATCH_ROWS):
        yield pa.RecordBatch.from_struct_array(
            table.take(order[i : i + BATCH_ROWS]).to_struct_array().combine_chunks()
        )


def iter_documents(path: Path) -> Iterator[Document]:
    """The documents of a ``default`` Parquet file in ``doc_id`` order, validated a batch of rows at a
    time: never all of them as records (nor as Python dicts, which take more memory than the records)."""
    from nkru_bench.gold.records import Document

    for batch in iter_batches(path):
        yield from [Document.model_validate(row) for row in batch.to_pylist()]


def seeds_near(annotations: Path) -> Path:
    """The ``seeds`` folder beside the annotations folder or beside any folder above it."""
    for folder in annotations.resolve().parents:
        if (folder / "seeds" / "manifest.jsonl").is_file():
            return folder / "seeds"
    return annotations.parent / "seeds"


def load_gold(path: Path | str | None = None, seeds: Path | str | None = None) -> Gold:
    """Gold records from the shipped data, an annotations folder, a dataset folder or a Parquet file.

    For an annotations folder (the gold's or a pass's, which may cover only some articles) the seeds
    are ``seeds`` or, by default, the ``seeds`` folder beside it or beside a folder above it.
    """
    from nkru_bench.gold.records import Gold

    source = gold_source(path, seeds)
    return Gold(documents=tuple(source.documents()), kb=tuple(source.kb))


class KBLink(NamedTuple):
    """What scoring reads of a KB entry: its id and the actor it acts for (``KBEntry`` has both)."""

    entity_id: str
    acts_for: str | None


@dataclass(frozen=True)
class GoldSource:
    """A gold to read: its documents (validated records, in ``doc_id`` order) and the same documents
    as Arrow record batches (what scoring reads columns from), each read anew when asked; and the KB,
    read once when first asked (``kb``)."""

    documents: Callable[[], Iterable[Document]]
    batches: Callable[[], Iterable[Any]]
    entries: Callable[[], Iterable[KBEntry]]  # the KB as validated records
    revision: str | None = None  # stored by ``build`` for exactly these files; None: compute it
    links: Callable[[], list[KBLink]] | None = None  # the KB's ids and actors read without records

    @cached_property
    def kb(self) -> list[KBEntry]:
        """The knowledge base as validated records."""
        return list(self.entries())

    def scoring_kb(self) -> Sequence[KBEntry | KBLink]:
        """What scoring reads of the KB: each entry's ``entity_id`` and ``acts_for``. With a stored
        revision the files are byte for byte what ``build`` wrote from checked annotations, and the two
        columns are read without validating records (``links``); otherwise the records, whose JSON
        the revision is then computed from."""
        if self.revision is not None and self.links is not None:
            return self.links()
        return self.kb


def _read_kb(path: Path) -> list[KBEntry]:
    from nkru_bench.gold.built import read_kb  # pydantic: the records are made there

    return read_kb(path)


def _kb_links(path: Path) -> list[KBLink]:
    """The ``entity_id`` and ``acts_for`` columns of a KB Parquet file that ``build`` wrote."""
    if not path.exists():
        return []
    table = ParquetColumns(path).read(["entity_id", "acts_for"])
    ids, actors = (table.column(name).to_pylist() for name in ("entity_id", "acts_for"))
    return [KBLink(entity_id, acts_for) for entity_id, acts_for in zip(ids, actors, strict=True)]


def _built(default: Path, kb: Path, *, trusted: bool = False) -> GoldSource:
    """A built gold. Its rows are checked first as the annotations are (``built.check_parquet``, every
    problem located), unless it is the shipped one (``trusted``: ``build --check`` keeps it true) or a
    folder whose ``manifest.json`` records the SHA-256 of exactly these Parquet files, as ``build``
    writes it (``revision.stored_revision``): then it is what ``build`` made from checked annotations,
    and its stored revision is used. Any change to the files' bytes makes it checked (and hashed) again."""
    files = {"default": default, **({"kb": kb} if kb.exists() else {})}
    revision = stored_revision(default.parent.parent / DATA_MANIFEST, files)
    entries = None
    if not trusted and revision is None:
        from nkru_bench.gold.built import check_parquet

        check_parquet(default)
        entries = _read_kb(kb)  # checked now, as the documents are
    return GoldSource(
        lambda: iter_documents(default),
        lambda: iter_batches(default, list(DOCUMENT_FIELDS)),
        lambda: _read_kb(kb) if entries is None else entries,
        revision,
        lambda: _kb_links(kb),
    )


def gold_source(path: Path | str | None = None, seeds: Path | str | None = None) -> GoldSource:
    """What ``load_gold`` reads, never held whole when it is built data (Parquet)."""
    if path is None:
        root = data_root()
        return _built(root / parquet_path("default"), root / parquet_path("kb"), trusted=True)
    path = Path(path)
    if path.is_file() and path.suffix == ".parquet":
        return _built(path, path.parent.parent / "kb" / path.name)
    if (path / "kb.jsonl").is_file():
        from nkru_bench.gold.validation import validate

        gold, problems = validate(path, Path(seeds) if seeds else seeds_near(path), require_all=False)
        if gold is None:
            raise InputError(problems)
        return GoldSource(lambda: gold.documents, lambda: record_batches(gold.documents), lambda: gold.kb)
    for data in (path / DATA_DIR, path / "data", path):
        if (data / "default" / "test.parquet").is_file():
            return _built(data / "default" / "test.parquet", data / "kb" / "test.parquet")
    raise InputError(
        Problem(
            str(path),
            None,
            None,
            "is not gold: expected an annotations folder (docs/, "
            "kb.jsonl), a built dataset folder (default/test.parquet) or a .parquet file",
        )
    )
