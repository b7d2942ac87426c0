"""The fast path of reading predictions (``arrow_predictions``) held against the line-by-line reader.

The fast path may only accept what the line-by-line reader accepts, and then must give the very
same columns; whatever it cannot prove good it hands back (``None``). Hypothesis writes prediction
files, good ones and ones spoiled in every way the reader knows of, and both readers read each; the
fast path reads them in blocks of any size (lines longer than a block, parts of a block shorter
than a line).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nkru_bench.common.errors import InputError
from nkru_bench.gold.loading import gold_source, load_gold
from nkru_bench.gold.records import ENTITY_TYPES, LABELS, QUALIFIERS, TARGETS, UNITS
from nkru_bench.gold.revision import gold_revision
from nkru_bench.scoring import arrow_predictions, scorer
from nkru_bench.scoring.arrow_predictions import read_prediction_table
from nkru_bench.scoring.tables import PredictionTable

ROOT = Path(__file__).resolve().parent.parent
GOLD = scorer.resolve_gold_table(None)
DOC_IDS = list(GOLD.doc_ids)
LENGTH = dict(zip(GOLD.doc_ids, GOLD.lengths.tolist(), strict=True))

# --- the files ------------------------------------------------------------------------------------

names = st.sampled_from(["PER-Vladimir-Putin", "GPE-Russia", "Kim", "Rusko", "", "Ukrajina", "ň\u00e9"])


@st.composite
def entity(draw: st.DrawFn, length: int) -> dict:
    start = draw(st.integers(0, length - 1))
    item = {"start": start, "end": draw(st.integers(start + 1, min(length, start + 40)))}
    item["type"] = draw(st.sampled_from(ENTITY_TYPES))
    for key in ("lemma", "entity_id"):
        if draw(st.booleans()):
            item[key] = draw(st.none() | names)
    return item


@st.composite
def figure(draw: st.DrawFn, length: int) -> dict:
    item = {
        "value": draw(st.floats(0, 1e7, allow_nan=False) | st.integers(0, 10**6)),
        "unit": draw(st.sampled_from(UNITS)),
    }
    if draw(st.booleans()):
        item["qualifier"] = draw(st.none() | st.sampled_from(QUALIFIERS))
    if draw(st.booleans()):
        item["source_id"] = draw(st.none() | names)
    if draw(st.booleans()):
        start = draw(st.integers(0, length - 1))
        item |= {"start": start, "end": draw(st.integers(start + 1, length))}
    return item


@st.composite
def prediction(draw: st.DrawFn, doc_id: str, tasks: tuple[str, ...]) -> dict:
    length = LENGTH[doc_id]
    line: dict = {"doc_id": doc_id}
    if "entities" in tasks:
        line["entities"] = draw(st.lists(entity(length), max_size=6))
    if "figures" in tasks:
        line["figures"] = draw(st.lists(figure(length), max_size=3))
    if "stance" in tasks:
        pairs = draw(st.lists(st.tuples(names, st.sampled_from(TARGETS)), max_size=4, unique=True))
        line["stance"] = [
            {"holder_id": h, "target": t, "label": draw(st.sampled_from(LABELS))} for h, t in pairs
        ]
    return line


# Ways to spoil a good file: each is something the line-by-line reader reports.
SPOILERS = {
    "unknown key": lambda line: line | {"extra": 1},
    "unknown doc_id": lambda line: line | {"doc_id": "999_nope"},
    "doc_id as number": lambda line: line | {"doc_id": 7},
    "string start": lambda line: line | {"entities": [{"start": "1", "end": 2, "type": "PER"}]},
    "float start": lambda line: line | {"entities": [{"start": 1.0, "end": 2, "type": "PER"}]},
    "empty span": lambda line: line | {"entities": [{"start": 2, "end": 2, "type": "PER"}]},
    "negative start": lambda line: line | {"entities": [{"start": -1, "end": 2, "type": "PER"}]},
    "past the text": lambda line: line | {"entities": [{"start": 1, "end": 10**6, "type": "PER"}]},
    "unknown type": lambda line: line | {"entities": [{"start": 1, "end": 2, "type": "PERSON"}]},
    "null type": lambda line: line | {"entities": [{"start": 1, "end": 2, "type": None}]},
    "null item": lambda line: line | {"entities": [None]},
    "null start": lambda line: line | {"entities": [{"start": None, "end": 2, "type": "PER"}]},
    "huge start": lambda line: line | {"entities": [{"start": 2**64, "end": 2**64 + 1, "type": "PER"}]},
    "half figure offsets": lambda line: line | {"figures": [{"value": 1, "unit": "person", "start": 1}]},
    "unknown unit": lambda line: line | {"figures": [{"value": 1, "unit": "kg"}]},
    "unknown qualifier": lambda line: line | {"figures": [{"value": 1, "unit": "person", "qualifier": "x"}]},
    "boolean value": lambda line: line | {"figures": [{"value": True, "unit": "person"}]},
    "400-digit value": lambda line: line | {"figures": [{"value": 10**400, "unit": "person"}]},
    "repeated stance pair": lambda line: (
        line
        | {"stance": [{"holder_id": "GPE-Russia", "target": "nk_troops_in_russia", "label": "against"}] * 2}
    ),
    "unknown label": lambda line: (
        line | {"stance": [{"holder_id": "GPE-Russia", "target": "nk_troops_in_russia", "label": "pro"}]}
    ),
    "entities as object": lambda line: line | {"entities": {"start": 1}},
    # control characters reach a string only escaped (\u0001, \n, \t): the reader's rules decide
    "control character in a lemma": lambda line: (
        line | {"entities": [{"start": 0, "end": 1, "type": "PER", "lemma": "K\x01m"}]}
    ),
    "line break in an id": lambda line: (
        line | {"figures": [{"value": 1, "unit": "person", "source_id": "GPE-\nRussia"}]}
    ),
    "tab in a holder": lambda line: (
        line | {"stance": [{"holder_id": "GPE-\tRussia", "target": "nk_troops_in_russia", "label": "favor"}]}
    ),
}
RAW_SPOILERS = {
    "repeated doc_id": lambda lines: [*lines, lines[0]],
    "two objects on a line": lambda lines: (
        [lines[0] + " " + lines[1], *lines[2:]] if len(lines) > 1 else lines
    ),
    "two objects on a line, a blank line at the end": lambda lines: (
        [lines[0] + " " + lines[1], *lines[2:], ""] if len(lines) > 1 else lines
    ),
    "not JSON": lambda lines: [*lines, "{"],
    "a list": lambda lines: [*lines, "[]"],
    "repeated key": lambda lines: [lines[0][:-1] + ', "doc_id": "x"}', *lines[1:]],
    "NaN": lambda lines: [*lines[:-1], lines[-1][:-1] + ', "figures": [{"value": NaN, "unit": "person"}]}'],
    "lone surrogate": lambda lines: [
        *lines[:-1],
        lines[-1][:-1] + ', "stance": [{"holder_id": "\\ud800", '
        '"target": "nk_troops_in_russia", "label": "favor"}]}',
    ],
    "not UTF-8": lambda lines: [
        *lines[:-1],
        lines[-1][:-1]
        + ', "stance": [{"holder_id": "Ros\udcff", "target": "nk_troops_in_russia", "label": "favor"}]}',
    ],
    "byte order mark": lambda lines: ["\ufeff" + lines[0], *lines[1:]],
    # a part of the bytes given to Arrow's parser that starts with null crashes pyarrow 26
    "null first": lambda lines: ["null", *lines],
    "null last": lambda lines: [*lines, "null"],
    "indented null": lambda lines: [*lines[:1], "  null}", *lines[1:]],
    "blank lines": lambda lines: ["", *lines, "   ", ""],
    "no lines": lambda lines: [],
}


# (bytes read at a time, bytes the parser takes at a time) of the fast path; None: its own.
BLOCKS = st.sampled_from([None, (64, 64), (300, 1 << 21), (2048, 128), (1 << 16, 1 << 10)])


@st.composite
def prediction_file(draw: st.DrawFn) -> tuple[list[str], bool]:
    tasks = tuple(t for t in ("entities", "figures", "stance") if draw(st.booleans())) or ("entities",)
    docs = draw(st.permutations(DOC_IDS) | st.lists(st.sampled_from(DOC_IDS), min_size=1, unique=True))
    lines = [draw(prediction(doc_id, tasks)) for doc_id in docs]
    if draw(st.booleans()):  # a task left out on one line
        lines[0].pop(tasks[0], None)
    if draw(st.booleans()):
        key = draw(st.sampled_from(sorted(SPOILERS)))
        at = draw(st.integers(0, len(lines) - 1))
        lines[at] = SPOILERS[key](lines[at])
    text = [json.dumps(line, ensure_ascii=draw(st.booleans())) for line in lines]
    if draw(st.booleans()):
        text = RAW_SPOILERS[draw(st.sampled_from(sorted(RAW_SPOILERS)))](text)
    return text, draw(st.booleans())


def _slow(path: Path, allow_missing: bool, monkeypatch: pytest.MonkeyPatch) -> PredictionTable:
    with monkeypatch.context() as m:
        m.setattr(scorer, "read_prediction_table", lambda *args, **kwargs: None)
        return scorer.read_and_check(path, GOLD, allow_missing=allow_missing)[1]


def _decoded(table: PredictionTable) -> dict:
    """Every column, strings by name (codes may be numbered in another order)."""
    out = {"attempted": table.attempted, "missing": table.missing, "lines": table.lines}
    strings = {"lemma", "entity_id", "source_id", "holder_id"}
    for task in table.attempted:
        columns = getattr(table, task)
        for name, values in vars(columns).items():
            kept = [GOLD.codes.name(v) for v in values.tolist()] if name in strings else values.tolist()
            out[f"{task}.{name}"] = kept
    return out


def _fast(
    path: Path, allow_missing: bool, blocks: tuple[int, int] | None, monkeypatch: pytest.MonkeyPatch
) -> PredictionTable | None:
    with monkeypatch.context() as m:
        if blocks is not None:
            m.setattr(arrow_predictions, "_BLOCK", blocks[0])
            m.setattr(arrow_predictions, "_PART", blocks[1])
        return read_prediction_table(path, GOLD, allow_missing, str(path))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=prediction_file(), blocks=BLOCKS)
def test_the_fast_path_accepts_only_what_the_reader_accepts_and_gives_the_same_columns(
    case: tuple[list[str], bool],
    blocks: tuple[int, int] | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines, allow_missing = case
    path = tmp_path / "pred.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8", errors="surrogateescape")
    fast = _fast(path, allow_missing, blocks, monkeypatch)
    try:
        slow = _slow(path, allow_missing, monkeypatch)
    except InputError:
        event("refused by the reader")
        assert fast is None
        return
    event("accepted by both" if fast is not None else "accepted by the reader only")
    if fast is not None:
        assert _decoded(fast) == _decoded(slow)


def test_the_fast_path_takes_a_good_file(tmp_path: Path) -> None:
    """The reference predictions go the fast way (the property above would pass if none did)."""
    found = read_prediction_table(ROOT / "examples" / "predictions" / "rules.jsonl", GOLD, False, "rules")
    assert found is not None and found.attempted == ("entities", "figures", "stance")
    assert len(found.entities) == int(np.sum(found.entities.doc >= 0)) > 100


@pytest.mark.parametrize("blocks", [(64, 64), (1000, 100), (1 << 14, 1 << 21)])
def test_a_good_file_read_in_small_blocks_gives_the_same_columns(
    blocks: tuple[int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every line longer than a block, or parts shorter than a line, or blocks of several lines: the
    fast way still, and the columns of the line-by-line reader."""
    path = tmp_path / "rules.jsonl"
    path.write_bytes((ROOT / "examples" / "predictions" / "rules.jsonl").read_bytes().rstrip(b"\n"))
    found = _fast(path, False, blocks, monkeypatch)
    assert found is not None
    assert _decoded(found) == _decoded(_slow(path, False, monkeypatch))


