"""The real ``course`` command on a user's mistakes: one line that says what to do, never a traceback.

Also: ``course autograde`` ends with its summary, whatever its exit status, and
``--help`` documents the exit statuses.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from course.cli import build_parser
from tests.coursedir import ASSIGNMENT, make_course, run_tool

# Every command, with the arguments it needs to get as far as the course folder.
COMMANDS = {
    "release": ["release"],
    "collect": ["collect"],
    "autograde": ["autograde", "--no-progress"],
    "feedback": ["feedback", "--no-release"],
    "export": ["export"],
    "report": ["report"],
    "status": ["status"],
    "similarity": ["similarity"],
    "db": ["db", "init"],
    "lab": ["lab", "instructor"],
    "roster": ["roster", "import", "class.csv"],
}
WITH_ASSIGNMENT = [name for name, args in COMMANDS.items() if name not in ("db", "lab", "roster")]


def assert_one_line(result, status: int, *fragments: str) -> None:
    """Exit ``status``, and one line on stderr (after nbgrader's own log lines, if any) holding every fragment."""
    assert result.returncode == status, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    message = result.stderr.strip().splitlines()[-1]
    assert all(fragment in message for fragment in fragments), result.stderr


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """A course whose assignment is in the gradebook (generated), with nothing collected."""
    root = make_course(tmp_path_factory.mktemp("released") / "course")
    run_tool(root, "nbgrader", "generate_assignment", ASSIGNMENT)
    return root


def test_the_list_above_covers_every_command():
    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(commands.choices) == set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_outside_a_course_folder_every_command_says_where_to_run_it(tmp_path, command):
    result = run_tool(tmp_path, "course", *COMMANDS[command], check=False)
    assert_one_line(result, 2, f"course {command}:", "nbgrader_config.py", "--root")


@pytest.mark.parametrize("command", WITH_ASSIGNMENT)
def test_a_misspelt_assignment_names_the_nearest_known_one(released, command):
    args = COMMANDS[command]
    result = run_tool(released, "course", args[0], "compresion", *args[1:], check=False)
    assert_one_line(result, 2, "unknown assignment 'compresion'", "did you mean 'compression'?")


def test_an_assignment_only_in_source_must_be_released_first(released):
    (released / "source" / "week2").mkdir()
    try:
        result = run_tool(released, "course", "status", "week2", check=False)
    finally:
        (released / "source" / "week2").rmdir()
    assert_one_line(result, 2, "'week2' is not in the gradebook yet", "`course release week2`")
    unknown = run_tool(released, "course", "status", "zzz", check=False)
    assert_one_line(unknown, 2, "unknown assignment 'zzz'", "known: compression")


def test_autograde_with_nothing_collected_says_to_collect(released):
    result = run_tool(released, "course", "autograde", "--no-progress", check=False)
    assert_one_line(result, 2, "no submission of 'compression' is collected yet", "`course collect compression`")


def test_an_unexpected_error_is_one_line_and_its_traceback_only_with_v(tmp_path):
    root = make_course(tmp_path / "course")
    (root / "gradebook.db").write_text("this is not a database")
    result = run_tool(root, "course", "status", check=False)
    assert_one_line(result, 1, "course status: unexpected error: DatabaseError", "run with -v for the traceback")
    verbose = run_tool(root, "course", "status", "-v", check=False)
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr, verbose.stderr


def test_autograde_ends_with_a_summary_on_failure_with_or_without_the_progress_bar(tmp_path):
    """zed hands in an empty file: nothing to run, a failure with its reason, exit 1; unchanged, it is skipped."""
    root = make_course(tmp_path / "course")
    run_tool(root, "nbgrader", "generate_assignment", ASSIGNMENT)
    folder = root / "submitted" / "zed" / ASSIGNMENT
    folder.mkdir(parents=True)
    (folder / f"{ASSIGNMENT}.ipynb").write_text("")
    reason = "failed zed: compression.ipynb is not a readable notebook (the file is empty) (malformed_notebook)"
    for options in (["--no-progress"], ["--force"]):
        result = run_tool(root, "course", "autograde", *options, check=False)
        assert result.returncode == 1, result.stdout + result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].startswith("autograde compression: 0 graded, 1 failed, 0 skipped unchanged, in "), result.stdout
        assert lines[1].strip() == reason, result.stdout
    again = run_tool(root, "course", "autograde", "--no-progress", check=False)
    assert again.returncode == 0 and ": 0 graded, 0 failed, 1 skipped unchanged, in " in again.stdout, again.stdout


@pytest.mark.parametrize("command", [[], ["autograde"]])
def test_help_lists_the_exit_statuses(command, tmp_path):
    text = run_tool(tmp_path, "course", *command, "--help").stdout
    assert "exit status:" in text
    for status in ("0 ", "1 ", "2 ", "129/130/143"):
        assert f"  {status}" in text, text
