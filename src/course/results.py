"""How every student did on an assignment: the gradebook, the verdicts and the source, read once.

Export, report and status all need the same joined view: nbgrader's gradebook
(scores, late penalties, one grade per cell), the verdict the grading engine
left beside each autograded notebook (what was wrong with the submission, how
long grading took) and the source notebook (which grade cells exist, in what
order). Building it in one place keeps the CSV, the report and the status
table in agreement.
"""

from __future__ import annotations

import glob
import logging
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.api import GradeCell as GradeCellRow
from nbgrader.api import Gradebook, MissingEntry, Student, TaskCell
from nbgrader.coursedir import CourseDirectory

from course.cells import grade_id
from course.course_config import course_directory, load_course_config, notebook_file, step_directory, step_folder
from course.errors import NotReleased
from course.gradebook_rows import SubmissionScores, assignment_scores
from course.grading.verdicts import Problem, Verdict, read_verdict

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GradeCell:
    """One graded cell of the assignment; ``key`` (notebook, grade id) is unique across notebooks."""

    notebook: str
    grade_id: str
    max_score: float
    autograded: bool  # a code cell, scored by autograde; otherwise written work graded by hand

    @property
    def key(self) -> tuple[str, str]:
        return (self.notebook, self.grade_id)


@dataclass(frozen=True)
class StudentResult:
    """One student: the gradebook's numbers (zero when nothing is there) and the verdict, if any."""

    student: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    submitted: bool = False  # has a submission in the gradebook
    timestamp: datetime | None = None
    seconds_late: float = 0.0  # nbgrader's, extensions included
    raw_score: float = 0.0
    late_penalty: float = 0.0
    cell_scores: dict[tuple[str, str], float | None] = field(default_factory=dict)  # None: not graded yet
    verdict: Verdict | None = None

    @property
    def score(self) -> float:
        """The score after the late penalty, as nbgrader's CSV export computes it."""
        return max(0.0, self.raw_score - self.late_penalty)

    @property
    def failed(self) -> bool:
        return self.verdict is not None and self.verdict.status == "failed"

    @property
    def problems(self) -> list[Problem]:
        if self.verdict is None:
            return []
        if self.failed and not self.verdict.problems:
            return [Problem("failed", "nothing could be graded")]
        return self.verdict.problems


@dataclass(frozen=True)
class AssignmentResults:
    """The whole class on one assignment: every gradebook student, plus anyone with only a verdict."""

    assignment: str
    duedate: datetime | None
    max_score: float
    cells: list[GradeCell]  # in notebook order
    students: list[StudentResult]  # by student id
    source: dict[str, NotebookNode]  # source notebook by name

    @property
    def graded(self) -> list[StudentResult]:
        return [s for s in self.students if s.submitted]

    @property
    def with_problems(self) -> list[StudentResult]:
        return [s for s in self.students if s.problems]

    def pending(self, student: StudentResult) -> list[GradeCell]:
        """Written answers of a graded submission that nobody has scored yet: points still open, not lost."""
        if not student.submitted:
            return []
        return [cell for cell in self.cells if not cell.autograded and student.cell_scores.get(cell.key) is None]

    def pending_answers(self) -> dict[str, int]:
        """The students with written answers nobody has scored yet, and how many each has."""
        return {s.student: count for s in self.students if (count := len(self.pending(s)))}


def problem_text(problems: list[Problem]) -> str:
    """One line for a CSV cell or a table row."""
    return "; ".join(f"{p.message} ({p.code})" for p in problems)


def students_in_step(coursedir: CourseDirectory, step: str, assignment: str) -> list[str]:
    """Students with a folder for ``assignment`` at nbgrader's ``step`` ("submitted", "autograded", ...).

    ``step`` is the step, not its folder name (``course_config.step_directory``);
    the folders are parsed the way nbgrader parses them.
    """
    folder = step_directory(coursedir, step)
    regex = re.compile(coursedir.format_path(folder, "(?P<student>[^/]+)", assignment, escape=True) + "$")
    matches = (regex.match(path) for path in glob.glob(str(step_folder(coursedir, step, "*", assignment))))
    return sorted(m["student"] for m in matches if m and Path(m.string).is_dir())


def source_notebooks(coursedir: CourseDirectory, assignment: str, names: list[str]) -> dict[str, NotebookNode]:
    """The source notebooks of ``assignment`` that exist, by name (they give the cells' order)."""
    notebooks = {}
    for name in names:
        path = notebook_file(coursedir, "source", name, assignment=assignment)
        if path.is_file():
            notebooks[name] = nbformat.read(path, as_version=4)
        else:
            log.warning("no source notebook %s: grade cells in gradebook order", path)
    return notebooks


def ordered_cells(gradebook: Gradebook, assignment: str, source: dict[str, NotebookNode]) -> list[GradeCell]:
    """The gradebook's grade cells, in the order of the source notebook (unknown ones last)."""
    cells = []
    for notebook in gradebook.find_assignment(assignment).notebooks:
        order = [grade_id(c) for c in source[notebook.name].cells] if notebook.name in source else []
        position = {name: index for index, name in enumerate(order)}
        # Queried per cell type, each cell arrives whole; through the notebook, each cell's score is one more query.
        found = [cell for kind in (GradeCellRow, TaskCell) for cell in gradebook.db.query(kind).filter_by(notebook_id=notebook.id)]
        graded = sorted(found, key=lambda c: position.get(c.name, len(order)))
        cells += [GradeCell(notebook.name, c.name, c.max_score, c.cell_type == "code") for c in graded]
    return cells


def load_results(*, root: Path, assignment: str, db_url: str | None = None) -> AssignmentResults:
    """Everything known about ``assignment``; ``NotReleased`` when the gradebook does not know it."""
    coursedir = course_directory(load_course_config(root, db_url=db_url))
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        try:
            db_assignment = gradebook.find_assignment(assignment)
        except MissingEntry:
            raise NotReleased(
                f"{assignment!r} is not in the gradebook {coursedir.db_url}: "
                f"release it first (course release {assignment})", assignment,
            ) from None
        source = source_notebooks(coursedir, assignment, [nb.name for nb in db_assignment.notebooks])
        cells = ordered_cells(gradebook, assignment, source)
        submissions = assignment_scores(gradebook, db_assignment)
        students = {s.id: student_result(s, submissions.get(s.id)) for s in gradebook.students}
        duedate, max_score = db_assignment.duedate, db_assignment.max_score
    for student in students_in_step(coursedir, "autograded", assignment):
        verdict = read_verdict(step_folder(coursedir, "autograded", student, assignment))
        if verdict is not None:
            students[student] = replace(students.get(student, StudentResult(student)), verdict=verdict)
    ordered = sorted(students.values(), key=lambda s: s.student)
    return AssignmentResults(assignment, duedate, max_score, cells, ordered, source)


def student_result(student: Student, submission: SubmissionScores | None) -> StudentResult:
    """What the gradebook holds for ``student``: zeros without a submission."""
    names = dict(first_name=student.first_name, last_name=student.last_name, email=student.email)
    if submission is None:
        return StudentResult(student.id, **names)
    return StudentResult(
        student.id, **names, submitted=True, timestamp=submission.timestamp, seconds_late=submission.seconds_late,
        raw_score=submission.raw_score, late_penalty=submission.late_penalty, cell_scores=submission.cell_scores,
    )
