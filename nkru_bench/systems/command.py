"""A system that is any program speaking JSON lines (``nkru-bench run --cmd COMMAND``)."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import IO, Any

from nkru_bench.common.errors import shown
from nkru_bench.common.jsonlines import MAX_LINE_BYTES, dumps, line_too_long, loads
from nkru_bench.systems.protocol import ExtractionFailed


def _pump(stream: IO[bytes], sink: Callable[[bytes | None], None]) -> None:
    """Each line of ``stream`` to ``sink`` (``MAX_LINE_BYTES`` at the most: a longer one comes in
    pieces, the first of which ``line_too_long`` tells), then ``None``."""
    for raw in iter(lambda: stream.readline(MAX_LINE_BYTES + 1), b""):
        sink(raw)
    sink(None)


_STDERR_KEPT = 1000  # bytes of each line of the command's stderr kept to explain a failure

# A watchdog per command, a member of the command's process group: it waits for its stdin (a pipe
# only this process writes) to close, which happens however this process ends (even SIGKILL), and
# then kills its process group, the command and all it started.
_WATCHDOG = "read _ignored; kill -9 0"


class CommandExtractor:
    """An external process speaking JSON Lines: one document in, one prediction out, in order.

    The process is started on the first document and kept across documents. A crash, a hang past
    the timeout or a line that is not a JSON object fails that document, and so does an answer that
    came unasked (an extra line: the answers would be shifted by one from then on); after any of
    these the process is stopped and started again for the next document. Its stderr is kept (last
    lines) to explain failures.

    The command runs in a process group of its own, which is killed on every way out: when the run
    ends (children it left behind included), on a timeout, on Ctrl-C or SIGTERM, and, through a
    watchdog process, when this process is killed outright.
    """

    def __init__(self, command: str):
        self.command = command
        self._proc: subprocess.Popen[bytes] | None = None
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[bytes | None] = queue.Queue()
        self._stderr: deque[str] = deque(maxlen=5)
        self.notes: list[str] = []  # what the runner should tell the user (then clears)

    def __call__(self, doc: dict[str, Any]) -> dict[str, Any]:
        return self.request(doc, None)

    def _start(self) -> subprocess.Popen[bytes]:
        pipe = subprocess.PIPE
        proc = subprocess.Popen(  # a process group of its own: Ctrl-C reaches only the runner
            self.command, shell=True, stdin=pipe, stdout=pipe, stderr=pipe, process_group=0
        )
        with contextlib.suppress(OSError):  # the command already ended: nothing to watch
            self._watchdog = subprocess.Popen(
                ["/bin/sh", "-c", _WATCHDOG],
                stdin=pipe,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                process_group=proc.pid,
            )
        self._lines = queue.Queue()
        self._stderr = deque(maxlen=5)
        stderr = self._stderr
        threading.Thread(target=_pump, args=(proc.stdout, self._lines.put), daemon=True).start()

        def keep(raw: bytes | None) -> None:
            if raw is not None and raw.strip():
                stderr.append(raw[:_STDERR_KEPT].decode("utf-8", "replace").strip())

        threading.Thread(target=_pump, args=(proc.stderr, keep), daemon=True).start()
        self._proc = proc
        return proc

    def _stderr_hint(self) -> str:
        time.sleep(0.05)  # let the stderr reader catch the last words of a dying process
        return f"; its stderr ended with: {shown(self._stderr[-1], 120)}" if self._stderr else ""

    def _exited(self, proc: subprocess.Popen[bytes], what: str) -> ExtractionFailed:
        status = proc.wait()
        hint = self._stderr_hint()
        self.close(grace=0)  # its process group too
        return ExtractionFailed(f"the command exited with status {status} {what}{hint}")

    def _unasked(self) -> bool:
        """Whether the command printed a line nobody asked for (then it is restarted)."""
        time.sleep(0.001)  # a line printed with the last answer is read by the pump thread meanwhile
        while True:
            try:
                raw = self._lines.get_nowait()
            except queue.Empty:
                return False
            if raw is None or raw.strip():
                return raw is not None

    def request(self, doc: dict[str, Any], timeout: float | None) -> dict[str, Any]:
        if self._proc is not None and self._unasked():
            self.close(grace=0)
            self.notes.append(
                f"before {doc['doc_id']}: the command printed a line nobody asked for (one answer per "
                "document), so later answers would be shifted: it was restarted"
            )
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
        if line_too_long(raw):
            self.close(grace=0)
            message = f"the command printed a line longer than {MAX_LINE_BYTES:,} bytes (it was restarted)"
            raise ExtractionFailed(message)
        obj, problems = loads(raw.rstrip(b"\r\n"), "answer")
        if not problems and isinstance(obj, dict):
            return obj
        if problems and problems[0].field is not None:  # JSON, but a value JSON cannot carry
            raise ExtractionFailed(f"bad prediction: field '{problems[0].field}': {problems[0].message}")
        self.close(grace=0)
        text = shown(raw.decode("utf-8", "replace").strip(), 80)
        raise ExtractionFailed(f"the command printed a line that is not a JSON object: {text}")

    def close(self, grace: float = 2.0) -> None:
        """Close the process's stdin, give it ``grace`` seconds to exit, then kill its process group
        (whatever it started is gone too), even when interrupted meanwhile."""
        proc, self._proc = self._proc, None
        watchdog, self._watchdog = self._watchdog, None
        if proc is None:
            return
        try:
            if proc.stdin is not None:
                with contextlib.suppress(OSError):
                    proc.stdin.close()
            if grace > 0:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(timeout=grace)
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            if watchdog is not None:
                with contextlib.suppress(ProcessLookupError):
                    watchdog.kill()
                watchdog.wait()
                if watchdog.stdin is not None:
                    with contextlib.suppress(OSError):
                        watchdog.stdin.close()