# --- the stored revision ----------------------------------------------------------------------------


def test_a_built_gold_is_scored_with_its_stored_revision(checkout: Path) -> None:
    data = checkout / "nkru_bench" / "data"
    source = gold_source(data)
    assert source.revision == gold_revision(load_gold(data))  # stored, and the true one


def test_a_changed_parquet_file_gets_its_true_revision(checkout: Path, tmp_path: Path) -> None:
    """Changing a file's bytes (here: one document dropped) makes the stored revision untrusted;
    the revision is computed from the records again."""
    import pyarrow.parquet as pq

    data = checkout / "nkru_bench" / "data"
    stored = gold_source(data).revision
    default = data / "default" / "test.parquet"
    table = pq.read_table(default)
    pq.write_table(table.slice(1), default)
    assert gold_source(data).revision is None
    rescored = scorer.resolve_gold_table(data)
    assert rescored.revision == gold_revision(load_gold(data)) != stored


def test_a_manifest_without_digests_is_not_trusted(checkout: Path) -> None:
    data = checkout / "nkru_bench" / "data"
    manifest = json.loads((data / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("parquet_sha256")
    manifest["gold_revision"] = "forged000000"
    (data / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert gold_source(data).revision is None
    assert scorer.resolve_gold_table(data).revision == gold_revision(load_gold(data))


# --- what scoring the shipped gold imports ------------------------------------------------------------


def test_scoring_the_shipped_gold_imports_no_pandas_scipy_or_pydantic(tmp_path: Path) -> None:
    """The fast path end to end: no pandas (pyarrow's conversions), scipy (assignment), pydantic (the
    records: scoring a built gold with a stored revision makes none), ``pyarrow.compute`` (its
    wrappers) or ``pyarrow.parquet`` (its filesystems), nor anything heavier. ``pyarrow.json``
    imported shows the fast path was taken."""
    heavy = ("pandas", "scipy", "sklearn", "datasets", "pydantic", "pyarrow.compute", "pyarrow.parquet")
    code = (
        "import sys\n"
        "from nkru_bench.cli import main\n"
        f"status = main(['score', {str(ROOT / 'examples/predictions/rules.jsonl')!r}, "
        f"'--json', {str(tmp_path / 'out.json')!r}])\n"
        f"print(status, sorted(m for m in {heavy!r} if m in sys.modules), 'pyarrow.json' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    assert done.stdout.split("\n")[-2] == "0 [] True", done.stdout + done.stderr
