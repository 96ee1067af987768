"""``course autograde``: every collected submission, graded in parallel, resumably.

Each submission is graded by nbgrader's own ``Autograde`` converter in a
worker process (one per core by default, or the workers of a Dask cluster:
``course.grading.runners``), so scores are computed the way
stock ``nbgrader autograde`` computes them. What this adds: a sandbox for
every student kernel and test cells that run in the grader, not in the
student's kernel (``course.grading.trusted_tests``); parallelism with a
progress bar; grading only what is new or changed; a verdict per submission
that says what was wrong; and a batch that never stops for one bad notebook.

A batch told to stop (Ctrl-C, SIGTERM, SIGHUP: ``course.errors.Interrupted``)
stops at once: nothing more is started, the local graders and their kernels
are killed, the submissions being graded are left ungraded (never failed),
and the grades already finished stay. ``BatchInterrupted`` carries what the
batch did up to then; the next run grades the rest.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from concurrent.futures import Future
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm
from traitlets.config import Config

from course.course_config import course_directory, load_course_config
from course.errors import CourseError, Interrupted
from course.grading.preprocessors import ResilientExecute, SandboxedExecute, check_sandbox_for
from course.grading.runners import GradingProcessKilled, Runner, dask_cluster, local_pool
from course.grading.verdicts import Problem, Verdict
from course.grading.worker import fail_submission, settle_stopped
from course.results import students_in_step

log = logging.getLogger(__name__)


@dataclass
class BatchResult:
    """What one batch did, student by student: the summary ``course autograde`` ends with."""

    assignment: str = ""
    graded: list[Verdict] = field(default_factory=list)
    failed: list[Verdict] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # unchanged since last graded
    interrupted: list[str] = field(default_factory=list)  # being graded when the batch stopped: left ungraded
    not_started: list[str] = field(default_factory=list)  # still queued when the batch stopped
    stopped_by: int | None = None  # the signal that stopped the batch
    seconds: float = 0.0


class BatchInterrupted(Interrupted):
    """The batch was stopped by a signal; ``result`` holds what it did before."""

    def __init__(self, signum: int, result: BatchResult) -> None:
        super().__init__(signum)
        self.result = result


def collected_students(config: Config, assignment: str) -> list[str]:
    """Students with a folder for ``assignment`` in submitted/ (as configured: ``CourseDirectory.submitted_directory``)."""
    return students_in_step(course_directory(config), "submitted", assignment)


def autograde(
    *, root: Path, assignment: str, workers: int | None = None, students: list[str] | None = None,
    force: bool = False, progress: bool = True, unsafe: bool = False, scheduler: str | None = None,
    db_url: str | None = None,
) -> BatchResult:
    """Grade the collected submissions of ``assignment`` (or only ``students``).

    The work goes to ``workers`` local processes, or to the Dask cluster whose
    scheduler is at ``scheduler``. Unless ``unsafe``, every kernel runs in the
    sandbox and the tests run in the grader; without a working sandbox (on
    every worker) nothing is graded. The gradebook is ``db_url``, else the
    config's. ``course.known.check_assignment`` is the caller's to run first
    (``cli.main`` does, for every command).
    """
    root = root.resolve()
    config = load_course_config(root, db_url=db_url)
    if unsafe:
        log.warning("--unsafe: no sandbox, hidden tests run in the students' kernels, as in stock nbgrader")
    elif scheduler is None:
        check_sandbox_for(config)
    executor = ResilientExecute if unsafe else SandboxedExecute
    collected = collected_students(config, assignment)
    if not collected:
        raise CourseError(f"no submission of {assignment!r} is collected yet: run `course collect {assignment}` first")
    todo = students or collected
    missing = sorted(set(todo) - set(collected))
    if missing:
        raise CourseError(f"no collected submission for {', '.join(missing)}")
    # Every grader writes to the gradebook this batch was started with.
    db_url = config.CourseDirectory.db_url
    result = BatchResult(assignment)
    started = time.perf_counter()
    runner = dask_cluster(scheduler, root, sandbox=not unsafe) if scheduler else local_pool(max(1, workers or os.cpu_count() or 1))
    jobs = {student: (root, assignment, student, force, executor, db_url) for student in todo}
    grader: Runner | None = None
    try:
        with runner as grader, tqdm(total=len(todo), unit="submission", disable=not progress, desc=f"autograde {assignment}") as bar:
            try:
                # closing(): when the loop stops early, the runner stops its work before the error goes on
                with closing(grader.grade(jobs)) as finished:
                    for student, future in finished:
                        record(result, student, assignment, outcome(future, *jobs[student]))
                        bar.update(1)
            finally:
                result.seconds = time.perf_counter() - started
    except KeyboardInterrupt as stop:
        result.stopped_by = getattr(stop, "signum", signal.SIGINT)
        settle(result, todo, grader.begun() if grader else set(), root, executor, db_url)
        raise BatchInterrupted(result.stopped_by, result) from None
    return result


def settle(result: BatchResult, todo: list[str], begun: set[str], root: Path, executor: type, db_url: str) -> None:
    """After a stop, file each student the batch has not reported: finished after all, interrupted, or not started."""
    reported = {v.student for v in result.graded + result.failed} | set(result.skipped)
    for student in [s for s in todo if s not in reported]:
        if student not in begun:
            result.not_started.append(student)
        elif (verdict := settle_stopped(root, result.assignment, student, executor, db_url)) is not None:
            record(result, student, result.assignment, verdict)  # it had just finished: its grade stays
        else:
            result.interrupted.append(student)


def outcome(future: Future, root: Path, assignment: str, student: str, force: bool, executor: type, db_url: str) -> Verdict | None:
    """What the grading of one submission came to; a crash of the grader for it is that student's failure, not the batch's."""
    try:
        return future.result()
    except GradingProcessKilled as error:  # no grader is left to write it: the failure is recorded here
        return fail_submission(root, assignment, student, executor, db_url, Problem("grader_killed", str(error)))
    except Exception as error:  # the worker itself broke: keep going with the others
        return Verdict(student, assignment, "", "failed", problems=[Problem("grader_error", f"{type(error).__name__}: {error}")])


def record(result: BatchResult, student: str, assignment: str, verdict: Verdict | None) -> None:
    """File one finished submission: skipped (``None``), graded or failed."""
    if verdict is None:
        result.skipped.append(student)
        log.info("%s: unchanged since last graded, skipped", student)
        return
    (result.graded if verdict.status == "graded" else result.failed).append(verdict)
    reasons = "; ".join(p.message for p in verdict.problems) or "no problems"
    log.info("%s: %s %.1f/%.1f in %.1fs (%s)", student, verdict.status, verdict.score, verdict.max_score, verdict.seconds, reasons)
