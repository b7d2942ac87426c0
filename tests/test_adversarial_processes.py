"""``run`` with faulty systems, signals, resume and concurrency, held to the contract of
``adversarial.py``. Python systems run in this process (through ``cli.main``); command systems,
signals, a full disk, a parent's death and two runs at once need real processes, each started with a
token in its environment so that any process left behind is found."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from adversarial import (
    DOCS,
    ROOT,
    Case,
    assert_no_process_left,
    call_main,
    make_world,
    run_case,
    snapshot,
    token_env,
)

RUN = ["--gold", "gold/annotations", "--timeout", "5"]
GOOD_ANSWER = {"entities": [], "figures": [], "stance": []}

# A Python system per fault: it answers g1_cs and g3_sl well and does the fault on g2_pl only, so
# the run must fail that one document (exit 1), write the other two, and what it wrote must score.
FAULTS: dict[str, str] = {
    "NaN value": 'return {"figures": [{"value": float("nan"), "unit": "person"}]}',
    "infinite value": 'return {"figures": [{"value": float("inf"), "unit": "person"}]}',
    "value of 400 digits": 'return {"figures": [{"value": 10**400, "unit": "person"}]}',
    "lone surrogate": 'return {"entities": [{"start": 0, "end": 2, "type": "PER", "lemma": "\\ud800"}]}',
    "NUL in a lemma": 'return {"entities": [{"start": 0, "end": 2, "type": "PER", "lemma": "a\\x00"}]}',
    "offset past the text": 'return {"entities": [{"start": 0, "end": 10**6, "type": "PER"}]}',
    "offset 2**63": 'return {"entities": [{"start": 0, "end": 2**63, "type": "PER"}]}',
    "empty span": 'return {"entities": [{"start": 3, "end": 3, "type": "PER"}]}',
    "one stance pair twice": 'return {"stance": [{"holder_id": "A", "target": "russia_nk_alliance", '
    '"label": "against"}] * 2}',
    "half a figure span": 'return {"figures": [{"value": 1, "unit": "person", "start": 0}]}',
    "unknown key": 'return {"entites": []}',
    "wrong type": 'return {"entities": "none"}',
    "None": "return None",
    "a list": "return []",
    "another doc_id": 'return {"doc_id": "g1_cs", "entities": []}',
    "deep nesting": 'x = []\n    for _ in range(100000):\n        x = [x]\n    return {"entities": x}',
    "an exception with a forged line": 'raise ValueError("bad\\nerror: forged \\x1b[31m \\u202e")',
    "sys.exit": "raise SystemExit(3)",
    "a hang past the timeout": "import time; time.sleep(30)",
}


def _system_module(scratch: Path, name: str, body: str) -> str:
    module = f"system_{abs(hash(name)) % 10**8}"
    source = (
        "import copy\n"
        f"GOOD = {GOOD_ANSWER!r}\n"
        "def extract(doc):\n"
        "    if doc['doc_id'] != 'g2_pl':\n"
        "        return copy.deepcopy(GOOD)\n"
        f"    {body}\n"
    )
    (scratch / f"{module}.py").write_text(source, encoding="utf-8")
    return f"{module}:extract"


def _fault_cases() -> Iterator[tuple[str, str]]:
    yield from FAULTS.items()


@pytest.mark.parametrize(("name", "body"), list(_fault_cases()), ids=list(FAULTS))
def test_a_faulty_python_system_fails_one_document(name: str, body: str, tmp_path: Path, tmp_path_factory):
    scratch = make_world(tmp_path, tmp_path_factory.getbasetemp())
    system = _system_module(scratch, name, body)
    timeout = ["--timeout", "0.5"] if "hang" in name else []
    with token_env() as token:
        status, _, err = call_main(["run", system, *RUN, *timeout, "-o", "out.jsonl", "--no-score"], scratch)
        assert_no_process_left(token)
    assert "Traceback" not in err and "\x1b" not in err
    assert status == 1, err
    assert "g2_pl" in err and "FAILED" in err
    assert not any(line.startswith("error:") for line in err.splitlines())
    written = [json.loads(line)["doc_id"] for line in (scratch / "out.jsonl").read_text().splitlines()]
    assert written == ["g1_cs", "g3_sl"]
    status, _, err = call_main(
        ["score", "out.jsonl", "--gold", "gold/annotations", "--allow-missing", "--resamples", "10"], scratch
    )
    assert status == 0, err  # every line the run wrote is one score accepts


def test_a_system_that_changes_its_document_keeps_the_doc_id(tmp_path: Path, tmp_path_factory) -> None:
    scratch = make_world(tmp_path, tmp_path_factory.getbasetemp())
    (scratch / "mutating.py").write_text(
        "def extract(doc):\n    doc['doc_id'] = 'hacked'\n    doc['text'] = ''\n    return {'entities': []}\n"
    )
    status, _, err = call_main(["run", "mutating:extract", *RUN, "-o", "out.jsonl", "--no-score"], scratch)
    assert status == 0, err
    written = [json.loads(line)["doc_id"] for line in (scratch / "out.jsonl").read_text().splitlines()]
    assert written == list(DOCS)


# --- systems that cannot be made: one line, exit 2, nothing written --------------------------------

UNMAKEABLE: dict[str, tuple[str, str, str]] = {
    # name: (module source, SYSTEM, fragment)
    "constructor needs arguments": ("class S:\n    def __init__(self, x): pass\n", "m:S", "argument"),
    "constructor raises": (
        'class S:\n    def __init__(self):\n        raise RuntimeError("no\\nerror: x")\n',
        "m:S",
        "RuntimeError",
    ),
    "module raises at import": ('raise RuntimeError("at import")\n', "m:f", "RuntimeError"),
    "syntax error": ("def f(:\n", "m:f", "SyntaxError"),
    "module exits at import": ("raise SystemExit(4)\n", "m:f", "SystemExit"),
    "no such attribute": ("x = 1\n", "m:f", "no attribute"),
    "not callable": ("f = 1\n", "m:f", "not a callable"),
    "no such module": ("", "no_such_module_xyz:f", "cannot import"),
    "no attribute after the colon": ("", "m:", "module:attr"),
}


def _unmakeable_cases() -> Iterator[Case]:
    for name, (source, system, says) in UNMAKEABLE.items():
        module = f"unmakeable_{abs(hash(name)) % 10**8}"
        spec = system.replace("m:", f"{module}:", 1)

        def setup(scratch: Path, source: str = source, module: str = module, spec: str = spec) -> list[str]:
            if source:
                (scratch / f"{module}.py").write_text(source, encoding="utf-8")
            return ["run", spec, *RUN, "-o", "out.jsonl"]

        yield Case(f"systems/{name}", setup, 2, says, spec.split(":")[0] if False else None)


@pytest.mark.parametrize("case", list(_unmakeable_cases()), ids=lambda c: c.name)
def test_a_system_that_cannot_be_made(case: Case, tmp_path: Path, tmp_path_factory) -> None:
    run_case(case, tmp_path, tmp_path_factory.getbasetemp())


# --- the output file -----------------------------------------------------------------------------


def _existing(scratch: Path) -> list[str]:
    (scratch / "runs").mkdir()
    (scratch / "runs" / "old.jsonl").write_bytes((scratch / "pred.jsonl").read_bytes())
    return ["run", "rules", *RUN, "-o", "runs/old.jsonl", "--no-score"]


def _resume_bad(content: bytes) -> callable:
    def setup(scratch: Path) -> list[str]:
        (scratch / "partial.jsonl").write_bytes(content)
        return ["run", "rules", *RUN, "-o", "partial.jsonl", "--resume", "--no-score"]

    return setup


OUTPUT_CASES = [
    Case("run -o an existing file without --resume", _existing, 2, "--overwrite", "runs/old.jsonl"),
    Case(
        "resume a file with a duplicate key",
        _resume_bad(b'{"doc_id": "g1_cs", "doc_id": "g1_cs"}\n'),
        2,
        "given twice",
        "partial.jsonl",
        1,
        "doc_id",
    ),
    Case(
        "resume a file nested 100,000 deep",
        _resume_bad(b'{"doc_id": "g1_cs", "entities": ' + b"[" * 100000 + b"]" * 100000 + b"}\n"),
        2,
        "nested deeper",
        "partial.jsonl",
        1,
    ),
    Case(
        "resume a file with an offset past the text",
        _resume_bad(b'{"doc_id": "g1_cs", "entities": [{"start": 0, "end": 99999, "type": "PER"}]}\n'),
        2,
        "past the end",
        "partial.jsonl",
        1,
        "entities.0.end",
    ),
    Case(
        "resume a file with a NaN",
        _resume_bad(b'{"doc_id": "g1_cs", "figures": [{"value": NaN, "unit": "person"}]}\n'),
        2,
        "NaN",
        "partial.jsonl",
        1,
        "figures.0.value",
    ),
    Case(
        "resume a file of another gold",
        _resume_bad(b'{"doc_id": "zz", "entities": []}\n'),
        2,
        "not a document",
        "partial.jsonl",
        1,
        "doc_id",
    ),
]


@pytest.mark.parametrize("case", OUTPUT_CASES, ids=lambda c: c.name)
def test_the_output_file_is_never_lost(case: Case, tmp_path: Path, tmp_path_factory) -> None:
    run_case(case, tmp_path, tmp_path_factory.getbasetemp())


def test_overwrite_keeps_the_old_file_until_a_document_succeeds(tmp_path: Path, tmp_path_factory) -> None:
    scratch = make_world(tmp_path, tmp_path_factory.getbasetemp())
    old = (scratch / "pred.jsonl").read_bytes()
    (scratch / "failing.py").write_text("def extract(doc):\n    raise RuntimeError('down')\n")
    argv = ["run", "failing:extract", *RUN, "-o", "pred.jsonl", "--overwrite", "--no-score"]
    status, _, err = call_main(argv, scratch)
    assert status == 1, err
    assert (scratch / "pred.jsonl").read_bytes() == old  # nothing succeeded: the finished lines stay
    status, _, err = call_main(
        ["run", "rules", *RUN, "-o", "pred.jsonl", "--overwrite", "--no-score"], scratch
    )
    assert status == 0, err
    assert [json.loads(x)["doc_id"] for x in (scratch / "pred.jsonl").read_text().splitlines()] == list(DOCS)


# --- real processes: command systems, signals, a full disk, two at once -----------------------------

COMMAND_SYSTEM = """
import json, os, subprocess, sys, time
mode = sys.argv[1]
if mode == "child":
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
for number, raw in enumerate(sys.stdin, start=1):
    doc = json.loads(raw)
    if mode == "hang" or (mode == "hang-on-2" and doc["doc_id"] == "g2_pl"):
        time.sleep(60)
    if mode == "crash" and doc["doc_id"] == "g2_pl":
        sys.exit(3)
    if mode == "garbage" and doc["doc_id"] == "g2_pl":
        print("not json at all\\x1b[31m", flush=True)
        continue
    if mode == "endless" and doc["doc_id"] == "g2_pl":
        while True:  # an answer with no end of line
            sys.stdout.buffer.write(b"x" * 65536)
    answer = {"entities": [{"start": 0, "end": 1, "type": "PER", "lemma": doc["doc_id"]}]}
    print(json.dumps(answer), flush=True)
    if mode == "extra" and number == 1:
        print(json.dumps({"entities": []}), flush=True)
