"""``common.ahead.ReadAhead``: the items in order, an exception where it was raised, at most ``depth``
items taken ahead of the consumer, and ``close`` ends the thread and closes the source without
waiting for the consumer to take the rest, but waits for the item being taken (a thread left inside
Arrow's parser when the interpreter exits crashed it: exit status -11 one time in five). And the
prediction reader reads ahead only from a regular file."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

from nkru_bench.common.ahead import ReadAhead
from nkru_bench.scoring.arrow_predictions import read_ahead


class Source:
    """Items 0, 1, ...: how many were taken, whether it was closed, and in which thread; each item
    takes ``seconds`` to make."""

    def __init__(self, n: int, fail_at: int | None = None, seconds: float = 0.0) -> None:
        self.n, self.fail_at, self.seconds = n, fail_at, seconds
        self.taken = 0
        self.closed = threading.Event()
        self.threads: set[str] = set()

    def items(self) -> Iterator[int]:
        try:
            for i in range(self.n):
                self.threads.add(threading.current_thread().name)
                if i == self.fail_at:
                    raise ValueError(f"item {i}")
                time.sleep(self.seconds)
                self.taken += 1
                yield i
        finally:
            self.closed.set()


def wait_until(condition, seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.mark.parametrize("depth", [1, 3])
def test_every_item_in_order_from_another_thread(depth: int) -> None:
    source = Source(50)
    ahead = ReadAhead(source.items(), depth=depth, name="test-ahead")
    assert list(ahead) == list(range(50))
    assert list(ahead) == []  # done: iterating again gives nothing
    assert source.closed.wait(5)
    assert source.threads == {"test-ahead"}


def test_an_exception_is_raised_where_the_source_raised_it() -> None:
    ahead = ReadAhead(Source(10, fail_at=4).items())
    got = []
    with pytest.raises(ValueError, match="item 4"):
        for item in ahead:
            got.append(item)
    assert got == [0, 1, 2, 3]
    assert list(ahead) == []


@pytest.mark.parametrize("depth", [1, 2])
def test_at_most_depth_items_wait_besides_the_one_being_handed_over(depth: int) -> None:
    """With the consumer taking nothing, the thread takes ``depth`` items into the queue and one more
    that it waits to put, then stops taking."""
    source = Source(100)
    ahead = ReadAhead(source.items(), depth=depth)
    assert wait_until(lambda: source.taken == depth + 1)
    time.sleep(0.2)
    assert source.taken == depth + 1
    assert next(ahead) == 0
    assert wait_until(lambda: source.taken == depth + 2)
    ahead.close()


def test_close_ends_the_thread_and_closes_the_source_without_taking_the_rest() -> None:
    source = Source(10_000, seconds=0.05)
    ahead = ReadAhead(source.items(), depth=2, name="test-close")
    assert next(ahead) == 0
    time.sleep(0.02)  # the thread is making an item
    ahead.close()
    # when close returns, the item being made is done, the source closed and the thread gone
    assert source.closed.is_set()
    assert not any(t.name == "test-close" for t in threading.enumerate())
    assert source.taken < 10
    with pytest.raises(StopIteration):
        next(ahead)


def test_predictions_are_read_ahead_only_from_a_regular_file(tmp_path) -> None:
    """A FIFO (or a device) could block a read without end, which ``close`` would wait for: it is read
    in the caller's thread, and only when the batches are taken (making the reader opens nothing)."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    lazy = read_ahead(fifo)  # a thread would block opening it
    assert not isinstance(lazy, ReadAhead)
    lazy.close()
    regular = tmp_path / "pred.jsonl"
    regular.write_text('{"doc_id": "x", "entities": []}\n')
    ahead = read_ahead(regular)
    assert isinstance(ahead, ReadAhead)
    assert [batch.num_rows for batch, _ in ahead] == [1]
    ahead.close()


def test_close_before_the_first_item_and_twice() -> None:
    source = Source(5)
    ahead = ReadAhead(source.items())
    ahead.close()
    ahead.close()
    assert source.closed.wait(5)
    assert list(ahead) == []
