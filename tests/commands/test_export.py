"""``course export``: the per-cell CSV, and the Canvas and Moodle import files, checked against their formats.

The Canvas checks are those its importer (``GradebookImporter``) makes of a
file: the first header cells contain ``Student`` and ``ID``, the last
identity column is ``Section``, a ``Points Possible`` row, then one row per
student. The Moodle checks follow its grade import: every row carries the
identifier the instructor maps on, grades are numbers with a dot decimal.
"""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course.cells import grade_id, nbgrader_meta
from course.errors import BadOption, NotReleased
from course.export import NBGRADER_COLUMNS, PENDING_COLUMN, export
from course.lms_export import CANVAS_IDENTITY, MOODLE_IDENTITY, points
from course.roster import RosterEntry, roster_path, save_roster
from tests.commands.graded_course import (
    ASSIGNMENT, EXTRA_FILE_PROBLEM, LATE_STUDENT, MISSING_NOTEBOOK_PROBLEM, WRITTEN_ANSWER,
)
from tests.coursedir import db_url, run_tool, tool_env

pytest_plugins = ["tests.commands.graded_course"]
pytestmark = pytest.mark.slow


def read_csv(path: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), {row["student_id"]: row for row in reader}


@pytest.fixture(scope="module")
def exported(graded_course) -> tuple[Path, list[str], dict[str, dict[str, str]]]:
    result = export(root=graded_course.root, assignment=ASSIGNMENT)
    assert (result.file_format, result.pending, result.not_in_roster, result.left_out) == ("csv", {"dee": 1}, [], [])
    return (result.path, *read_csv(result.path))


def test_default_path(graded_course, exported):
    assert exported[0] == graded_course.root / f"grades-{ASSIGNMENT}.csv"


def test_columns_are_nbgraders_then_pending_then_grade_cells_with_points_in_notebook_order_then_problems(
    graded_course, exported,
):
    _, header, _ = exported
    grade_cells = [c for c in graded_course.source.cells if nbgrader_meta(c).get("grade")]
    with_points = [grade_id(c) for c in grade_cells if nbgrader_meta(c)["points"] > 0]
    assert len(with_points) > 60
    assert header == [*NBGRADER_COLUMNS, PENDING_COLUMN, *with_points, "problems"]
    assert "grader_oracles" in {grade_id(c) for c in grade_cells} and "grader_oracles" not in header  # 0 points


def test_written_pending_counts_the_answers_awaiting_a_grader(exported):
    _, _, rows = exported
    assert {student: row[PENDING_COLUMN] for student, row in rows.items()} == {
        "ada": "0", "bob": "0", "cyd": "0", "dee": "1", "eve": "0",  # dee answered one question; eve: not graded
    }


def test_nbgrader_columns_equal_stock_nbgrader_export(graded_course, exported, tmp_path):
    _, _, rows = exported
    run_tool(graded_course.root, "nbgrader", "export", f"--to={tmp_path / 'stock.csv'}")
    stock_header, stock = read_csv(tmp_path / "stock.csv")
    assert stock_header == NBGRADER_COLUMNS
    assert set(stock) == {"ada", "bob", "cyd", "dee"}
    for student, stock_row in stock.items():
        assert {k: rows[student][k] for k in NBGRADER_COLUMNS} == stock_row


def test_grade_cell_columns_are_the_gradebook_scores(graded_course, exported):
    _, _, rows = exported
    with Gradebook(db_url(graded_course.root)) as gradebook:
        for submission in gradebook.find_assignment(ASSIGNMENT).submissions:
            row = rows[submission.student.id]
            for grade in (g for g in submission.notebooks[0].grades if g.max_score > 0):
                expected = "" if grade.auto_score is None and grade.manual_score is None else str(grade.score)
                assert row[grade.name] == expected, (submission.student.id, grade.name)
    assert rows["dee"][WRITTEN_ANSWER] == ""  # awaits a human grader
    assert rows["ada"][WRITTEN_ANSWER] == "0.0"  # left blank: nbgrader scores it 0 at once
    assert rows["ada"]["test_measure_sparsity_percent"] == "1.0"
    assert rows["cyd"]["test_measure_sparsity_percent"] == "0.0"


def test_late_penalty_is_applied_from_the_due_date(exported):
    _, _, rows = exported
    late = rows[LATE_STUDENT]
    assert (late["duedate"], late["timestamp"]) == ("2026-01-15 17:00:00", "2026-01-16 19:00:00")
    assert (late["raw_score"], late["late_submission_penalty"], late["score"]) == ("72.0", "14.4", "57.6")
    assert rows["ada"]["late_submission_penalty"] == "0.0" and rows["ada"]["score"] == rows["ada"]["raw_score"]


