"""Checking predictions against the gold: known documents, offsets inside the text, every task given."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nkru_bench.common.errors import InputError, Problem
from nkru_bench.gold.vocabularies import TASKS

if TYPE_CHECKING:  # at run time only ``check_against_gold`` needs them (pydantic): imported there
    from nkru_bench.gold.records import Gold
    from nkru_bench.scoring.predictions import Prediction


@dataclass(frozen=True)
class Aligned:
    """One prediction per gold document, in gold order; ``missing`` were absent and count as
    predicting nothing for every attempted task."""

    predictions: tuple[Prediction, ...]
    attempted: tuple[str, ...]
    missing: tuple[str, ...]


def offset_problems(prediction: Prediction, length: int) -> Iterator[tuple[str, str]]:
    for task in ("entities", "figures"):
        for i, item in enumerate(getattr(prediction, task) or ()):
            if item.end is not None and item.end > length:
                msg = (
                    f"end {item.end} is past the end of document {prediction.doc_id!r} ({length} characters)"
                )
                yield f"{task}.{i}.end", msg


def _list(names: Sequence[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


class Checker:
    """Checks predictions against the gold one at a time, as they are read, then as a whole.

    Problems: an unknown or repeated doc_id, an offset past the end of the text, a task given on
    some lines but not on others, gold documents without a prediction. With ``allow_missing`` the
    last two are scored as predicting nothing instead.
    """

    def __init__(
        self, source: str, doc_ids: Sequence[str], lengths: Sequence[int], allow_missing: bool
    ) -> None:
        self.source, self.doc_ids, self.lengths = source, doc_ids, lengths
        self.allow_missing = allow_missing
        self.rows = {doc_id: row for row, doc_id in enumerate(doc_ids)}
        self.first_line: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.read = 0
        self.given = [False] * len(TASKS)  # by any prediction read
        self.kept: list[tuple[int, tuple[bool, ...]]] = []  # (line, tasks given) of each kept prediction

    def add(self, prediction: Prediction, line: int) -> int | None:
        """The gold row of the prediction's document, or ``None`` when it cannot be scored."""
        self.read += 1
        given = tuple(getattr(prediction, task) is not None for task in TASKS)
        self.given = [a or b for a, b in zip(self.given, given, strict=True)]
        doc_id = prediction.doc_id
        row = self.rows.get(doc_id)
        if row is None:
            msg = f"unknown doc_id {doc_id!r}: the gold has {_list(sorted(self.rows))}"
            self.problems.append(Problem(self.source, line, "doc_id", msg))
            return None
        if doc_id in self.first_line:
            msg = f"doc_id {doc_id!r} is already on line {self.first_line[doc_id]}"
            self.problems.append(Problem(self.source, line, "doc_id", msg))
            return None
        self.first_line[doc_id] = line
        self.problems += [
            Problem(self.source, line, f, m) for f, m in offset_problems(prediction, self.lengths[row])
        ]
        self.kept.append((line, given))
        return row

    def finish(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(attempted tasks, doc_ids without a prediction); every problem found raises ``InputError``."""
        if not self.read:
            msg = f"has no predictions: expected one JSON object per gold document ({len(self.rows)})"
            raise InputError(Problem(self.source, None, None, msg))
        attempted = tuple(task for task, given in zip(TASKS, self.given, strict=True) if given)
        problems = list(self.problems)
        if not self.allow_missing:
            for line, given in self.kept:
                for task, here in zip(TASKS, given, strict=True):
                    if task in attempted and not here:
                        msg = (
                            f"missing here but given on other lines: give {task!r}: [] for predicted nothing"
                        )
                        problems.append(Problem(self.source, line, task, msg + ", or pass --allow-missing"))
            problems.sort(key=lambda p: p.line or 0)  # stable: each line's own problems in order
        missing = tuple(doc_id for doc_id in self.doc_ids if doc_id not in self.first_line)
        if not attempted and not problems:
            msg = f"predicts no task: give at least one of {', '.join(TASKS)}"
            problems.append(Problem(self.source, None, None, msg + " (an empty list: predicted nothing)"))
        if missing and not self.allow_missing:
            msg = (
                f"no prediction for {len(missing)} of {len(self.rows)} gold documents: {_list(list(missing))}"
            )
            msg += "; add a line for each, or pass --allow-missing to score them as predicting nothing"
            problems.append(Problem(self.source, None, "doc_id", msg))
        if problems:
            raise InputError(problems)
        return attempted, missing


def check_against_gold(preds: Sequence[Prediction], gold: Gold, allow_missing: bool = False) -> Aligned:
    """Check doc_ids and offsets against ``gold`` (see ``Checker``) and give one prediction per gold
    document, in gold order."""
    from nkru_bench.scoring.predictions import Prediction, Predictions, read_predictions

    found = read_predictions(preds) if not isinstance(preds, Predictions) else preds
    doc_ids = [doc.doc_id for doc in gold.documents]
    checker = Checker(found.source, doc_ids, [len(doc.text) for doc in gold.documents], allow_missing)
    by_id: dict[str, Prediction] = {}
    for prediction, line in zip(found.items, found.lines, strict=True):
        if checker.add(prediction, line) is not None:
            by_id[prediction.doc_id] = prediction
    attempted, missing = checker.finish()
    empty = {t: () for t in attempted}
    predictions = []
    for doc_id in doc_ids:
        prediction = by_id.get(doc_id) or Prediction(doc_id=doc_id, **empty)
        update = {t: () for t in attempted if getattr(prediction, t) is None}
        predictions.append(prediction.model_copy(update=update) if update else prediction)
    return Aligned(tuple(predictions), attempted, missing)
