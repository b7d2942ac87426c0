"""The dataset card (README.md): the template's sections, one licence story, metadata the Hub reads.

The template is the one ``huggingface_hub`` ships (``templates/datasetcard_template.md``); the card's
YAML is parsed by ``huggingface_hub``'s own ``DatasetCard``. The licence expression, the citation year
and the repository are those of ``nkru_bench.curation.release``, which Croissant uses too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import huggingface_hub
import pytest
from huggingface_hub import DatasetCard

from nkru_bench.curation import release
from nkru_bench.curation.card import license_name
from nkru_bench.curation.croissant import FILE as CROISSANT

TEMPLATE = Path(huggingface_hub.__file__).parent / "templates" / "datasetcard_template.md"


@pytest.fixture(scope="module")
def card(root: Path) -> DatasetCard:
    return DatasetCard.load(root / "README.md")


def _headings(markdown: str) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^#{1,6} +(.+)$", markdown, re.MULTILINE)]


def test_the_card_has_every_required_section_of_the_template(card: DatasetCard) -> None:
    template = TEMPLATE.read_text(encoding="utf-8").split("\n---\n", 1)[1]  # the body, not its YAML
    required = [h for h in _headings(template) if "[optional]" not in h and "{{" not in h]
    assert "Personal and Sensitive Information" in required  # the template is the one we think it is
    assert "Bias, Risks, and Limitations" in required
    missing = [h for h in required if h not in _headings(card.text)]
    assert missing == []


def test_one_licence_expression_in_the_card_and_croissant(card: DatasetCard, root: Path) -> None:
    data = card.data.to_dict()
    assert data["license"] == "other"
    assert data["license_details"] == release.LICENSE
    assert data["license_name"] == license_name(release.LICENSE)
    assert re.fullmatch(r"[a-z0-9.-]+", data["license_name"])
    assert (root / data["license_link"]).is_file()
    croissant = json.loads((root / CROISSANT).read_text(encoding="utf-8"))
    assert croissant["license"] == release.LICENSE
    assert release.LICENSE in (root / "LICENSE.md").read_text(encoding="utf-8")


def test_every_licence_of_the_expression_has_its_text(root: Path) -> None:
    ids = [part for part in release.LICENSE.split() if part not in ("AND", "OR", "WITH")]
    assert ids == ["MIT", "CC-BY-4.0", release.TEXTS_LICENSE]
    for licence in ids:
        assert (root / "LICENSES" / f"{licence}.txt").is_file(), licence
    mit = (root / "LICENSES" / "MIT.txt").read_text(encoding="utf-8")
    assert "IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE" in " ".join(mit.split())


def test_creators_and_sources_say_what_made_the_data(card: DatasetCard) -> None:
    data = card.data.to_dict()
    assert data["annotations_creators"] == ["machine-generated"]
    assert data["language_creators"] == ["found"]
    assert "source_datasets" not in data  # third-party articles, not an original dataset of ours
    assert "machine-generated" in card.text  # and the card says why


def test_the_card_says_what_is_known_of_every_text_source(card: DatasetCard, root: Path) -> None:
    manifest = [json.loads(line) for line in (root / "seeds" / "manifest.jsonl").read_text().splitlines()]
    section = card.text.split("Who are the source data producers?", 1)[1].split("#### Annotations", 1)[0]
    for seed in manifest:
        row = next((line for line in section.splitlines() if f"`{seed['doc_id']}`" in line), None)
        assert row is not None, seed["doc_id"]
        assert f"| {seed['lang']} |" in row


def test_the_citation_year_is_one_everywhere(card: DatasetCard, root: Path) -> None:
    croissant = json.loads((root / CROISSANT).read_text(encoding="utf-8"))
    assert croissant["citeAs"] == release.bibtex()
    assert croissant["datePublished"].startswith(release.YEAR)
    assert release.bibtex() in card.text
    years = set(re.findall(r"year\s*=\s*\{(\d{4})\}", card.text))
    assert years == {release.YEAR}