def test_problems_column_and_a_row_for_an_ungraded_submission(graded_course, exported):
    _, header, rows = exported
    assert rows["dee"]["problems"] == f"{EXTRA_FILE_PROBLEM.message} ({EXTRA_FILE_PROBLEM.code})"
    assert rows["ada"]["problems"] == ""
    eve = rows["eve"]
    assert eve["problems"] == f"{MISSING_NOTEBOOK_PROBLEM.message} ({MISSING_NOTEBOOK_PROBLEM.code})"
    assert (eve["raw_score"], eve["score"], eve["max_score"], eve["timestamp"]) == ("0.0", "0.0", "87.0", "")
    assert {eve[cell] for cell in header[len(NBGRADER_COLUMNS) + 1:-1]} == {"0.0"}


def test_output_path_can_be_chosen(graded_course, tmp_path):
    path = export(root=graded_course.root, assignment=ASSIGNMENT, output=tmp_path / "out" / "grades.csv").path
    assert path == tmp_path / "out" / "grades.csv" and path.is_file()


def test_an_assignment_the_gradebook_does_not_know_is_an_error(graded_course):
    with pytest.raises(NotReleased, match="'week2' is not in the gradebook"):
        export(root=graded_course.root, assignment="week2")


def test_an_unknown_format_is_an_error(graded_course):
    with pytest.raises(BadOption, match="unknown export format 'blackboard'"):
        export(root=graded_course.root, assignment=ASSIGNMENT, file_format="blackboard")


# --- LMS files ------------------------------------------------------------------------------------------

CANVAS_COLUMN = "Compression (123456)"
ROSTER = [  # eve is missing: a student the roster does not know; fay is enrolled but never handed in
    RosterEntry("ada", "Zoë", "Ådahl", "ada@uni.example", "1001", "S-1001", "ada.login", "Section A", "ID-1001"),
    RosterEntry("bob", "Bob", "Baker", "Bob.Baker@uni.example", "1002", "S-1002", "bob.login", "Section A", ""),
    RosterEntry("cyd", "Cyd", "Chen", "cyd@uni.example", "1003", "S-1003", "cyd.login", "Section B", "ID-1003"),
    RosterEntry("dee", "Dee", "Diaz", "dee@uni.example", "1004", "S-1004", "dee.login", "Section B", "ID-1004"),
    RosterEntry("fay", "Fay", "Fox", "fay@uni.example", "1006", "S-1006", "fay.login", "Section A", "ID-1006"),
]


@pytest.fixture
def roster(graded_course):
    """The class list beside the shared course's gradebook, removed again afterwards."""
    path = save_roster(graded_course.root, ROSTER)
    yield {entry.student_id: entry for entry in ROSTER}
    path.unlink()


def lms_file(path: Path) -> tuple[bytes, list[list[str]]]:
    raw = path.read_bytes()
    return raw, list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))


@pytest.fixture(scope="module")
def scores(exported) -> dict[str, float]:
    """Each student's score after the late penalty, from the per-cell CSV (nbgrader's own column)."""
    return {student: float(row["score"]) for student, row in exported[2].items()}


def test_canvas_file_has_the_importer_s_header_points_row_and_one_row_per_student(graded_course, roster, scores):
    result = export(root=graded_course.root, assignment=ASSIGNMENT, file_format="canvas", lms_column=CANVAS_COLUMN)
    path = result.path
    assert path == graded_course.root / f"grades-{ASSIGNMENT}-canvas.csv"
    raw, rows = lms_file(path)
    assert not raw.startswith(b"\xef\xbb\xbf") and "Ådahl, Zoë".encode() in raw  # UTF-8, no byte order mark
    header, points_row, *students = rows
    assert header == [*CANVAS_IDENTITY, CANVAS_COLUMN]
    assert "Student" in header[0] and "ID" in header[1] and header[len(CANVAS_IDENTITY) - 1] == "Section"
    assert points_row == ["Points Possible", "", "", "", "", "87"]
    by_name = {row[0]: row for row in students}
    assert by_name["Ådahl, Zoë"] == ["Ådahl, Zoë", "1001", "S-1001", "ada.login", "Section A", "76"]
    assert by_name["Chen, Cyd"] == ["Chen, Cyd", "1003", "S-1003", "cyd.login", "Section B", "57.6"]  # after the penalty
    assert by_name["Fox, Fay"][1:] == ["1006", "S-1006", "fay.login", "Section A", "0"]  # enrolled, no submission
    assert by_name["eve"] == ["eve", "", "", "", "", "0"]  # not in the roster: only the course id is known
    identity = {row[1]: row for row in students if row[1]}
    for entry in roster.values():
        if entry.student_id in scores:
            assert float(identity[entry.lms_user_id][-1]) == pytest.approx(scores[entry.student_id], abs=0.005)
    assert len(students) == 6
    assert (result.file_format, result.not_in_roster, result.pending, result.left_out) == ("canvas", ["eve"], {"dee": 1}, [])


