"""Running a system over the benchmark documents and writing its predictions as they come.

A system is an ``Extractor``: a callable that takes one document (a dict with ``doc_id``, ``lang``,
``date``, ``title``, ``text``) and returns a ``Prediction`` or a dict in the prediction format.
``resolve_system`` turns what the user typed into one: a built-in baseline name, a Python
``module:attr``, or ``--cmd "COMMAND"`` (a process that reads one document JSON object per line on
stdin and writes one prediction per line on stdout).

``run`` calls the extractor once per document with a timeout, appends each prediction to a JSONL
file and flushes it at once (a crash or Ctrl-C loses nothing already done), and turns whatever goes
wrong with one document (an exception, a hang, a line that is not a prediction) into a ``Failure``
naming that document; the other documents go on. ``resume=True`` keeps the documents already in
the file and drops a truncated last line, which is redone.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

from pydantic import ValidationError

from nkru_bench.errors import InputError, Problem
from nkru_bench.jsonlines import dumps, parse_lines
from nkru_bench.predictions import Prediction

DOC_FIELDS = ("doc_id", "lang", "date", "title", "text")
DEFAULT_TIMEOUT = 120.0


class Extractor(Protocol):
    """Anything that maps one document to its prediction."""

    def __call__(self, doc: dict[str, Any]) -> Prediction | dict[str, Any]: ...


class ExtractionFailed(Exception):
    """What went wrong with one document, in one line."""


@dataclass(frozen=True)
class Failure:
    doc_id: str
    error: str


@dataclass(frozen=True)
class RunReport:
    path: Path
    predicted: tuple[str, ...]
    resumed: tuple[str, ...]
    failures: tuple[Failure, ...]
    elapsed: float


# --- documents ---------------------------------------------------------------------------------


def document_dict(doc: Any) -> dict[str, Any]:
    """The fields a system sees of a gold ``Document`` (never its labels)."""
    return {name: getattr(doc, name) for name in DOC_FIELDS}


def documents_from_seeds(seeds_dir: Path) -> list[dict[str, Any]]:
    """The documents straight from the seeds (no title: titles come with the gold)."""
    from nkru_bench.seeds import check_seed, read_manifest

    seeds, problems = read_manifest(seeds_dir)
    docs = []
    for seed in seeds:
        text, seed_problems = check_seed(seed, seeds_dir)
        problems.extend(seed_problems)
        if text is not None:
            fields = (seed.doc_id, seed.lang, seed.date, None, text)
            docs.append(dict(zip(DOC_FIELDS, fields, strict=True)))
    if problems:
        raise InputError(problems)
    return sorted(docs, key=lambda doc: doc["doc_id"])


# --- resolving SYSTEM ----------------------------------------------------------------------------


def load_object(spec: str) -> Any:
    """The object named by ``module:attr`` (``attr`` may be dotted); the working directory is importable."""
    module_name, _, attr = spec.partition(":")
    if not module_name or not attr:
        raise InputError(Problem(spec, None, None, "expected module:attr, e.g. my_system:extract"))
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as error:
        message = f"cannot import module {module_name!r}: {error}"
        raise InputError(Problem(spec, None, None, message)) from None
    for part in attr.split("."):
        if not hasattr(obj, part):
            raise InputError(Problem(spec, None, None, f"{module_name!r} has no attribute {attr!r}"))
        obj = getattr(obj, part)
    return obj


def resolve_system(system: str | None, cmd: str | None = None) -> tuple[str, Extractor]:
    """A short name for the system (used for the default output file) and its extractor.

    A class is instantiated without arguments; anything else must be callable.
    """
    from nkru_bench.baselines import BASELINES

    if (system is None) == (cmd is None):
        raise InputError(Problem("run", None, "SYSTEM", "give either SYSTEM or --cmd COMMAND (one of them)"))
    if cmd is not None:
        return "cmd", CommandExtractor(cmd)
    assert system is not None
    if system in BASELINES:
        name, spec = system, BASELINES[system]
    elif ":" in system:
        name, spec = system.replace(":", ".").rsplit("/", 1)[-1], system
    else:
        known = ", ".join(sorted(BASELINES))
        message = f"unknown system: a built-in baseline ({known}), a Python module:attr, or --cmd COMMAND"
        raise InputError(Problem(system, None, None, message))
    obj = load_object(spec)
    if inspect.isclass(obj):
        try:
            obj = obj()
        except ImportError as error:  # an optional baseline whose extra is not installed
            raise InputError(Problem(system, None, None, str(error))) from None
    if not callable(obj):
        raise InputError(Problem(spec, None, None, f"is a {type(obj).__name__}, not a callable extractor"))
    return name, obj


# --- calling a system ----------------------------------------------------------------------------


def _describe(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    message = " ".join(str(error).split())  # one line, whatever the exception says
    return f"{type(error).__name__}: {message}{where}"


def call_in_thread(extractor: Extractor, doc: dict[str, Any], timeout: float | None) -> Any:
    """Call a Python extractor; after ``timeout`` seconds give up on it (its thread is left behind)."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["result"] = extractor(doc)
        except BaseException as error:  # any failure of the system (even sys.exit) fails this document
            box["error"] = _describe(error)
        finally:
            done.set()

    threading.Thread(target=target, name=f"extract-{doc['doc_id']}", daemon=True).start()
    if not done.wait(timeout):
        raise ExtractionFailed(f"no answer within {timeout:g} s (timed out)")
    if "error" in box:
        raise ExtractionFailed(box["error"])
    return box["result"]


