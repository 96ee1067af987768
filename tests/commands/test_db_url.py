"""The gradebook a command is given (``--db-url``) is the one it uses, all the way down; no environment variable picks it.

Each course here has its own SQLite gradebook in its config; the tests point
the commands at a second one. The course's own gradebook file must then never
appear: any part of a command that opened the config's gradebook would create it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course.course_config import load_course_config
from tests.commands.small_class import cell_scores, hand_in, released
from tests.coursedir import ASSIGNMENT, db_url, make_course, run_tool, tool_env

RETIRED_VARIABLE = "COURSE_DB_URL"  # what `--db-url` used to set for the processes it started


@pytest.fixture(autouse=True)
def tools_on_path(monkeypatch) -> None:
    monkeypatch.setenv("PATH", tool_env()["PATH"])  # a new gradebook is created by running alembic


@pytest.fixture
def elsewhere(tmp_path) -> tuple[Path, str]:
    """A course, and a second gradebook that alone knows its assignment (as if released with --db-url)."""
    root = make_course(tmp_path / "course")
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    with Gradebook(url) as gradebook:
        gradebook.add_assignment(ASSIGNMENT)
    return root, url


def own_gradebook(root: Path) -> Path:
    return Path(db_url(root).removeprefix("sqlite:///"))


def test_a_command_reads_the_gradebook_given_with_db_url(elsewhere):
    root, url = elsewhere
    result = run_tool(root, "course", "status", "--db-url", url, check=False)
    assert result.returncode == 0, result.stderr
    assert "knows the assignment" in result.stdout
    assert not own_gradebook(root).exists(), "some part of `course status` opened the config's gradebook"


def test_the_retired_variable_chooses_no_gradebook(elsewhere, monkeypatch):
    root, url = elsewhere
    monkeypatch.setenv(RETIRED_VARIABLE, url)  # run_tool's processes inherit it
    result = run_tool(root, "course", "status", check=False)
    assert result.returncode == 2 and "not in the gradebook yet" in result.stderr, result.stderr
    assert load_course_config(root).CourseDirectory.db_url == db_url(root)
    assert load_course_config(root, db_url=url).CourseDirectory.db_url == url


@pytest.mark.slow
def test_the_graders_write_to_the_gradebook_given_with_db_url(tmp_path):
    root = make_course(tmp_path / "course")
    url = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    run_tool(root, "course", "release", "--db-url", url)
    hand_in(root, "cy", released(root))
    run_tool(root, "course", "autograde", "--db-url", url, "--workers", "1", "--no-progress")
    assert list(cell_scores(root, url)) == ["cy"]
    assert not own_gradebook(root).exists(), "the release or a grader opened the config's gradebook"
