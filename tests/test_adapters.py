"""The light adapters: IOB2 tags -> predictions (checked against seqeval on the gold tags), the label
table and ``--labels``, and the one-line errors of a missing extra. The transformers and spaCy
adapters run end to end in ``tests/heavy`` (``tox -e adapters``)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from seqeval.metrics import f1_score, precision_score, recall_score
from seqeval.metrics.sequence_labeling import get_entities

from nkru_bench.common.errors import InputError
from nkru_bench.gold.loading import load_dataset, load_gold
from nkru_bench.gold.tokens import TAGS, iob2, tokenize
from nkru_bench.scoring.scorer import score
from nkru_bench.systems.adapters import make
from nkru_bench.systems.adapters.iob2 import entities_from_tags, predictions_from_iob2
from nkru_bench.systems.adapters.labels import DEFAULT_LABELS, LabelMap, parse_labels
from nkru_bench.systems.protocol import document_dict
from nkru_bench.systems.resolve import resolve_system


@pytest.fixture(scope="module")
def gold() -> Any:
    return load_gold()


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    """The ``tokens`` config, its tags as names: what a tagger trained on it would output."""
    dataset = load_dataset("tokens", split="test")
    names = dataset.features["ner_tags"].feature.names
    assert tuple(names) == TAGS
    return [{**row, "ner_tags": [names[i] for i in row["ner_tags"]]} for row in dataset]


def _documents(gold: Any) -> list[dict[str, Any]]:
    return [document_dict(doc) for doc in gold.documents]


def _strict(predictions: list[Any], gold: Any) -> dict[str, Any]:
    result = score([p.model_dump(exclude_none=True) for p in predictions], gold).to_json()
    return result["entities"]["strict"]


def test_the_gold_tags_score_1_strict_on_every_token_aligned_mention(gold: Any, rows: list[dict]) -> None:
    aligned = 0
    for doc in gold.documents:
        _, unaligned = iob2(tokenize(doc.text), doc.entities)
        aligned += len(doc.entities) - len(unaligned)
    strict = _strict(predictions_from_iob2(rows, _documents(gold)), gold)
    assert strict["counts"]["correct"] == strict["counts"]["actual"] == aligned > 0
    assert strict["f1"] == 1.0 and aligned == sum(
        len(doc.entities) for doc in gold.documents
    )  # the gold has no unaligned


def test_the_chunks_are_seqevals(gold: Any, rows: list[dict]) -> None:
    """Sentence by sentence, the adapter's chunks are seqeval's (token indices and type)."""
    by_doc: dict[str, list[dict]] = {}
    for row in rows:
        by_doc.setdefault(row["doc_id"], []).append(row)
    for doc in gold.documents:
        sentences = sorted(by_doc[doc.doc_id], key=lambda r: r["sentence_id"])
        entities = entities_from_tags(doc.text, [r["ner_tags"] for r in sentences])
        expected = []
        for r in sentences:
            for kind, first, last in get_entities(r["ner_tags"]):
                start = r["token_starts"][first]
                expected.append((start, r["token_starts"][last] + len(r["tokens"][last]), kind))
        assert [(e.start, e.end, e.type) for e in entities] == expected


def _perturb(tags: list[str], seed: int) -> list[str]:
    """Change the type of every 3rd chunk, drop every 5th, cut the last token of every 4th long one."""
    out = list(tags)
    for chunk, (kind, first, last) in enumerate(get_entities(tags), 1):
        n = chunk + seed
        if n % 5 == 0:
            out[first : last + 1] = ["O"] * (last - first + 1)
        elif n % 3 == 0:
            other = {"PER": "ORG", "ORG": "LOC", "LOC": "PER", "EVT": "PRO", "PRO": "EVT"}[kind]
            out[first : last + 1] = [f"B-{other}"] + [f"I-{other}"] * (last - first)
        elif n % 4 == 0 and last > first:
            out[last] = "O"
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_harness_strict_scores_equal_seqevals_on_perturbed_tags(
    gold: Any, rows: list[dict], seed: int
) -> None:
    """Token-aligned predictions: strict precision, recall and F1 are seqeval's (default mode, micro)."""
    perturbed = [{**row, "ner_tags": _perturb(row["ner_tags"], seed)} for row in rows]
    truth, guess = [r["ner_tags"] for r in rows], [r["ner_tags"] for r in perturbed]
    strict = _strict(predictions_from_iob2(perturbed, _documents(gold)), gold)
    assert strict["counts"]["correct"] < strict["counts"]["possible"]  # the perturbation did something
    assert strict["precision"] == pytest.approx(precision_score(truth, guess), abs=1e-12)
    assert strict["recall"] == pytest.approx(recall_score(truth, guess), abs=1e-12)
    assert strict["f1"] == pytest.approx(f1_score(truth, guess), abs=1e-12)


