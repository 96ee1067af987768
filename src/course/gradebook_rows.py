"""A submitted notebook's grades or comments, or a whole class's scores, read in one query each.

nbgrader's ORM loads each grade's cell, maximum score and cell type lazily:
a page that shows every cell's grade asks the gradebook once per attribute
per cell, and a class's export asks once per submission, notebook and grade
(57,000 loads for a class of 1000). Asking for the rows with all of that at
once is one query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from nbgrader.api import (
    Assignment, BaseCell, Comment, Grade, Gradebook, Notebook, SubmittedAssignment, SubmittedNotebook,
)
from sqlalchemy import select
from sqlalchemy.orm import joinedload, undefer


def submission_rows(gradebook: Gradebook, table: type[Grade] | type[Comment], notebook: SubmittedNotebook) -> dict[str, Grade | Comment]:
    """``notebook``'s rows of ``table`` (``Grade`` or ``Comment``) by cell name, everything nbgrader computes loaded."""
    rows = (
        gradebook.db.query(table).options(joinedload(table.cell), undefer("*")).filter(table.notebook_id == notebook.id)
    )
    return {row.name: row for row in rows}


@dataclass(frozen=True)
class SubmissionScores:
    """One student's submission of an assignment as nbgrader computes it: cell scores are ``None`` until graded."""

    timestamp: datetime | None
    seconds_late: float  # past the due date and the student's extension: nbgrader's ``total_seconds_late``
    raw_score: float
    late_penalty: float
    cell_scores: dict[tuple[str, str], float | None]  # by (notebook, grade id)


def assignment_scores(gradebook: Gradebook, assignment: Assignment) -> dict[str, SubmissionScores]:
    """Every submission of ``assignment`` by student id, in two queries whatever the size of the class.

    The scores are nbgrader's own column expressions (``SubmittedAssignment.score``,
    ``late_submission_penalty``, ``Grade.score``), so they are what its export computes.
    """
    submissions = gradebook.db.execute(
        select(SubmittedAssignment.student_id, SubmittedAssignment.timestamp, SubmittedAssignment.extension,
               SubmittedAssignment.score, SubmittedAssignment.late_submission_penalty)
        .where(SubmittedAssignment.assignment_id == assignment.id)
    )
    cells: dict[str, dict[tuple[str, str], float | None]] = {}
    grades = gradebook.db.execute(
        select(SubmittedAssignment.student_id, Notebook.name, BaseCell.name, Grade.auto_score, Grade.manual_score, Grade.score)
        .select_from(Grade)
        .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
        .join(SubmittedAssignment, SubmittedNotebook.assignment_id == SubmittedAssignment.id)
        .join(Notebook, SubmittedNotebook.notebook_id == Notebook.id)
        .join(BaseCell, Grade.cell_id == BaseCell.id)
        .where(SubmittedAssignment.assignment_id == assignment.id)
    )
    for student, notebook, cell, auto_score, manual_score, score in grades:
        cells.setdefault(student, {})[notebook, cell] = None if auto_score is None and manual_score is None else score
    return {
        student: SubmissionScores(timestamp, seconds_late(timestamp, assignment.duedate, extension), score, penalty,
                                  cells.get(student, {}))
        for student, timestamp, extension, score, penalty in submissions
    }


def seconds_late(timestamp: datetime | None, duedate: datetime | None, extension: timedelta | None) -> float:
    """``SubmittedAssignment.total_seconds_late``, from the columns it is computed from, without loading the row."""
    if timestamp is None or duedate is None:
        return 0.0
    return max(0.0, (timestamp - (duedate if extension is None else duedate + extension)).total_seconds())
