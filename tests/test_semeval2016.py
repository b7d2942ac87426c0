"""``stance.label.f_avg`` is SemEval-2016 Task 6's ``eval.pl``, case by case.

``tests/reference/semeval2016/`` holds 8 gold/prediction pairs in eval.pl's format and what eval.pl
printed for each (``eval_output/<case>.txt``, verbatim); its README says how eval.pl computes. Here
each pair of files becomes the confusion matrix of matched stance pairs (FAVOR = favor, AGAINST =
against, NONE = neutral) that the scorer computes F_avg from; the result must equal eval.pl's
"Macro F" to its 4 printed decimals, and the exact value computed from the counts.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from factories import document, gold, stance

from nkru_bench.gold.records import LABELS
from nkru_bench.scoring.metrics import label_scores
from nkru_bench.scoring.scorer import score

REFERENCE = Path(__file__).resolve().parent / "reference" / "semeval2016"
CASES = json.loads((REFERENCE / "scores.json").read_text(encoding="utf-8"))["cases"]
NKRU = {"FAVOR": "favor", "AGAINST": "against", "NONE": "neutral"}


def _labels(path: Path) -> list[str]:
    rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines()[1:] if line]
    return [NKRU[row[3]] for row in rows]


def _cells(case: str) -> list[list[int]]:
    gold, pred = _labels(REFERENCE / case / "gold.txt"), _labels(REFERENCE / case / "pred.txt")
    cells = [[0] * len(LABELS) for _ in LABELS]
    for g, p in zip(gold, pred, strict=True):
        cells[LABELS.index(g)][LABELS.index(p)] += 1
    return cells


def _printed_macro_f(case: str) -> str:
    output = (REFERENCE / "eval_output" / f"{case}.txt").read_text(encoding="utf-8")
    return re.search(r"Macro F: ([0-9.]+)", output).group(1)


def test_every_reference_case_is_tested() -> None:
    assert sorted(CASES) == sorted(p.stem for p in (REFERENCE / "eval_output").iterdir())
    assert len(CASES) == 8


@pytest.mark.parametrize("case", sorted(CASES))
def test_f_avg_is_eval_pl(case: str) -> None:
    f_avg = label_scores(_cells(case))["f_avg"]
    assert f"{f_avg:.4f}" == _printed_macro_f(case)
    assert f_avg == pytest.approx(float(Fraction(CASES[case]["exact_from_counts"]["macro_F"])), abs=1e-12)


def test_f_avg_through_the_scorer() -> None:
    """The same definition end to end: only favor on both sides, all right, gives 0.5 (eval.pl's
    ``only_favor_both_sides``), not 1.0 and not null."""
    rows = [stance(f"PER-{i}", label="favor") for i in range(3)]
    prediction = {"doc_id": "d1", "stance": [r.model_dump(exclude={"evidence"}) for r in rows]}
    result = score([prediction], gold(document(stance=rows)), resamples=0)
    expected = float(Fraction(CASES["only_favor_both_sides"]["exact_from_counts"]["macro_F"]))
    assert result["stance.label.f_avg"] == expected == 0.5
    assert result["stance.label.macro_f1"] == 1.0  # scikit-learn's macro-F1 leaves absent labels out
