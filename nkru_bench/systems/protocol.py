"""What a system is: an extractor of one document, and how its failures are told."""

from __future__ import annotations

import threading
import traceback
from pathlib import Path
from typing import Any, Protocol

from nkru_bench.scoring.predictions import Prediction

DOC_FIELDS = ("doc_id", "lang", "date", "title", "text")


DEFAULT_TIMEOUT = 120.0


class Extractor(Protocol):
    """Anything that maps one document to its prediction."""

    def __call__(self, doc: dict[str, Any]) -> Prediction | dict[str, Any]: ...


class ExtractionFailed(Exception):
    """What went wrong with one document, in one line."""


def document_dict(doc: Any) -> dict[str, Any]:
    """The fields a system sees of a gold ``Document`` (never its labels)."""
    return {name: getattr(doc, name) for name in DOC_FIELDS}


def describe(error: BaseException) -> str:
    """An exception as one line: its type, its message, where it was raised."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    message = " ".join(str(error).split())  # one line, whatever the exception says (escaped when shown)
    if isinstance(error, SyntaxError) and error.filename:
        where = f" (at {Path(error.filename).name}:{error.lineno})"
        message = error.msg
    return f"{type(error).__name__}: {message}{where}"


def call_in_thread(extractor: Extractor, doc: dict[str, Any], timeout: float | None) -> Any:
    """Call a Python extractor; after ``timeout`` seconds give up on it (its thread is left behind)."""
    box: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["result"] = extractor(doc)
        except BaseException as error:  # any failure of the system (even sys.exit) fails this document
            box["error"] = describe(error)
        finally:
            done.set()

    threading.Thread(target=target, name=f"extract-{doc['doc_id']}", daemon=True).start()
    if not done.wait(timeout):
        raise ExtractionFailed(f"no answer within {timeout:g} s (timed out)")
    if "error" in box:
        raise ExtractionFailed(box["error"])
    return box["result"]
