"""A system that is any program speaking JSON lines (``nkru-bench run --cmd COMMAND``)."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import IO, Any

from nkru_bench.common.jsonlines import dumps
from nkru_bench.systems.protocol import ExtractionFailed


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
