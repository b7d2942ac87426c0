"""The gold as Arrow: the Hugging Face features and rows of every config, and the record batches
scoring reads."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from nkru_bench.gold.paths import CONFIGS

if TYPE_CHECKING:
    from nkru_bench.gold.records import Document, Gold


def features() -> dict[str, Any]:
    """The ``datasets.Features`` of every config."""
    from datasets import ClassLabel, Features, List, Value

    from nkru_bench.gold.tokens import TAGS

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
                "acts_for": string,
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
    from nkru_bench.gold.tokens import sentences

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


_SPAN = [("start", "int64"), ("end", "int64")]


# The fields of a ``default`` row that scoring reads (a built Parquet file has these and more).
DOCUMENT_FIELDS: dict[str, Any] = {
    "doc_id": "string",
    "lang": "string",
    "text": "large_string",
    "boilerplate": _SPAN,
    "entities": [*_SPAN, ("type", "string"), ("lemma", "string"), ("entity_id", "string")],
    "figures": [
        *_SPAN,
        ("value", "float64"),
        ("unit", "string"),
        ("qualifier", "string"),
        ("source_id", "string"),
    ],
    "stance": [("holder_id", "string"), ("target", "string"), ("label", "string")],
}


def document_schema() -> Any:
    """The Arrow schema of ``DOCUMENT_FIELDS``."""
    import pyarrow as pa

    def arrow(kind: Any) -> Any:
        if isinstance(kind, str):
            return pa.type_for_alias(kind)
        return pa.list_(pa.struct([(name, arrow(sub)) for name, sub in kind]))

    return pa.schema([(name, arrow(kind)) for name, kind in DOCUMENT_FIELDS.items()])


BATCH_ROWS = 1024  # documents read at a time


def record_batches(documents: Sequence[Document]) -> Iterator[Any]:
    """Gold records as the Arrow record batches ``gold_table`` reads (what a Parquet file gives)."""
    import pyarrow as pa

    schema = document_schema()
    for i in range(0, len(documents), BATCH_ROWS):
        rows = [doc.model_dump() for doc in documents[i : i + BATCH_ROWS]]
        yield pa.RecordBatch.from_pylist(rows, schema=schema)
