"""The limits that keep an endless input from being read until memory runs out, at their boundaries:

- the longest line (``common.jsonlines.MAX_LINE_BYTES``), in each reader that reads a line at a time:
  a line of exactly the limit (its end of line not counted) is read, one byte more is a problem of
  that line and nothing after it is read;
- the largest input read whole (``common.reading.MAX_INPUT_BYTES``): a file, and a member of an
  INCEpTION zip by the size the archive declares.

The limits are made small here; the hostile cases with the real limits (``/dev/zero``, a command
that never ends its answer) are in ``test_adversarial_inputs.py``, ``test_adversarial_processes.py``
and ``test_adversarial_curation.py``."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from nkru_bench.common import jsonlines, reading
from nkru_bench.common.errors import InputError
from nkru_bench.curation.interop import inception_import
from nkru_bench.scoring import arrow_predictions
from nkru_bench.systems import command

LIMIT = 64


def line_of(length: int) -> bytes:
    """A JSON object line of exactly ``length`` bytes (without its end of line)."""
    head = b'{"doc_id": "'
    return head + b"x" * (length - len(head) - 2) + b'"}'


@pytest.fixture(autouse=True)
def small_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonlines, "MAX_LINE_BYTES", LIMIT)
    monkeypatch.setattr(arrow_predictions, "MAX_LINE_BYTES", LIMIT)


@pytest.mark.parametrize("end", [b"\n", b""])
def test_a_line_of_exactly_the_limit_is_read(end: bytes) -> None:
    data = line_of(LIMIT) + b"\n" + line_of(10) + end
    problems: list = []
    got = list(jsonlines.iter_lines(io.BytesIO(data), "f", problems))
    assert problems == []
    assert [number for number, _ in got] == [1, 2]
    assert got[0][1] == json.loads(line_of(LIMIT))


def test_one_byte_more_is_a_problem_of_that_line_and_the_end_of_reading() -> None:
    data = line_of(10) + b"\n" + line_of(LIMIT + 1) + b"\n" + line_of(10) + b"\n"
    problems: list = []
    got = list(jsonlines.iter_lines(io.BytesIO(data), "f", problems))
    assert [number for number, _ in got] == [1]
    assert [(p.file, p.line, p.field) for p in problems] == [("f", 2, None)]
    assert "longer than 64 bytes" in problems[0].message


def test_the_fast_path_leaves_a_long_line_to_the_reader(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``_blocks`` gives up on a line past the limit (the reader then says where) and takes one of
    exactly the limit, whatever the block size."""
    monkeypatch.setattr(arrow_predictions, "_BLOCK", 16)
    ok, long = tmp_path / "ok.jsonl", tmp_path / "long.jsonl"
    ok.write_bytes(line_of(10) + b"\n" + line_of(LIMIT) + b"\n")
    long.write_bytes(line_of(10) + b"\n" + line_of(LIMIT + 1) + b"\n")
    read = b"".join(data[:end] for data, end, _ in arrow_predictions._blocks(ok))
    assert read == ok.read_bytes()
    with pytest.raises(arrow_predictions._Doubt):
        list(arrow_predictions._blocks(long))


def test_a_command_answer_past_the_limit_is_told_by_its_first_piece(monkeypatch: pytest.MonkeyPatch) -> None:
    """``command._pump`` hands a line of the limit over whole, and a longer one in pieces of at most
    the limit, the first of which ``line_too_long`` tells (the runner then fails the document)."""
    monkeypatch.setattr(command, "MAX_LINE_BYTES", LIMIT)
    pieces: list = []
    command._pump(io.BytesIO(line_of(LIMIT) + b"\n" + b"y" * (LIMIT * 3)), pieces.append)
    assert pieces[-1] is None
    assert pieces[0] == line_of(LIMIT) + b"\n" and not jsonlines.line_too_long(pieces[0])
    assert jsonlines.line_too_long(pieces[1])
    assert b"".join(pieces[1:-1]) == b"y" * (LIMIT * 3)


@pytest.mark.parametrize("size", [0, LIMIT])
def test_an_input_of_at_most_the_limit_is_read_whole(size: int, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(reading, "MAX_INPUT_BYTES", LIMIT)
    path = tmp_path / "f"
    path.write_bytes(b"z" * size)
    assert reading.read_input(path) == b"z" * size


def test_an_input_one_byte_larger_is_refused_by_name(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(reading, "MAX_INPUT_BYTES", LIMIT)
    path = tmp_path / "f"
    path.write_bytes(b"z" * (LIMIT + 1))
    with pytest.raises(InputError) as raised:
        reading.read_input(path)
    [problem] = raised.value.problems
    assert (problem.file, problem.line, problem.field) == (str(path), None, None)
    assert "larger than 64 bytes" in problem.message


def test_a_zip_member_larger_than_the_limit_is_refused_before_it_is_read(monkeypatch) -> None:
    monkeypatch.setattr(inception_import, "MAX_INPUT_BYTES", LIMIT)
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("small.xmi", b"x" * LIMIT)
        archive.writestr("big.xmi", b"x" * (LIMIT + 1))
    entries = inception_import._from_zip("export.zip", data.getvalue())
    with pytest.raises(InputError, match=r"export.zip!big.xmi: is larger than"):
        list(entries)  # names sorted: big.xmi comes first
    small = io.BytesIO()
    with zipfile.ZipFile(small, "w") as archive:
        archive.writestr("small.xmi", b"x" * LIMIT)
    assert [e[1] for e in inception_import._from_zip("s.zip", small.getvalue())] == [b"x" * LIMIT]
