"""Compile seeds + annotations into the Parquet files and the dataset card's YAML header.

``gold_tables(gold)`` is pure: gold records in, one Arrow table per config out. ``build`` writes
them (and the card's YAML header and ``nkru_bench/data/manifest.json``); ``check`` recomputes
everything and lists what differs from the files on disk. Parquet files are compared by content
(schema with its Hugging Face features, and rows), never by bytes: the bytes depend on the
pyarrow version that wrote them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError
from nkru_bench.common.files import write_atomically
from nkru_bench.curation import croissant
from nkru_bench.curation.card import CARD, card_body, card_header, counts, split_card
from nkru_bench.gold.paths import DATA_DIR, DATA_MANIFEST, parquet_path
from nkru_bench.gold.records import Gold
from nkru_bench.gold.revision import DIGESTED, DIGESTS, file_digest, gold_revision
from nkru_bench.gold.schema import gold_tables
from nkru_bench.gold.validation import validate


def data_manifest(gold: Gold, digests: dict[str, str]) -> str:
    """``manifest.json``: the counts, the revision, and the SHA-256 of the Parquet files it is the
    revision of (``gold.revision.stored_revision`` trusts it only while those bytes are unchanged)."""
    manifest = {"gold_revision": gold_revision(gold), DIGESTS: digests, **counts(gold)}
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


PASSES_DIR = "passes"


def pass_agreement(annotations: Path, seeds: Path) -> str:
    """The agreement table of the first two annotation passes under ``annotations/passes/``."""
    from nkru_bench.curation.agreement import agreement, agreement_markdown

    passes = sorted(p for p in (annotations / PASSES_DIR).glob("*") if p.is_dir())
    if len(passes) < 2:
        return "(fewer than two annotation passes: no agreement to report)"
    a, b = (_gold(path, seeds, require_all=False) for path in passes[:2])
    return agreement_markdown(agreement(a, b), passes[0].name, passes[1].name)


def _gold(annotations: Path, seeds: Path, require_all: bool = True) -> Gold:
    gold, problems = validate(annotations, seeds, require_all=require_all)
    if gold is None:
        raise InputError(problems)
    return gold


def parquet_bytes(table: Any) -> bytes:
    """A config's table as the bytes of its Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def build(annotations: Path, seeds: Path, root: Path) -> list[Path]:
    """Write every generated file under ``root``; returns the paths written.

    Everything is computed before anything is written, so bad annotations or passes leave the
    outputs as they were.
    """
    gold = _gold(annotations, seeds)
    tables = gold_tables(gold)
    card = root / CARD
    _, body = split_card(card.read_text(encoding="utf-8") if card.exists() else "")
    card_text = card_header(gold, tables) + card_body(gold, body, pass_agreement(annotations, seeds))
    written = []
    digests = {}
    for config, table in tables.items():
        path = root / parquet_path(config)
        data = parquet_bytes(table)
        if config in DIGESTED:
            digests[config] = hashlib.sha256(data).hexdigest()
        write_atomically(path, data, parents=True)
        written.append(path)
    manifest = root / DATA_DIR / DATA_MANIFEST
    write_atomically(manifest, data_manifest(gold, digests), parents=True)
    written.append(manifest)
    written.append(croissant.write(gold, tables, root))
    write_atomically(card, card_text)
    written.append(card)
    return written


def _round_trip(table: Any) -> Any:
    """The table as it reads back from its Parquet bytes (list item names and all)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    return pq.read_table(pa.BufferReader(parquet_bytes(table)))


def check(annotations: Path, seeds: Path, root: Path) -> list[str]:
    """What is stale: one line per generated file whose content differs from a fresh build."""
    import pyarrow.parquet as pq

    gold = _gold(annotations, seeds)
    tables = gold_tables(gold)
    stale = []
    for config, table in tables.items():
        path = root / parquet_path(config)
        if not path.exists():
            stale.append(f"{path}: missing")
            continue
        on_disk, fresh = pq.read_table(path), _round_trip(table)
        if not on_disk.schema.equals(fresh.schema, check_metadata=True):
            stale.append(f"{path}: its schema or features differ from the annotations'")
        elif not on_disk.equals(fresh):
            stale.append(f"{path}: its rows differ from the annotations'")
    manifest = root / DATA_DIR / DATA_MANIFEST
    on_disk = {c: file_digest(root / parquet_path(c)) for c in DIGESTED if (root / parquet_path(c)).exists()}
    if not manifest.exists() or manifest.read_text(encoding="utf-8") != data_manifest(gold, on_disk):
        stale.append(f"{manifest}: differs from the annotations' counts or the Parquet files' SHA-256")
    stale += croissant.check(gold, tables, root)
    card = root / CARD
    header, body = split_card(card.read_text(encoding="utf-8") if card.exists() else "")
    if header != card_header(gold, tables):
        stale.append(f"{card}: its YAML header differs from the built data")
    if body != card_body(gold, body, pass_agreement(annotations, seeds)):
        stale.append(f"{card}: its composition or agreement tables differ from the annotations")
    return stale
