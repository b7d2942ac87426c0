"""The formats by name: ``nkru-bench export FORMAT`` and ``import FORMAT`` find their writer and
reader here."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nkru_bench.curation.interop.bundle import Bundle

FORMATS = ("brat", "labelstudio", "inception", "bsnlp", "slavicner")
# What an export of each format writes into its folder (``export --force`` removes these first).
OWNED = {
    "brat": ("*.txt", "*.ann", "annotation.conf", "visual.conf", "kb.jsonl"),
    "labelstudio": ("tasks.json", "labeling_config.xml", "kb.jsonl"),
    "inception": ("typesystem.xml", "*.xmi", "kb.jsonl"),
    "bsnlp": ("raw/*/*/*.txt", "annotated/*/*/*.out"),
    "slavicner": ("raw/*/*/*.txt", "ner/*/*/*.tsv"),
}


def exporter(name: str) -> Callable[[Bundle, Path], list[Path]]:
    """The ``export(bundle, out_dir)`` of a format."""
    from importlib import import_module

    return import_module(f"nkru_bench.curation.interop.{name}").export


def importer(name: str) -> Callable[[Path], Bundle]:
    """The reader of a tool's folder or file into a bundle (brat, Label Studio, INCEpTION, SlavicNER)."""
    from nkru_bench.curation.interop import brat_import, inception_import, labelstudio_import, slavicner

    readers: dict[str, Callable[[Path], Bundle]] = {
        "brat": brat_import.read_folder,
        "labelstudio": labelstudio_import.read_export,
        "inception": inception_import.read_export,
        "slavicner": slavicner.read_folder,
    }
    return readers[name]
