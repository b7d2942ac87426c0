"""The reference prompts of the LLM system: one per layer and language, versioned, shipped as package data.

``prompts/v1/`` holds a system message (``system.txt``), one user-message template per layer
(``entities.txt``, ``figures.txt``, ``stance.txt``) and the language-specific parts of each template
(``languages.json``: the language's name, examples and hedge words). A prompt is the template with
the language's parts and the article's text filled in, so there is exactly one prompt per layer and
language. ``PROMPT_VERSION`` names it for citing (``v1``); ``prompt_version()`` adds a hash of every
prompt file (``v1+3f2a9c1b7d04``), so an edited file can never pass for the cited version. Both go
into the run's metadata, the score signature of the run and the response cache key.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib.resources import files
from typing import Any

PROMPT_VERSION = "v1"
LAYERS = ("entities", "figures", "stance")
LANGUAGES = ("cs", "pl", "sl")
_FILES = ("system.txt", "entities.txt", "figures.txt", "stance.txt", "languages.json")


def _folder(version: str) -> Any:
    return files(__package__).joinpath("prompts", version)


@cache
def _read(version: str) -> dict[str, str]:
    folder = _folder(version)
    return {name: folder.joinpath(name).read_text(encoding="utf-8") for name in _FILES}


@cache
def prompt_version(version: str = PROMPT_VERSION) -> str:
    """``v1+<sha256 prefix of the prompt files>``: what the run metadata and the signature cite."""
    digest = hashlib.sha256()
    for name, text in sorted(_read(version).items()):
        digest.update(name.encode() + b"\0" + text.encode("utf-8") + b"\0")
    return f"{version}+{digest.hexdigest()[:12]}"


def language_parts(lang: str, version: str = PROMPT_VERSION) -> dict[str, str]:
    parts = json.loads(_read(version)["languages.json"])
    if lang not in parts:
        raise ValueError(f"no prompt for language {lang!r}: the prompts cover {', '.join(sorted(parts))}")
    return dict(parts[lang])


def messages(layer: str, lang: str, text: str, version: str = PROMPT_VERSION) -> list[dict[str, str]]:
    """The chat messages asking for ``layer`` of one article (system, then user)."""
    if layer not in LAYERS:
        raise ValueError(f"unknown layer {layer!r}: expected one of {', '.join(LAYERS)}")
    texts = _read(version)
    parts = language_parts(lang, version)
    system = texts["system.txt"].format_map(parts).strip()
    user = texts[f"{layer}.txt"].format_map({**parts, "text": text}).strip()
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