"""


def _nkru(args: list[str], cwd: Path, **kwargs) -> subprocess.Popen:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "nkru_bench", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def _command(scratch: Path, mode: str) -> list[str]:
    (scratch / "cmd_system.py").write_text(COMMAND_SYSTEM, encoding="utf-8")
    return ["--cmd", f"{sys.executable} cmd_system.py {mode}"]


def _lemmas(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        obj = json.loads(line)
        found[obj["doc_id"]] = obj["entities"][0]["lemma"]
    return found


@pytest.fixture
def world(tmp_path: Path, tmp_path_factory) -> Iterator[Path]:
    scratch = make_world(tmp_path, tmp_path_factory.getbasetemp())
    before = snapshot(scratch.parent / "outside")
    with token_env() as token:
        yield scratch
        assert_no_process_left(token)
    assert snapshot(scratch.parent / "outside") == before == {}


@pytest.mark.parametrize("mode", ["extra", "crash", "garbage", "endless", "child", "hang-on-2"])
def test_a_faulty_command_system(mode: str, world: Path) -> None:
    """Run in this process: the command and all it starts are real processes all the same."""
    timeout = ["--timeout", "1"] if mode.startswith("hang") else []
    status, _, text = call_main(
        ["run", *_command(world, mode), *RUN, *timeout, "-o", "out.jsonl", "--no-score"], world
    )
    assert "Traceback" not in text
    lemmas = _lemmas(world / "out.jsonl")
    assert all(doc_id == lemma for doc_id, lemma in lemmas.items()), lemmas  # no answer shifted
    if mode in ("extra", "child"):
        assert status == 0, text
        assert sorted(lemmas) == list(DOCS)
    else:
        assert status == 1, text
        assert sorted(lemmas) == ["g1_cs", "g3_sl"]
        assert "g2_pl" in text and "\x1b" not in text
        if mode == "endless":
            assert "longer than" in text, text


def _wait_for_line(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= 1:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} got no line")


@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL", "SIGINT twice"])
def test_killing_the_runner_leaves_no_system_behind(how: str, world: Path) -> None:
    run = _nkru(["run", *_command(world, "hang-on-2"), *RUN, "-o", "out.jsonl", "--no-score"], world)
    _wait_for_line(world / "out.jsonl")
    time.sleep(0.3)
    if how == "SIGINT twice":
        run.send_signal(signal.SIGINT)
        time.sleep(0.05)
        run.send_signal(signal.SIGINT)
    else:
        run.send_signal(getattr(signal, how))
    _, err = run.communicate(timeout=30)
    assert "Traceback" not in err.decode()
    assert run.returncode in {"SIGTERM": (143, -15), "SIGKILL": (-9,), "SIGINT twice": (130,)}[how]
    assert list(_lemmas(world / "out.jsonl")) == ["g1_cs"]  # the finished line is kept


def test_two_runs_on_one_output_file(world: Path) -> None:
    first = _nkru(["run", *_command(world, "hang-on-2"), *RUN, "-o", "out.jsonl", "--no-score"], world)
    _wait_for_line(world / "out.jsonl")
    second = _nkru(
        ["run", *_command(world, "plain"), *RUN, "-o", "out.jsonl", "--resume", "--no-score"], world
    )
    _, err = second.communicate(timeout=60)
    assert second.returncode == 2, err
    assert "another" in err.decode() and err.decode().count("\n") == 1
    first.send_signal(signal.SIGTERM)
    first.communicate(timeout=30)
    assert list(_lemmas(world / "out.jsonl")) == ["g1_cs"]


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (150, 150))


def test_a_full_disk_during_a_run(world: Path) -> None:
    """Files may not grow past 150 bytes (as on a full disk): one line, exit 2, the lines before kept."""
    run = _nkru(
        ["run", *_command(world, "plain"), *RUN, "-o", "out.jsonl", "--no-score"],
        world,
        preexec_fn=_limit_file_size,
    )
    _, err = run.communicate(timeout=60)
    text = err.decode()
    assert run.returncode == 2, text
    assert "Traceback" not in text
    errors = [line for line in text.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and errors[0].startswith("error: out.jsonl: cannot be written"), text
    for line in (world / "out.jsonl").read_text().splitlines()[:-1]:
        json.loads(line)


def test_a_full_disk_while_writing_a_result(world: Path) -> None:
    (world / "result.json").write_text("old\n")
    args = ["score", "pred.jsonl", "--gold", "gold/annotations", "--resamples", "10", "--json", "result.json"]
    run = _nkru(args, world, preexec_fn=_limit_file_size)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 2, err
    assert err.decode().startswith("error: result.json: cannot be written")
    assert (world / "result.json").read_text() == "old\n"


def test_eight_add_docs_at_once(world: Path) -> None:
    """Eight ``add-doc``s at once (threads: each takes the folder lock through its own file
    description, as processes do): every article gets its own number and manifest line. Without the
    lock, this loses lines (measured: 2 of 8 kept)."""
    import threading

    from nkru_bench.curation.extending import add_doc

    root = world / "checkout"
    (root / "seeds").mkdir(parents=True)
    (root / "annotations" / "docs").mkdir(parents=True)
    (root / "seeds" / "manifest.jsonl").write_text("")
    for i in range(8):
        (world / f"a{i}.txt").write_text(f"Článek číslo {i} o Severní Koreji a Rusku.\n" * (i + 1))
    failures: list[BaseException] = []

    def add(i: int) -> None:
        try:
            add_doc(world / f"a{i}.txt", "cs", "2024-10", root)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    manifest = [json.loads(x) for x in (root / "seeds" / "manifest.jsonl").read_text().splitlines()]
    assert len(manifest) == 8
    assert len({entry["doc_id"][:3] for entry in manifest}) == 8
