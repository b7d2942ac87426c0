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

import errno
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from nkru_bench.common.errors import InputError, Problem, safe, shown
from nkru_bench.common.files import writable_target
from nkru_bench.common.jsonlines import dumps, parse_lines
from nkru_bench.common.reading import read_input
from nkru_bench.scoring.checking import offset_problems
from nkru_bench.scoring.predictions import Prediction, parse_prediction
from nkru_bench.systems.command import CommandExtractor
from nkru_bench.systems.protocol import DEFAULT_TIMEOUT, ExtractionFailed, Extractor, call_in_thread


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


# --- resolving SYSTEM ----------------------------------------------------------------------------


# --- calling a system ----------------------------------------------------------------------------


def _call(extractor: Extractor, doc: dict[str, Any], timeout: float | None) -> Any:
    if isinstance(extractor, CommandExtractor):
        return extractor.request(doc, timeout)
    return call_in_thread(extractor, dict(doc), timeout)  # a copy: the system may change its own


def _first(problems: list[Problem]) -> str:
    first = problems[0]
    where = f"field '{first.field}': " if first.field else ""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"bad prediction: {where}{first.message}{more}"


def to_prediction(result: Any, doc: dict[str, Any]) -> Prediction:
    """The system's answer for ``doc`` as a ``Prediction`` that ``score`` will accept, or
    ``ExtractionFailed`` saying why not: it is checked exactly as ``score`` checks a line (types,
    values JSON can carry, spans, pairs) and its offsets against the document's text."""
    doc_id = doc["doc_id"]
    if isinstance(result, Prediction):
        result = result.model_dump(mode="python", exclude_none=True)
    if not isinstance(result, dict):
        kind = "None" if result is None else type(result).__name__  # a Python system: Python's names
        raise ExtractionFailed(f"returned {kind}, expected a Prediction or a dict")
    if result.get("doc_id", doc_id) != doc_id:
        raise ExtractionFailed(f"returned a prediction for doc_id {shown(result.get('doc_id'))}")
    prediction, problems = parse_prediction({"doc_id": doc_id, **result}, "answer", 1)
    if prediction is None:
        raise ExtractionFailed(_first(problems))
    offsets = [Problem("answer", 1, f, m) for f, m in offset_problems(prediction, len(doc["text"]))]
    if offsets:
        raise ExtractionFailed(_first(offsets))
    return prediction


def prediction_line(prediction: Prediction) -> str:
    """One JSONL line; what the system left out (None) stays out."""
    return dumps(prediction.model_dump(mode="json", exclude_none=True))


# --- the output file -----------------------------------------------------------------------------


def read_partial(path: Path, documents: Sequence[dict[str, Any]]) -> tuple[list[str], bool]:
    """The doc_ids already predicted in ``path``, and whether a truncated last line was dropped.

    The file is cut back to its last complete line. Anything else wrong with it is an
    ``InputError`` naming the line, found as ``score`` would find it: a run is never resumed on top
    of a file it cannot trust.
    """
    data = read_input(path)
    cut = data.rfind(b"\n") + 1
    truncated = cut < len(data)
    where = str(path)
    objects, problems = parse_lines(data[:cut], where)
    lengths = {doc["doc_id"]: len(doc["text"]) for doc in documents}
    seen: list[str] = []
    for number, obj in objects:
        prediction, found = parse_prediction(obj, where, number, checked=True)
        problems += found
        if prediction is None:
            continue
        doc_id = prediction.doc_id
        if doc_id not in lengths:
            problems.append(
                Problem(where, number, "doc_id", f"{shown(doc_id)} is not a document of this run")
            )
        elif doc_id in seen:
            problems.append(Problem(where, number, "doc_id", f"{shown(doc_id)} is predicted twice"))
        else:
            problems += [
                Problem(where, number, f, m) for f, m in offset_problems(prediction, lengths[doc_id])
            ]
            seen.append(doc_id)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    if truncated:
        with path.open("r+b") as handle:
            handle.truncate(cut)
    return seen, truncated


def _lock(path: Path) -> int:
    """An exclusive lock on the output file, held till the run ends: a second run on it is refused."""
    import fcntl

    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
    except OSError as error:
        raise InputError(Problem(str(path), None, None, f"cannot be written: {error.strerror}")) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        message = "is being written by another run: wait for it to end, or give another -o"
        raise InputError(Problem(str(path), None, None, message)) from None
    return fd


