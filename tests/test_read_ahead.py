"""ahead.read_ahead: a file's next chunk is read and typed in a thread while the one before
is checked and inserted. The ingest of whole files through it is tested in
test_ingest_chunks.py (chunked == one-shot, a bad byte in the last chunk); here, its contract."""

import threading

import pytest

from pipelines.ingest.ahead import read_ahead


class Source:
    """A generator of 0..n-1 that records which thread made each item and whether it was
    closed; item `fail_at` raises instead."""

    def __init__(self, n: int, fail_at: int | None = None) -> None:
        self.n, self.fail_at = n, fail_at
        self.made: list[int] = []
        self.threads: set[str] = set()
        self.closed = False
        self.gen = self._items()

    def _items(self):
        try:
            for i in range(self.n):
                self.threads.add(threading.current_thread().name)
                if i == self.fail_at:
                    raise ValueError(f"item {i} is unreadable")
                self.made.append(i)
                yield i
        finally:
            self.closed = True


def test_items_come_in_order_made_in_another_thread():
    source = Source(5)
    with read_ahead(source.gen) as ahead:
        assert list(ahead) == [0, 1, 2, 3, 4]
    assert source.threads and threading.current_thread().name not in source.threads


def test_only_one_item_is_made_ahead_of_the_caller():
    source = Source(10)
    with read_ahead(source.gen) as ahead:
        assert next(ahead) == 0
        assert next(ahead) == 1
        # While the caller works on item 1, item 2 is made, and nothing further.
    assert source.made == [0, 1, 2]
    assert source.closed  # leaving early closes the source once its thread is done


def test_an_error_making_an_item_is_raised_where_the_caller_asks_for_it():
    source = Source(10, fail_at=3)
    got = []
    with pytest.raises(ValueError, match="item 3 is unreadable"):
        with read_ahead(source.gen) as ahead:
            for item in ahead:
                got.append(item)
    assert got == [0, 1, 2]
    assert source.closed


def test_an_error_in_the_caller_stops_the_reading():
    source = Source(10)
    with pytest.raises(RuntimeError, match="insert failed"):
        with read_ahead(source.gen) as ahead:
            for item in ahead:
                if item == 4:
                    raise RuntimeError("insert failed")
    assert source.made == [0, 1, 2, 3, 4, 5]
    assert source.closed
