"""The contract every hostile input, fault and interruption is held to, and the world it is tried in.

A case runs ``nkru-bench`` (in this process through ``cli.main``, or as a real process where signals,
process groups or a parent's death are the point) inside a fresh temporary ``world``::

    world/
      scratch/      the working directory: a small gold (3 articles), its Parquet build, predictions
      outside/      empty; nothing may ever appear here

and then checks the contract: the exit status; on a refusal one ``error:`` line that names the file
(and line and field when the case has them), no traceback; every file of the world that the case does
not name as an output has the same checksum as before (``outside/`` included); and no process
started by the case is left behind (each carries a token in its environment, looked for in
``/proc``). Nothing here touches anything outside the test's own temporary folder: a FIFO or a
symbolic link inside the world stands for a device.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import signal
import stat
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
DOCS = ("g1_cs", "g2_pl", "g3_sl")
TOKEN_VAR = "NKRU_ADVERSARIAL_TOKEN"

Setup = Callable[[Path], Sequence[str]]  # makes the case's inputs in scratch/, returns argv


@dataclass(frozen=True)
class Case:
    """One hostile input: ``setup`` builds it and gives the command line; what must come of it."""

    name: str
    setup: Setup
    status: int = 2
    says: str = ""  # a fragment of the one error line (or of stdout/stderr for other statuses)
    file: str | None = None  # the file the error line must start with (relative to scratch/)
    line: int | None = None
    field: str | None = None
    outputs: tuple[str, ...] = ()  # files (relative to scratch/) the command may write or change
    stdin: bytes = b""
    cascade: bool = False  # the located line comes first; what follows from the fault may come after


@dataclass
class Outcome:
    status: int
    stdout: str
    stderr: str
    errors: list[str] = field(default_factory=list)


# --- the world ------------------------------------------------------------------------------------


_TEMPLATE: Path | None = None


def _template(base: Path) -> Path:
    """The scratch folder every case starts from, made once per session: gold, Parquet, predictions."""
    global _TEMPLATE
    if _TEMPLATE is not None and _TEMPLATE.exists():
        return _TEMPLATE

    template = base / "template"
    shutil.copytree(GOLDEN / "annotations", template / "gold" / "annotations")
    shutil.copytree(GOLDEN / "seeds", template / "gold" / "seeds")
    shutil.copy(GOLDEN / "predictions.jsonl", template / "pred.jsonl")
    shutil.copy(GOLDEN / "predictions.jsonl", template / "pred_b.jsonl")
    (template / "empty").mkdir()
    status, _, err = call_main(
        ["export", "brat", "brat_in", "--gold", "gold/annotations"], template
    )  # an annotation tool's folder to import from
    assert status == 0, err
    _write_parquet_gold(template / "pq")
    _TEMPLATE = template
    return template


def _write_parquet_gold(folder: Path) -> None:
    """The gold as a built dataset folder: ``pq/default/test.parquet`` and ``pq/kb/test.parquet``."""
    from nkru_bench.curation.build import parquet_bytes
    from nkru_bench.gold.loading import load_gold
    from nkru_bench.gold.schema import gold_tables

    gold = load_gold(GOLDEN / "annotations", GOLDEN / "seeds")
    tables = gold_tables(gold)
    for config in ("default", "kb"):
        (folder / config).mkdir(parents=True)
        (folder / config / "test.parquet").write_bytes(parquet_bytes(tables[config]))


def make_world(tmp: Path, base: Path) -> Path:
    """A fresh world under ``tmp``; returns its scratch folder (the working directory of the case)."""
    scratch = tmp / "world" / "scratch"
    shutil.copytree(_template(base), scratch, symlinks=True)
    (tmp / "world" / "outside").mkdir()
    return scratch


def snapshot(root: Path) -> dict[str, str]:
    """Every entry under ``root`` (links not followed): its kind and, for files, its checksum."""
    found: dict[str, str] = {}
    for folder, dirs, names in os.walk(root):
        for name in (*dirs, *names):
            path = Path(folder) / name
            rel = str(path.relative_to(root))
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                found[rel] = "link -> " + os.readlink(path)
            elif stat.S_ISDIR(mode):
                found[rel] = "folder"
            elif stat.S_ISREG(mode):
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[rel] = f"special {stat.S_IFMT(mode):o}"
    return found


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


# --- running ----------------------------------------------------------------------------------------


def call_main(argv: Sequence[str], cwd: Path, stdin: bytes = b"") -> tuple[int, str, str]:
    """``nkru-bench ARGV`` in this process, in ``cwd``: (status, stdout, stderr). Any exception but
    ``SystemExit`` propagates: a traceback is a failure of the case."""
    from nkru_bench.cli import main

    out, err = io.StringIO(), io.StringIO()
    stdin_stream = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    old = os.getcwd(), sys.stdin, sys.path[:]
    os.chdir(cwd)
    sys.stdin = stdin_stream
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = main(list(argv))
            except SystemExit as exit_:  # argparse refusing an option
                status = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        os.chdir(old[0])
        sys.stdin = old[1]
        sys.path[:] = old[2]
    return status, out.getvalue(), err.getvalue()


_BEFORE: dict[str, set[str]] = {}  # token: the processes that were alive when it was made


def _pids() -> set[str]:
    return {name for name in os.listdir("/proc") if name.isdigit()}


@contextlib.contextmanager
def token_env() -> Iterator[str]:
    """A token in the environment every process started meanwhile inherits."""
    token = uuid.uuid4().hex
    _BEFORE[token] = _pids()
    os.environ[TOKEN_VAR] = token
    try:
        yield token
    finally:
        del os.environ[TOKEN_VAR]


def processes_with(token: str) -> list[int]:
    """The live processes whose environment carries ``token`` (zombies excluded); only processes
    started since the token was made can carry it."""
    needle = f"{TOKEN_VAR}={token}".encode()
    found = []
    for name in _pids() - _BEFORE.get(token, set()):
        entry = Path("/proc") / name
        if int(name) == os.getpid():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            found.append(int(entry.name))
    return found


def assert_no_process_left(token: str, wait: float = 3.0) -> None:
    """Fail when a process with ``token`` is still alive after ``wait`` seconds (and end it, by pid)."""
    deadline = time.monotonic() + wait
    left = processes_with(token)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = processes_with(token)
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left behind: {left}"


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


def check_refusal(outcome: Outcome, case: Case, scratch: Path) -> None:
    """The one-line contract of a refusal (or the status of an expected failure or success)."""
    text = outcome.stdout + outcome.stderr
    assert "Traceback" not in text, text
    assert outcome.status == case.status, f"status {outcome.status}, expected {case.status}:\n{text}"
    if case.status != 2:
        assert case.says in text, f"{case.says!r} not in:\n{text}"
        return
    errors = error_lines(outcome.stderr)
    usage = outcome.stderr.startswith("usage:")  # argparse: its usage line, then one error line
    others = [line for line in outcome.stderr.splitlines() if not line.startswith(("error:", "usage:", " "))]
    if usage:
        assert outcome.stderr.strip().splitlines()[-1].startswith("nkru-bench"), outcome.stderr
        assert case.says in outcome.stderr, f"{case.says!r} not in:\n{outcome.stderr}"
        return
    assert len(errors) == 1 or (case.cascade and errors), f"expected one error line, got:\n{outcome.stderr}"
    assert not [line for line in others if line.strip()], f"stray lines:\n{outcome.stderr}"
    line = errors[0]
    if case.file is not None:  # the file as given, or the absolute path of it
        place = case.file if case.line is None else f"{case.file}:{case.line}:"
        path = str(scratch / place)
        assert line.startswith((f"error: {place}", f"error: {path}")), f"{line!r} does not name {place!r}"
    if case.field is not None:
        assert f"field '{case.field}'" in line, line
    assert case.says in line, f"{case.says!r} not in {line!r}"
    assert "\x1b" not in outcome.stderr and "\r" not in outcome.stderr


def run_case(case: Case, tmp: Path, base: Path) -> Outcome:
    """Build the world, run the case in this process, check the whole contract."""
    scratch = make_world(tmp, base)
    argv = case.setup(scratch)
    world = scratch.parent
    before = snapshot(world)
    with token_env() as token:
        status, out, err = call_main(argv, scratch, case.stdin)
        assert_no_process_left(token)
    outcome = Outcome(status, out, err, error_lines(err))
    check_refusal(outcome, case, scratch)
    # the case's declared outputs, and Python's own bytecode cache beside a module the case names as
    # its system (``run module:attr`` imports it; whether Python caches it depends on the environment)
    allowed = {f"scratch/{name}" for name in case.outputs} | {"scratch/__pycache__"}
    moved = {
        name
        for name in changed(before, snapshot(world))
        if not any(name == a or name.startswith(a + "/") for a in allowed)
    }
    assert not moved, f"changed though it must not: {sorted(moved)}"
    return outcome
