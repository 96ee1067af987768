"""A command without an assignment id means the course's only assignment; the engine has no default of its own."""

from __future__ import annotations

import shutil

import pytest

from course.errors import BadOption, UnknownAssignment
from course.known import default_assignment
from course.lab import instructor_server
from tests.coursedir import ASSIGNMENT, make_course


def test_a_course_of_one_assignment_needs_no_id(tmp_path):
    course = make_course(tmp_path / "course")
    assert default_assignment(course) == ASSIGNMENT
    assert instructor_server(course).url.endswith(f"/formgrader/manage_submissions/{ASSIGNMENT}")


def test_a_course_of_several_asks_which(tmp_path):
    course = make_course(tmp_path / "course")
    shutil.copytree(course / "source" / ASSIGNMENT, course / "source" / "week2")
    with pytest.raises(BadOption, match=rf"2 assignments \({ASSIGNMENT}, week2\): name the one you mean"):
        default_assignment(course)
    assert instructor_server(course).url.endswith("/formgrader")


def test_a_course_without_assignments_says_how_to_add_one(tmp_path):
    course = make_course(tmp_path / "course")
    shutil.rmtree(course / "source")
    with pytest.raises(UnknownAssignment, match=r"no assignment yet: put one in source/"):
        default_assignment(course)
