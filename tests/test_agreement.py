"""``nkru-bench agree``: agreement between annotation passes, with the harness's own matching.

Expected numbers are derived by hand from a two-document toy gold built below, not read from the code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.metrics import cohen_kappa_score

from nkru_bench.curation.agreement import agreement, agreement_markdown, disagreements
from nkru_bench.curation.build import pass_agreement
from nkru_bench.gold.loading import load_gold
from nkru_bench.gold.records import Document, Entity, Gold, Span, Stance

TEXT = "Rusko a Severní Korea. NATO odsoudilo Rusko."


def _entity(text: str, type_: str, entity_id: str, nth: int = 0) -> Entity:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(text, start + 1)
    return Entity(start=start, end=start + len(text), text=text, type=type_, lemma=text, entity_id=entity_id)


def _doc(doc_id: str, entities: tuple[Entity, ...], stance: tuple[Stance, ...]) -> Document:
    return Document(
        doc_id=doc_id,
        lang="cs",
        date=None,
        title=None,
        text=TEXT,
        source_file=f"seeds/{doc_id}.txt",
        sha256="0" * 64,
        entities=entities,
        stance=stance,
    )


def _stance(holder: str, target: str, label: str) -> Stance:
    return Stance(holder_id=holder, target=target, label=label, evidence=(Span(start=23, end=43),))


RUSSIA, NK, NATO = "GPE-Russia", "GPE-North-Korea", "ORG-NATO"
A = Gold(
    documents=(
        _doc(
            "d1",
            (
                _entity("Rusko", "LOC", RUSSIA),
                _entity("Severní Korea", "LOC", NK),
                _entity("NATO", "ORG", NATO),
            ),
            (
                _stance(NATO, "russia_war_in_ukraine", "against"),
                _stance(RUSSIA, "russia_nk_alliance", "favor"),
            ),
        ),
        _doc("d2", (_entity("Rusko", "LOC", RUSSIA, 1),), (_stance(NATO, "russia_nk_alliance", "against"),)),
    ),
    kb=(),
)
# B: in d1 it types NATO as LOC (same span), misses "Severní Korea", labels Russia neutral on the alliance;
# in d2 it agrees on "Rusko" and adds a stance row A does not have.
B = Gold(
    documents=(
        _doc(
            "d1",
            (_entity("Rusko", "LOC", RUSSIA), _entity("NATO", "LOC", NATO)),
            (
                _stance(NATO, "russia_war_in_ukraine", "against"),
                _stance(RUSSIA, "russia_nk_alliance", "neutral"),
            ),
        ),
        _doc(
            "d2",
            (_entity("Rusko", "LOC", RUSSIA, 1),),
            (_stance(NATO, "russia_nk_alliance", "against"), _stance(NK, "russia_nk_alliance", "favor")),
        ),
    ),
    kb=(),
)


def test_agreement_figures_on_a_toy_pair() -> None:
    stats = agreement(A, B)
    entities, stance = stats["entities"], stats["stance"]
    # Strict: A has 4 mentions, B 3; 2 agree in span and type (Rusko d1, Rusko d2): P = 2/3, R = 2/4.
    assert entities["strict"]["precision"] == pytest.approx(2 / 3)
    assert entities["strict"]["recall"] == pytest.approx(2 / 4)
    assert entities["strict"]["f1"] == pytest.approx(2 * (2 / 3) * (2 / 4) / (2 / 3 + 2 / 4))
    # Boundaries only: NATO matches too: 3 of 4 / 3.
    assert entities["boundaries"]["f1"] == pytest.approx(2 * 1 * (3 / 4) / (1 + 3 / 4))
    # Same-span pairs: (LOC, LOC), (ORG, LOC), (LOC, LOC): 2 of 3 agree.
    assert entities["type_pairs"] == 3
    assert entities["type_agreement"] == pytest.approx(2 / 3)
    assert entities["type_kappa"] == pytest.approx(
        cohen_kappa_score(["LOC", "ORG", "LOC"], ["LOC", "LOC", "LOC"])
    )
    # Stance pairs: A 3, B 4, shared 3: P = 3/4, R = 3/3; one shared pair differs in label.
    assert stance["pair"]["precision"] == pytest.approx(3 / 4)
    assert stance["pair"]["recall"] == pytest.approx(1.0)
    assert stance["label_pairs"] == 3
    assert stance["label_agreement"] == pytest.approx(2 / 3)
    assert stance["label_kappa"] == pytest.approx(
        cohen_kappa_score(["against", "favor", "against"], ["against", "neutral", "against"])
    )


def test_disagreements_list_every_differing_item() -> None:
    found = {(d.doc_id, d.layer, d.item) for d in disagreements(A, B)}
    assert ("d1", "entity", f"{TEXT.index('NATO')}:{TEXT.index('NATO') + 4} 'NATO'") in found
    assert ("d1", "entity", f"{TEXT.index('Severní')}:{TEXT.index('Severní') + 13} 'Severní Korea'") in found
    assert ("d1", "stance", "GPE-Russia on russia_nk_alliance") in found
    assert ("d2", "stance", "GPE-North-Korea on russia_nk_alliance") in found
    assert len(found) == 4


def test_a_pass_against_itself_agrees_fully(root: Path) -> None:
    a = load_gold(root / "annotations" / "passes" / "a")
    stats = agreement(a, a)
    assert stats["entities"]["strict"]["f1"] == 1.0
    assert stats["stance"]["pair"]["f1"] == 1.0
    assert disagreements(a, a) == []


def test_the_cli_reproduces_the_card(root: Path, tmp_path: Path) -> None:
    """``agree`` on the two kept passes prints the very table the dataset card shows."""
    out = tmp_path / "agreement.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "nkru_bench",
            "agree",
            "annotations/passes/a",
            "annotations/passes/b",
            "--json",
            str(out),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    card = (root / "README.md").read_text(encoding="utf-8")
    assert pass_agreement(root / "annotations", root / "seeds") in card
    a, b = (load_gold(root / "annotations" / "passes" / name) for name in ("a", "b"))
    table = agreement_markdown(agreement(a, b), "a", "b")
    assert table in card
    for line in table.splitlines()[2:]:
        assert line.replace(" a ", " annotations/passes/a ") in result.stdout or line in result.stdout
    assert json.loads(out.read_text(encoding="utf-8"))["documents"] == 5


def _agree_stdout(root: Path, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "nkru_bench", "agree", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_card_headline_is_the_rules_only_blind_pass_against_the_gold(root: Path) -> None:
    """The card's first agreement table is ``agree annotations annotations/passes/blind-rules-only``,
    computed here from the pass files and the gold; then the first blind pass against the gold, labelled
    as made with guidelines that quote the articles; then passes A and B. The README region holds exactly
    these tables in this order."""
    gold = load_gold(root / "annotations")
    rules_only = load_gold(root / "annotations" / "passes" / "blind-rules-only")
    first_blind = load_gold(root / "annotations" / "passes" / "blind")
    headline = agreement_markdown(agreement(gold, rules_only), "gold", "blind-rules-only")
    beside = agreement_markdown(agreement(gold, first_blind), "gold", "blind")
    a, b = (load_gold(root / "annotations" / "passes" / name) for name in ("a", "b"))
    record = agreement_markdown(agreement(a, b), "a", "b")
    region = pass_agreement(root / "annotations", root / "seeds")
    # the headline table is the first table of the region, and the three come in this order
    assert region.index(headline) < region.index(beside) < region.index(record)
    assert "| layer |" not in region[: region.index(headline)]
    label_of_first_blind = region[region.index(headline) + len(headline) : region.index(beside)]
    assert "quote the articles" in label_of_first_blind
    card = (root / "README.md").read_text(encoding="utf-8")
    assert region in card
    stdout = _agree_stdout(root, "annotations", "annotations/passes/blind-rules-only")
    for line in headline.splitlines()[2:]:
        assert line in stdout
    # every row agrees; only evidence spans and claim ids differ, each one listed in ADJUDICATION.md
    stats = agreement(gold, rules_only)
    assert stats["stance"]["tuple"]["counts"]["gold"] == sum(len(d.stance) for d in gold.documents)
    found = disagreements(gold, rules_only)
    n_evidence = stats["stance"]["evidence_pairs"] - stats["stance"]["evidence_same"]
    claims = {(d.doc_id, f.start, f.end): f.claim_id for d in gold.documents for f in d.figures}
    n_claim_ids = sum(
        claims[(d.doc_id, f.start, f.end)] != f.claim_id for d in rules_only.documents for f in d.figures
    )
    assert len(found) == n_evidence + n_claim_ids
    assert {x.layer for x in found} <= {"stance", "figure"}
    adjudication = (root / "annotations" / "ADJUDICATION.md").read_text(encoding="utf-8")
    section = adjudication[adjudication.index("## Blind pass from the rules alone") :]
    for x in found:
        key = x.item.split(" on ")[0] if x.layer == "stance" else x.item.split("'")[1]
        assert f"| {x.doc_id[:3]} |" in section and f"`{key}" in section, str(x)


def test_the_first_blind_pass_is_still_scored_against_the_gold(root: Path) -> None:
    """The first blind pass stays beside the headline: ``agree`` on it prints the card's table lines, and each
    of its remaining evidence differences is adjudicated."""
    gold, blind = load_gold(root / "annotations"), load_gold(root / "annotations" / "passes" / "blind")
    table = agreement_markdown(agreement(gold, blind), "gold", "blind")
    stdout = _agree_stdout(root, "annotations", "annotations/passes/blind")
    for line in table.splitlines()[2:]:
        assert line in stdout
    stats = agreement(gold, blind)
    n_evidence = stats["stance"]["evidence_pairs"] - stats["stance"]["evidence_same"]
    assert len(disagreements(gold, blind)) == n_evidence
    adjudication = (root / "annotations" / "ADJUDICATION.md").read_text(encoding="utf-8")
    assert "## Blind pass" in adjudication
