"""Course paths come from nbgrader's ``CourseDirectory`` and exchange layout, and honour a configured folder."""

from __future__ import annotations

import pytest

from course.course_config import (
    course_directory, course_file, exchange_folder, load_course_config, notebook_file, step_folder,
)
from course.nbgrader_reason import NO_REASON, nbgrader_reason
from course.results import students_in_step
from tests.coursedir import ASSIGNMENT, make_course

CONFIGURED = 'c.CourseDirectory.feedback_directory = "returned"\nc.CourseDirectory.autograded_directory = "graded"\n'


@pytest.fixture
def configured(tmp_path):
    """A course whose instructor renamed two of nbgrader's folders."""
    return make_course(tmp_path / "course", extra_config=CONFIGURED)


def test_a_step_s_folder_is_the_configured_one(configured):
    config = load_course_config(configured)
    assert step_folder(config, "feedback", "ada", ASSIGNMENT) == configured / "returned" / "ada" / ASSIGNMENT
    assert step_folder(course_directory(config), "autograded", "ada", ASSIGNMENT) == configured / "graded" / "ada" / ASSIGNMENT
    assert step_folder(config, "release", ".", ASSIGNMENT) == configured / "release" / "." / ASSIGNMENT
    assert notebook_file(config, "source", ASSIGNMENT, assignment=ASSIGNMENT).is_file()
    assert course_file(config, "grades.csv") == configured / "grades.csv"


def test_a_folder_name_where_a_step_is_expected_is_refused(configured):
    config = load_course_config(configured)
    with pytest.raises(ValueError, match="'returned' is not a step of nbgrader"):
        step_folder(config, "returned", "ada", ASSIGNMENT)


def test_students_are_found_in_the_configured_folder_of_a_step(configured):
    for student in ("bea", "ada"):
        (configured / "graded" / student / ASSIGNMENT).mkdir(parents=True)
    (configured / "autograded" / "eve" / ASSIGNMENT).mkdir(parents=True)  # nbgrader's default name: not this course's
    assert students_in_step(course_directory(load_course_config(configured)), "autograded", ASSIGNMENT) == ["ada", "bea"]


def test_exchange_folders_are_laid_out_as_nbgrader_s_exchange_lays_them_out(configured):
    config = load_course_config(configured)
    course_id = course_directory(config).course_id
    assert exchange_folder(config, "inbound") == configured / "exchange" / course_id / "inbound"
    assert exchange_folder(config, "outbound", ASSIGNMENT) == configured / "exchange" / course_id / "outbound" / ASSIGNMENT
    with pytest.raises(ValueError, match="not a folder of the exchange"):
        exchange_folder(config, "submitted")


# nbgrader's reason, from what its API calls and capture_log return

CONVERTER_FAILURE = """\
[INFO] Updating/creating assignment 'ps1'
[ERROR] There was an error processing assignment: /course/autograded/ada/ps1
[ERROR] Traceback (most recent call last):
  File "nbgrader/converters/base.py", line 381, in convert_notebooks
    self.convert_single_notebook(notebook_filename)
KeyError: 'grade_id'
[ERROR] There was an error processing assignment 'ps1' for student 'ada'
[ERROR] Please see the the above traceback for details on the specific errors on the above failures.
"""


@pytest.mark.parametrize(("result", "reason"), [
    ({"success": False, "log": CONVERTER_FAILURE, "error": "Traceback ...\nNbGraderException: Please see the the above"},
     "KeyError: 'grade_id'"),
    ({"success": False, "log": "[ERROR] No notebooks were matched by '/c/source/./hw/*.ipynb'\n[ERROR] x\n[ERROR] x\n"},
     "No notebooks were matched by '/c/source/./hw/*.ipynb'; x"),
    ({"success": False, "log": "[INFO] collecting\n", "error": "Traceback (most recent call last):\nOSError: disk full\n"},
     "OSError: disk full"),
    ({"success": False, "log": "[WARNING] odd\n"}, "[WARNING] odd"),
    ({"success": False}, NO_REASON),
])
def test_nbgrader_s_reason_is_its_failure_records_else_the_traceback_s_last_line(result, reason):
    assert nbgrader_reason(result) == reason
