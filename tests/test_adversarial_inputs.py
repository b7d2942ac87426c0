"""Hostile and clumsy inputs, each run through ``nkru-bench`` and held to the contract of
``adversarial.py``: exit status, one located ``error:`` line, no traceback, no file changed that the
case does not name, nothing outside the scratch folder, no process left behind.

The cases are generated: every JSON-level problem in every command that reads predictions; every
damaged gold source in every command that reads a gold; every kind of output path that must not be
replaced in every command that writes one; every option value out of range. The classes of
``run`` with faulty systems, signals and concurrency are in ``test_adversarial_processes.py``."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from adversarial import Case, run_case

from nkru_bench.common.jsonlines import MAX_LINE_BYTES

# --- predictions: one bad line (line 2, document g2_pl) ------------------------------------------


def _line(doc_id: str = "g2_pl", **tasks: object) -> bytes:
    body = {"doc_id": doc_id, "entities": [], "figures": [], "stance": []} | tasks
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def _entity(**fields: object) -> bytes:
    return _line(entities=[{"start": 0, "end": 5, "type": "LOC"} | fields])


def _figure(**fields: object) -> bytes:
    return _line(figures=[{"value": 10000, "unit": "person"} | fields])


def _lines(second: bytes) -> bytes:
    return b"\n".join([_line("g1_cs"), second, _line("g3_sl")]) + b"\n"


DEEP = 100_000
# (name, content of line 2 or the whole file, line, field, fragment of the message)
PREDICTION_FAULTS: list[tuple[str, bytes, int | None, str | None, str]] = [
    (
        "duplicate doc_id key",
        b'{"doc_id": "g2_pl", "doc_id": "g2_pl", "entities": [], "figures": [], "stance": []}',
        2,
        "doc_id",
        "given twice",
    ),
    (
        "duplicate nested key",
        _entity().replace(b'"type": "LOC"', b'"type": "LOC", "type": "PER"'),
        2,
        "entities.0.type",
        "given twice",
    ),
    (
        "duplicate task key",
        _line().replace(b'"stance": []', b'"stance": [], "stance": []'),
        2,
        "stance",
        "given twice",
    ),
    (
        "nested 100,000 deep",
        _line().replace(b'"stance": []', b'"stance": ' + b"[" * DEEP + b"]" * DEEP),
        2,
        None,
        "nested deeper",
    ),
    (
        "objects nested 100,000 deep",
        b'{"doc_id": "g2_pl", "x": ' + b'{"a":' * DEEP + b"1" + b"}" * DEEP + b"}",
        2,
        None,
        "nested deeper",
    ),
    (
        "nested 40 deep",
        _line().replace(b'"stance": []', b'"stance": ' + b"[" * 40 + b"]" * 40),
        2,
        None,
        "nested deeper",
    ),
    ("offset 2**63", _entity(end=2**63), 2, "entities.0.end", "out of range"),
    ("offset -2**63 - 1", _entity(start=-(2**63) - 1), 2, "entities.0.start", "out of range"),
    ("offset of 400 digits", _entity(end=10**400), 2, "entities.0.end", "out of range"),
    (
        "integer of 5000 digits",
        _entity().replace(b'"end": 5', b'"end": 1' + b"0" * 5000),
        2,
        "entities.0.end",
        "out of range",
    ),
    ("offset 2**62 past the text", _entity(end=2**62), 2, "entities.0.end", "past the end"),
    ("offset 2**31 past the text", _entity(end=2**31), 2, "entities.0.end", "past the end"),
    ("offset -2**63", _entity(start=-(2**63)), 2, "entities.0.start", ">= 0"),
    ("figure value of 400 digits", _figure(value=10**400), 2, "figures.0.value", "out of range"),
    ("figure value 1e999", _figure().replace(b"10000", b"1e999"), 2, "figures.0.value", "Infinity"),
    ("figure value -1e999", _figure().replace(b"10000", b"-1e999"), 2, "figures.0.value", "-Infinity"),
    (
        "figure value of 400 digits with a point",
        _figure().replace(b"10000", b"1" + b"0" * 400 + b".5"),
        2,
        "figures.0.value",
        "Infinity",
    ),
    ("figure value NaN", _figure().replace(b"10000", b"NaN"), 2, "figures.0.value", "NaN"),
    ("figure value Infinity", _figure().replace(b"10000", b"Infinity"), 2, "figures.0.value", "Infinity"),
    ("NUL in a lemma", _entity(lemma="Ros\x00ja"), 2, "entities.0.lemma", "NUL"),
    ("NUL in doc_id", _line().replace(b'"g2_pl"', b'"g2_pl\\u0000"'), 2, "doc_id", "NUL"),
    ("NUL in a key", _entity().replace(b'"type"', b'"ty\\u0000pe"'), 2, None, "NUL"),
    (
        "lone high surrogate",
        _entity(lemma="Rosja").replace(b"Rosja", b"\\ud800"),
        2,
        "entities.0.lemma",
        "surrogate",
    ),
    (
        "lone low surrogate in an id",
        _entity(entity_id="X").replace(b'"X"', b'"\\udfff"'),
        2,
        "entities.0.entity_id",
        "surrogate",
    ),
    ("surrogate in a key", _entity().replace(b'"type"', b'"\\ud83dtype"'), 2, None, "surrogate"),
    (
        "bytes that are not UTF-8",
        _entity(lemma="Rosja").replace(b"Rosja", b"Ros\xff"),
        2,
        "entities.0.lemma",
        "UTF-8",
    ),
    ("overlong UTF-8", _entity(lemma="Rosja").replace(b"Rosja", b"\xc0\xaf"), 2, "entities.0.lemma", "UTF-8"),
    (
        "raw surrogate bytes",
        _entity(lemma="Rosja").replace(b"Rosja", b"\xed\xa0\x80"),
        2,
        "entities.0.lemma",
        "UTF-8",
    ),
    ("newline in a key", _entity(**{"x\nerror: forged": 1}), 2, None, "unknown key"),
    ("escape sequence in a value", _entity(type="\x1b[31mPER"), 2, "entities.0.type", "unknown entity type"),
    ("BEL and carriage return in a value", _entity(type="PER\r\x07"), 2, "entities.0.type", "unknown"),
    ("right-to-left override in a value", _entity(type="\u202ePER"), 2, "entities.0.type", "unknown"),
    ("line separator in a key", _entity(**{"a\u2028error: x": 1}), 2, None, "unknown key"),
    ("an array", b'["g2_pl"]', 2, None, "must be a JSON object, not array"),
    ("null", b"null", 2, None, "must be a JSON object, not null"),
    ("a number", b"12", 2, None, "must be a JSON object, not integer"),
    ("a string", b'"g2_pl"', 2, None, "must be a JSON object, not string"),
    ("truncated", _line()[:-7], 2, None, "not valid JSON"),
    ("null for an offset", _entity(start=None), 2, "entities.0.start", "null"),
    ("null for an entity type", _entity(type=None), 2, "entities.0.type", "null"),
    ("object for an entity list", _line(entities={}), 2, "entities", "object"),
    ("huge float for an offset", _entity(end=1e300), 2, "entities.0.end", "integer"),
]


def _prediction_content(fault: bytes) -> bytes:
    return _lines(fault)


def _predictions_argv(command: str) -> Callable[[Path], list[str]]:
    gold = ["--gold", "gold/annotations", "--resamples", "10"]
    return {
        "score": lambda s: ["score", "bad.jsonl", *gold],
        "score-stdin": lambda s: ["score", "-", *gold],
        "compare-a": lambda s: ["compare", "bad.jsonl", "pred_b.jsonl", *gold],
        "compare-b": lambda s: ["compare", "pred.jsonl", "bad.jsonl", *gold],
        "report": lambda s: ["report", "bad.jsonl", "-o", "out.html", *gold],
    }[command]


def _prediction_cases() -> Iterator[Case]:
    for name, fault, line, field, says in PREDICTION_FAULTS:
        content = _prediction_content(fault)
        for command in ("score", "score-stdin", "compare-a", "compare-b", "report"):
            argv = _predictions_argv(command)

            def setup(scratch: Path, content: bytes = content, argv: Callable = argv) -> list[str]:
                (scratch / "bad.jsonl").write_bytes(content)
                return argv(scratch)

            stdin = content if command == "score-stdin" else b""
            file = "<stdin>" if command == "score-stdin" else "bad.jsonl"
            yield Case(f"predictions/{command}/{name}", setup, 2, says, file, line, field, stdin=stdin)


def _endless_cases() -> Iterator[Case]:
    """A prediction file that never ends its first line (a link to ``/dev/zero``), and a line one byte
    past ``MAX_LINE_BYTES`` on stdin: refused at that line, and read no further (before, until memory
    ran out)."""
    for command in ("score", "compare-a", "compare-b", "report"):
        argv = _predictions_argv(command)

        def setup(scratch: Path, argv: Callable = argv) -> list[str]:
            (scratch / "bad.jsonl").symlink_to("/dev/zero")
            return argv(scratch)

        name = f"predictions/{command}/a line that never ends"
        yield Case(name, setup, 2, "is longer than", "bad.jsonl", 1)
    too_long = b'{"doc_id": "' + b"x" * MAX_LINE_BYTES + b'"}\n'
    yield Case(
        "predictions/score-stdin/a line past the limit",
        _predictions_argv("score-stdin"),
        2,
        "is longer than",
        "<stdin>",
        1,
        stdin=too_long,
    )


# --- gold sources --------------------------------------------------------------------------------


def _parquet_rows(scratch: Path, change: Callable[[list[dict]], None]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = scratch / "pq" / "default" / "test.parquet"
    table = pq.read_table(path)
    rows = table.to_pylist()
    change(rows)
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)


def _parquet_table(scratch: Path, change: Callable) -> None:
    import pyarrow.parquet as pq

    path = scratch / "pq" / "default" / "test.parquet"
    pq.write_table(change(pq.read_table(path)), path)


def _set(row: int, key: str, value: object, index: int | None = None, inner: str | None = None):
    def change(rows: list[dict]) -> None:
        if index is None:
            rows[row][key] = value
        else:
            rows[row][key][index][inner] = value

    return change


def _bytes(change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def apply(scratch: Path) -> None:
        path = scratch / "pq" / "default" / "test.parquet"
        path.write_bytes(change(path.read_bytes()))

    return apply


def _flip(data: bytes) -> bytes:
    middle = bytearray(data)
    for i in range(len(data) // 3, len(data) // 3 + 64):
        middle[i] ^= 0xFF
    return bytes(middle)


def _other_config(config: str) -> Callable[[Path], None]:
    def apply(scratch: Path) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = scratch / "pq" / "default" / "test.parquet"
        if config == "kb":
            table = pq.read_table(scratch / "pq" / "kb" / "test.parquet")
        else:
            default = pq.read_table(path)
            table = pa.table({"doc_id": default.column("doc_id"), "start": pa.array([0] * default.num_rows)})
        pq.write_table(table, path)

    return apply


# (name, change to pq/, row, field, fragment)
GOLD_FAULTS: list[tuple[str, Callable[[Path], None], int | None, str | None, str]] = [
    ("truncated", _bytes(lambda d: d[: len(d) // 2]), None, None, "Parquet"),
    ("empty file", _bytes(lambda d: b""), None, None, "Parquet"),
    ("not Parquet", _bytes(lambda d: b"doc_id,text\n"), None, None, "Parquet"),
    (
        "garbage between magic bytes",
        _bytes(lambda d: b"PAR1" + bytes(range(256)) * 4 + b"PAR1"),
        None,
        None,
        "Parquet",
    ),
    ("corrupt pages", _bytes(_flip), None, None, "Parquet"),
    ("no text column", lambda s: _parquet_table(s, lambda t: t.drop_columns(["text"])), None, None, "text"),
    (
        "no doc_id column",
        lambda s: _parquet_table(s, lambda t: t.drop_columns(["doc_id"])),
        None,
        None,
        "doc_id",
    ),
    ("the kb config", _other_config("kb"), None, None, "doc_id"),
    ("another config", _other_config("entities"), None, None, "text"),
    (
        "text as integers",
        lambda s: _parquet_table(
            s,
            lambda t: t.set_column(
                t.schema.get_field_index("text"), "text", __import__("pyarrow").array([7] * t.num_rows)
            ),
        ),
        None,
        "text",
        "string",
    ),
    ("no rows", lambda s: _parquet_table(s, lambda t: t.slice(0, 0)), None, None, "no documents"),
    (
        "span past the text",
        lambda s: _parquet_rows(s, _set(1, "entities", 10**6, 0, "end")),
        2,
        "entities.0.end",
        "past the end",
    ),
    (
        "empty span",
        lambda s: _parquet_rows(s, lambda r: r[1]["entities"][0].update(end=r[1]["entities"][0]["start"])),
        2,
        "entities.0.end",
        "greater than start",
    ),
    (
        "span text differs",
        lambda s: _parquet_rows(s, _set(1, "entities", "Nic", 0, "text")),
        2,
        "entities.0.text",
        "differs",
    ),
    (
        "NaN figure value",
        lambda s: _parquet_rows(s, _set(1, "figures", float("nan"), 0, "value")),
        2,
        "figures.0.value",
        "NaN",
    ),
    (
        "infinite figure value",
        lambda s: _parquet_rows(s, _set(1, "figures", float("inf"), 0, "value")),
        2,
        "figures.0.value",
        "Infinity",
    ),
    (
        "NUL in a lemma",
        lambda s: _parquet_rows(s, _set(1, "entities", "Ros\x00ja", 0, "lemma")),
        2,
        "entities.0.lemma",
        "NUL",
    ),
    (
        "NUL in the text",
        lambda s: _parquet_rows(s, lambda r: r[1].update(text=r[1]["text"] + "\x00")),
        2,
        "text",
        "NUL",
    ),
    ("repeated doc_id", lambda s: _parquet_rows(s, _set(2, "doc_id", "g2_pl")), 3, "doc_id", "already"),
    (
        "doc_id with ..",
        lambda s: _parquet_rows(s, _set(1, "doc_id", "../outside/x")),
        2,
        "doc_id",
        "not a safe name",
    ),
    (
        "doc_id with a slash",
        lambda s: _parquet_rows(s, _set(1, "doc_id", "a/b")),
        2,
        "doc_id",
        "not a safe name",
    ),
    ("doc_id ..", lambda s: _parquet_rows(s, _set(1, "doc_id", "..")), 2, "doc_id", "not a safe name"),
    (
        "absolute doc_id",
        lambda s: _parquet_rows(s, _set(1, "doc_id", "/tmp/x")),
        2,
        "doc_id",
        "not a safe name",
    ),
    ("empty doc_id", lambda s: _parquet_rows(s, _set(1, "doc_id", "")), 2, "doc_id", "not a safe name"),
    ("unknown language", lambda s: _parquet_rows(s, _set(1, "lang", "xx")), 2, "lang", "lang"),
    (
        "unknown entity type",
        lambda s: _parquet_rows(s, _set(1, "entities", "PERSON", 0, "type")),
        2,
        "entities.0.type",
        "'PERSON'",
    ),
]


def _gold_argv(command: str) -> Callable[[Path], list[str]]:
    gold = "pq/default/test.parquet"
    return {
        "score": lambda s: ["score", "pred.jsonl", "--gold", gold, "--resamples", "10", "--allow-missing"],
        "folder": lambda s: ["score", "pred.jsonl", "--gold", "pq", "--resamples", "10", "--allow-missing"],
        "export": lambda s: ["export", "bsnlp", "out", "--gold", gold],
        "run": lambda s: ["run", "rules", "--gold", gold, "-o", "out.jsonl", "--no-score"],
    }[command]


def _gold_cases() -> Iterator[Case]:
    for name, change, row, field, says in GOLD_FAULTS:
        for command in ("score", "folder", "export", "run"):
            argv = _gold_argv(command)

            def setup(scratch: Path, change: Callable = change, argv: Callable = argv) -> list[str]:
                change(scratch)
                return argv(scratch)

            file = "pq/default/test.parquet"
            yield Case(f"gold/{command}/{name}", setup, 2, says, file, row, field)


# --- annotations and seeds -----------------------------------------------------------------------


def _edit(path: str, change: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def apply(scratch: Path) -> None:
        target = scratch / "gold" / path
        target.write_bytes(change(target.read_bytes()))

    return apply


def _first_line(change: Callable[[dict], bytes]) -> Callable[[bytes], bytes]:
    def apply(data: bytes) -> bytes:
        first, rest = data.split(b"\n", 1)
        return change(json.loads(first)) + b"\n" + rest

    return apply


def _nul_article(scratch: Path) -> None:
    """A NUL in an article whose manifest checksum is brought up to date (the NUL is its one fault)."""
    import hashlib

    article = scratch / "gold" / "seeds" / "g1_cs.txt"
    article.write_bytes(article.read_bytes() + b"\x00")
    digest = hashlib.sha256(article.read_bytes()).hexdigest()
    _edit("seeds/manifest.jsonl", _first_line(lambda o: _dumps(o | {"sha256": digest})))(scratch)


def _dumps(obj: dict) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


DOC = "annotations/docs/g2_pl.jsonl"
ANNOTATION_FAULTS: list[tuple[str, Callable[[Path], None], str, int | None, str | None, str]] = [
    (
        "duplicate key in an annotation",
        _edit(DOC, _first_line(lambda o: _dumps(o)[:-1] + b', "lemma": "x"}')),
        DOC,
        1,
        "lemma",
        "given twice",
    ),
    (
        "NUL in a lemma",
        _edit(DOC, _first_line(lambda o: _dumps(o | {"lemma": "Korea\x00"}))),
        DOC,
        1,
        "lemma",
        "NUL",
    ),
    (
        "lone surrogate in a lemma",
        _edit(DOC, _first_line(lambda o: _dumps(o | {"lemma": "K"}).replace(b'"K"', b'"\\udc00"'))),
        DOC,
        1,
        "lemma",
        "surrogate",
    ),
    (
        "offset 2**63",
        _edit(DOC, _first_line(lambda o: _dumps(o | {"end": 2**63}))),
        DOC,
        1,
        "end",
        "out of range",
    ),
    (
        "nested 100,000 deep",
        _edit(DOC, _first_line(lambda o: _dumps(o)[:-1] + b', "x": ' + b"[" * DEEP + b"]" * DEEP + b"}")),
        DOC,
        1,
        None,
        "nested deeper",
    ),
    (
        "NaN figure value",
        _edit(DOC, lambda d: d.replace(b'"value": 10000', b'"value": NaN', 1)),
        DOC,
        7,
        "value",
        "NaN",
    ),
    (
        "duplicate key in the knowledge base",
        _edit("annotations/kb.jsonl", _first_line(lambda o: _dumps(o)[:-1] + b', "type": "LOC"}')),
        "annotations/kb.jsonl",
        1,
        "type",
        "given twice",
    ),
    (
        "deep knowledge base line",
        _edit(
            "annotations/kb.jsonl",
            _first_line(lambda o: _dumps(o)[:-1] + b', "names": ' + b"[" * DEEP + b"]" * DEEP + b"}"),
        ),
        "annotations/kb.jsonl",
        1,
        None,
        "nested deeper",
    ),
    (
        "doc_id with .. in the manifest",
        _edit("seeds/manifest.jsonl", _first_line(lambda o: _dumps(o | {"doc_id": "../outside/g1_cs"}))),
        "seeds/manifest.jsonl",
        1,
        "doc_id",
        "not a safe name",
    ),
    (
        "doc_id with a slash in the manifest",
        _edit("seeds/manifest.jsonl", _first_line(lambda o: _dumps(o | {"doc_id": "sub/g1_cs"}))),
        "seeds/manifest.jsonl",
        1,
        "doc_id",
        "not a safe name",
    ),
    (
        "duplicate key in the manifest",
        _edit("seeds/manifest.jsonl", _first_line(lambda o: _dumps(o)[:-1] + b', "lang": "cs"}')),
        "seeds/manifest.jsonl",
        1,
        "lang",
        "given twice",
    ),
    ("NUL in an article", lambda s: _nul_article(s), "seeds/g1_cs.txt", None, None, "NUL"),
]


# Faults whose consequences are problems of their own (a knowledge-base line that cannot be read
# leaves its entity unknown wherever it is used; an article with a NUL also has a new checksum).
CASCADES = {
    "duplicate key in the knowledge base",
    "deep knowledge base line",
    "doc_id with .. in the manifest",
    "doc_id with a slash in the manifest",
    "duplicate key in the manifest",
}


def _annotation_cases() -> Iterator[Case]:
    commands: dict[str, tuple[Callable[[Path], list[str]], int]] = {
        "validate": (lambda s: ["validate", "--annotations", "gold/annotations", "--seeds", "gold/seeds"], 1),
        "score": (lambda s: ["score", "pred.jsonl", "--gold", "gold/annotations", "--resamples", "10"], 2),
        "export": (lambda s: ["export", "brat", "out", "--gold", "gold/annotations"], 2),
    }
    for name, change, file, line, field, says in ANNOTATION_FAULTS:
        for command, (argv, status) in commands.items():

            def setup(scratch: Path, change: Callable = change, argv: Callable = argv) -> list[str]:
                change(scratch)
                return argv(scratch)

            cascade = name in CASCADES  # what follows from the fault is reported too, after it
            yield Case(
                f"annotations/{command}/{name}",
                setup,
                status,
                says,
                f"gold/{file}",
                line,
                field,
                cascade=cascade,
            )


# --- outputs that must not be replaced -----------------------------------------------------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


def _dangling(path: Path) -> None:
    path.symlink_to("no-such-file")


def _link_to_folder(path: Path) -> None:
    path.symlink_to("empty")


def _link_to_fifo(path: Path) -> None:
    os.mkfifo(path.parent / "a-fifo")
    path.symlink_to("a-fifo")


def _missing_folder(path: Path) -> None:
    pass


TARGETS: list[tuple[str, Callable[[Path], None], str, str]] = [
    ("a FIFO", _fifo, "out.json", "FIFO"),
    ("a folder", _folder, "out.json", "folder"),
    ("a dangling link", _dangling, "out.json", "symbolic link"),
    ("a link to a folder", _link_to_folder, "out.json", "symbolic link"),
    ("a link to a FIFO", _link_to_fifo, "out.json", "symbolic link"),
    ("in a missing folder", _missing_folder, "no/such/out.json", "cannot be written"),
]

OUTPUT_COMMANDS: dict[str, Callable[[str], list[str]]] = {
    "score --json": lambda o: [
        "score",
        "pred.jsonl",
        "--gold",
        "gold/annotations",
        "--resamples",
        "10",
        "--json",
        o,
    ],
    "compare --json": lambda o: [
        "compare",
        "pred.jsonl",
        "pred_b.jsonl",
        "--gold",
        "gold/annotations",
        "--resamples",
        "10",
        "--json",
        o,
    ],
    "report -o": lambda o: [
        "report",
        "pred.jsonl",
        "--gold",
        "gold/annotations",
        "--resamples",
        "10",
        "-o",
        o,
    ],
    "agree --json": lambda o: ["agree", "gold/annotations", "gold/annotations", "--json", o],
    "run -o": lambda o: ["run", "rules", "--gold", "gold/annotations", "--no-score", "-o", o],
    "import bsnlp --out": lambda o: ["import", "bsnlp", "bsnlp_in", "--gold", "gold/annotations", "--out", o],
}


def _output_cases() -> Iterator[Case]:
    for command, argv in OUTPUT_COMMANDS.items():
        for name, make, out, says in TARGETS:
            if command == "run -o" and name == "in a missing folder":
                continue  # run makes the folders of its output (runs/NAME.jsonl by default)

            def setup(
                scratch: Path, make: Callable = make, argv: Callable = argv, out: str = out
            ) -> list[str]:
                _bsnlp_responses(scratch)
                make(scratch / out)
                return argv(out)

            yield Case(f"outputs/{command}/{name}", setup, 2, says, out)
        # the command's own input as its output
        inputs = {
            "score --json": "pred.jsonl",
            "compare --json": "pred_b.jsonl",
            "report -o": "pred.jsonl",
            "agree --json": "gold/annotations/kb.jsonl",
            "run -o": "gold/annotations/kb.jsonl",
            "import bsnlp --out": "bsnlp_in/g1_cs.out",
        }
        target = inputs[command]

        def setup_input(scratch: Path, argv: Callable = argv, target: str = target) -> list[str]:
            _bsnlp_responses(scratch)
            return argv(target)

        if command not in ("agree --json", "run -o"):
            yield Case(f"outputs/{command}/its own input", setup_input, 2, "input", target)

        # a link to a regular file: written through, the link kept (documented)
        def setup_link(scratch: Path, argv: Callable = argv) -> list[str]:
            _bsnlp_responses(scratch)
            (scratch / "real.json").write_text("" if argv is OUTPUT_COMMANDS["run -o"] else "old\n")
            (scratch / "out.json").symlink_to("real.json")
            return argv("out.json")

        yield Case(f"outputs/{command}/a link to a regular file", setup_link, 0, "", outputs=("real.json",))


def _bsnlp_responses(scratch: Path) -> None:
    folder = scratch / "bsnlp_in"
    if folder.exists():
        return
    folder.mkdir()
    (folder / "g1_cs.out").write_text("g1_cs\nNATO\tNATO\tORG\tORG-NATO\n", encoding="utf-8")


# --- options -------------------------------------------------------------------------------------

SCORE = ["score", "pred.jsonl", "--gold", "gold/annotations"]
RUN = ["run", "rules", "--gold", "gold/annotations", "--no-score", "-o", "out.jsonl"]
OPTION_FAULTS: list[tuple[str, list[str], str]] = [
    ("--seed -1", [*SCORE, "--seed", "-1"], "--seed"),
    ("--seed 2**64", [*SCORE, "--seed", str(2**64)], "--seed"),
    ("--seed x", [*SCORE, "--seed", "x"], "--seed"),
    ("--resamples 10**14", [*SCORE, "--resamples", str(10**14)], "--resamples"),
    ("--resamples -1", [*SCORE, "--resamples", "-1"], "--resamples"),
    ("--resamples 1e3", [*SCORE, "--resamples", "1e3"], "--resamples"),
    ("compare --seed -1", ["compare", "pred.jsonl", "pred_b.jsonl", "--seed", "-1"], "--seed"),
    (
        "compare --resamples 10**14",
        ["compare", "pred.jsonl", "pred_b.jsonl", "--resamples", str(10**14)],
        "--resamples",
    ),
    ("report --seed -1", ["report", "pred.jsonl", "-o", "r.html", "--seed", "-1"], "--seed"),
    ("--timeout -1", [*RUN, "--timeout", "-1"], "--timeout"),
    ("--timeout nan", [*RUN, "--timeout", "nan"], "--timeout"),
    ("--timeout inf", [*RUN, "--timeout", "inf"], "--timeout"),
    ("--timeout -inf", [*RUN, "--timeout", "-inf"], "--timeout"),
    ("--timeout 1e300", [*RUN, "--timeout", "1e300"], "--timeout"),
    ("--timeout x", [*RUN, "--timeout", "x"], "--timeout"),
    (
        "preannotate --timeout nan",
        ["preannotate", "g1_cs", "--system", "rules", "--timeout", "nan"],
        "--timeout",
    ),
    ("run without a system", ["run", "--gold", "gold/annotations"], "SYSTEM"),
    ("run with both", ["run", "rules", "--cmd", "cat", "--gold", "gold/annotations"], "SYSTEM"),
    ("unknown system", ["run", "no-such-system", "--gold", "gold/annotations"], "unknown system"),
    ("run -o a folder", ["run", "rules", "--gold", "gold/annotations", "-o", "empty"], "folder"),
]


def _option_cases() -> Iterator[Case]:
    for name, argv, says in OPTION_FAULTS:
        yield Case(f"options/{name}", lambda s, argv=argv: argv, 2, says)


def _empty_gold(scratch: Path) -> list[str]:
    for doc in (scratch / "gold" / "annotations" / "docs").iterdir():
        doc.unlink()
    return ["score", "pred.jsonl", "--gold", "gold/annotations"]


def _not_gold(scratch: Path) -> list[str]:
    return ["score", "pred.jsonl", "--gold", "pred.jsonl"]


def _kb(change: Callable[[bytes], bytes]) -> Callable[[Path], list[str]]:
    def setup(scratch: Path) -> list[str]:
        path = scratch / "pq" / "kb" / "test.parquet"
        path.write_bytes(change(path.read_bytes()))
        return ["score", "pred.jsonl", "--gold", "pq", "--resamples", "10"]

    return setup


def _kb_rows(scratch: Path) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = scratch / "pq" / "kb" / "test.parquet"
    rows = pq.read_table(path).to_pylist()
    rows[1]["type"] = "PERSON"
    pq.write_table(pa.Table.from_pylist(rows, schema=pq.read_table(path).schema), path)
    return ["score", "pred.jsonl", "--gold", "pq", "--resamples", "10"]


MISC = [
    Case(
        "outputs/score --json into the gold folder",
        lambda s: [
            "score",
            "pred.jsonl",
            "--gold",
            "gold/annotations",
            "--json",
            "gold/annotations/kb.jsonl",
        ],
        2,
        "input folder",
        "gold/annotations/kb.jsonl",
    ),
    Case(
        "outputs/agree --json into a pass",
        lambda s: [
            "agree",
            "gold/annotations",
            "gold/annotations",
            "--json",
            "gold/annotations/docs/g1_cs.jsonl",
        ],
        2,
        "input folder",
        "gold/annotations/docs/g1_cs.jsonl",
    ),
    Case(
        "outputs/run -o the gold Parquet",
        lambda s: [
            "run",
            "rules",
            "--gold",
            "pq/default/test.parquet",
            "-o",
            "pq/default/test.parquet",
            "--overwrite",
        ],
        2,
        "input",
        "pq/default/test.parquet",
    ),
    Case("gold/a truncated kb Parquet", _kb(lambda d: d[: len(d) // 2]), 2, "Parquet", "pq/kb/test.parquet"),
    Case("gold/an empty kb Parquet file", _kb(lambda d: b""), 2, "Parquet", "pq/kb/test.parquet"),
    Case("gold/a kb row of unknown type", _kb_rows, 2, "'PERSON'", "pq/kb/test.parquet", 2, "type"),
    Case("gold/an annotations folder without documents", _empty_gold, 2, "no documents", "gold/annotations"),
    Case("gold/predictions given as the gold", _not_gold, 2, "is not gold", "pred.jsonl"),
]

ALL = [
    *_prediction_cases(),
    *_endless_cases(),
    *_gold_cases(),
    *_annotation_cases(),
    *_output_cases(),
    *_option_cases(),
    *MISC,
]


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.name)
def test_hostile_input(case: Case, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    run_case(case, tmp_path, tmp_path_factory.getbasetemp())
