"""Where ``course autograde`` runs its work: a local process pool, or a Dask distributed cluster.

Both run the same task, ``worker.grade_submission``, on a course directory
that every grading process sees at the same path; only the transport
differs. The local pool is the default. With ``--scheduler ADDRESS`` the
tasks go to a running ``dask.distributed`` scheduler: before anything is
graded each worker must see the course directory and, unless ``--unsafe``,
pass the same sandbox check as a local run. The scheduler re-runs the task of
a worker that dies (its kernels die with it: the sandbox is bound to its
parent), and the result lock in ``grade_submission`` keeps a re-run from
overlapping with a grader that is in fact still busy.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import uuid
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from course.errors import CourseError
from course.grading.sandbox import SandboxUnavailable, check_sandbox
from course.grading.worker import grade_submission

CONNECT_TIMEOUT = "30s"
WORKERS_TIMEOUT = 60  # seconds to wait for a cluster's first worker


@dataclass
class Runner:
    """Submit ``grade_submission`` calls and get their futures back as they finish."""

    submit: Callable[..., object]
    completed: Callable[[Iterable], Iterator]
    cancel: Callable[[Iterable], None]


def prepare_worker() -> None:
    """Set up a grading process before it grades anything.

    Its kernels inherit one BLAS thread each, so N kernels share N cores
    without oversubscription. nbgrader's own SQLAlchemy and nbformat warnings
    say nothing about the students and would bury the progress bar.
    """
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    warnings.filterwarnings("ignore", module=r"nbgrader\..*|nbformat\..*|sqlalchemy\..*")


@contextmanager
def local_pool(workers: int) -> Iterator[Runner]:
    """``workers`` processes on this machine, started by a fork server that has imported the grader."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["course.grading.worker"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=prepare_worker) as pool:
        def cancel(_futures: Iterable) -> None:
            pool.shutdown(wait=False, cancel_futures=True)

        yield Runner(submit=lambda *args: pool.submit(grade_submission, *args), completed=as_completed, cancel=cancel)


# A Dask worker may run tasks in several threads; the sandbox gives each
# grading process one uid and its process limit, so one process grades one
# submission at a time. Start workers with --nthreads 1 and --nworkers N.
_ONE_AT_A_TIME = threading.Lock()


def grade_on_dask_worker(*args) -> object:
    """The Dask task: ``grade_submission`` in a prepared worker process, one at a time."""
    with _ONE_AT_A_TIME:
        prepare_worker()
        return grade_submission(*args)


def worker_problem(root: str, sandbox: bool) -> str | None:
    """Why this worker cannot grade the course at ``root``, or None. Runs on every worker."""
    if not Path(root, "nbgrader_config.py").is_file():
        return f"no course directory at {root} (the workers need the shared course directory at the same path)"
    if sandbox:
        try:
            check_sandbox()
        except SandboxUnavailable as error:
            return str(error)
    return None


@contextmanager
def dask_cluster(address: str, root: Path, sandbox: bool) -> Iterator[Runner]:
    """The workers of the Dask scheduler at ``address``, checked before any submission is sent."""
    from dask.distributed import Client, as_completed as dask_completed

    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise CourseError(f"cannot reach the Dask scheduler at {address}: {error}") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
        except TimeoutError:
            raise CourseError(f"the Dask scheduler at {address} has no workers") from None
        problems = {w: p for w, p in client.run(worker_problem, str(root.resolve()), sandbox).items() if p}
        if problems:
            raise CourseError("; ".join(f"worker {w}: {p}" for w, p in sorted(problems.items())))
        batch = uuid.uuid4().hex[:8]

        def submit(root_, assignment, student, *rest):
            return client.submit(
                grade_on_dask_worker, root_, assignment, student, *rest,
                key=f"course-autograde-{assignment}-{student}-{batch}", pure=False,
            )

        yield Runner(submit=submit, completed=dask_completed, cancel=lambda futures: client.cancel(list(futures)))
