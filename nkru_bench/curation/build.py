"""Compile seeds + annotations into the Parquet files and the dataset card's YAML header.

``gold_tables(gold)`` is pure: gold records in, one Arrow table per config out. ``build`` writes
them (and the card's YAML header and ``nkru_bench/data/manifest.json``); ``check`` recomputes
everything and lists what differs from the files on disk. Parquet files are compared by content
(schema with its Hugging Face features, and rows), never by bytes: the bytes depend on the
pyarrow version that wrote them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.common.files import stage, writable_target, write_atomically
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
# the card's headline: the blind pass made from rules-only guidelines (no article quoted) and the id registry
BLIND_PASS = "blind-rules-only"
# the first blind pass, made from guidelines that quote the articles: shown beside the headline
EARLIER_BLIND_PASS = "blind"
_LABELS = {
    BLIND_PASS: "**Headline: the blind pass from the rules alone against the gold** "
    f"(`nkru-bench agree annotations annotations/passes/{BLIND_PASS}`; "
    "the annotator's guidelines quote no article).",
    EARLIER_BLIND_PASS: "**The first blind pass against the gold** "
    f"(`nkru-bench agree annotations annotations/passes/{EARLIER_BLIND_PASS}`; "
    "made with guidelines that quote the articles for most hard decisions).",
}


def pass_agreement(annotations: Path, seeds: Path) -> str:
    """The card's agreement tables: the rules-only blind pass scored against the gold (the headline), the
    first blind pass against the gold, then the first two other passes against each other."""
    from nkru_bench.curation.agreement import agreement, agreement_markdown

    parts = []
    gold = None
    for name in (BLIND_PASS, EARLIER_BLIND_PASS):
        blind = annotations / PASSES_DIR / name
        if blind.is_dir():
            if gold is None:
                gold = _gold(annotations, seeds)
            stats = agreement(gold, _gold(blind, seeds, require_all=False))
            parts.append(_LABELS[name] + "\n\n" + agreement_markdown(stats, "gold", name))
    passes = sorted(
        p
        for p in (annotations / PASSES_DIR).glob("*")
        if p.is_dir() and p.name not in (BLIND_PASS, EARLIER_BLIND_PASS)
    )
    if len(passes) >= 2:
        a, b = (_gold(path, seeds, require_all=False) for path in passes[:2])
        label = f"**Passes {passes[0].name} and {passes[1].name} against each other** (`nkru-bench agree "
        label += f"annotations/passes/{passes[0].name} annotations/passes/{passes[1].name}`)."
        parts.append(label + "\n\n" + agreement_markdown(agreement(a, b), passes[0].name, passes[1].name))
    return "\n\n".join(parts) or "(fewer than two annotation passes: no agreement to report)"


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


JOURNAL = ".build-in-progress"  # in nkru_bench/data/ while a build replaces its files


def journal_path(root: Path) -> Path:
    return root / DATA_DIR / JOURNAL


def _read_card(card: Path) -> str:
    target = writable_target(card)  # a folder, a FIFO (reading it would block), a dangling link: refused
    try:
        return target.read_text(encoding="utf-8") if target.exists() else ""
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise InputError(Problem(str(card), None, None, f"cannot be read: {reason}")) from None


def outputs(annotations: Path, seeds: Path, root: Path) -> dict[Path, bytes]:
    """Every generated file under ``root`` and its content, computed and nothing written; the data
    manifest comes last (it is written last: while it is old, ``check`` sees the build unfinished)."""
    gold = _gold(annotations, seeds)
    tables = gold_tables(gold)
    card = root / CARD
    _, body = split_card(_read_card(card))
    card_text = card_header(gold, tables) + card_body(gold, body, pass_agreement(annotations, seeds))
    files = {root / parquet_path(config): parquet_bytes(table) for config, table in tables.items()}
    digests = {config: hashlib.sha256(files[root / parquet_path(config)]).hexdigest() for config in tables}
    files[root / croissant.FILE] = croissant.dumps(croissant.croissant(gold, tables, digests)).encode()
    files[card] = card_text.encode("utf-8")
    stored = {config: digests[config] for config in DIGESTED}  # what the stored revision is of
    files[root / DATA_DIR / DATA_MANIFEST] = data_manifest(gold, stored).encode("utf-8")
    return files


def build(annotations: Path, seeds: Path, root: Path) -> list[Path]:
    """Write every generated file under ``root``, all or nothing; returns the paths written.

    Everything is computed, then every file is staged beside its target (written and synced under a
    temporary name); only then are they renamed over the targets one after the other, the data
    manifest last, with a journal file present for that short window. A failure before the window
    leaves every output as it was; a kill inside it leaves the journal, and ``build --check`` and
    ``validate`` name the mixed state until ``build`` is run again.
    """
    files = outputs(annotations, seeds, root)
    targets = [writable_target(path) for path in files]  # a folder or a FIFO as README.md: refused
    staged: list[tuple[str, Path]] = []
    try:
        for target, data in zip(targets, files.values(), strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.append((stage(target, data), target))
        write_atomically(journal_path(root), "\n".join(str(t) for t in targets) + "\n", parents=True)
        for temporary, target in staged:
            os.replace(temporary, target)
        journal_path(root).unlink()
    except OSError as error:
        where = error.filename or str(root)
        raise InputError(Problem(str(where), None, None, f"cannot be written: {error.strerror}")) from None
    finally:
        for temporary, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    return list(files)


def interrupted(root: Path) -> str | None:
    """The line that names a mixed state (a build killed while it replaced its files), if any."""
    journal = journal_path(root)
    if not journal.exists():
        return None
    return (
        f"{journal}: a build was interrupted while it replaced its files, so new and old files are "
        "mixed: run 'nkru-bench build' to finish it"
    )


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
    stale = [line for line in [interrupted(root)] if line]
    for config, table in tables.items():
        path = root / parquet_path(config)
        if not path.exists():
            stale.append(f"{path}: missing")
            continue
        try:
            on_disk, fresh = pq.read_table(path), _round_trip(table)
        except (OSError, ValueError) as error:  # pyarrow's errors are these too
            stale.append(f"{path}: cannot be read ({' '.join(str(error).split())[:120]})")
            continue
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
    header, body = split_card(_read_card(card))
    if header != card_header(gold, tables):
        stale.append(f"{card}: its YAML header differs from the built data")
    if body != card_body(gold, body, pass_agreement(annotations, seeds)):
        stale.append(f"{card}: its composition or agreement tables differ from the annotations")
    return stale
