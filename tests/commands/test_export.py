"""``course export``: nbgrader's CSV columns and values, then one column per grade cell, then problems."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course.cells import grade_id, nbgrader_meta
from course.errors import CourseError
from course.export import NBGRADER_COLUMNS, export
from tests.commands.graded_course import (
    ASSIGNMENT, EXTRA_FILE_PROBLEM, LATE_STUDENT, MISSING_NOTEBOOK_PROBLEM, WRITTEN_ANSWER,
)
from tests.coursedir import db_url, run_tool

pytest_plugins = ["tests.commands.graded_course"]
pytestmark = pytest.mark.slow


def read_csv(path: Path) -> tuple[list[str], dict[str, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), {row["student_id"]: row for row in reader}


@pytest.fixture(scope="module")
def exported(graded_course) -> tuple[Path, list[str], dict[str, dict[str, str]]]:
    path = export(root=graded_course.root, assignment=ASSIGNMENT)
    return (path, *read_csv(path))


def test_default_path(graded_course, exported):
    assert exported[0] == graded_course.root / f"grades-{ASSIGNMENT}.csv"


def test_columns_are_nbgraders_then_grade_cells_in_notebook_order_then_problems(graded_course, exported):
    _, header, _ = exported
    grade_cells = [grade_id(c) for c in graded_course.source.cells if nbgrader_meta(c).get("grade")]
    assert len(grade_cells) > 60
    assert header == [*NBGRADER_COLUMNS, *grade_cells, "problems"]


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
            for grade in submission.notebooks[0].grades:
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
    assert {eve[cell] for cell in header[len(NBGRADER_COLUMNS):-1]} == {"0.0"}


def test_output_path_can_be_chosen(graded_course, tmp_path):
    path = export(root=graded_course.root, assignment=ASSIGNMENT, output=tmp_path / "out" / "grades.csv")
    assert path == tmp_path / "out" / "grades.csv" and path.is_file()


def test_an_assignment_the_gradebook_does_not_know_is_an_error(graded_course):
    with pytest.raises(CourseError, match="'week2' is not in the gradebook"):
        export(root=graded_course.root, assignment="week2")
