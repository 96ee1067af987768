"""``course autograde``: every collected submission, graded in parallel, resumably.

Each submission is graded by nbgrader's own ``Autograde`` converter in a
worker process (one per core by default, or the workers of a Dask cluster:
``course.grading.runners``), so scores are computed the way
stock ``nbgrader autograde`` computes them. What this adds: a sandbox for
every student kernel and test cells that run in the grader, not in the
student's kernel (``course.grading.trusted_tests``); parallelism with a
progress bar; grading only what is new or changed; a verdict per submission
that says what was wrong; and a batch that never stops for one bad notebook.
"""

from __future__ import annotations

import logging
import os
import time
from concurrent.futures import Future
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from tqdm import tqdm

from course.course_config import load_course_config
from course.errors import CourseError
from course.grading.preprocessors import ResilientExecute, SandboxedExecute
from course.grading.runners import GradingProcessKilled, dask_cluster, local_pool
from course.grading.sandbox import check_sandbox
from course.grading.verdicts import Problem, Verdict
from course.grading.worker import fail_submission

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
    force: bool = False, progress: bool = True, unsafe: bool = False, scheduler: str | None = None,
) -> BatchResult:
    """Grade the collected submissions of ``assignment`` (or only ``students``).

    The work goes to ``workers`` local processes, or to the Dask cluster whose
    scheduler is at ``scheduler``. Unless ``unsafe``, every kernel runs in the
    sandbox and the tests run in the grader; without a working sandbox (on
    every worker) nothing is graded.
    """
    root = root.resolve()
    check_assignment_known(root, assignment)
    if unsafe:
        log.warning("--unsafe: no sandbox, hidden tests run in the students' kernels, as in stock nbgrader")
    elif scheduler is None:
        check_sandbox()
    executor = ResilientExecute if unsafe else SandboxedExecute
    todo = students or collected_students(root, assignment)
    missing = sorted(set(todo) - set(collected_students(root, assignment)))
    if missing:
        raise CourseError(f"no collected submission for {', '.join(missing)}")
    # Every grader writes to the gradebook this batch was started with.
    db_url = load_course_config(root).CourseDirectory.db_url
    result = BatchResult()
    started = time.perf_counter()
    runner = dask_cluster(scheduler, root, sandbox=not unsafe) if scheduler else local_pool(max(1, workers or os.cpu_count() or 1))
    jobs = {student: (root, assignment, student, force, executor, db_url) for student in todo}
    with runner as grade, tqdm(total=len(todo), unit="submission", disable=not progress, desc=f"autograde {assignment}") as bar:
        # closing(): on Ctrl-C the runner cancels what has not started before the error goes on
        with closing(grade(jobs)) as finished:
            for student, future in finished:
                record(result, student, assignment, outcome(future, *jobs[student]))
                bar.update(1)
    result.seconds = time.perf_counter() - started
    return result


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
