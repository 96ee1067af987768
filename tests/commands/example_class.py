"""Fixtures of the release, collect and example tests: throw-away courses and the example class.

Test modules load them with ``pytest_plugins`` (as the graded-course tests do),
so that they do not leak into every module of this folder as a conftest would.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assignments.compression.examples import Example, make_examples
from course.content import REPO_ROOT
from course.release import release
from tests.coursedir import ASSIGNMENT, make_course


@pytest.fixture(scope="session")
def examples() -> list[Example]:
    """The example class, built from the repository's committed release and source."""
    return make_examples(root=REPO_ROOT, assignment=ASSIGNMENT)


@pytest.fixture
def by_student(examples) -> dict[str, Example]:
    return {example.student: example for example in examples}


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return make_course(tmp_path / "course")


@pytest.fixture
def released(course: Path) -> Path:
    """A course whose assignment is generated and in the exchange (nbgrader runs: seconds)."""
    release(root=course, assignment=ASSIGNMENT)
    return course
