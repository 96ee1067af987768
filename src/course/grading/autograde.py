"""``course autograde``: every collected submission, graded in parallel, resumably.

Each submission is graded by nbgrader's own ``Autograde`` converter in a
worker process (one per core by default), so scores are computed the way
stock ``nbgrader autograde`` computes them. What this adds: a sandbox for
every student kernel and test cells that run in the grader, not in the
student's kernel (``course.grading.trusted_tests``); parallelism with a
progress bar; grading only what is new or changed; a verdict per submission
that says what was wrong; and a batch that never stops for one bad notebook.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from tqdm import tqdm

from course.course_config import load_course_config
from course.errors import CourseError
from course.grading.preprocessors import ResilientExecute, SandboxedExecute
from course.grading.sandbox import check_sandbox
from course.grading.verdicts import Problem, Verdict
from course.grading.worker import grade_submission

log = logging.getLogger(__name__)


@dataclass
class BatchResult:
    graded: list[Verdict] = field(default_factory=list)
    failed: list[Verdict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0


def collected_students(root: Path, assignment: str) -> list[str]:
    """Students with a folder for ``assignment`` in submitted/."""
    submitted = Path(load_course_config(root).CourseDirectory.root) / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(p.name for p in submitted.iterdir() if (p / assignment).is_dir())


def check_assignment_known(root: Path, assignment: str) -> None:
    with Gradebook(load_course_config(root).CourseDirectory.db_url) as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            raise CourseError(f"{assignment!r} is not in the gradebook: run `course release {assignment}` first") from None


def autograde(
    *, root: Path, assignment: str, workers: int | None = None, students: list[str] | None = None,
    force: bool = False, progress: bool = True, unsafe: bool = False,
) -> BatchResult:
    """Grade the collected submissions of ``assignment`` (or only ``students``) with ``workers`` processes.

    Unless ``unsafe``, every kernel runs in the sandbox and the tests run in
    the grader; without a working sandbox nothing is graded.
    """
    check_assignment_known(root, assignment)
    if unsafe:
        log.warning("--unsafe: no sandbox, hidden tests run in the students' kernels, as in stock nbgrader")
    else:
        check_sandbox()
    executor = ResilientExecute if unsafe else SandboxedExecute
    todo = students or collected_students(root, assignment)
    missing = sorted(set(todo) - set(collected_students(root, assignment)))
    if missing:
        raise CourseError(f"no collected submission for {', '.join(missing)}")
    workers = max(1, workers or os.cpu_count() or 1)
    result = BatchResult()
    started = time.perf_counter()
    # A fork server that has imported the grader starts workers at once and without the parent's threads.
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["course.grading.worker"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=prepare_worker) as pool, tqdm(
        total=len(todo), unit="submission", disable=not progress, desc=f"autograde {assignment}"
    ) as bar:
        futures = {pool.submit(grade_submission, root, assignment, student, force, executor): student for student in todo}
        try:
            for future in as_completed(futures):
                record(result, futures[future], assignment, future)
                bar.update(1)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    result.seconds = time.perf_counter() - started
    return result


def prepare_worker() -> None:
    """Set up a worker process before it grades anything.

    Its kernels inherit one BLAS thread each, so N kernels share N cores
    without oversubscription. nbgrader's own SQLAlchemy and nbformat warnings
    say nothing about the students and would bury the progress bar.
    """
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    warnings.filterwarnings("ignore", module=r"nbgrader\..*|nbformat\..*|sqlalchemy\..*")


def record(result: BatchResult, student: str, assignment: str, future) -> None:
    """File one finished submission; a crash of the grader for it is that student's failure, not the batch's."""
    try:
        verdict = future.result()
    except Exception as error:  # the worker itself broke: keep going with the others
        verdict = Verdict(student, assignment, "", "failed", problems=[Problem("grader_error", f"{type(error).__name__}: {error}")])
    if verdict is None:
        result.skipped.append(student)
        log.info("%s: unchanged since last graded, skipped", student)
        return
    (result.graded if verdict.status == "graded" else result.failed).append(verdict)
    reasons = "; ".join(p.message for p in verdict.problems) or "no problems"
    log.info("%s: %s %.1f/%.1f in %.1fs (%s)", student, verdict.status, verdict.score, verdict.max_score, verdict.seconds, reasons)