def test_nkru_bench_run_iob2_scores_the_gold_tags_1(tmp_path: Path, rows: list[dict]) -> None:
    tags = tmp_path / "tags.jsonl"
    lines = [{"doc_id": r["doc_id"], "sentence_id": r["sentence_id"], "tags": r["ner_tags"]} for r in rows]
    tags.write_text("".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines), encoding="utf-8")
    out, scores = tmp_path / "p.jsonl", tmp_path / "s.json"
    command = [
        sys.executable,
        "-m",
        "nkru_bench",
        "run",
        f"iob2:{tags}",
        "-o",
        str(out),
        "--json",
        str(scores),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(scores.read_text(encoding="utf-8"))["entities"]["strict"]["f1"] == 1.0


def test_a_bad_tags_file_is_one_line_naming_file_line_and_field(tmp_path: Path) -> None:
    tags = tmp_path / "tags.jsonl"
    tags.write_text(
        '{"doc_id": "x", "sentence_id": 0, "tags": ["O"]}\n{"doc_id": "x", "tags": ["O"]}\n', encoding="utf-8"
    )
    done = subprocess.run(
        [sys.executable, "-m", "nkru_bench", "run", f"iob2:{tags}", "-o", str(tmp_path / "p.jsonl")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.endswith(f"{tags}:2: field 'sentence_id': missing or of the wrong type")


def test_tags_that_do_not_fit_the_tokens_are_refused() -> None:
    with pytest.raises(ValueError, match="3 tags for 2 tokens"):
        entities_from_tags("Ahoj Praho", [["O", "B-LOC", "O"]])
    with pytest.raises(ValueError, match="not an IOB2 tag: 'X-LOC'"):
        entities_from_tags("Ahoj Praho", [["O", "X-LOC"]])
    text = "Ahoj Praho"
    by_label = entities_from_tags(text, [["O", "B-GPE"]], LabelMap({"GPE": "LOC"}))
    assert [(text[e.start : e.end], e.type) for e in by_label] == [("Praho", "LOC")]
    by_id = entities_from_tags(text, [[TAGS.index("O"), TAGS.index("B-LOC")]])  # the config's ClassLabel ids
    assert [(text[e.start : e.end], e.type) for e in by_id] == [("Praho", "LOC")]


def test_the_label_table_and_labels_mapping() -> None:
    labels = LabelMap(parse_labels("MISC=PRO, NORP=O,LABEL_1=PER"))
    assert [
        labels(x) for x in ("PERSON", "B-GPE", "persName", "gu", "mn", "MISC", "NORP", "LABEL_1", "DATE")
    ] == ["PER", "LOC", "PER", "LOC", "PRO", "PRO", None, "PER", None]
    assert set(DEFAULT_LABELS.values()) <= {"PER", "ORG", "LOC", "EVT", "PRO", None}
    with pytest.raises(InputError, match="expected LABEL=TYPE"):
        parse_labels("MISC=THING")


@pytest.mark.parametrize(("system", "extra"), [("hf:some/model", "hf"), ("spacy:some_pipeline", "spacy")])
def test_a_missing_extra_is_one_line(system: str, extra: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("transformers", "spacy"):
        monkeypatch.setitem(sys.modules, module, None)  # import fails as when the package is absent
    with pytest.raises(InputError) as caught:
        resolve_system(system)
    (problem,) = caught.value.problems
    assert f"pip install 'nkru-bench[{extra}]'" in problem.message and "\n" not in str(caught.value)


def test_adapters_are_known_by_prefix_only() -> None:
    assert make("rules") is None and make("my_module:extract") is None


def test_the_readme_iob2_example_runs_and_gives_the_gold_back(rows: list[dict], root: Path) -> None:
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = re.search(r"In Python \(`my_tagger`.*?```python\n(.*?)```", readme, re.DOTALL)
    assert block is not None, "README.md: the iob2 example is gone"
    code = textwrap.dedent(block.group(1))
    assert len(code.strip().splitlines()) == 5
    gold_tags = {tuple(row["tokens"]): row["ner_tags"] for row in rows}  # a "tagger" that knows the gold
    scope: dict[str, Any] = {"my_tagger": lambda tokens: gold_tags[tuple(tokens)]}
    exec(compile(code, "README.md", "exec"), scope)
    assert scope["result"]["entities.strict.f1"] == 1.0
