"""A stopped batch ends its grading processes before it settles their students, locks and all.

``settle_stopped`` treats a result lock still held as a grader busy elsewhere
and leaves its half-written grade alone. So when ``end_process_trees``
returns, every process it killed must have closed its files. A killed
multi-threaded process shows as a zombie while its other threads still hold
them (154 of 200 such processes still held their lock when first seen as
zombies, measured on the project's 2-core development machine, not in CI),
the longer the more memory its last thread has to free. Each run kills one holding a lock, with its threads and
a child, and looks at the lock at once: with the old wait for "no longer
running or a zombie", 18 of 20 runs found it still held.
"""

from __future__ import annotations

import fcntl
import subprocess
import sys
from pathlib import Path

import psutil
import pytest

from course.grading.runners import end_process_trees

# A grader stand-in: it takes the lock, starts busy threads (a grader's zmq and
# asyncio threads) and a child (its kernel), and says so.
HOLDER = r"""
import fcntl, subprocess, sys, threading, time
handle = open(sys.argv[1], "a")
fcntl.lockf(handle, fcntl.LOCK_EX)
memory = b"m" * (256 << 20)  # its last thread frees this before it closes the files
def spin():
    while True:
        pass
for _ in range(4):
    threading.Thread(target=spin, daemon=True).start()
kernel = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print(kernel.pid, flush=True)
while True:
    time.sleep(1)
"""
RUNS = 10


def lock_is_free(path: Path) -> bool:
    with path.open("a") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        fcntl.lockf(handle, fcntl.LOCK_UN)
        return True


@pytest.mark.parametrize("run", range(RUNS))
def test_killed_processes_hold_no_lock_once_ended(tmp_path, run):
    lock = tmp_path / "result.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(lock)], stdout=subprocess.PIPE, text=True)
    try:
        kernel = int(holder.stdout.readline())  # the lock is held from here on
        assert not lock_is_free(lock)
        end_process_trees([holder.pid])
        assert lock_is_free(lock), "a process end_process_trees ended still held its lock"
        assert not psutil.pid_exists(kernel) or psutil.Process(kernel).status() == psutil.STATUS_ZOMBIE
    finally:
        holder.kill()
        holder.wait()
