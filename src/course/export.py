"""``course export``: the grades CSV (nbgrader's columns, then one per grade cell), or a file for an LMS.

``--format csv`` (the default) writes the per-cell file. Its first columns
are exactly those of ``nbgrader export`` (``CsvExportPlugin``), with the same
values, so a spreadsheet or LMS import built for stock nbgrader keeps
working; ``score`` is after the late penalty autograde stored. Then
``written_pending`` (written answers nobody has scored yet), the per-cell
columns (grade ids, in notebook order; scores before the penalty, empty
while a written answer awaits its grader; cells worth 0 points, such as the
grader's oracle cell, are left out) and the problems found. A student whose
submission could not be graded at all has no gradebook entry but still gets
a row: zero, with the reason.

``--format canvas`` and ``--format moodle`` write one grade per student for
the LMS's own import (``course.lms_export``). A grade with written answers
still pending is the current score, a provisional one: the file can be
imported at once and imported again after manual grading, which replaces it.
Every format warns which students still have written answers to grade.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from course.course_config import course_file, load_course_config
from course.errors import BadOption
from course.lms_export import MOODLE_MATCH, write_canvas, write_moodle, write_rows
from course.results import AssignmentResults, GradeCell, StudentResult, load_results, problem_text
from course.roster import load_roster
from course.wording import named, plural

log = logging.getLogger(__name__)

NBGRADER_COLUMNS = [
    "assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
    "raw_score", "late_submission_penalty", "score", "max_score",
]
PENDING_COLUMN = "written_pending"
FORMATS = ("csv", "canvas", "moodle")


@dataclass(frozen=True)
class ExportResult:
    """The file written, and what its reader should know: provisional grades, students not identified."""

    path: Path
    file_format: str
    pending: dict[str, int]  # student -> written answers not graded yet: their grade is provisional
    not_in_roster: list[str] = field(default_factory=list)  # canvas, moodle: to be matched by hand in the LMS
    left_out: list[str] = field(default_factory=list)  # moodle: no row, for want of the identifier matched on


def cell_column(cell: GradeCell, notebooks: int) -> str:
    """The grade id, prefixed with the notebook when the assignment has several (ids are unique per notebook)."""
    return cell.grade_id if notebooks == 1 else f"{cell.notebook}:{cell.grade_id}"


def text(value: object) -> str:
    """A value as ``CsvExportPlugin`` writes it: ``str()``, and nothing for ``None``."""
    return "" if value is None else str(value)


def graded_cells(results: AssignmentResults) -> list[GradeCell]:
    """The cells that carry points (a 0-point cell, such as the grader's oracles, says nothing about a student)."""
    return [cell for cell in results.cells if cell.max_score > 0]


def row(results: AssignmentResults, student: StudentResult) -> list[str]:
    nbgrader = [
        results.assignment, results.duedate, student.timestamp, student.student,
        student.last_name, student.first_name, student.email,
        student.raw_score, student.late_penalty, student.score, results.max_score,
    ]
    default = None if student.submitted else 0.0  # no submission: zero everywhere, as nbgrader's columns say
    cells = [student.cell_scores.get(cell.key, default) for cell in graded_cells(results)]
    pending = len(results.pending(student))
    return [text(value) for value in [*nbgrader, pending, *cells, problem_text(student.problems)]]


def write_cells_csv(results: AssignmentResults, output: Path) -> Path:
    cells = graded_cells(results)
    notebooks = len({cell.notebook for cell in cells})
    header = [*NBGRADER_COLUMNS, PENDING_COLUMN, *(cell_column(cell, notebooks) for cell in cells), "problems"]
    log.info("%d students, %d grade cells -> %s", len(results.students), len(cells), output)
    return write_rows(output, [header, *(row(results, student) for student in results.students)])


def pending_warning(results: AssignmentResults) -> str | None:
    """How many written answers wait for a grader, for whom, or None when every one is graded."""
    waiting = results.pending_answers()
    if not waiting:
        return None
    listed = named([f"{student} ({count})" for student, count in waiting.items()], "`course status --all` shows each")
    return (
        f"{plural(sum(waiting.values()), 'written answer')} still to grade, for {plural(len(waiting), 'student')}; "
        f"their grades are provisional (the current score) until graded in the Formgrader and exported again: {listed}"
    )


def export(
    *, root: Path, assignment: str, output: Path | None = None, file_format: str = "csv",
    lms_column: str | None = None, match_by: str = "email", feedback_column: bool = False, db_url: str | None = None,
) -> ExportResult:
    """Write ``output`` in ``file_format``.

    The default path is ``<root>/grades-<assignment>.csv``, or
    ``grades-<assignment>-<format>.csv`` for an LMS. ``lms_column`` heads the
    grade column (default: the assignment id; for Canvas best
    ``"Title (assignment id)"``). ``match_by`` (Moodle) is the identifier
    every row must have; ``feedback_column`` (Moodle) adds a one-line summary.
    """
    if file_format not in FORMATS:
        raise BadOption(f"unknown export format {file_format!r}: use one of {', '.join(FORMATS)}")
    if match_by not in MOODLE_MATCH:
        raise BadOption(f"unknown --match-by {match_by!r}: use one of {', '.join(MOODLE_MATCH)}")
    if file_format != "moodle" and (feedback_column or match_by != "email"):
        raise BadOption("--feedback-column and --match-by are for --format moodle")
    if file_format == "csv" and lms_column:
        raise BadOption("--lms-column is for --format canvas or moodle")
    results = load_results(root=root, assignment=assignment, db_url=db_url)
    suffix = "" if file_format == "csv" else f"-{file_format}"
    output = output or course_file(load_course_config(root, db_url=db_url), f"grades-{assignment}{suffix}.csv")
    if warning := pending_warning(results):
        log.warning("%s", warning)
    pending = results.pending_answers()
    if file_format == "csv":
        return ExportResult(write_cells_csv(results, output), file_format, pending)
    column, roster = lms_column or assignment, load_roster(root)
    if file_format == "canvas":
        written = write_canvas(results, roster, output, column=column)
    else:
        written = write_moodle(results, roster, output, column=column, match_by=match_by, feedback=feedback_column)
    return ExportResult(written.path, file_format, pending, written.not_in_roster, written.left_out)
