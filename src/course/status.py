"""``course status``: where an assignment stands, from release to feedback, and what went wrong.

An instructor coming back to a course wants one answer to "where are we?":
is the assignment released, who handed in, who was collected, graded (and is
that grade current), who got feedback, and which submissions failed and why.
Each fact is read from where nbgrader keeps it (release/ and the exchange's
outbound folder, the exchange's inbound folder and submitted/, the gradebook,
the verdict files, feedback/) so the answer is right even after stock
``nbgrader`` commands ran in between.
"""

from __future__ import annotations

import glob
import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from nbgrader.utils import parse_utc

from course.course_config import load_course_config, open_api
from course.errors import CourseError
from course.results import AssignmentResults, StudentResult, load_results, problem_text
from course.tables import render_table

if TYPE_CHECKING:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

log = logging.getLogger(__name__)


def exchange_submissions(api: NbGraderAPI, assignment: str) -> dict[str, dict]:
    """The latest exchange submission of each student (nbgrader's inbound listing), by student id."""
    if not api.exchange_is_functional:
        return {}
    lister = api.exchange.List(coursedir=api.coursedir, authenticator=api.authenticator, parent=api, inbound=True)
    return {
        group["student_id"]: group["submissions"][-1]
        for group in lister.start()
        if group["assignment_id"] == assignment
    }


def moment(timestamp: str | datetime) -> str:
    """A submission time (nbgrader's timestamp text or datetime) to the second, in UTC."""
    return f"{parse_utc(timestamp):%Y-%m-%d %H:%M:%S}"


def grade_text(student: StudentResult | None, current: bool, max_score: float) -> str:
    """The gradebook score (after any late penalty), 'failed', or why the grade is not to be trusted."""
    if student is None or not (student.submitted or student.failed):
        return "-"
    if student.failed:
        return "failed"
    text = f"{student.score:g}/{max_score:g}"
    if student.late_penalty:
        text += f" (late -{student.late_penalty:g})"
    return text if current else f"{text} (resubmitted)"  # the grade is of an earlier submission


def collected_text(api: NbGraderAPI, assignment: str, student: str, collected: set[str]) -> str:
    if student not in collected:
        return "-"
    timestamp = api.get_submitted_timestamp(assignment, student)
    return moment(timestamp) if timestamp else "yes (no timestamp)"


def release_rows(api: NbGraderAPI, assignment: str, results: AssignmentResults | None) -> list[tuple[str, str]]:
    coursedir = api.coursedir
    release = Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
    notebooks = sorted(p.name for p in release.glob("*.ipynb"))
    if not api.exchange_is_functional:
        exchange = "no exchange (its folder is missing)"
    else:
        exchange = "released" if assignment in api.get_released_assignments() else "not released"
    due = results.duedate if results is not None and results.duedate else "none"
    return [
        (f"{coursedir.release_directory}/{assignment}", ", ".join(notebooks) or "not generated"),
        ("exchange", exchange),
        ("due date", f"{due}"),
        ("gradebook", "knows the assignment" if results is not None else "does not know the assignment"),
    ]


def feedback_text(coursedir: CourseDirectory, assignment: str, student: str, submission: dict | None) -> str:
    """'released' when the exchange holds feedback for the latest submission, 'generated' when only feedback/ does."""
    if submission and submission["has_exchange_feedback"]:
        return "released"
    html_files = glob.glob(str(Path(coursedir.format_path(coursedir.feedback_directory, student, assignment)) / "*.html"))
    return "generated" if html_files else "-"


def pending_text(results: AssignmentResults, student: StudentResult | None) -> str:
    """How many written answers of a graded submission nobody has scored yet ('-' when nothing is graded)."""
    if student is None or not student.submitted:
        return "-"
    return str(len(results.pending(student)))


def status(*, root: Path, assignment: str, width: int | None = None) -> str:
    """Plain-text tables, ``width`` characters wide (default: the terminal's).

    The release; one row per student who handed in, was graded or failed, with
    the written answers still waiting for a grader; then what went wrong, per
    student, in a table of its own so that long messages do not squeeze the
    others.
    """
    api = open_api(load_course_config(root))
    try:
        results = load_results(root=root, assignment=assignment)
    except CourseError as error:  # not released yet: the rest can still be told
        log.info("%s", error)
        results = None
    graded = {s.student: s for s in results.students if s.submitted or s.verdict} if results else {}
    inbound = exchange_submissions(api, assignment)
    collected = set(api.get_submitted_students(assignment))
    current = api.get_autograded_students(assignment) if results else set()
    names = sorted(set(inbound) | collected | set(graded))
    rows = [
        (
            name,
            moment(inbound[name]["timestamp"]) if name in inbound else "-",
            collected_text(api, assignment, name, collected),
            grade_text(graded.get(name), name in current, results.max_score if results else 0),
            pending_text(results, graded.get(name)) if results else "-",
            feedback_text(api.coursedir, assignment, name, inbound.get(name)),
        )
        for name in names
    ]
    failed = sum(s.failed for s in graded.values())
    waiting = sum(bool(results.pending(s)) for s in graded.values()) if results else 0
    counts = (
        f"{len(inbound)} in the exchange, {len(collected)} collected, {len(current)} graded, {failed} failed, "
        f"{waiting} with written answers to grade"
    )
    columns = ["student", "submitted (exchange)", "collected", "graded", "written to grade", "feedback"]
    tables = [
        render_table(f"{assignment}: release", release_rows(api, assignment, results), width=width),
        render_table(f"{assignment}: students ({counts})", rows, columns, width=width),
    ]
    problems = [(name, problem_text(graded[name].problems)) for name in names if name in graded and graded[name].problems]
    if problems:
        tables.append(render_table(f"{assignment}: problems", problems, ["student", "problems"], width=width))
    return "\n".join(tables)