def _pump(stream: IO[bytes], sink: Callable[[bytes | None], None]) -> None:
    for raw in iter(stream.readline, b""):
        sink(raw)
    sink(None)


class CommandExtractor:
    """An external process speaking JSON Lines: one document in, one prediction out, in order.

    The process is started on the first document and kept across documents. A crash, a hang past
    the timeout or a line that is not a JSON object fails that document; the process is stopped
    and started again for the next one. Its stderr is kept (last lines) to explain failures.
    """

    def __init__(self, command: str):
        self.command = command
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=5)

    def __call__(self, doc: dict[str, Any]) -> dict[str, Any]:
        return self.request(doc, None)

    def _start(self) -> subprocess.Popen[bytes]:
        pipe = subprocess.PIPE
        proc = subprocess.Popen(
            self.command, shell=True, stdin=pipe, stdout=pipe, stderr=pipe, start_new_session=True
        )
        self._lines = queue.Queue()
        self._stderr = deque(maxlen=5)
        stderr = self._stderr
        threading.Thread(target=_pump, args=(proc.stdout, self._lines.put), daemon=True).start()

        def keep(raw: bytes | None) -> None:
            if raw is not None and raw.strip():
                stderr.append(raw.decode("utf-8", "replace").strip())

        threading.Thread(target=_pump, args=(proc.stderr, keep), daemon=True).start()
        self._proc = proc
        return proc

    def _stderr_hint(self) -> str:
        time.sleep(0.05)  # let the stderr reader catch the last words of a dying process
        return f"; its stderr ended with: {self._stderr[-1]!r}" if self._stderr else ""

    def _exited(self, proc: subprocess.Popen[bytes], what: str) -> ExtractionFailed:
        status = proc.wait()
        self._proc = None
        return ExtractionFailed(f"the command exited with status {status} {what}{self._stderr_hint()}")

    def request(self, doc: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        proc = self._proc if self._proc is not None and self._proc.poll() is None else self._start()
        assert proc.stdin is not None
        try:
            proc.stdin.write(dumps(doc).encode("utf-8") + b"\n")
            proc.stdin.flush()
        except OSError:
            raise self._exited(proc, "before reading the document") from None
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
                raw = self._lines.get(timeout=remaining)
            except queue.Empty:
                self.close(grace=0)
                message = f"no answer within {timeout:g} s (timed out; the command was restarted)"
                raise ExtractionFailed(message) from None
            if raw is None:
                raise self._exited(proc, "without answering")
            if raw.strip():
                break
        try:
            obj = json.loads(raw.decode("utf-8"))
        except ValueError:
            obj = None
        if not isinstance(obj, dict):
            self.close(grace=0)
            shown = raw.decode("utf-8", "replace").strip()
            shown = shown if len(shown) <= 80 else shown[:77] + "..."
            raise ExtractionFailed(f"the command printed a line that is not a JSON object: {shown!r}")
        return obj

    def close(self, grace: float = 2.0) -> None:
        """Close the process's stdin, give it ``grace`` seconds to exit, then kill its process group."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _call(extractor: Extractor, doc: dict[str, Any], timeout: float | None) -> Any:
    if isinstance(extractor, CommandExtractor):
        return extractor.request(doc, timeout)
    return call_in_thread(extractor, doc, timeout)


def _field(error: dict[str, Any]) -> str:
    return ".".join(str(part) for part in error["loc"]) or "(object)"


def to_prediction(result: Any, doc_id: str) -> Prediction:
    """The system's answer as a ``Prediction`` for ``doc_id``, or ``ExtractionFailed`` saying why not."""
    if isinstance(result, Prediction):
        prediction = result
    elif isinstance(result, dict):
        try:
            prediction = Prediction.model_validate({"doc_id": doc_id, **result})
        except ValidationError as error:
            first = error.errors()[0]
            more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
            raise ExtractionFailed(f"bad prediction: field '{_field(first)}': {first['msg']}{more}") from None
    else:
        raise ExtractionFailed(f"returned {type(result).__name__}, expected a Prediction or a dict")
    if prediction.doc_id != doc_id:
        raise ExtractionFailed(f"returned a prediction for doc_id {prediction.doc_id!r}")
    return prediction


def prediction_line(prediction: Prediction) -> str:
    """One JSONL line; what the system left out (None) stays out."""
    return dumps(prediction.model_dump(mode="json", exclude_none=True))


# --- the output file -----------------------------------------------------------------------------


def read_partial(path: Path, doc_ids: Iterable[str]) -> tuple[list[str], bool]:
    """The doc_ids already predicted in ``path``, and whether a truncated last line was dropped.

    The file is cut back to its last complete line. Anything else wrong with it is an
    ``InputError`` naming the line: a run is never resumed on top of a file it cannot trust.
    """
    data = path.read_bytes()
    cut = data.rfind(b"\n") + 1
    truncated = cut < len(data)
    objects, problems = parse_lines(data[:cut], str(path))
    known, seen = set(doc_ids), []
    where = str(path)
    for number, obj in objects:
        try:
            prediction = Prediction.model_validate(obj)
        except ValidationError as error:
            problems += [Problem(where, number, _field(e), e["msg"]) for e in error.errors()]
            continue
        doc_id = prediction.doc_id
        if doc_id not in known:
            problems.append(Problem(where, number, "doc_id", f"{doc_id!r} is not a document of this run"))
        elif doc_id in seen:
            problems.append(Problem(where, number, "doc_id", f"{doc_id!r} is predicted twice"))
        else:
            seen.append(prediction.doc_id)
    if problems:
        raise InputError(problems)
    if truncated:
        with path.open("r+b") as handle:
            handle.truncate(cut)
    return seen, truncated


def run(
    extractor: Extractor,
    documents: Sequence[dict[str, Any]],
    out: Path,
    *,
    resume: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT,
    progress: IO[str] | None = sys.stderr,
) -> RunReport:
    """Predict every document not already in ``out`` (with ``resume``), appending as it goes."""

    def say(message: str) -> None:
        if progress is not None:
            print(message, file=progress, flush=True)

    started = time.monotonic()
    resumed: list[str] = []
    if resume and out.exists():
        resumed, truncated = read_partial(out, (doc["doc_id"] for doc in documents))
        if truncated:
            say(f"{out}: dropped a truncated last line; that document is run again")
        say(f"resuming: {len(resumed)} of {len(documents)} documents already in {out}")
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(b"")
    already = set(resumed)
    todo = [doc for doc in documents if doc["doc_id"] not in already]
    predicted: list[str] = []
    failures: list[Failure] = []
    try:
        with out.open("a", encoding="utf-8") as handle:
            for number, doc in enumerate(todo, start=len(resumed) + 1):
                clock = time.monotonic()
                try:
                    prediction = to_prediction(_call(extractor, doc, timeout), doc["doc_id"])
                except ExtractionFailed as error:
                    failures.append(Failure(doc["doc_id"], str(error)))
                    status = f"FAILED: {error}"
                else:
                    handle.write(prediction_line(prediction) + "\n")
                    handle.flush()
                    predicted.append(doc["doc_id"])
                    status = f"ok in {time.monotonic() - clock:.1f} s"
                elapsed = time.monotonic() - started
                say(f"[{number}/{len(documents)}] {doc['doc_id']} {status} (elapsed {elapsed:.1f} s)")
    except KeyboardInterrupt:
        say(
            f"interrupted: {len(resumed) + len(predicted)} of {len(documents)} documents are in {out}; "
            "run again with --resume to continue"
        )
        raise
    finally:
        if isinstance(extractor, CommandExtractor):
            extractor.close()
    elapsed = time.monotonic() - started
    say(
        f"done in {elapsed:.1f} s: {len(predicted)} predicted, {len(failures)} failed, {len(resumed)} resumed"
    )
    return RunReport(out, tuple(predicted), tuple(resumed), tuple(failures), elapsed)


def failure_lines(report: RunReport) -> list[str]:
    """The end-of-run report of the documents the system failed on (nothing when there are none)."""
    if not report.failures:
        return []
    return [
        f"{len(report.failures)} document(s) failed; they are not in {report.path} "
        "and are scored as predicting nothing:",
        *(f"  {failure.doc_id}: {failure.error}" for failure in report.failures),
        f"to retry only them: the same command with --resume -o {report.path}",
    ]
