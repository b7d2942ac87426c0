"""Writing files safely: the one way every command writes a file.

The content goes to a uniquely named temporary file in the target's folder, which is then renamed
over the target: a reader, a crash or Ctrl-C sees the old file whole or the new file whole, never
half of one, and nothing already there is lost when writing fails.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from nkru_bench.common.errors import InputError, Problem


def write_atomically(path: Path, data: bytes | str, *, parents: bool = False) -> None:
    """Replace ``path`` with ``data`` (text as UTF-8); on failure an ``InputError`` names the file.

    With ``parents`` the missing folders above ``path`` are made; without it a missing folder is an error
    (a mistyped output path is reported, not created).
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temporary = None
    try:
        if parents:
            path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; the result is an ordinary file
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise InputError(
            Problem(str(path), None, None, f"cannot be written: {error.strerror or error}")
        ) from None
