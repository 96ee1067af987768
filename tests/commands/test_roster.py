"""``course roster import``: Canvas, Moodle and plain class lists into nbgrader's student table and roster.csv."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.course_config import load_course_config, open_api
from course.errors import BadOption, CourseError, UnusableInput
from course.messages import roster_line
from course.roster import USABLE_ID, RosterEntry, load_roster, normalise_id, roster_path, unusable_id
from course.roster_import import import_roster
from tests.commands import lms_downloads as lms
from tests.coursedir import make_course, run_tool

pytest_plugins = ["tests.commands.example_class"]


def formgrader_students(root: Path) -> dict[str, tuple]:
    """What the Formgrader lists (nbgrader's ``NbGraderAPI.get_students``): id -> (first, last, email, LMS id)."""
    api = open_api(load_course_config(root))
    return {s["id"]: (s["first_name"], s["last_name"], s["email"], s["lms_user_id"]) for s in api.get_students()}


def test_a_canvas_gradebook_export_gives_sis_ids_names_and_canvas_ids(course, tmp_path):
    result = import_roster(root=course, path=lms.canvas_gradebook(tmp_path / "grades.csv"))
    ids = lms.CANVAS_IDS
    assert (result.file_format, result.students, result.updated, result.unchanged) == ("canvas", 5, [], [])
    assert sorted(result.new) == sorted(ids.values()) and result.saved == roster_path(course)
    assert result.not_students == {2: "Points Possible", 8: "Student, Test"}
    assert roster_line(result) == (  # what `course roster import` prints
        "roster: 5 students from grades.csv (canvas): 5 new, 0 updated, 0 unchanged; skipped row 2 (Points Possible: "
        f"not a student), row 8 (Student, Test: not a student); saved to {roster_path(course)} and the gradebook")
    assert formgrader_students(course) == {
        ids[p]: (p.first, p.last, None, p.canvas_id) for p in lms.CLASS}  # Canvas's export has no email
    assert load_roster(course)[ids[lms.EVE]] == RosterEntry(
        "eve.ng", "Eve", "Ng", "", "34568", "S-0002", "eve.ng@uni.example", "Section A", "")


def test_moodle_s_grades_export_and_grading_worksheet_give_the_same_students(course, tmp_path):
    import_roster(root=course, path=lms.moodle_grades(tmp_path / "grades.csv"))
    assert formgrader_students(course) == {lms.MOODLE_IDS[p]: (p.first, p.last, p.email, None) for p in lms.CLASS}
    result = import_roster(root=course, path=lms.moodle_worksheet(tmp_path / "worksheet.csv"))
    assert (result.file_format, result.new, sorted(result.updated), result.unchanged) == (
        "moodle", [], sorted(lms.MOODLE_IDS.values()), [])
    assert formgrader_students(course) == {lms.MOODLE_IDS[p]: (p.first, p.last, p.email, p.moodle_id) for p in lms.CLASS}


def test_a_plain_class_list_keeps_its_ids_made_usable_and_reads_any_roster_column(course, tmp_path):
    path = lms.write_csv(tmp_path / "class.csv", [
        ["Student ID", "First name", "Last name", "Email", "section"],
        ["ada", "Ada", "Lovelace", "ada@uni.example", "A"],
        ["Grace Hopper", "Grace", "Hopper", "", ""],
        ["", "", "", "", ""],  # a blank line at the end, as spreadsheets write
    ], bom=False)
    result = import_roster(root=course, path=path)
    assert (result.file_format, result.new, result.not_students) == ("csv", ["ada", "grace-hopper"], {})
    assert formgrader_students(course) == {"ada": ("Ada", "Lovelace", "ada@uni.example", None),
                                           "grace-hopper": ("Grace", "Hopper", None, None)}
    assert load_roster(course)["ada"].section == "A"


def test_importing_again_updates_and_never_duplicates(course, tmp_path):
    import_roster(root=course, path=lms.canvas_gradebook(tmp_path / "grades.csv"))
    renamed = dataclasses.replace(lms.CAROL, first="Caroline", sis_login_id="")  # a new first name; login gone
    result = import_roster(root=course, path=lms.canvas_gradebook(tmp_path / "again.csv", [renamed, lms.EVE]))
    assert (result.new, result.updated, result.unchanged) == ([], ["cdiaz"], [lms.CANVAS_IDS[lms.EVE]])
    assert result.kept == ["34570", "ffox", "s-0003"]
    assert "; 3 of the roster not in this file, kept: 34570, ffox, s-0003; skipped row 2 " in roster_line(result)
    students = formgrader_students(course)
    assert len(students) == 5 and students["cdiaz"] == ("Caroline", "Díaz", None, "34567")  # found by Canvas id
    assert load_roster(course)["cdiaz"].sis_login_id == "cdiaz"  # an empty cell erases nothing


def test_two_students_that_would_share_an_id_are_refused_before_anything_is_written(course, tmp_path):
    twin = dataclasses.replace(lms.EVE, sis_login_id="CDiaz", canvas_id="40000")
    path = lms.canvas_gradebook(tmp_path / "grades.csv", [lms.CAROL, twin])
    with pytest.raises(UnusableInput, match=re.escape(
            "row 3 (Carol Díaz) and row 4 (Eve Ng) would both get the student id 'cdiaz' "
            "(ids come from SIS Login ID, else SIS User ID, else ID)")):
        import_roster(root=course, path=path)
    assert not roster_path(course).exists() and not (course / "gradebook.db").exists()


def test_a_student_the_roster_knows_under_another_lms_id_is_refused(course, tmp_path):
    import_roster(root=course, path=lms.canvas_gradebook(tmp_path / "grades.csv", [lms.CAROL]))
    other = dataclasses.replace(lms.FAY, sis_login_id="cdiaz")
    with pytest.raises(UnusableInput, match="row 3 \\(Fay Fox\\) and Carol Díaz \\(already in the roster\\) would both be"):
        import_roster(root=course, path=lms.canvas_gradebook(tmp_path / "again.csv", [other]))


@pytest.mark.parametrize(("rows", "message"), [
    ([["name", "grade"], ["Ada", "3"]], "not a class list this command reads"),
    ([["id", "first_name"]], "has no students"),
    ([["id", "first_name"], ["", "Ada"], ["@@@", "Bea"]], r"no usable student id in row 2 \(Ada\), row 3 \(Bea\)"),
])
def test_files_that_are_no_class_list_are_refused_with_the_reason(course, tmp_path, rows, message):
    with pytest.raises(UnusableInput, match=message):
        import_roster(root=course, path=lms.write_csv(tmp_path / "x.csv", rows))


def test_format_and_encoding_mistakes_are_named(course, tmp_path):
    (tmp_path / "latin1.csv").write_bytes("id,first_name\nzoe,Zo\xeb\n".encode("latin-1"))
    with pytest.raises(CourseError, match="is not UTF-8 text"):
        import_roster(root=course, path=tmp_path / "latin1.csv")
    with pytest.raises(BadOption, match="unknown class list format 'blackboard'"):
        import_roster(root=course, path=tmp_path / "latin1.csv", file_format="blackboard")
    with pytest.raises(CourseError, match="no file at"):
        import_roster(root=course, path=tmp_path / "missing.csv")


@given(st.text())
def test_a_normalised_id_is_always_usable_or_empty_and_stays_as_it_is(text):
    student = normalise_id(text)
    assert student == "" or USABLE_ID.fullmatch(student)
    assert normalise_id(student) == student
    assert (unusable_id(student) is None) == bool(student)


@pytest.mark.slow
def test_the_command_imports_and_the_formgrader_shows_the_names(tmp_path):
    root = make_course(tmp_path / "course")
    path = lms.moodle_worksheet(tmp_path / "worksheet.csv")
    result = run_tool(root, "course", "roster", "import", str(path), "--format", "moodle")
    assert result.stdout.startswith("roster: 5 students from worksheet.csv (moodle): 5 new")
    listed = run_tool(root, "nbgrader", "db", "student", "list").stdout
    assert "id-0001 (Díaz, Carol) -- Carol.Diaz@uni.example, 501" in listed, listed
    wrong = run_tool(root, "course", "roster", "import", str(path), "--format", "canvas", check=False)
    assert wrong.returncode == 2 and wrong.stderr.strip().startswith("course roster: "), wrong.stderr
