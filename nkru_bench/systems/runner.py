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

import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.common.jsonlines import dumps, parse_lines
from nkru_bench.scoring.predictions import Prediction
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
