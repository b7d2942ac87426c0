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
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from nkru_bench import croissant
from nkru_bench.errors import InputError
from nkru_bench.files import write_atomically
from nkru_bench.records import Document, Gold, KBEntry
from nkru_bench.validation import validate

CONFIGS = ("default", "entities", "figures", "stance", "kb", "tokens")
DATA_DIR = Path("nkru_bench") / "data"
CARD = "README.md"
DATA_MANIFEST = "manifest.json"


def parquet_path(config: str) -> Path:
    """Where a config's Parquet file lives, relative to the checkout root (and the wheel's package)."""
    return DATA_DIR / config / "test.parquet"


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


def features() -> dict[str, Any]:
    """The ``datasets.Features`` of every config."""
    from datasets import ClassLabel, Features, List, Value

    from nkru_bench.tokens import TAGS

    string, int32 = Value("string"), Value("int32")
    span = {"start": int32, "end": int32}
    entity = {**span, "text": string, "type": string, "lemma": string, "entity_id": string}
    figure = {
        **span,
        "text": string,
        "value": Value("float64"),
        "unit": string,
        "qualifier": string,
        "source_id": string,
        "claim_id": string,
    }
    stance = {"holder_id": string, "target": string, "label": string, "evidence": List(span)}
    doc = {
        "doc_id": string,
        "lang": string,
        "date": string,
        "title": string,
        "text": string,
        "source_file": string,
        "sha256": string,
        "boilerplate": List(span),
    }
    keys = {"doc_id": string, "lang": string}
    return {
        "default": Features(
            {**doc, "entities": List(entity), "figures": List(figure), "stance": List(stance)}
        ),
        "entities": Features({**keys, **entity}),
        "figures": Features({**keys, **figure}),
        "stance": Features({**keys, **stance}),
        "kb": Features(
            {
                "entity_id": string,
                "type": string,
                "name_en": string,
                "names": List({"lang": string, "name": string}),
                "description": string,
            }
        ),
        "tokens": Features(
            {
                "doc_id": string,
                "sentence_id": int32,
                "tokens": List(string),
                "ner_tags": List(ClassLabel(names=list(TAGS))),
                "token_starts": List(int32),
            }
        ),
    }


def gold_rows(gold: Gold) -> dict[str, list[dict[str, Any]]]:
    """The rows of every config, as plain Python values (ClassLabel columns as tag names)."""
    from nkru_bench.tokens import sentences

    rows: dict[str, list[dict[str, Any]]] = {config: [] for config in CONFIGS}
    for doc in gold.documents:
        row = doc.model_dump()
        rows["default"].append(row)
        keys = {"doc_id": doc.doc_id, "lang": doc.lang}
        for layer in ("entities", "figures", "stance"):
            rows[layer] += [{**keys, **item} for item in row[layer]]
        for sentence in sentences(doc.text, doc.entities):
            rows["tokens"].append(
                {
                    "doc_id": doc.doc_id,
                    "sentence_id": sentence.sentence_id,
                    "tokens": list(sentence.tokens),
                    "ner_tags": list(sentence.ner_tags),
                    "token_starts": list(sentence.token_starts),
                }
            )
    rows["kb"] = [entry.model_dump() for entry in gold.kb]
    return rows


def gold_tables(gold: Gold) -> dict[str, Any]:
    """One ``pyarrow.Table`` per config, with the Hugging Face features in the schema metadata."""
    import pyarrow as pa

    feats = features()
    tables = {}
    for config, rows in gold_rows(gold).items():
        encoded = [feats[config].encode_example(row) for row in rows]
        tables[config] = pa.Table.from_pylist(encoded, schema=feats[config].arrow_schema)
    return tables


def counts(gold: Gold) -> dict[str, Any]:
    """Per-document and total counts of every layer: the data manifest the tests check."""
    per_doc = {
        doc.doc_id: {
            "lang": doc.lang,
            "entities": len(doc.entities),
            "figures": len(doc.figures),
            "stance": len(doc.stance),
            "boilerplate": len(doc.boilerplate),
        }
        for doc in gold.documents
    }
    totals = {layer: sum(d[layer] for d in per_doc.values()) for layer in ("entities", "figures", "stance")}
    return {"documents": per_doc, "totals": {"documents": len(per_doc), **totals, "kb": len(gold.kb)}}


def data_manifest(gold: Gold) -> str:
    manifest = {"gold_revision": gold_revision(gold), **counts(gold)}
    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def card_header(gold: Gold, tables: dict[str, Any]) -> str:
    """The YAML header of README.md (the Hugging Face dataset card metadata)."""
    import yaml

    feats = features()
    langs = sorted({doc.lang for doc in gold.documents})
    meta: dict[str, Any] = {
        "pretty_name": "nkru_bench",
        "language": langs,
        "license": "other",
        "license_name": "annotations-cc-by-4.0-texts-third-party",
        "license_link": "LICENSE.md",
        "multilinguality": "multilingual",
        "size_categories": ["n<1K"],
        "source_datasets": ["original"],
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition", "entity-linking-classification"],
        "tags": ["information-extraction", "stance-detection", "numeric-claims", "slavic", "news"],
        "configs": [
            {
                "config_name": config,
                "data_files": [{"split": "test", "path": parquet_path(config).as_posix()}],
                **({"default": True} if config == "default" else {}),
            }
            for config in CONFIGS
        ],
        "dataset_info": [
            {
                "config_name": config,
                "features": feats[config]._to_yaml_list(),
                "splits": [
                    {
                        "name": "test",
                        "num_bytes": tables[config].nbytes,
                        "num_examples": tables[config].num_rows,
                    }
                ],
            }
            for config in CONFIGS
        ],
    }
    return "---\n" + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100) + "---\n"


