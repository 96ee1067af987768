"""``course status``: released, submitted, collected, graded, feedback, and what failed and why."""

from __future__ import annotations

import pytest

from course.status import status
from tests.commands.graded_course import ASSIGNMENT, MISSING_NOTEBOOK_PROBLEM, NOTEBOOK
from tests.coursedir import make_course

pytest_plugins = ["tests.commands.graded_course"]


def student_rows(text: str) -> dict[str, str]:
    """The students table's first line per student, by student id."""
    table = text[text.index(f"{ASSIGNMENT}: students"):].splitlines()
    return {line.split()[0]: line for line in table[3:] if line[:2].strip()}


@pytest.mark.slow
def test_status_of_a_graded_class(graded_course, feedback_summary):
    text = status(root=graded_course.root, assignment=ASSIGNMENT)
    assert f"release/{ASSIGNMENT}   {NOTEBOOK}" in text
    assert "exchange              released" in text
    assert "due date              2026-01-15 17:00:00" in text
    assert "(5 in the exchange, 5 collected, 4 graded, 1 failed)" in text
    rows = student_rows(text)
    assert sorted(rows) == ["ada", "bob", "cyd", "dee", "eve"]
    assert rows["ada"].split()[3:] == ["2026-01-15", "14:00:00", "76/87", "released"]
    assert "2026-01-16 19:00:00   57.6/87 (late -14.4)   released" in rows["cyd"]
    assert "  failed  " in rows["eve"] and MISSING_NOTEBOOK_PROBLEM.message[:20] in rows["eve"]
    assert "notes.txt" in rows["dee"]
    assert "\x1b[" not in text


@pytest.mark.slow
def test_status_notices_a_resubmission_not_yet_graded(graded_course, feedback_summary):
    stamp = graded_course.root / "submitted" / "bob" / ASSIGNMENT / "timestamp.txt"
    original = stamp.read_text()
    stamp.write_text("2026-01-15 16:00:00 UTC")
    try:
        rows = student_rows(status(root=graded_course.root, assignment=ASSIGNMENT))
    finally:
        stamp.write_text(original)
    assert "2026-01-15 16:00:00   0/87 (resubmitted)" in rows["bob"]


@pytest.mark.slow  # creating the gradebook runs alembic
def test_status_before_anything_was_released(tmp_path):
    text = status(root=make_course(tmp_path / "course"), assignment=ASSIGNMENT)
    assert f"release/{ASSIGNMENT}   not generated" in text
    assert "no exchange (its folder is missing)" in text
    assert "does not know the assignment" in text
    assert "(0 in the exchange, 0 collected, 0 graded, 0 failed)" in text
