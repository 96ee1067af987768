"""``course release``: student version generated, due date stored, assignment in the exchange outbound."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.content import REPO_ROOT
from course.errors import BadOption, NbgraderFailed
from course.release import ReleaseResult, release
from tests.coursedir import ASSIGNMENT, db_url, run_tool

pytest_plugins = ["tests.commands.example_class"]

NOTEBOOK = f"{ASSIGNMENT}.ipynb"


def outbound(course: Path) -> Path:
    return course / "exchange" / ASSIGNMENT / "outbound" / ASSIGNMENT


def duedate(course: Path) -> datetime | None:
    with Gradebook(db_url(course), ASSIGNMENT) as gradebook:
        return gradebook.find_assignment(ASSIGNMENT).duedate


@pytest.mark.slow
def test_cli_release_puts_the_student_version_in_the_outbound_and_sets_the_due_date(course):
    result = run_tool(course, "course", "release", ASSIGNMENT, "--root", str(course), "--due", "2026-03-02 18:00:00 CET")
    assert result.stdout == (f"{ASSIGNMENT}: student version regenerated, released to the exchange ({outbound(course)}), "
                             "due 2026-03-02 17:00:00 UTC\n")
    released = outbound(course) / NOTEBOOK
    assert released.read_bytes() == (course / "release" / ASSIGNMENT / NOTEBOOK).read_bytes()
    assert released.read_bytes() == (REPO_ROOT / "release" / ASSIGNMENT / NOTEBOOK).read_bytes()  # deterministic
    assert (outbound(course) / "digits_teacher.npz").is_file()
    assert duedate(course) == datetime(2026, 3, 2, 17, 0)  # stored as UTC, as nbgrader does
    listed = run_tool(course, "nbgrader", "list", "--course", ASSIGNMENT)  # stock nbgrader sees the release
    assert f"{ASSIGNMENT} {ASSIGNMENT}" in listed.stdout + listed.stderr


@pytest.mark.slow
def test_release_again_changes_nothing_until_the_source_changes(course):
    first = release(root=course, assignment=ASSIGNMENT)
    assert first == ReleaseResult(ASSIGNMENT, regenerated=True, released=True, outbound=outbound(course), due=None)
    stamp = (outbound(course) / NOTEBOOK).stat().st_mtime_ns

    again = release(root=course, assignment=ASSIGNMENT, due="2026-03-09 17:00")
    assert (again.regenerated, again.released, again.due) == (False, False, datetime(2026, 3, 9, 17, 0))
    assert (outbound(course) / NOTEBOOK).stat().st_mtime_ns == stamp
    assert duedate(course) == datetime(2026, 3, 9, 17, 0)

    source = course / "source" / ASSIGNMENT / NOTEBOOK
    nb = nbformat.read(source, as_version=4)
    first_markdown = next(cell for cell in nb.cells if cell.cell_type == "markdown")
    first_markdown.source += "\n\nErratum: the due date moved."
    nbformat.write(nb, source)
    changed = release(root=course, assignment=ASSIGNMENT)
    assert (changed.regenerated, changed.released) == (True, True)
    assert "Erratum: the due date moved." in (outbound(course) / NOTEBOOK).read_text()
    assert duedate(course) == datetime(2026, 3, 9, 17, 0)  # kept when no --due is given


def test_an_unreadable_due_date_is_refused_before_anything_is_done(course):
    with pytest.raises(BadOption, match="cannot read the due date 'next friday-ish'"):
        release(root=course, assignment=ASSIGNMENT, due="next friday-ish")
    assert not (course / "release").exists() and not (course / "gradebook.db").exists()


def test_an_unknown_assignment_fails_with_nbgraders_reason(course):
    with pytest.raises(NbgraderFailed, match="^generate_assignment homework failed: No notebooks were matched") as failed:
        release(root=course, assignment="homework")
    assert failed.value.reason.startswith("No notebooks were matched") and "\n" not in failed.value.reason
    assert not outbound(course).exists()


@pytest.mark.slow
def test_cli_turns_a_failure_into_a_message_and_status_2(course):
    result = run_tool(course, "course", "release", ASSIGNMENT, "--root", str(course), "--due", "soon", check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("course release: cannot read the due date 'soon'")