STATS_BEGIN, STATS_END = "<!-- stats:begin -->", "<!-- stats:end -->"


def card_stats(gold: Gold) -> str:
    """The card's composition tables (markdown), regenerated by every build."""
    from collections import Counter

    lines = [
        "| doc_id | lang | date | entities | figures | stance | boilerplate spans |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for doc in gold.documents:
        lines.append(
            f"| `{doc.doc_id}` | {doc.lang} | {doc.date or '-'} | {len(doc.entities)} | "
            f"{len(doc.figures)} | {len(doc.stance)} | {len(doc.boilerplate)} |"
        )
    total = counts(gold)["totals"]
    lines.append(
        f"| **all** | | | **{total['entities']}** | **{total['figures']}** | **{total['stance']}** | |"
    )
    types = Counter(e.type for d in gold.documents for e in d.entities)
    ids = {e.entity_id for d in gold.documents for e in d.entities}
    units = Counter(f.unit for d in gold.documents for f in d.figures)
    qualifiers = Counter(f.qualifier for d in gold.documents for f in d.figures)
    labels = Counter(f"{s.target}/{s.label}" for d in gold.documents for s in d.stance)
    claims = {f.claim_id for d in gold.documents for f in d.figures if f.claim_id}

    def listing(counter: Counter[str]) -> str:
        return ", ".join(f"`{key}` {n}" for key, n in sorted(counter.items())) or "none"

    lines += [
        "",
        f"- entity mentions by type: {listing(types)}; {len(ids)} distinct entities, "
        f"{len(gold.kb)} knowledge-base entries",
        f"- figures by unit: {listing(units)}; by qualifier: {listing(qualifiers)}; {len(claims)} claim ids",
        f"- stance rows by target/label: {listing(labels)}",
        f"- gold revision `{gold_revision(gold)}`",
    ]
    return "\n".join(lines)


def _with_region(body: str, begin: str, end: str, content: str) -> str:
    """``body`` with the text between the two markers replaced (the markers are kept)."""
    start, stop = body.find(begin), body.find(end)
    if start == -1 or stop < start:
        return body
    return body[: start + len(begin)] + "\n" + content + "\n" + body[stop:]


AGREEMENT_BEGIN, AGREEMENT_END = "<!-- agreement:begin -->", "<!-- agreement:end -->"
PASSES_DIR = "passes"


def pass_agreement(annotations: Path, seeds: Path) -> str:
    """The agreement table of the first two annotation passes under ``annotations/passes/``."""
    from nkru_bench.agreement import agreement, agreement_markdown

    passes = sorted(p for p in (annotations / PASSES_DIR).glob("*") if p.is_dir())
    if len(passes) < 2:
        return "(fewer than two annotation passes: no agreement to report)"
    a, b = (_gold(path, seeds, require_all=False) for path in passes[:2])
    return agreement_markdown(agreement(a, b), passes[0].name, passes[1].name)


def card_body(gold: Gold, body: str, agreement_table: str) -> str:
    body = _with_region(body, STATS_BEGIN, STATS_END, card_stats(gold))
    return _with_region(body, AGREEMENT_BEGIN, AGREEMENT_END, agreement_table)


def _split_card(text: str) -> tuple[str, str]:
    """``(header, body)`` of a card; the header is empty when the card has none."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[: end + 5], text[end + 5 :]
    return "", text


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
    _, body = _split_card(card.read_text(encoding="utf-8") if card.exists() else "")
    card_text = card_header(gold, tables) + card_body(gold, body, pass_agreement(annotations, seeds))
    written = []
    for config, table in tables.items():
        path = root / parquet_path(config)
        write_atomically(path, parquet_bytes(table), parents=True)
        written.append(path)
    manifest = root / DATA_DIR / DATA_MANIFEST
    write_atomically(manifest, data_manifest(gold), parents=True)
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
    if not manifest.exists() or manifest.read_text(encoding="utf-8") != data_manifest(gold):
        stale.append(f"{manifest}: differs from the annotations' counts")
    stale += croissant.check(gold, tables, root)
    card = root / CARD
    header, body = _split_card(card.read_text(encoding="utf-8") if card.exists() else "")
    if header != card_header(gold, tables):
        stale.append(f"{card}: its YAML header differs from the built data")
    if body != card_body(gold, body, pass_agreement(annotations, seeds)):
        stale.append(f"{card}: its composition or agreement tables differ from the annotations")
    return stale
