"""Reading a file the user named, whole, and never without end.

Every input that a command reads whole (an annotation file, an article for ``add-doc``, an annotation
tool's export, a prediction file to resume) is read through ``read_input``: at most
``MAX_INPUT_BYTES``. A larger input, or one with no end (a device such as ``/dev/zero``, a FIFO fed
forever), is an ``InputError`` naming it, where it would otherwise be read until memory runs out.
What cannot be opened raises ``OSError``, as ``Path.read_bytes`` does.
"""

from __future__ import annotations

from pathlib import Path

from nkru_bench.common.errors import InputError, Problem

# Far above any input of the project (the largest annotation tool export of the gold is under 1 MB).
MAX_INPUT_BYTES = 1 << 28


def too_large(where: str) -> InputError:
    return InputError(Problem(where, None, None, f"is larger than {MAX_INPUT_BYTES:,} bytes: it is not read"))


def read_input(path: Path) -> bytes:
    """The bytes of ``path``, ``MAX_INPUT_BYTES`` at the most (else ``InputError``)."""
    with path.open("rb") as file:
        data = file.read(MAX_INPUT_BYTES + 1)
    if len(data) > MAX_INPUT_BYTES:
        raise too_large(str(path))
    return data
