"""The seeds are the articles as delivered, byte for byte, and the manifest describes them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from nkru_bench.gold.seeds import read_manifest, split_header


def test_the_manifest_lists_every_seed_with_its_checksum_language_and_date(root: Path) -> None:
    seeds, problems = read_manifest(root / "seeds")
    assert problems == []
    files = sorted(p.name for p in (root / "seeds").glob("*.txt"))
    assert sorted(s.file for s in seeds) == files
    for seed in seeds:
        data = (root / "seeds" / seed.file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == seed.sha256
        assert seed.doc_id == Path(seed.file).stem
        assert seed.date == split_header(data.decode("utf-8"))[0]
        assert seed.lang in {"cs", "pl", "sl"}


def test_the_seeds_are_byte_identical_to_the_delivered_articles(root: Path) -> None:
    """The delivery (../shared/seeds) sits beside the checkout in development and CI."""
    delivered = root.parent / "shared" / "seeds"
    manifest = [json.loads(line) for line in (root / "seeds" / "manifest.jsonl").read_text().splitlines()]
    if delivered.is_dir():
        assert sorted(p.name for p in delivered.glob("*.txt")) == sorted(m["file"] for m in manifest)
        for m in manifest:
            assert (delivered / m["file"]).read_bytes() == (root / "seeds" / m["file"]).read_bytes()
    # Wherever the delivery is not at hand, the checksums recorded at delivery time still hold.
    for m in manifest:
        assert hashlib.sha256((root / "seeds" / m["file"]).read_bytes()).hexdigest() == m["sha256"]


def test_the_date_header_is_metadata_not_text() -> None:
    assert split_header(" date 2024-10 Po setkání") == ("2024-10", "Po setkání")
    assert split_header(" date 2024-11-03 Ruski") == ("2024-11-03", "Ruski")
    assert split_header("Prezydent Rosji") == (None, "Prezydent Rosji")
