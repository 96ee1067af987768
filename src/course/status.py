"""``course status``: where an assignment stands, from release to feedback, and what went wrong.

An instructor coming back to a course wants one answer to "where are we?":
is the assignment released, who handed in, who was collected, graded (and is
that grade current), who got feedback, and which submissions failed and why.
Each fact is read from where nbgrader keeps it (release/ and the exchange's
outbound folder, the exchange's inbound folder and submitted/, the gradebook,
the verdict files, feedback/) so the answer is right even after stock
``nbgrader`` commands ran in between. The answer is data (``ClassStatus``);
the CLI draws the tables.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from nbgrader.utils import parse_utc

from course.course_config import load_course_config, open_api, step_directory, step_folder
from course.errors import NotReleased
from course.grading.verdicts import Problem
from course.results import AssignmentResults, StudentResult, load_results

if TYPE_CHECKING:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

log = logging.getLogger(__name__)


class Exchange(enum.Enum):
    """Where the assignment stands in nbgrader's exchange."""

    RELEASED = "released"
    NOT_RELEASED = "not released"
    MISSING = "missing"  # no exchange: its folder is missing


class Feedback(enum.Enum):
    """How far a student's feedback got."""

    NONE = "none"
    GENERATED = "generated"  # in feedback/ only
    RELEASED = "released"  # the exchange holds feedback for the latest submission


@dataclass(frozen=True)
class ReleaseStatus:
    """The assignment's release: the student version, the exchange, the due date, the gradebook."""

    folder: str  # the release folder as configured, relative to the course: "release/<assignment>"
    notebooks: list[str]  # generated notebooks (none: not generated)
    exchange: Exchange
    due: datetime | None
    in_gradebook: bool


@dataclass(frozen=True)
class StudentStatus:
    """One student from hand-in to feedback; ``None`` where the step has not happened."""

    student: str
    submitted: datetime | None  # the latest submission in the exchange
    collected: bool
    collected_at: datetime | None  # the collected submission's time (None also when it has no timestamp)
    result: StudentResult | None  # gradebook and verdict: graded, failed, or neither
    current: bool  # graded from the submission now collected (False: resubmitted since)
    pending: int | None  # written answers of a graded submission nobody has scored yet
    feedback: Feedback

    @property
    def graded(self) -> bool:
        return self.result is not None and self.result.submitted

    @property
    def failed(self) -> bool:
        return self.result is not None and self.result.failed


@dataclass(frozen=True)
class ClassStatus:
    """Where ``assignment`` stands, student by student."""

    assignment: str
    release: ReleaseStatus
    max_score: float
    students: list[StudentStatus]  # everyone who handed in, was collected, graded or failed, by id
    in_exchange: int
    collected: int
    graded: int  # currently graded (nbgrader's autograded students)
    problems: dict[str, list[Problem]] = field(default_factory=dict)  # student -> what went wrong

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.students)

    @property
    def waiting(self) -> int:
        """Students with written answers to grade."""
        return sum(bool(s.pending) for s in self.students)


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


def release_status(api: NbGraderAPI, assignment: str, results: AssignmentResults | None) -> ReleaseStatus:
    coursedir = api.coursedir
    notebooks = sorted(p.name for p in step_folder(coursedir, "release", ".", assignment).glob("*.ipynb"))
    if not api.exchange_is_functional:
        exchange = Exchange.MISSING
    else:
        exchange = Exchange.RELEASED if assignment in api.get_released_assignments() else Exchange.NOT_RELEASED
    return ReleaseStatus(
        f"{step_directory(coursedir, 'release')}/{assignment}", notebooks, exchange,
        results.duedate if results is not None else None, results is not None,
    )


def feedback_state(coursedir: CourseDirectory, assignment: str, student: str, submission: dict | None) -> Feedback:
    if submission and submission["has_exchange_feedback"]:
        return Feedback.RELEASED
    generated = any(step_folder(coursedir, "feedback", student, assignment).glob("*.html"))
    return Feedback.GENERATED if generated else Feedback.NONE


def student_status(api: NbGraderAPI, assignment: str, name: str, *, inbound: dict[str, dict], collected: set[str],
                   current: set[str], results: AssignmentResults | None, result: StudentResult | None) -> StudentStatus:
    timestamp = api.get_submitted_timestamp(assignment, name) if name in collected else None
    return StudentStatus(
        student=name,
        submitted=parse_utc(inbound[name]["timestamp"]) if name in inbound else None,
        collected=name in collected,
        collected_at=parse_utc(timestamp) if timestamp else None,
        result=result,
        current=name in current,
        pending=len(results.pending(result)) if results is not None and result is not None and result.submitted else None,
        feedback=feedback_state(api.coursedir, assignment, name, inbound.get(name)),
    )


def status(*, root: Path, assignment: str, db_url: str | None = None) -> ClassStatus:
    """Where ``assignment`` stands: the release, and one entry per student who handed in, was graded or failed."""
    api = open_api(load_course_config(root, db_url=db_url))
    try:
        results = load_results(root=root, assignment=assignment, db_url=db_url)
    except NotReleased as error:  # not released yet: the rest can still be told
        log.info("%s", error)
        results = None
    graded = {s.student: s for s in results.students if s.submitted or s.verdict} if results else {}
    inbound = exchange_submissions(api, assignment)
    collected = set(api.get_submitted_students(assignment))
    current = set(api.get_autograded_students(assignment)) if results else set()
    names = sorted(set(inbound) | collected | set(graded))
    students = [
        student_status(api, assignment, name, inbound=inbound, collected=collected, current=current,
                       results=results, result=graded.get(name))
        for name in names
    ]
    return ClassStatus(
        assignment, release_status(api, assignment, results), results.max_score if results else 0, students,
        len(inbound), len(collected), len(current),
        {name: graded[name].problems for name in names if name in graded and graded[name].problems},
    )
