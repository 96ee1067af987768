"""``course status``: released, submitted, collected, graded, written answers to grade, feedback, problems.

The tables are as wide as the terminal and wrap only between words: checked
through the real command at 60 and 120 columns (``COLUMNS``), and on the
table renderer alone with cells that rich, left to itself, breaks mid-word.
"""

from __future__ import annotations

import re
import subprocess
from datetime import datetime

import pytest

from course.messages import SUMMARY_FROM, SUMMARY_NAMES, at_most, needs_attention, status_text
from course.status import Exchange, Feedback, status
from course.tables import fit_columns, render_table
from course.wording import NAMED_AT_MOST, named
from tests.commands.graded_course import ASSIGNMENT, EXTRA_FILE_PROBLEM, MISSING_NOTEBOOK_PROBLEM, NOTEBOOK
from tests.commands.synthetic_class import copy_course, grow_class
from tests.coursedir import make_course, tool_env

pytest_plugins = ["tests.commands.graded_course"]

BOX = re.compile(r"^[─━]+$")


def table_rows(text: str, title: str) -> dict[str, str]:
    """A table's first line per row (after its title, header and rule), by its first cell."""
    lines = text[text.index(title):].split("\n\n")[0].splitlines()
    return {line.split()[0]: line for line in lines[3:] if line[:2].strip()}


def words(text: str) -> list[str]:
    """The words of ``text``, without the punctuation a wrapped layout adds around them, and no box lines."""
    stripped = (w.strip(":;") for w in text.split())
    return [w for w in stripped if w and not BOX.match(w) and w != "-"]


def assert_fits_without_broken_words(narrow: str, wide: str, width: int) -> None:
    """Every line within ``width``, every word of the narrow text a whole word of the unwrapped one."""
    assert max(len(line) for line in narrow.splitlines()) <= width
    whole = set(words(wide))
    assert not [w for w in words(narrow) if w not in whole]


@pytest.mark.slow
def test_status_of_a_graded_class_is_told_by_data(graded_course, feedback_result):
    result = status(root=graded_course.root, assignment=ASSIGNMENT)
    release = result.release
    assert (release.folder, release.notebooks, release.exchange) == (f"release/{ASSIGNMENT}", [NOTEBOOK], Exchange.RELEASED)
    assert (release.due, release.in_gradebook) == (datetime(2026, 1, 15, 17), True)
    assert (result.in_exchange, result.collected, result.graded, result.failed, result.waiting) == (5, 5, 4, 1, 1)
    students = {s.student: s for s in result.students}
    assert sorted(students) == ["ada", "bob", "cyd", "dee", "eve"]
    ada, cyd, dee, eve = (students[name] for name in ("ada", "cyd", "dee", "eve"))
    assert (ada.collected_at, ada.result.score, ada.current, ada.pending, ada.feedback) == (
        datetime(2026, 1, 15, 14), 76, True, 0, Feedback.RELEASED)
    assert (cyd.collected_at, cyd.result.score, cyd.result.late_penalty) == (datetime(2026, 1, 16, 19), 57.6, 14.4)
    assert dee.pending == 1  # one written answer awaits a grader
    assert (eve.failed, eve.graded, eve.pending, eve.feedback) == (True, False, None, Feedback.NONE)
    assert sorted(result.problems) == ["dee", "eve"]
    assert result.problems["eve"] == [MISSING_NOTEBOOK_PROBLEM] and result.problems["dee"] == [EXTRA_FILE_PROBLEM]


@pytest.mark.slow
def test_status_tables_of_a_graded_class(graded_course, feedback_result):
    text = status_text(status(root=graded_course.root, assignment=ASSIGNMENT), width=120)
    assert f"release/{ASSIGNMENT}   {NOTEBOOK}" in text
    assert "exchange              released" in text
    assert "due date              2026-01-15 17:00:00" in text
    assert "(5 in the exchange, 5 collected, 4 graded, 1 failed, 1 with written answers to grade)" in text
    rows = table_rows(text, f"{ASSIGNMENT}: students")
    assert sorted(rows) == ["ada", "bob", "cyd", "dee", "eve"]
    assert rows["ada"].split()[3:] == ["2026-01-15", "14:00:00", "76/87", "0", "released"]
    assert "2026-01-16 19:00:00   57.6/87 (late -14.4)   0" in rows["cyd"]
    assert rows["dee"].split()[-2:] == ["1", "released"]  # one written answer awaits a grader
    assert rows["eve"].split()[-3:] == ["failed", "-", "-"]
    problems = table_rows(text, f"{ASSIGNMENT}: problems")
    assert sorted(problems) == ["dee", "eve"]
    assert MISSING_NOTEBOOK_PROBLEM.message[:20] in problems["eve"] and "notes.txt" in problems["dee"]
    assert "\x1b[" not in text


