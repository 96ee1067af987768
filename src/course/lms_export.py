"""Grade files an LMS imports as they are: Canvas's gradebook CSV and Moodle's grade import CSV.

Both files hold one grade per student, the score after the late penalty, and
identify each student the way the LMS matches rows, with the identifiers of
the roster (``course roster import``). What each importer reads was taken
from its source and documentation:

- **Canvas** (``GradebookImporter``): the header row must start with
  ``Student`` and ``ID``, and the column just before the assignments must be
  ``Section``; with ``SIS User ID`` and ``SIS Login ID`` between them, a row is
  matched on the Canvas user id, then the SIS user id, then the SIS login id,
  then the name (``Last, First`` or ``First Last``). A column headed
  ``Title (id)`` updates that assignment; an unknown title creates a new
  assignment. A row whose first cell is ``Points Possible`` sets the
  assignments' points. An empty grade changes nothing.
- **Moodle** (grade import, CSV): the instructor maps one column to a user
  field (``Email address`` to email, ``ID number`` to idnumber; email matching
  is case-sensitive, so emails are written exactly as the roster has them)
  and the grade column to the grade item; a feedback column, mapped to the
  item's feedback, replaces that feedback. A user that Moodle cannot find
  stops the whole import, and a row whose identifier is empty is not
  skipped: its grade goes to the student of the row before. So rows without
  the identifier the file is matched on are left out, and named.

Both importers read UTF-8 and tolerate a byte order mark (Moodle strips it,
Canvas finds ``Student`` inside the first header cell), so the files are
UTF-8 without one.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass
from pathlib import Path

from course.results import AssignmentResults, StudentResult
from course.roster import RosterEntry
from course.wording import named, plural

log = logging.getLogger(__name__)

CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_ROW = "Points Possible"
MOODLE_IDENTITY = ["First name", "Last name", "ID number", "Email address"]
MOODLE_MATCH = {"email": "Email address", "idnumber": "ID number"}  # --match-by -> the column Moodle maps on
MOODLE_FEEDBACK = "Feedback"


def points(value: float) -> str:
    """A score as both importers read it: a dot decimal, at most two places, no trailing zeros (57.6, 76)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Enrolled:
    """One student of the file: the grades and, when the roster has them, the LMS identifiers."""

    result: StudentResult
    entry: RosterEntry | None

    @property
    def first_name(self) -> str:
        return (self.entry.first_name if self.entry else "") or self.result.first_name or ""

    @property
    def last_name(self) -> str:
        return (self.entry.last_name if self.entry else "") or self.result.last_name or ""

    @property
    def email(self) -> str:
        return (self.entry.email if self.entry else "") or self.result.email or ""

    @property
    def sortable_name(self) -> str:
        """Canvas's "Last, First"; the course id when no name is known, so a person can match the row by hand."""
        names = [name for name in (self.last_name, self.first_name) if name]
        return ", ".join(names) or self.result.student


def enrolled(results: AssignmentResults, roster: dict[str, RosterEntry]) -> list[Enrolled]:
    """Everyone graded or enrolled: the gradebook's students, and roster students it lacks (no submission: 0)."""
    known = {s.student for s in results.students}
    extra = [StudentResult(student) for student in sorted(set(roster) - known)]
    return [Enrolled(s, roster.get(s.student)) for s in [*results.students, *extra]]


@dataclass(frozen=True)
class LmsFile:
    """An LMS import file written, and whom it could not identify as the LMS does."""

    path: Path
    not_in_roster: list[str]  # exported with nbgrader's names and emails only: to be matched by hand
    left_out: list[str]  # Moodle: no value of the identifier the file is matched on, so no row


def not_in_roster(students: list[Enrolled], roster: dict[str, RosterEntry]) -> list[str]:
    """The students the roster lacks; logged as a warning, saying what to do."""
    missing = [s.result.student for s in students if s.entry is None]
    if not missing:
        return missing
    who = plural(len(missing), "student")
    lead = f"no roster was imported (course roster import FILE): {who}" if not roster else f"{who} not in the roster,"
    log.warning("%s exported with nbgrader's names and emails only; match them by hand in the LMS: %s",
                lead, named(missing))
    return missing


def write_rows(output: Path, rows: list[list[str]]) -> Path:
    """``rows`` as CSV in UTF-8 (no byte order mark), creating the folder; returns ``output``."""
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return output


def write_canvas(results: AssignmentResults, roster: dict[str, RosterEntry], output: Path, *, column: str) -> LmsFile:
    """Canvas's gradebook import: identity columns, ``column`` (the assignment), and the Points Possible row."""
    students = enrolled(results, roster)
    rows = [[*CANVAS_IDENTITY, column], [CANVAS_POINTS_ROW, "", "", "", "", points(results.max_score)]]
    for s in students:
        entry = s.entry or RosterEntry(s.result.student)
        identity = [s.sortable_name, entry.lms_user_id, entry.sis_user_id, entry.sis_login_id, entry.section]
        rows.append([*identity, points(s.result.score)])
    return LmsFile(write_rows(output, rows), not_in_roster(students, roster), [])


def moodle_feedback(results: AssignmentResults, student: StudentResult) -> str:
    """One line the student may read: the score, how it splits, the late penalty, whether it is provisional.

    Nothing of the grader's own findings (problems, tampering flags) goes
    here: Moodle shows this text to the student.
    """
    if not student.submitted:
        return f"Not graded: 0/{points(results.max_score)}."
    parts = [f"{points(student.score)}/{points(results.max_score)}"]
    for autograded, label in ((True, "autograded"), (False, "written answers")):
        cells = [c for c in results.cells if c.autograded == autograded and c.max_score > 0]
        earned = sum(student.cell_scores.get(c.key) or 0.0 for c in cells)
        parts.append(f"{label} {points(earned)}/{points(sum(c.max_score for c in cells))}")
    text = f"{parts[0]} ({', '.join(parts[1:])})"
    if student.late_penalty:
        text += f", after a late penalty of {points(student.late_penalty)}"
    if pending := results.pending(student):
        text += f"; provisional: {plural(len(pending), 'written answer')} not graded yet"
    return text + "."


def write_moodle(
    results: AssignmentResults, roster: dict[str, RosterEntry], output: Path, *,
    column: str, match_by: str = "email", feedback: bool = False,
) -> LmsFile:
    """Moodle's grade import CSV: names, ID number, email, ``column`` (the grade), optionally a feedback line."""
    students = enrolled(results, roster)
    match = MOODLE_MATCH[match_by]
    header = [*MOODLE_IDENTITY, column, *([MOODLE_FEEDBACK] if feedback else [])]
    rows, unmatched = [header], []
    for s in students:
        values = dict(zip(MOODLE_IDENTITY, [s.first_name, s.last_name, s.entry.id_number if s.entry else "", s.email]))
        if not values[match]:
            unmatched.append(s.result.student)
            continue
        rows.append([*values.values(), points(s.result.score), *([moodle_feedback(results, s.result)] if feedback else [])])
    unknown = not_in_roster(students, roster)
    if unmatched:
        log.warning(
            "%s left out: no %s to match them on in Moodle (its import gives an empty row's grade "
            "to the row before): %s", plural(len(unmatched), "student"), match, named(unmatched),
        )
    return LmsFile(write_rows(output, rows), unknown, unmatched)
