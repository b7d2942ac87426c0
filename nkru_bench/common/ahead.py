"""An iterator run ahead of its consumer in a thread of its own.

``ReadAhead(items)`` starts taking items from ``items`` at once, in a daemon thread, and keeps at most
``depth`` of them waiting; iterating over it gives them in order, and an exception ``items`` raised is
raised in the consumer when it reaches it. Work that releases the GIL (reading a file, Arrow's
parser) then overlaps with what the consumer does meanwhile. ``close`` drops what waits, stops the
thread after the item it is taking and waits for that: no thread is left inside a library when the
interpreter exits (a thread still parsing then can crash it). So the items must come in bounded time:
give it a regular file to read, never a pipe or a device whose reads can block without end.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
_POLL = 0.05  # seconds between the thread's looks at whether it was stopped, while the queue is full


class ReadAhead(Generic[T]):
    def __init__(self, items: Iterator[T], depth: int = 1, name: str = "read-ahead") -> None:
        self._queue: queue.Queue[tuple[bool, object]] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._done = False
        self._thread = threading.Thread(target=self._run, args=(items,), name=name, daemon=True)
        self._thread.start()

    def _run(self, items: Iterator[T]) -> None:
        try:
            for item in items:
                if not self._put(True, item):
                    return
            self._put(False, None)
        except BaseException as error:  # handed to the consumer, which raises it
            self._put(False, error)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def _put(self, ok: bool, value: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put((ok, value), timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> ReadAhead[T]:
        return self

    def __next__(self) -> T:
        if self._done:
            raise StopIteration
        ok, value = self._queue.get()
        if ok:
            return value  # type: ignore[return-value]
        self._done = True
        if value is None:
            raise StopIteration
        raise value  # type: ignore[misc]

    def close(self) -> None:
        self._done = True
        self._stop.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._thread.join()
