"""Reading a workbook in a child process with a memory and a time limit.

A native reader that aborts (a Rust allocation failure raises SIGABRT) would otherwise take the
CLI's batch, or the dashboard's server and every user on it, down with it. Only spreadsheets
come here: CSV is parsed in-process by polars, which fails with an exception, and a child per
CSV would cost the bare-load speed ingest is measured against.

Children are forked from a small forkserver that has already imported the readers, so a
workbook costs a fork (milliseconds), not a new interpreter, and never a fork of the caller's
threads (Streamlit's, DuckDB's). The child limits its address space to what it has plus
[ingest.spreadsheet] reader_memory_mb, sends its answer (cells as text, or a rejection key) over
a pipe and exits; a child that runs out of time is killed, and one killed by a signal is
reported, never raised.

multiprocessing normally re-imports the caller's `__main__` in each child. Under Streamlit that
is the page script being run (Streamlit installs it as `__main__`), which must not run in a
reader; the child here needs nothing from `__main__`, so it is left out.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from multiprocessing import popen_forkserver, spawn
from multiprocessing.connection import Connection

from pipelines.ingest.excel import SheetCells, read_sheet_cells
from pipelines.ingest.headers import FileRejected

_PRELOAD = ["pipelines.ingest.excel", "pipelines.ingest.isolated"]
_ENV_PREFIX = "SHIRUBE_"


def _warm() -> None:
    """Settings and frameworks parsed once where this is preloaded (the forkserver), not in
    every child; a child whose SHIRUBE_* differ reads its own (the caches are keyed by them)."""
    from pipelines.settings import frameworks

    try:
        frameworks()
    except Exception:  # noqa: BLE001 - a broken framework file is reported by the ingest itself
        pass


_warm()


def _child(conn: Connection, data: bytes, forced_kind: str | None, limits: dict, env: dict) -> None:
    import resource

    # The forkserver started with the environment of its time; settings and frameworks are
    # read from SHIRUBE_* variables, so take the parent's current ones.
    for key in [k for k in os.environ if k.startswith(_ENV_PREFIX)]:
        del os.environ[key]
    os.environ.update(env)
    # On top of what the child already maps (the interpreter and the imported readers).
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    memory = mapped + int(float(limits["reader_memory_mb"]) * 1024 * 1024)
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort leaves no core file behind
    # A native reader's abort message and backtrace are for nobody's terminal.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    try:
        answer: tuple = ("ok", read_sheet_cells(data, forced_kind, limits))
    except FileRejected as exc:
        answer = ("rejected", exc.key, exc.values)
    except MemoryError:
        answer = ("rejected", "reader_out_of_memory", {"limit_mb": limits["reader_memory_mb"]})
    except Exception as exc:  # a damaged file the readers choke on
        answer = ("rejected", "unreadable", {"detail": type(exc).__name__})
    try:
        conn.send(answer)
    except MemoryError:
        conn.send(("rejected", "reader_out_of_memory", {"limit_mb": limits["reader_memory_mb"]}))
    conn.close()


class _PopenWithoutMain(popen_forkserver.Popen):
    def _launch(self, process_obj) -> None:
        prepare = spawn.get_preparation_data

        def without_main(name: str) -> dict:
            return {k: v for k, v in prepare(name).items() if not k.startswith("init_main")}

        spawn.get_preparation_data = without_main
        try:
            super()._launch(process_obj)
        finally:
            spawn.get_preparation_data = prepare


class _ReaderProcess(multiprocessing.get_context("forkserver").Process):
    @staticmethod
    def _Popen(process_obj):  # noqa: N802 - the name multiprocessing calls
        return _PopenWithoutMain(process_obj)


def _context() -> multiprocessing.context.BaseContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)  # ignored once the server runs
    return context


def _signal_name(code: int) -> str:
    try:
        return signal.Signals(code).name
    except ValueError:
        return f"signal {code}"


def read_workbook(data: bytes, forced_kind: str | None, limits: dict) -> SheetCells:
    """The workbook's header sheet as text, read in a child; FileRejected on any failure."""
    context = _context()
    receive, send = context.Pipe(duplex=False)
    env = {k: v for k, v in os.environ.items() if k.startswith(_ENV_PREFIX)}
    child = _ReaderProcess(target=_child, args=(send, data, forced_kind, limits, env))
    child.daemon = True
    child.start()
    send.close()
    answer = None
    try:
        if receive.poll(float(limits["reader_seconds"])):
            try:
                answer = receive.recv()
            except (EOFError, OSError):  # the child died before or while answering
                answer = None
        else:
            child.kill()
            child.join(10)
            raise FileRejected("reader_timeout", seconds=limits["reader_seconds"])
    finally:
        receive.close()
    child.join(30)
    if child.is_alive():
        child.kill()
        child.join(10)
    if answer is None:
        code = child.exitcode or 0
        if code < 0:
            raise FileRejected(
                "reader_crashed",
                signal=_signal_name(-code),
                limit_mb=limits["reader_memory_mb"],
            )
        raise FileRejected("unreadable", detail=f"exit {code}")
    if answer[0] == "ok":
        return answer[1]
    raise FileRejected(answer[1], **answer[2])
