"""``course export``: the grades CSV, nbgrader's columns first, then one per grade cell, then problems.

The first columns are exactly those of ``nbgrader export`` (``CsvExportPlugin``),
with the same values, so a spreadsheet or LMS import built for stock nbgrader
keeps working; ``score`` is after the late penalty autograde stored. The
per-cell columns (grade ids, in notebook order; scores before the penalty,
empty while a written answer awaits its grader) show where each student lost
points, and the last column says what was wrong with the submission. A
student whose submission could not be graded at all has no gradebook entry
but still gets a row: zero, with the reason.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

from course.results import AssignmentResults, GradeCell, StudentResult, load_results, problem_text

log = logging.getLogger(__name__)

NBGRADER_COLUMNS = [
    "assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
    "raw_score", "late_submission_penalty", "score", "max_score",
]


def cell_column(cell: GradeCell, notebooks: int) -> str:
    """The grade id, prefixed with the notebook when the assignment has several (ids are unique per notebook)."""
    return cell.grade_id if notebooks == 1 else f"{cell.notebook}:{cell.grade_id}"


def text(value: object) -> str:
    """A value as ``CsvExportPlugin`` writes it: ``str()``, and nothing for ``None``."""
    return "" if value is None else str(value)


def row(results: AssignmentResults, student: StudentResult) -> list[str]:
    nbgrader = [
        results.assignment, results.duedate, student.timestamp, student.student,
        student.last_name, student.first_name, student.email,
        student.raw_score, student.late_penalty, student.score, results.max_score,
    ]
    default = None if student.submitted else 0.0  # no submission: zero everywhere, as nbgrader's columns say
    cells = [student.cell_scores.get(cell.key, default) for cell in results.cells]
    return [text(value) for value in [*nbgrader, *cells, problem_text(student.problems)]]


def export(*, root: Path, assignment: str, output: Path | None = None) -> Path:
    """Write ``output`` (default ``<root>/grades-<assignment>.csv``) and return its path."""
    results = load_results(root=root, assignment=assignment)
    output = output or root / f"grades-{assignment}.csv"
    notebooks = len({cell.notebook for cell in results.cells})
    header = [*NBGRADER_COLUMNS, *(cell_column(cell, notebooks) for cell in results.cells), "problems"]
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(row(results, student) for student in results.students)
    log.info("%d students, %d grade cells -> %s", len(results.students), len(results.cells), output)
    return output
