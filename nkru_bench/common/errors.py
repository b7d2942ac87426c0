"""The one error type users see: it names the place (file, line, field) and what to do.

A problem is always printed as one line of plain text: whatever it quotes from the input (a key, a
value, a file name, a system's exception text) has its control characters, line and paragraph
separators and bidirectional controls escaped, so input can neither forge another ``error:`` line nor
send escape sequences to the terminal nor reorder what the terminal shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

# C0 and C1 controls (newline, ESC, BEL, ...), DEL, line/paragraph separators, bidirectional controls
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """``text`` with every character that could break or disguise a line of terminal output escaped."""
    return _UNSAFE.sub(_escape, text)


def shown(value: Any, limit: int = 40, quote: bool = True) -> str:
    """A value quoted from the input, escaped (see ``safe``) and cut to about ``limit`` characters."""
    text = repr(value) if quote else str(value)
    text = safe(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        where = f" field '{self.field}':" if self.field else ""
        return safe(f"{place}:{where} {self.message}")


class InputError(Exception):
    """Bad input: the CLI prints each problem on one line, no traceback, and exits 2."""

    def __init__(self, problems: Problem | list[Problem]):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
