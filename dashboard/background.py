"""The dashboard's background threads (the start-up warm-up, the sidebar prefetch), which the
process waits for when it exits.

They are daemon threads, so that a server is never kept alive by one. But a daemon thread still
inside a DuckDB query when Python finalises is stopped in the middle of C++ code, and the whole
process aborts ("FATAL: exception not rethrown", exit code 134). So at exit the threads are told
to stop (`stopping()`, read between queries) and waited for, at most EXIT_WAIT_SECONDS.
"""

from __future__ import annotations

import atexit
import threading
import time
from collections.abc import Callable

EXIT_WAIT_SECONDS = 30.0

_stopping = threading.Event()
_running: set[threading.Thread] = set()
_lock = threading.Lock()


def start(target: Callable[..., None], name: str, **kwargs: object) -> threading.Thread:
    """Run `target(**kwargs)` in a daemon thread the process waits for at exit."""
    thread = threading.Thread(target=_run, args=(target, kwargs), name=name, daemon=True)
    with _lock:
        _running.add(thread)
    thread.start()
    return thread


def stopping() -> bool:
    """True once the process is exiting: a background task stops before its next query."""
    return _stopping.is_set()


def _run(target: Callable[..., None], kwargs: dict) -> None:
    try:
        target(**kwargs)
    finally:
        with _lock:
            _running.discard(threading.current_thread())


@atexit.register
def _wait_at_exit() -> None:
    _stopping.set()
    deadline = time.monotonic() + EXIT_WAIT_SECONDS
    with _lock:
        threads = list(_running)
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