@pytest.mark.slow
@pytest.mark.parametrize("width", [60, 120])
def test_the_command_fits_the_terminal_width_and_never_breaks_a_word(graded_course, feedback_result, width):
    result = subprocess.run(
        ["course", "status"], cwd=graded_course.root, env={**tool_env(), "COLUMNS": str(width)},
        capture_output=True, text=True, check=True,
    )
    wide = status_text(status(root=graded_course.root, assignment=ASSIGNMENT), width=1000)
    assert_fits_without_broken_words(result.stdout, wide, width)
    assert f"{EXTRA_FILE_PROBLEM.message} ({EXTRA_FILE_PROBLEM.code})" in " ".join(result.stdout.split())
    if width == 120:  # room for the table: one line per student
        assert "2026-01-16 19:00:00   57.6/87 (late -14.4)   0" in table_rows(result.stdout, f"{ASSIGNMENT}: students")["cyd"]
    else:  # too narrow for six columns side by side: one paragraph per student, fields named
        assert re.search(r"^cyd - submitted \(exchange\): \d{4}-\d\d-\d\d", result.stdout, re.MULTILINE)
        paragraphs = " ".join(result.stdout.split())
        assert "collected: 2026-01-16 19:00:00; graded: 57.6/87 (late -14.4); written to grade: 0;" in paragraphs


@pytest.mark.slow
def test_status_notices_a_resubmission_not_yet_graded(graded_course, feedback_result):
    stamp = graded_course.root / "submitted" / "bob" / ASSIGNMENT / "timestamp.txt"
    original = stamp.read_text()
    stamp.write_text("2026-01-15 16:00:00 UTC")
    try:
        result = status(root=graded_course.root, assignment=ASSIGNMENT)
    finally:
        stamp.write_text(original)
    bob = next(s for s in result.students if s.student == "bob")
    assert (bob.collected_at, bob.graded, bob.current) == (datetime(2026, 1, 15, 16), True, False)
    rows = table_rows(status_text(result, width=120), f"{ASSIGNMENT}: students")
    assert "2026-01-15 16:00:00   0/87 (resubmitted)" in rows["bob"]


@pytest.mark.slow  # creating the gradebook runs alembic
def test_status_before_anything_was_released(tmp_path):
    result = status(root=make_course(tmp_path / "course"), assignment=ASSIGNMENT)
    assert (result.release.notebooks, result.release.exchange, result.release.in_gradebook) == ([], Exchange.MISSING, False)
    assert (result.students, result.problems) == ([], {})
    text = status_text(result, width=120)
    assert f"release/{ASSIGNMENT}   not generated" in text
    assert "no exchange (its folder is missing)" in text
    assert "does not know the assignment" in text
    assert "(0 in the exchange, 0 collected, 0 graded, 0 failed, 0 with written answers to grade)" in text
    assert "problems" not in text


# --- the renderer alone -------------------------------------------------------------------------------------

CELLS = [
    ("ada", "2026-01-15 14:00:00", "76/87", "compression.ipynb is missing; found 'Compression (1).ipynb'"),
    ("a-student-with-a-long-id", "2026-01-16 19:00:00", "57.6/87 (late -14.4)", "notes.txt was left out"),
]
HEADERS = ["student", "submitted", "graded", "problems"]


@pytest.mark.parametrize("width", [60, 80, 120])
def test_a_table_keeps_every_word_whole_at_any_width(width):
    text = render_table("a title long enough to need wrapping at sixty columns, it goes on and on", CELLS, HEADERS, width=width)
    wide = render_table("a title long enough to need wrapping at sixty columns, it goes on and on", CELLS, HEADERS, width=1000)
    assert_fits_without_broken_words(text, wide, width)


