"""Where ``course autograde`` runs its work: a local process pool, or a Dask distributed cluster.

Both run the same task, ``worker.grade_submission``, on a course directory
that every grading process sees at the same path; only the transport
differs. The local pool is the default. With ``--scheduler ADDRESS`` the
tasks go to a running ``dask.distributed`` scheduler: before anything is
graded each worker must see the course directory and, unless ``--unsafe``,
pass the same sandbox check as a local run. The scheduler re-runs the task of
a worker that dies (its kernels die with it: the sandbox is bound to its
parent), and the result lock in ``grade_submission`` keeps a re-run from
overlapping with a grader that is in fact still busy. The local pool does the
same for a process of its own that dies (``LocalPool``).

Either way a runner's ``grade`` turns jobs (student -> the arguments of
``grade_submission``) into (student, finished future) pairs, in the order they
finish. Stopping early (Ctrl-C, SIGTERM, SIGHUP, or the caller closing the
iterator) starts nothing more; the local pool also ends its grading processes
and their kernels at once, and ``begun`` says whose grading had started, for
the caller to settle (``worker.settle_stopped``).
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import select
import shutil
import signal
import threading
import time
import uuid
import warnings
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Generator, Iterator, Protocol, Sequence

import psutil

from course.course_config import load_course_config
from course.errors import CourseError
from course.grading.preprocessors import check_sandbox_for
from course.grading.sandbox import SandboxUnavailable
from course.grading.worker import grade_submission

log = logging.getLogger(__name__)

CONNECT_TIMEOUT = "30s"
WORKERS_TIMEOUT = 60  # seconds to wait for a cluster's first worker
FRUITLESS_BREAKS = 3  # pools in a row that broke before grading anything: the machine, not a submission

STOP_TIMEOUT = 5  # seconds to wait for killed grading processes and kernels to be gone (they go in milliseconds)

Jobs = dict[str, tuple]


class Runner(Protocol):
    def grade(self, jobs: Jobs) -> Iterator[tuple[str, Future]]:
        """The jobs' (student, finished future) pairs, as they finish."""

    def begun(self) -> set[str]:
        """The students whose grading started (finished or not) in this runner's last ``grade``."""


class GradingProcessKilled(Exception):
    """Every process that graded this submission died under it (SIGKILL, out of memory): nothing was graded."""


def prepare_worker() -> None:
    """Set up a grading process before it grades anything.

    Its kernels inherit one BLAS thread each, so N kernels share N cores
    without oversubscription. nbgrader's own SQLAlchemy and nbformat warnings
    say nothing about the students and would bury the progress bar.
    """
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    warnings.filterwarnings("ignore", module=r"nbgrader\..*|nbformat\..*|sqlalchemy\..*")


_started = None  # in a pool process: the batch's flags, one per submission, set when its grading begins


def prepare_pool_worker(started) -> None:
    """``prepare_worker``, and keep the batch's shared flags (they can only be handed over at process start).

    A terminal sends Ctrl-C (and a hang-up) to its whole foreground process
    group, pool processes included. Whether to stop is the batch's decision:
    it kills the pool, kernels and all (``LocalPool``). Left to itself, a pool
    process would turn the interrupt into its student's failure (nbgrader
    catches it) and then take the next queued submission.
    """
    global _started
    _started = started
    for stop in (signal.SIGINT, signal.SIGHUP):
        signal.signal(stop, signal.SIG_IGN)
    prepare_worker()


def run_in_pool(index: int, task: Callable[..., object], *args) -> object:
    """The pool's task: flag that job ``index`` began, then run ``task`` on its arguments.

    When a pool process dies, every unfinished future of the pool fails with
    the same ``BrokenProcessPool``; the flags (shared memory: written at once,
    nothing to flush or clean up) tell the jobs that were running (one of
    them may have caused it) from those still queued.
    """
    _started[index] = 1
    return task(*args)


