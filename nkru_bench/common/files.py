"""Writing files safely: the one way every command writes a file.

The content goes to a uniquely named temporary file in the target's folder, which is then renamed
over the target: a reader, a crash or Ctrl-C sees the old file whole or the new file whole, never
half of one, and nothing already there is lost when writing fails.

What may be written (``write_atomically`` refuses anything else with exit 2, before writing):

- a new path in an existing folder, or a regular file (replaced);
- a symbolic link to a regular file: the file it points to is replaced, the link is kept;
- never a directory, a FIFO, a device, a socket or a dangling link (nothing is replaced by a
  regular file behind the user's back), and never one of the command's own inputs (``refuse_inputs``).

A writer that fills a folder (the exports) writes each file with ``write_inside``: the name is one
path component of safe characters, and an existing symbolic link in the folder is refused, not
written through, so nothing lands outside the folder the user named.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from nkru_bench.common.errors import InputError, Problem, shown

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}")


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _refuse(path: Path, message: str) -> InputError:
    return InputError(Problem(str(path), None, None, message))


def writable_target(path: Path) -> Path:
    """The path to replace for ``path`` (a link's regular file, else ``path``), or an ``InputError``."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return path
    except OSError as error:
        raise _refuse(path, f"cannot be written: {error.strerror or error}") from None
    if stat.S_ISREG(info.st_mode):
        return path
    if stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(path))
        try:
            mode = os.stat(target).st_mode
        except OSError:
            raise _refuse(path, "is a symbolic link to nothing: give a new path or a regular file") from None
        if stat.S_ISREG(mode):
            return target
        raise _refuse(path, f"is a symbolic link to {_kind(mode)}: give a new path or a regular file")
    message = f"is {_kind(info.st_mode)}, not a regular file: give a new path or a regular file"
    raise _refuse(path, message)


def stage(target: Path, data: bytes) -> str:
    """``data`` written and synced to a new temporary file beside ``target`` (whose folder must exist),
    with the permissions of an ordinary new file; its path. On failure nothing is left behind."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; the result is an ordinary file
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def write_atomically(path: Path, data: bytes | str, *, parents: bool = False) -> None:
    """Replace ``path`` with ``data`` (text as UTF-8); on failure an ``InputError`` names the file.

    With ``parents`` the missing folders above ``path`` are made; without it a missing folder is an error
    (a mistyped output path is reported, not created).
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    target = writable_target(path)
    temporary = None
    try:
        if parents:
            target.parent.mkdir(parents=True, exist_ok=True)
        temporary = stage(target, payload)
        os.replace(temporary, target)
    except OSError as error:
        raise _refuse(path, f"cannot be written: {error.strerror or error}") from None
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                Path(temporary).unlink(missing_ok=True)


def check_name(name: str, file: str, line: int | None = None, field: str | None = "doc_id") -> list[Problem]:
    """A name that becomes a file name (a doc_id): one path component of safe characters."""
    if SAFE_NAME.fullmatch(name) and ".." not in name:
        return []
    message = (
        f"{shown(name)} is not a safe name: use letters A-Z a-z, digits, '.', '_' and '-' "
        "(first a letter or digit; no '..', no path separators; at most 200 characters)"
    )
    return [Problem(file, line, field, message)]


def write_inside(folder: Path, relative: str | Path, data: bytes | str) -> Path:
    """Write ``folder/relative`` atomically, refusing a name that leaves ``folder`` and an existing link.

    ``relative`` may have sub-folders (made as needed); each part must be a safe name.
    """
    parts = Path(relative).parts
    bad = [part for part in parts if not SAFE_NAME.fullmatch(part) or ".." in part]
    if not parts or bad or Path(relative).is_absolute():
        raise _refuse(folder / relative, "is not a safe file name inside the output folder: not written")
    path = folder.joinpath(*parts)
    base = os.path.realpath(folder)
    for depth in range(1, len(parts) + 1):
        step = folder.joinpath(*parts[:depth])
        if step.is_symlink():
            raise _refuse(step, "is a symbolic link inside the output folder: remove it first; not written")
    path.parent.mkdir(parents=True, exist_ok=True)
    if os.path.commonpath([base, os.path.realpath(path.parent)]) != base:
        raise _refuse(path, "lies outside the output folder: not written")
    write_atomically(path, data)
    return path


def _same(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    return os.path.realpath(a) == os.path.realpath(b)


def _inside(path: Path, folder: Path) -> bool:
    base = os.path.realpath(folder)
    return os.path.commonpath([base, os.path.realpath(path)]) == base


def refuse_inputs(outputs: Iterable[Path | None], inputs: Iterable[Path | str | None], what: str) -> None:
    """An ``InputError`` when an output of a command is one of its inputs (it would be replaced)."""
    sources = [Path(p) for p in inputs if p is not None and str(p) != "-"]
    for out in outputs:
        if out is None or str(out) == "-":
            continue
        for source in sources:
            if _same(out, source):
                message = f"is also {what}'s input {str(source)!r}: writing it would replace the input"
                raise _refuse(out, message)
            if source.is_dir() and _inside(out, source):
                message = f"lies inside {what}'s input folder {str(source)!r}: write it elsewhere"
                raise _refuse(out, message)


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (waiting for another holder): writers of the files in it
    that read, change and replace them (``add-doc``'s manifest) take turns instead of losing lines."""
    import fcntl

    try:
        fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as error:
        raise _refuse(folder, f"cannot be opened: {error.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _entries(folder: Path) -> Iterator[Path]:
    """Every file, link or other non-folder under ``folder``, relative to it (links not followed)."""
    for root, dirs, names in os.walk(folder):
        links = [name for name in dirs if os.path.islink(os.path.join(root, name))]
        for name in (*names, *links):
            yield (Path(root) / name).relative_to(folder)


def prepare_folder(folder: Path, force: bool, owned: Iterable[str]) -> None:
    """Make ``folder`` ready for a writer that fills it: a new or empty folder, or, with ``force``,
    one whose files matching ``owned`` (glob patterns of what the writer writes) are removed first,
    so that no file of an earlier run is left to mix with the new ones. Other files are kept."""
    from fnmatch import fnmatchcase

    if folder.exists() and not folder.is_dir():
        raise _refuse(folder, "is not a folder: give a new or empty folder")
    if not folder.exists():
        return
    present = sorted(_entries(folder))
    if not present:
        return
    if not force:
        message = (
            f"is not empty ({len(present)} file(s)): give a new or empty folder, or pass --force "
            "to replace what an earlier export wrote"
        )
        raise _refuse(folder, message)
    patterns = list(owned)
    for relative in present:
        if any(fnmatchcase(relative.as_posix(), pattern) for pattern in patterns):
            try:
                (folder / relative).unlink()  # a link is removed, never what it points to
            except OSError as error:
                raise _refuse(folder / relative, f"cannot be removed: {error.strerror}") from None