def test_columns_never_get_narrower_than_their_longest_word():
    # rich alone would give the date column 8 characters here and print "2026-01-" on one line, "15" on the next
    widths = fit_columns([["student", "ada"], ["submitted", "2026-01-15 14:00:00"], ["problems", "x " * 40]], 30)
    assert widths is not None and widths[1] >= len("2026-01-15") and sum(widths) <= 30
    assert fit_columns([["a-very-long-student-id"], ["2026-01-15"]], 25) is None  # the words alone need 32


def test_too_narrow_for_the_columns_it_lists_each_row_with_its_field_names():
    text = render_table("students", CELLS, HEADERS, width=40)
    assert text.splitlines()[1] == "ada - submitted: 2026-01-15 14:00:00;"
    assert max(len(line) for line in text.splitlines()) <= 40


def test_the_width_is_the_terminal_s(monkeypatch):
    monkeypatch.setenv("COLUMNS", "45")
    assert max(len(line) for line in render_table("t", CELLS, HEADERS).splitlines()) <= 45
    monkeypatch.setenv("COLUMNS", "200")
    assert "'Compression (1).ipynb'" in render_table("t", CELLS, HEADERS).splitlines()[3]  # ada's row on one line


@pytest.fixture(scope="module")
def grown_class(graded_course, feedback_result, tmp_path_factory):
    """The graded class grown to 100 students: each of the five copied in turn (so 20 like eve, who failed)."""
    root = copy_course(graded_course.root, tmp_path_factory.mktemp("grown") / "course")
    grow_class(root, 100)
    return root


@pytest.mark.slow
def test_a_large_class_is_summarised_with_who_needs_something_done(grown_class):
    result = status(root=grown_class, assignment=ASSIGNMENT)
    assert len(result.students) == 100 >= SUMMARY_FROM
    text = status_text(result, width=120)
    assert len(text.splitlines()) < 80, "not a row per student"
    lines = text[text.index(f"{ASSIGNMENT}: 100 students"):].split("\n\n")[0].splitlines()[1:]
    numbers = dict(re.split(r"\s{2,}", line.strip()) for line in lines)  # a table without a header
    assert numbers["students"] == "100" and numbers["collected"] == str(result.collected) == "100"
    assert numbers["failed"] == str(result.failed) == "20" and numbers["graded, current"] == "80"
    assert numbers["written answers to grade"] == "20 answers of 20 students"  # the copies of dee
    todo = [s.student for s in result.students if needs_attention(s)]
    assert todo == [s.student for s in result.students if s.failed]  # nothing else waits in this class
    listed = table_rows(text, f"{ASSIGNMENT}: 20 students to act on")
    assert sorted(listed) == sorted(todo) and all("failed" in listed[name] for name in todo)
    problems = table_rows(text, f"{ASSIGNMENT}: problems")
    assert len(problems) == SUMMARY_NAMES + 1 and "... and" in text and "course status --all" in text


@pytest.mark.slow
def test_all_lists_every_student_of_a_large_class(grown_class):
    result = subprocess.run(["course", "status", "--all"], cwd=grown_class, env={**tool_env(), "COLUMNS": "120"},
                            capture_output=True, text=True, check=True)
    rows = table_rows(result.stdout, f"{ASSIGNMENT}: students")
    assert len(rows) == 100
    assert len(table_rows(result.stdout, f"{ASSIGNMENT}: problems")) == 40  # dee's and eve's copies


def test_a_summary_lists_at_most_so_many_names_and_says_how_many_more():
    rows = [(f"s{i}", "why") for i in range(SUMMARY_NAMES + 5)]
    assert at_most(rows[:SUMMARY_NAMES], SUMMARY_NAMES) == rows[:SUMMARY_NAMES]
    shown = at_most(rows, SUMMARY_NAMES)
    assert shown[:-1] == rows[:SUMMARY_NAMES] and shown[-1][0] == "... and 5 more"


@pytest.mark.parametrize("count", [0, 1, NAMED_AT_MOST, NAMED_AT_MOST + 1, 1000])
def test_a_message_names_at_most_so_many_students_and_counts_the_rest(count):
    names = [f"s{i}" for i in range(count)]
    text = named(names, "see the list")
    shown = text.split(" and ")[0].split(", ") if names else []
    assert shown == names[:NAMED_AT_MOST]
    if count > NAMED_AT_MOST:
        assert text.endswith(f" and {count - NAMED_AT_MOST} more (see the list)")
    else:
        assert "more" not in text
    assert named(names).endswith(f"and {count - NAMED_AT_MOST} more") == (count > NAMED_AT_MOST)