class LocalPool:
    """``workers`` processes on this machine, started by a fork server that has imported the ``task``'s modules.

    The task is ``grade_submission`` unless given (``course feedback`` runs
    its own on the same pool); a job is one student's arguments for it.

    A process that dies (SIGKILL, the out-of-memory killer) breaks the whole
    ``ProcessPoolExecutor``: the others are terminated and every unfinished
    future fails, and nobody can tell which submission was to blame. So the
    pool is rebuilt; what was only queued goes back in the queue; what was
    being graded is graded once more, one submission at a time with nothing
    else running, so that a second death is that submission's own doing. A
    submission whose grading process dies that second time too ends with
    ``GradingProcessKilled``; nobody else is charged for it.
    """

    def __init__(self, workers: int, task: Callable[..., object] = grade_submission):
        self.workers = workers
        self.task = task
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload([task.__module__, __name__])
        self._started: Sequence[int] = ()  # the last batch's flags (run_in_pool)
        self._index: dict[str, int] = {}

    def begun(self) -> set[str]:
        return {student for student, i in self._index.items() if self._started[i]}

    def grade(self, jobs: Jobs) -> Iterator[tuple[str, Future]]:
        started = self._started = self.context.RawArray("b", len(jobs))  # shared with the pool's processes
        index = self._index = {student: i for i, student in enumerate(jobs)}
        waiting = list(jobs)  # never started, or stopped only because another process died
        suspects: list[str] = []  # being graded when a pool broke: graded again, alone
        fruitless = 0
        while waiting or suspects:
            alone = [suspects.pop(0)] if suspects else []
            batch, waiting = (alone, waiting) if alone else (waiting, [])
            lost = yield from self._run(batch, jobs, started, index)
            begun = [student for student in lost if started[index[student]]]
            fruitless = 0 if begun or not lost else fruitless + 1
            if fruitless >= FRUITLESS_BREAKS:
                raise CourseError("the local grading processes keep dying before they grade anything")
            if alone and begun:
                killed: Future = Future()
                killed.set_exception(GradingProcessKilled(
                    "its grading process was killed twice (SIGKILL, e.g. out of memory); nothing could be graded"
                ))
                yield alone[0], killed
                continue
            suspects += begun
            waiting += [student for student in lost if student not in begun]

    def _run(
        self, students: list[str], jobs: Jobs, started, index: dict[str, int],
    ) -> Generator[tuple[str, Future], None, list[str]]:
        """Grade ``students`` on a fresh pool, yielding what finishes; return those lost to a broken pool."""
        lost: list[str] = []
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=self.context,
                                 initializer=prepare_pool_worker, initargs=(started,)) as pool:
            try:
                futures: dict[Future, str] = {}
                try:
                    for student in students:
                        started[index[student]] = 0
                        futures[pool.submit(run_in_pool, index[student], self.task, *jobs[student])] = student
                except BrokenProcessPool:  # a process died while the batch was still being handed out
                    lost = students[len(futures):]
                for future in as_completed(futures):
                    if not future.cancelled() and isinstance(future.exception(), BrokenProcessPool):
                        lost.append(futures[future])
                    else:
                        yield futures[future], future
            except BaseException:  # Ctrl-C, a signal, or the caller stopped
                stop_pool(pool)
                raise
        return lost


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Start nothing more, and end the pool's processes and their kernels now.

    ``shutdown`` alone would wait for every submission being graded, and the
    processes would take the submissions already handed to them. The pool has
    no public way to end its processes (``terminate_workers`` comes in Python
    3.14); its process table is the one it uses for that itself.
    """
    graders = [process.pid for process in list((pool._processes or {}).values())]  # shutdown forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    end_process_trees(graders)


def end_process_trees(pids: list[int]) -> None:
    """SIGKILL the processes ``pids`` and everything they started, and wait until all of it is gone.

    A grading process's kernels are its descendants (bwrap, and the kernel
    inside); they are listed before their grader dies, because its death
    hands them to init. A kernel started in between still dies with its
    grader (bwrap's ``--die-with-parent``). What jupyter_client would have
    removed at a kernel's shutdown, its connection file and, for a sandboxed
    kernel, its private scratch folder, is removed here (``forget_kernel``).
    """
    victims: list[psutil.Process] = []
    for pid in pids:
        try:
            grader = psutil.Process(pid)
            victims += [grader, *grader.children(recursive=True)]
        except psutil.NoSuchProcess:
            pass
    connection_files = {path for victim in victims for path in [_connection_file(victim)] if path}  # bwrap's argv names it too
    handles = [handle for victim in victims if (handle := _pidfd(victim)) is not None]
    try:
        for handle in handles:
            try:
                signal.pidfd_send_signal(handle, signal.SIGKILL)
            except ProcessLookupError:  # it ended meanwhile
                pass
        _wait_all_exited(handles, time.monotonic() + STOP_TIMEOUT)
    finally:
        for handle in handles:
            os.close(handle)
    for path in connection_files:
        forget_kernel(path)
    log.debug("ended %d grading processes and their %d kernels", len(pids), len(connection_files))


def _pidfd(process: psutil.Process) -> int | None:
    """A pidfd of ``process`` (it names that process even after its pid is reused), or None if it is gone already."""
    try:
        handle = os.pidfd_open(process.pid)
    except ProcessLookupError:
        return None
    if not process.is_running():  # the pid was reused between the listing and the opening
        os.close(handle)
        return None
    return handle


def _wait_all_exited(handles: list[int], deadline: float) -> None:
    """Wait until every process behind ``handles`` has exited, all of its threads, or ``deadline`` passes.

    A killed multi-threaded process shows as a zombie as soon as its first
    thread is done, while its other threads still hold its files, and with
    them its locks: on a loaded machine the batch then found the result lock
    of a student it had just stopped still held, and left that student's
    half-written grade in the gradebook. A pidfd turns readable only once the
    whole thread group has exited, every file closed.
    """
    poller = select.poll()
    for handle in handles:
        poller.register(handle, select.POLLIN)
    waiting = set(handles)
    while waiting and (left := deadline - time.monotonic()) > 0:
        for handle, _ in poller.poll(left * 1000):
            poller.unregister(handle)
            waiting.discard(handle)


def _connection_file(process: psutil.Process) -> Path | None:
    """The connection file of a kernel process (``ipykernel_launcher -f FILE``), or None for any other process."""
    try:
        command = process.cmdline()
    except psutil.Error:
        return None
    if "ipykernel_launcher" not in command or "-f" not in command[:-1]:
        return None
    return Path(command[command.index("-f") + 1])


def forget_kernel(connection_file: Path) -> None:
    """Remove a dead kernel's connection file; a sandboxed kernel's whole scratch folder with it.

    Only the sandbox's kernels talk over ipc (unix sockets), and each has a
    scratch folder of its own holding its connection file and sockets
    (``sandbox.SandboxedKernelManager``).
    """
    try:
        transport = json.loads(connection_file.read_text()).get("transport")
    except (OSError, ValueError):
        return
    if transport == "ipc":
        shutil.rmtree(connection_file.parent, ignore_errors=True)
    else:
        connection_file.unlink(missing_ok=True)


@contextmanager
def local_pool(workers: int) -> Iterator[Runner]:
    """A ``LocalPool`` of ``workers`` processes."""
    yield LocalPool(workers)


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
            check_sandbox_for(load_course_config(Path(root)))
        except SandboxUnavailable as error:
            return str(error)
    return None


@contextmanager
def dask_cluster(address: str, root: Path, sandbox: bool) -> Iterator[Runner]:
    """The workers of the Dask scheduler at ``address``, checked before any submission is sent."""
    from dask.distributed import Client

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
        yield DaskRunner(client)


class DaskRunner:
    """Tasks on a Dask cluster. Stopping cancels them; a task already running goes on to its end on its
    worker (Dask cannot stop a running task) and records its own result, under the result's lock."""

    def __init__(self, client) -> None:
        self.client = client
        self.batch = uuid.uuid4().hex[:8]
        self._begun: set[str] = set()

    def begun(self) -> set[str]:
        return self._begun

    def grade(self, jobs: Jobs) -> Iterator[tuple[str, Future]]:
        from dask.distributed import as_completed as dask_completed

        futures = {
            self.client.submit(
                grade_on_dask_worker, *args, key=f"course-autograde-{args[1]}-{student}-{self.batch}", pure=False,
            ): student
            for student, args in jobs.items()
        }
        try:
            for future in dask_completed(futures):
                self._begun.add(futures[future])
                yield futures[future], future
        except BaseException:  # Ctrl-C, a signal, or the caller stopped
            running = {key for keys in self.client.processing().values() for key in keys}
            self._begun |= {student for future, student in futures.items() if future.key in running}
            self.client.cancel(list(futures))
            raise
