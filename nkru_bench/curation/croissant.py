"""Croissant metadata (MLCommons Croissant 1.1, JSON-LD) for the built dataset: ``croissant.json``.

``croissant(gold, tables, digests)`` is pure: the gold records, one Arrow table per config (as
``gold_tables`` makes them) and the sha256 of each config's Parquet file in; the JSON-LD object
out. It lives beside the Parquet files, in ``nkru_bench/data/croissant.json``, so the wheel and the
sdist ship it and every ``contentUrl`` (``<config>/test.parquet``) resolves from wherever the
package is. ``distribution`` lists the Parquet files with the sha256 of their bytes; ``recordSet``
has one record set per config whose fields are derived from the Hugging Face features stored in
each table's schema, typed as the Hub's own Croissant types them (strings ``sc:Text``, int32
``cr:Int32``, float64 ``cr:Float64``); lists are ``isArray`` fields, structs have ``subField``s
read with a ``jsonPath``. Every record set has a ``split`` field that references the ``splits``
record set (``cr:Split``: the one split, ``test``), read from the file's path as the Hub does. The
``ner_tags`` class-label indices come with an enumeration record set (``tokens_tags``: index,
name); the field does not ``references`` it, because mlcroissant 1.1 cannot join an array field.

mlcroissant reads every record set, ``default`` included. Its reader cannot extract a list inside
a list, so ``default``'s ``stance`` field describes holder, target and label and leaves out their
``evidence`` spans, which the ``stance`` record set gives one level up (the tests check that the
two agree). Descriptive metadata (licence, creator, publisher, date, citation, repository) comes
from ``release``, as the dataset card's does.

The sha256 of Parquet bytes depends on the pyarrow version that wrote them, so ``check`` never
compares it to a fresh build: it recomputes the metadata from the gold and from the digests of
the files on disk, which says both "the metadata is current" and "the checksums are those of the
committed files". ``content_digest`` (in the description) is a hash of the tables' content that
any pyarrow version recomputes alike.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nkru_bench.common.files import write_atomically
from nkru_bench.common.version import __version__
from nkru_bench.curation import release
from nkru_bench.gold.paths import DATA_DIR
from nkru_bench.gold.records import Gold

FILE = DATA_DIR / "croissant.json"  # relative to the checkout root (or site-packages)
TEXTS = (
    f"Licence {release.LICENSE}: the code MIT, the annotations and knowledge base CC BY 4.0; the article "
    "texts remain their publishers' property and no licence over them is granted (LICENSE.md)."
)
CONFORMS_TO = "http://mlcommons.org/croissant/1.1"
CONTEXT_FILE = Path(__file__).with_name("croissant_context.json")
PARQUET = "application/x-parquet"
SPLITS = "splits"
_TYPES = {
    "string": "sc:Text",
    "int32": "cr:Int32",
    "int64": "cr:Int64",
    "float64": "cr:Float64",
    "bool": "sc:Boolean",
}
DESCRIPTIONS = {
    "default": (
        "One row per article: the document fields with nested entities, figures and stance. The stance "
        "rows' evidence spans are in the stance record set (mlcroissant 1.1 reads no list inside a list)."
    ),
    "entities": "One row per named-entity mention: type, base form (lemma) and cross-lingual KB id.",
    "figures": "One row per numeric figure: normalized value, unit, hedging qualifier, source, claim.",
    "stance": "One row per (article, holder, target): the holder's stance with its evidence spans.",
    "kb": (
        "The knowledge base: one row per entity, with its names in cs, pl and sl. Published as a test "
        "split like the other configs: it is the reference that entity_id values link to, not training data."
    ),
    "tokens": "One row per sentence: tokens, IOB2 entity tags and token start offsets.",
}


def context() -> dict[str, Any]:
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def content_digest(tables: Mapping[str, Any]) -> str:
    """A sha256 of every table's schema and rows as JSON: the same for any pyarrow version."""
    digest = hashlib.sha256()
    for config in sorted(tables):
        table = tables[config]
        digest.update(config.encode("utf-8"))
        digest.update(str(table.schema).encode("utf-8"))
        digest.update(json.dumps(table.to_pylist(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return digest.hexdigest()


def _source(config: str, column: str, path: tuple[str, ...]) -> dict[str, Any]:
    source: dict[str, Any] = {"fileObject": {"@id": f"{config}-parquet"}, "extract": {"column": column}}
    if path:
        source["transform"] = {"jsonPath": ".".join(path)}
    return source


def _field(
    config: str, feature: Any, ids: tuple[str, ...], column: str, path: tuple[str, ...]
) -> dict[str, Any] | None:
    """One Croissant field (with sub-fields) for a Hugging Face feature; ``None`` for a list inside a
    list, which mlcroissant cannot read."""
    from datasets import ClassLabel, List, Value

    field: dict[str, Any] = {"@type": "cr:Field", "@id": "/".join((config, *ids)), "name": ids[-1]}
    if isinstance(feature, List):
        if path:  # a list inside a list of structs
            return None
        field.update(isArray=True, arrayShape="-1")
        feature = feature.feature
    if isinstance(feature, dict):
        subfields = [
            _field(config, sub, (*ids, name), column, (*path, name)) for name, sub in feature.items()
        ]
        field["subField"] = [sub for sub in subfields if sub is not None]
    elif isinstance(feature, ClassLabel):
        field["dataType"] = "cr:Int64"
        field["description"] = (
            f"class label: the index of the tag in {', '.join(feature.names)} (tokens_tags)"
        )
        field["source"] = _source(config, column, path)
    elif isinstance(feature, Value):
        field["dataType"] = _TYPES[feature.dtype]
        field["source"] = _source(config, column, path)
    else:
        raise TypeError(f"no Croissant type for {feature!r}")
    return field


def _split_field(config: str) -> dict[str, Any]:
    """The split of a row, read from its file's name, as the Hub's Croissant reads it."""
    return {
        "@type": "cr:Field",
        "@id": f"{config}/split",
        "name": "split",
        "description": "The split of the row (the file it is read from).",
        "dataType": "sc:Text",
        "source": {
            "fileObject": {"@id": f"{config}-parquet"},
            "extract": {"fileProperty": "fullpath"},
            "transform": {"regex": "^(?:.*/)?(test)\\.parquet$"},
        },
        "references": {"field": {"@id": f"{SPLITS}/name"}},
    }


def _splits_record_set() -> dict[str, Any]:
    return {
        "@type": "cr:RecordSet",
        "@id": SPLITS,
        "name": SPLITS,
        "description": "The splits of every config: one, test (the benchmark has no training data).",
        "dataType": "cr:Split",
        "key": {"@id": f"{SPLITS}/name"},
        "field": [{"@type": "cr:Field", "@id": f"{SPLITS}/name", "name": "name", "dataType": "sc:Text"}],
        "data": [{f"{SPLITS}/name": "test"}],
    }


def _features(table: Any) -> Any:
    from datasets import Features

    return Features.from_arrow_schema(table.schema)


def _tags_record_set(names: list[str]) -> dict[str, Any]:
    return {
        "@type": "cr:RecordSet",
        "@id": "tokens_tags",
        "name": "tokens_tags",
        "description": "The IOB2 tags of the tokens config: ner_tags holds their index.",
        "dataType": "sc:Enumeration",
        "key": {"@id": "tokens_tags/index"},
        "field": [
            {"@type": "cr:Field", "@id": "tokens_tags/index", "name": "index", "dataType": "cr:Int64"},
            {"@type": "cr:Field", "@id": "tokens_tags/name", "name": "name", "dataType": "sc:Text"},
        ],
        "data": [{"tokens_tags/index": i, "tokens_tags/name": name} for i, name in enumerate(names)],
    }


def _organization() -> dict[str, Any]:
    return {"@type": "sc:Organization", "name": release.CREATOR, "url": release.URL}


def croissant(gold: Gold, tables: Mapping[str, Any], digests: Mapping[str, str]) -> dict[str, Any]:
    """The Croissant JSON-LD of the dataset built from ``gold``; ``digests``: sha256 per config file."""
    from datasets import ClassLabel, List

    from nkru_bench.gold.revision import gold_revision

    langs = sorted({doc.lang for doc in gold.documents})
    counts = ", ".join(f"{config} {table.num_rows}" for config, table in tables.items())
    metadata: dict[str, Any] = {
        "@context": context(),
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": "nkru_bench",
        "description": (
            "A small multilingual (Czech, Polish, Slovenian) benchmark of news articles on North Korean "
            "troops in Russia, with gold named entities (type, lemma, cross-lingual id), numeric figures "
            f"and stance. Gold revision {gold_revision(gold)}; rows: {counts}; "
            f"content_digest {content_digest(tables)}. {TEXTS}"
        ),
        "license": release.LICENSE,
        "url": release.URL,
        "version": __version__,
        "datePublished": release.PUBLISHED,
        "creator": _organization(),
        "publisher": _organization(),
        "inLanguage": langs,
        "keywords": [
            "information extraction",
            "named entity recognition",
            "stance detection",
            "Slavic languages",
        ],
        "citeAs": release.bibtex(),
        "distribution": [
            {
                "@type": "cr:FileObject",
                "@id": f"{config}-parquet",
                "name": f"{config}-parquet",
                "description": f"The {config} config, split test.",
                "contentUrl": f"{config}/test.parquet",
                "encodingFormat": PARQUET,
                "sha256": digests[config],
            }
            for config in tables
        ],
        "recordSet": [_splits_record_set()],
    }
    for config, table in tables.items():
        features = _features(table)
        fields = [_field(config, feature, (name,), name, ()) for name, feature in features.items()]
        metadata["recordSet"].append(
            {
                "@type": "cr:RecordSet",
                "@id": config,
                "name": config,
                "description": DESCRIPTIONS.get(config, f"The {config} config."),
                "field": [*(field for field in fields if field is not None), _split_field(config)],
            }
        )
        for feature in features.values():
            if isinstance(feature, List) and isinstance(feature.feature, ClassLabel):
                metadata["recordSet"].append(_tags_record_set(list(feature.feature.names)))
    return metadata


# --- files ----------------------------------------------------------------------------------------


def parquet_digests(root: Path, configs: list[str]) -> dict[str, str]:
    """The sha256 of each config's Parquet file under ``root``."""
    from nkru_bench.gold.paths import parquet_path

    return {
        config: hashlib.sha256((root / parquet_path(config)).read_bytes()).hexdigest() for config in configs
    }


def dumps(metadata: dict[str, Any]) -> str:
    return json.dumps(metadata, ensure_ascii=False, indent=2) + "\n"


def write(gold: Gold, tables: Mapping[str, Any], root: Path) -> Path:
    """Write ``croissant.json`` for the Parquet files already written under ``root``."""
    path = root / FILE
    write_atomically(path, dumps(croissant(gold, tables, parquet_digests(root, list(tables)))))
    return path


def check(gold: Gold, tables: Mapping[str, Any], root: Path) -> list[str]:
    """What is stale in ``croissant.json``: its content against the gold and the files on disk."""
    path = root / FILE
    if not path.exists():
        return [f"{path}: missing"]
    missing = [config for config in tables if not (root / _parquet(config)).exists()]
    if missing:
        return []  # build.check already names the missing Parquet files
    expected = dumps(croissant(gold, tables, parquet_digests(root, list(tables))))
    if path.read_text(encoding="utf-8") != expected:
        return [f"{path}: differs from the gold or from the sha256 of the Parquet files"]
    return []


def _parquet(config: str) -> Path:
    from nkru_bench.gold.paths import parquet_path

    return parquet_path(config)
