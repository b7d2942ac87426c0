"""Reading predictions: every format to one ``Prediction`` type, every problem located."""

from __future__ import annotations

from pathlib import Path

import pytest
from bad_inputs import BAD, DOCS, GOLDEN, GOOD, Bad
from factories import as_dicts, random_gold

from nkru_bench.common.errors import InputError
from nkru_bench.scoring.checking import check_against_gold
from nkru_bench.scoring.predictions import (
    Predictions,
    gold_as_predictions,
    read_predictions,
    write_predictions,
)


@pytest.fixture(scope="module")
def golden_gold():
    from nkru_bench.gold.loading import load_gold

    return load_gold(GOLDEN / "annotations")


@pytest.mark.parametrize("bad", BAD, ids=lambda b: b.name)
def test_every_bad_input_is_located(bad: Bad, tmp_path: Path, golden_gold) -> None:
    path = tmp_path / "pred.jsonl"
    path.write_bytes(bad.content)
    with pytest.raises(InputError) as error:
        check_against_gold(read_predictions(path), golden_gold)
    assert len(error.value.problems) == 1, error.value
    problem = error.value.problems[0]
    assert (problem.file, problem.line, problem.field) == (str(path), bad.line, bad.field)
    assert bad.says in problem.message
    assert "\n" not in str(problem)


def test_all_problems_are_collected(tmp_path: Path) -> None:
    path = tmp_path / "pred.jsonl"
    path.write_bytes(
        b"\n".join([b"[1]", b'{"doc_id": "a", "entities": [{"start": 1, "end": 0, "type": "X"}]}', b"{"])
    )
    with pytest.raises(InputError) as error:
        read_predictions(path)
    assert [(p.line, p.field) for p in error.value.problems] == [(1, None), (2, "entities.0.type"), (3, None)]


def test_blank_lines_and_crlf_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "pred.jsonl"
    path.write_bytes(b"\r\n".join(GOOD[:2]) + b"\r\n\r\n" + GOOD[2] + b"\n\n")
    found = read_predictions(path)
    assert [p.doc_id for p in found] == list(DOCS)
    assert found.lines == (1, 2, 4)


def test_missing_file() -> None:
    with pytest.raises(InputError) as error:
        read_predictions(Path("/nonexistent/pred.jsonl"))
    assert "cannot be read" in str(error.value)


def test_lists_and_datasets_are_located_by_row() -> None:
    with pytest.raises(InputError) as error:
        read_predictions([{"doc_id": "a", "stance": []}, {"doc_id": "b", "stance": [{"label": "x"}]}])
    assert {(p.file, p.line) for p in error.value.problems} == {("<predictions>", 2)}
    import datasets

    rows = [
        {"doc_id": "a", "entities": [{"start": 0, "end": 1, "type": "PER"}]},
        {"doc_id": "b", "entities": None},
    ]
    found = read_predictions(datasets.Dataset.from_list(rows))
    assert found.source == "<dataset>" and found[1].entities is None


def test_numpy_values_are_accepted() -> None:
    import numpy as np

    found = read_predictions([{"doc_id": "a", "figures": [{"value": np.float64(3.0), "unit": "times"}]}])
    assert found[0].figures[0].value == 3.0


def test_check_against_gold_aligns_in_gold_order(golden_gold) -> None:
    found = read_predictions([{"doc_id": d, "stance": []} for d in reversed(DOCS)])
    aligned = check_against_gold(found, golden_gold)
    assert [p.doc_id for p in aligned.predictions] == list(DOCS)
    assert aligned.attempted == ("stance",) and aligned.missing == ()


def test_allow_missing_fills_documents_and_tasks(golden_gold) -> None:
    found = read_predictions(
        [{"doc_id": "g1_cs", "stance": [], "entities": []}, {"doc_id": "g2_pl", "stance": []}]
    )
    aligned = check_against_gold(found, golden_gold, allow_missing=True)
    assert aligned.missing == ("g3_sl",)
    assert all(p.entities == () and p.stance == () for p in aligned.predictions)


def test_gold_round_trips_through_jsonl(tmp_path: Path) -> None:
    g = random_gold(21)
    path = tmp_path / "gold.jsonl"
    write_predictions(gold_as_predictions(g), path)
    found = read_predictions(path)
    assert isinstance(found, Predictions)
    assert list(found) == gold_as_predictions(g)
    assert read_predictions(as_dicts(gold_as_predictions(g))).items == found.items


def test_a_byte_order_mark_and_a_nan_on_the_same_line(tmp_path: Path) -> None:
    path = tmp_path / "pred.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"doc_id": "a", "figures": [{"value": NaN, "unit": "person"}]}\n')
    with pytest.raises(InputError) as error:
        read_predictions(path)
    assert [(p.line, p.field) for p in error.value.problems] == [(1, None), (1, "figures.0.value")]