def _open_output(out: Path, resume: bool, overwrite: bool) -> tuple[Path, Path, int]:
    """(the file the run appends to, the file it becomes, the lock): the output checked and locked.

    A file that already has lines is continued with ``resume`` or replaced with ``overwrite``; then
    the new lines go to a temporary file beside it, which replaces it only once a document is done.
    """
    target = writable_target(out)  # a folder, a FIFO, a device, a dangling link: refused
    had_lines = target.exists() and target.stat().st_size > 0
    if had_lines and not resume and not overwrite:
        message = "already holds predictions: pass --resume to continue it or --overwrite to replace it"
        raise InputError(Problem(str(out), None, None, message))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(Problem(str(out), None, None, f"cannot be written: {error.strerror}")) from None
    lock = _lock(target)
    if had_lines and overwrite and not resume:
        handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
        os.close(handle)
        return Path(partial), target, lock
    return target, target, lock


def run(
    extractor: Extractor,
    documents: Sequence[dict[str, Any]],
    out: Path,
    *,
    resume: bool = False,
    overwrite: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT,
    progress: IO[str] | None = sys.stderr,
) -> RunReport:
    """Predict every document not already in ``out`` (with ``resume``), appending as it goes.

    ``out`` must be new or empty unless ``resume`` (keep its documents) or ``overwrite`` (replace it,
    but only once a document is done: a run that predicts nothing leaves it as it was).
    """

    def say(message: str) -> None:
        if progress is not None:
            print(safe(message), file=progress, flush=True)

    started = time.monotonic()
    resumed: list[str] = []
    writing, target, lock = _open_output(out, resume, overwrite)
    predicted: list[str] = []
    failures: list[Failure] = []
    grace = 2.0  # for a command to end by itself once its stdin is closed; none when interrupted
    try:
        if resume and target.stat().st_size > 0:
            resumed, truncated = read_partial(target, documents)
            if truncated:
                say(f"{out}: dropped a truncated last line; that document is run again")
            say(f"resuming: {len(resumed)} of {len(documents)} documents already in {out}")
        already = set(resumed)
        todo = [doc for doc in documents if doc["doc_id"] not in already]
        with writing.open("ab", buffering=0) as handle:  # unbuffered: a line is written when it is done
            for number, doc in enumerate(todo, start=len(resumed) + 1):
                clock = time.monotonic()
                try:
                    prediction = to_prediction(_call(extractor, doc, timeout), doc)
                except ExtractionFailed as error:
                    failures.append(Failure(doc["doc_id"], str(error)))
                    status = f"FAILED: {error}"
                else:
                    line = (prediction_line(prediction) + "\n").encode("utf-8")
                    _append(handle, line, out, len(resumed) + len(predicted))
                    predicted.append(doc["doc_id"])
                    status = f"ok in {time.monotonic() - clock:.1f} s"
                for note in getattr(extractor, "notes", ()):
                    say(f"note: {note}")
                if isinstance(extractor, CommandExtractor):
                    extractor.notes.clear()
                elapsed = time.monotonic() - started
                say(f"[{number}/{len(documents)}] {doc['doc_id']} {status} (elapsed {elapsed:.1f} s)")
    except KeyboardInterrupt:
        grace = 0.0
        say(
            f"interrupted: {len(resumed) + len(predicted)} of {len(documents)} documents are in {out}; "
            "run again with --resume to continue"
        )
        raise
    finally:
        try:
            if isinstance(extractor, CommandExtractor):
                extractor.close(grace)
        finally:
            _settle(writing, target, bool(predicted))
            os.close(lock)
    elapsed = time.monotonic() - started
    say(
        f"done in {elapsed:.1f} s: {len(predicted)} predicted, {len(failures)} failed, {len(resumed)} resumed"
    )
    return RunReport(out, tuple(predicted), tuple(resumed), tuple(failures), elapsed)


def _append(handle: IO[bytes], line: bytes, out: Path, done: int) -> None:
    view = memoryview(line)
    try:
        while view:
            written = handle.write(view)
            if not written:
                raise OSError(errno.EIO, "nothing more could be written")
            view = view[written:]
    except OSError as error:
        message = (
            f"cannot be written: {error.strerror or error}; the {done} document(s) finished before "
            "are in it: free some space and run again with --resume"
        )
        raise InputError(Problem(str(out), None, None, message)) from None


def _settle(writing: Path, target: Path, predicted: bool) -> None:
    """With ``--overwrite``: the new file replaces the old once a document is done, else it goes."""
    if writing == target:
        return
    if predicted:
        os.replace(writing, target)
    else:
        writing.unlink(missing_ok=True)


def failure_lines(report: RunReport) -> list[str]:
    """The end-of-run report of the documents the system failed on (nothing when there are none)."""
    if not report.failures:
        return []
    return [
        safe(line)
        for line in (
            f"{len(report.failures)} document(s) failed; they are not in {report.path} "
            "and are scored as predicting nothing:",
            *(f"  {failure.doc_id}: {failure.error}" for failure in report.failures),
            f"to retry only them: the same command with --resume -o {report.path}",
        )
    ]
