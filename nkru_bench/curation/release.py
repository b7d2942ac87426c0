"""What is published, where, by whom and under which licence: stated once, for the card and Croissant.

The dataset card's YAML (``card``), ``croissant.json`` (``croissant``) and the wheel's metadata
(``pyproject.toml``, checked by the tests) all carry these values; nothing else spells them out.
"""

from __future__ import annotations

from nkru_bench.common.version import __version__

# the Hugging Face dataset repository (owner/name) the card and Croissant point to
REPOSITORY = "nkru-bench/nkru_bench"
URL = f"https://huggingface.co/datasets/{REPOSITORY}"

# One SPDX expression for the whole package: the code (MIT), the annotations and knowledge base
# (CC BY 4.0) and the third-party article texts, over which no licence is granted
# (LICENSES/LicenseRef-nkru-bench-article-texts.txt).
TEXTS_LICENSE = "LicenseRef-nkru-bench-article-texts"
LICENSE = f"MIT AND CC-BY-4.0 AND {TEXTS_LICENSE}"
LICENSE_FILE = "LICENSE.md"

CREATOR = "nkru_bench developers"
# the release date of this version: Croissant's datePublished, the year of every citation
PUBLISHED = "2026-11-30"
YEAR = PUBLISHED[:4]
TITLE = (
    "nkru_bench: Entities, Figures and Stance in Czech, Polish and Slovenian News "
    "on North Korean Troops in Russia"
)


def bibtex() -> str:
    """The citation, as the card shows it and Croissant's ``citeAs`` carries it."""
    escaped = TITLE.replace("_", "\\_")
    author = CREATOR.replace("_", "\\_")
    return (
        f"@misc{{nkru_bench_{YEAR},\n"
        f"  title  = {{{escaped}}},\n"
        f"  author = {{{{{author}}}}},\n"
        f"  year   = {{{YEAR}}},\n"
        f"  url    = {{{URL}}},\n"
        f"  note   = {{Version {__version__}}},\n"
        "}"
    )
