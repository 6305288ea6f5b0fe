"""Read ahead: the next item of an iterator is made in a thread while the caller works on the
current one. A large file's chunks are read and typed this way (polars and Python in one
thread) while DuckDB checks and inserts the chunk before (in the caller's)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
_END = object()


@contextmanager
def read_ahead(items: Iterator[T]) -> Iterator[Iterator[T]]:
    """`items`, each next one made in a thread while the caller works on the current one.

    A large file's chunks are read and typed (polars, Python) while DuckDB checks and inserts
    the one before: the two use different cores. The first is begun on entering, before the
    caller asks for it. At most two items are alive at once, so memory stays bounded. An error
    making an item is raised where the caller asks for it; on leaving, the thread's item is
    waited for and `items` is closed."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-read-ahead")
    # The first item is begun at once, so it is made while the caller still works on what it
    # had before (a file's first chunk, inserted before the chunks after it).
    future = pool.submit(next, items, _END)

    def ahead() -> Iterator[T]:
        nonlocal future
        while (item := future.result()) is not _END:
            future = pool.submit(next, items, _END)
            yield item
            del item  # not kept while the next one is waited for: two alive at most

    try:
        yield ahead()
    finally:
        pool.shutdown(wait=True)
        close = getattr(items, "close", None)
        if close is not None:
            close()