def test_canvas_column_defaults_to_the_assignment_id(graded_course, roster, tmp_path):
    result = export(root=graded_course.root, assignment=ASSIGNMENT, file_format="canvas", output=tmp_path / "c.csv")
    assert lms_file(result.path)[1][0][-1] == ASSIGNMENT


def test_canvas_without_a_roster_names_everyone_and_says_so(graded_course, tmp_path, caplog):
    assert not roster_path(graded_course.root).exists()
    result = export(root=graded_course.root, assignment=ASSIGNMENT, file_format="canvas", output=tmp_path / "c.csv")
    _, rows = lms_file(result.path)
    assert [row[0] for row in rows[2:]] == ["ada", "bob", "cyd", "dee", "eve"]
    assert result.not_in_roster == ["ada", "bob", "cyd", "dee", "eve"]
    assert any(w.startswith("no roster was imported (course roster import FILE): 5 students exported")
               for w in (record.getMessage() for record in caplog.records))  # the log says what to do


def test_moodle_file_maps_on_email_with_grade_and_feedback(graded_course, roster, scores):
    result = export(root=graded_course.root, assignment=ASSIGNMENT, file_format="moodle", feedback_column=True)
    path = result.path
    assert path == graded_course.root / f"grades-{ASSIGNMENT}-moodle.csv"
    raw, (header, *students) = lms_file(path)
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert header == [*MOODLE_IDENTITY, ASSIGNMENT, "Feedback"]
    by_email = {row[3]: row for row in students}
    assert set(by_email) == {e.email for e in ROSTER}  # eve has no email anywhere: left out, not an empty row
    assert by_email["Bob.Baker@uni.example"][:4] == ["Bob", "Baker", "", "Bob.Baker@uni.example"]  # case kept
    for entry in ROSTER:
        grade = by_email[entry.email][4]
        assert grade == points(float(grade)) and float(grade) == pytest.approx(scores.get(entry.student_id, 0.0), abs=0.005)
    assert by_email["ada@uni.example"][5] == "76/87 (autograded 76/76, written answers 0/11)."
    assert by_email["cyd@uni.example"][5].endswith(", after a late penalty of 14.4.")
    dee = by_email["dee@uni.example"][5]
    assert dee.endswith("; provisional: 1 written answer not graded yet.")
    assert "notes.txt" not in dee and "extra_files" not in dee  # the grader's findings are not for the student
    assert by_email["fay@uni.example"][4:] == ["0", "Not graded: 0/87."]
    assert (result.left_out, result.not_in_roster) == (["eve"], ["eve"])


def test_moodle_by_id_number_leaves_out_who_has_none(graded_course, roster, tmp_path):
    result = export(root=graded_course.root, assignment=ASSIGNMENT, file_format="moodle", match_by="idnumber",
                    output=tmp_path / "m.csv")
    _, (header, *students) = lms_file(result.path)
    assert header == [*MOODLE_IDENTITY, ASSIGNMENT]  # no feedback column unless asked
    assert sorted(row[2] for row in students) == ["ID-1001", "ID-1003", "ID-1004", "ID-1006"]
    assert result.left_out == ["bob", "eve"]


@pytest.mark.parametrize("options, message", [
    ({"file_format": "canvas", "feedback_column": True}, "--feedback-column and --match-by are for --format moodle"),
    ({"file_format": "moodle", "match_by": "username"}, "unknown --match-by 'username'"),
    ({"lms_column": "Compression"}, "--lms-column is for --format canvas or moodle"),
])
def test_options_of_another_format_are_an_error(graded_course, options, message):
    with pytest.raises(BadOption, match=message):
        export(root=graded_course.root, assignment=ASSIGNMENT, **options)


def test_the_command_writes_the_canvas_file_and_warns_on_stderr(graded_course, roster, tmp_path):
    output = tmp_path / "canvas.csv"
    result = subprocess.run(
        ["course", "export", "--format", "canvas", "--lms-column", CANVAS_COLUMN, "--output", str(output)],
        cwd=graded_course.root, env=tool_env(), capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(output)
    assert "WARNING course.export: 1 written answer still to grade, for 1 student; " in result.stderr
    assert "WARNING course.lms_export: 1 student not in the roster, exported with nbgrader's names" in result.stderr
    assert lms_file(output)[1][0][-1] == CANVAS_COLUMN
