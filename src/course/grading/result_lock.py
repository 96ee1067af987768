"""One writer per result: the lock a grader holds while it grades one student's submission.

nbgrader's autograde writes a submission's rows in several transactions
(student, submission, then each grade). Two graders working on the same
submission at once, such as a Dask task re-run while the worker thought dead
is still busy or two instructors' batches, would interleave those writes.
Holding this lock across the whole grading of one submission makes the
writes of one result strictly one after the other.

* PostgreSQL: a session-level advisory lock in the gradebook's own server,
  so graders on different machines exclude each other with no shared
  filesystem locking. The server drops it when the holder's connection dies.
* Any other database (SQLite): an exclusive POSIX lock on a file in the
  course directory, dropped by the kernel when the holder dies.

Either way a killed grader never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import hashlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

LOCK_DIRECTORY = ".course-locks"


def lock_key(assignment: str, student: str) -> int:
    """A signed 64-bit number naming the result, as PostgreSQL's advisory locks want."""
    digest = hashlib.sha256(f"course-result\0{assignment}\0{student}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class ResultBusy(Exception):
    """Another grader holds the result's lock (only raised when asked not to wait)."""


@contextmanager
def result_lock(db_url: str, course_root: Path, assignment: str, student: str, wait: bool = True) -> Iterator[None]:
    """Hold the only right to write ``student``'s result for ``assignment`` while the block runs.

    With ``wait=False`` a lock held by someone else raises ``ResultBusy`` at once.
    """
    if make_url(db_url).get_backend_name() == "postgresql":
        with _advisory_lock(db_url, lock_key(assignment, student), wait):
            yield
    else:
        with _file_lock(course_root / LOCK_DIRECTORY / f"{assignment}+{student}.lock", wait):
            yield


@contextmanager
def _advisory_lock(db_url: str, key: int, wait: bool) -> Iterator[None]:
    engine = create_engine(db_url, poolclass=NullPool)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            if wait:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            elif not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
                raise ResultBusy(key)
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    finally:
        engine.dispose()


@contextmanager
def _file_lock(path: Path, wait: bool) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):  # lockf reports a held lock as EAGAIN or EACCES
            raise ResultBusy(path) from None
        try:
            yield
        finally:
            fcntl.lockf(handle, fcntl.LOCK_UN)
