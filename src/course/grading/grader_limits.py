"""Limits on the grader's own work for one submission: its memory and the time of its test code.

The sandbox bounds the student's kernel; these bound the grading process,
which runs the test cells and the oracles on whatever the kernel returns,
and answers the kernel's calls back. A submission must not be able to make
it run out of memory (a worker killed by the OOM killer takes its batch
neighbours' time) or loop past the cell's time limit in grader code, where
no kernel interrupt can reach.
"""

from __future__ import annotations

import contextlib
import ctypes
import resource
import threading
from typing import Iterator


def address_space() -> int:
    """Bytes of address space this process uses now (VmSize)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


@contextlib.contextmanager
def bounded_memory(extra_bytes: int) -> Iterator[None]:
    """Let this process grow by at most ``extra_bytes`` until the block ends: beyond that, MemoryError.

    Only the soft limit is lowered, and set back afterwards; the sandboxed
    kernels it starts set their own limit (``prlimit``), below the hard one.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = address_space() + extra_bytes
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextlib.contextmanager
def time_limit(seconds: float, error: type[BaseException]) -> Iterator[None]:
    """Raise ``error`` in this thread if the block is still running after ``seconds``.

    A timer thread delivers it as an asynchronous exception: it works in any
    thread (Dask runs tasks outside the main one, where signals cannot go) and
    reaches Python code between bytecodes, not inside one long C call, which
    the bridge's message size limit keeps short.
    """
    target = threading.get_ident()
    lock = threading.Lock()
    running = True

    def expire() -> None:
        with lock:
            if running:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), ctypes.py_object(error))

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            running = False
            # An exception set just before the block ended and not yet raised is withdrawn.
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)
        timer.cancel()
