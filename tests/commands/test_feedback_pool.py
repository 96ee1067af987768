"""``course feedback --workers N``: the same pages in parallel, on the grader's crash-proof pool.

The processes are killed for real (SIGKILL from inside a feedback step, as
the out-of-memory killer would) and the command is interrupted with a real
SIGINT to its process group, as a terminal's Ctrl-C is.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import psutil
import pytest

from course.feedback import feedback
from tests.commands.graded_course import ASSIGNMENT
from tests.commands.synthetic_class import copy_course
from tests.coursedir import tool_env

pytest_plugins = ["tests.commands.graded_course"]

GRADED = ["ada", "bob", "cyd", "dee"]
REPOSITORY = Path(__file__).resolve().parents[2]


def course_with_step(graded_course, root: Path, step: str | None = None) -> Path:
    """A copy of the graded class whose feedback pipeline also runs ``tests.commands.feedback_steps.<step>``."""
    copy_course(graded_course.root, root)
    if step:
        marks = root / "marks"
        marks.mkdir()
        with (root / "nbgrader_config.py").open("a") as config:
            config.write(f"c.GenerateFeedback.preprocessors.append('tests.commands.feedback_steps.{step}')\n"
                         f"c.{step}.mark_folder = {str(marks)!r}\n")
    return root


def pages(graded_course, root: Path) -> dict[str, str]:
    folder = root / "feedback"
    return {s: (folder / s / ASSIGNMENT / graded_course.feedback_html(s).name).read_text(encoding="utf-8") for s in GRADED}


@pytest.mark.slow
def test_two_processes_make_the_pages_one_makes(graded_course, tmp_path):
    root = course_with_step(graded_course, tmp_path / "course")
    one = feedback(root=root, assignment=ASSIGNMENT, partial=True, release=False, workers=1)
    serial = pages(graded_course, root)
    two = feedback(root=root, assignment=ASSIGNMENT, partial=True, release=False, workers=2)
    assert two.failed == one.failed == [] and two.folders == one.folders
    assert pages(graded_course, root) == serial


@pytest.mark.slow
def test_a_killed_process_costs_no_page(graded_course, tmp_path):
    root = course_with_step(graded_course, tmp_path / "course", "KillOnce")
    result = feedback(root=root, assignment=ASSIGNMENT, partial=True, release=False, workers=2)
    assert len(list((root / "marks").iterdir())) == 2, "bob's page was made twice: once killed, once alone"
    assert result.failed == [] and sorted(result.folders) == GRADED


@pytest.mark.slow
def test_a_page_whose_process_always_dies_fails_alone_with_the_reason(graded_course, tmp_path, caplog):
    root = course_with_step(graded_course, tmp_path / "course", "KillAlways")
    result = feedback(root=root, assignment=ASSIGNMENT, partial=True, release=False, workers=2)
    assert result.failed == ["bob"] and sorted(result.folders) == ["ada", "cyd", "dee"]
    assert "bob: feedback failed: its feedback process was killed twice" in caplog.text


@pytest.mark.slow
def test_ctrl_c_ends_the_pool_at_once(graded_course, tmp_path):
    root = course_with_step(graded_course, tmp_path / "course", "Stall")
    command = ["course", "feedback", ASSIGNMENT, "--partial", "--no-release", "--workers", "2"]
    env = {**tool_env(), "PYTHONPATH": str(REPOSITORY)}  # the step is a test helper
    process = subprocess.Popen(command, cwd=root, env=env, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        while not list((root / "marks").iterdir()):  # bob's page has begun, and will never end
            assert process.poll() is None, process.communicate()
            psutil.wait_procs([psutil.Process(process.pid)], timeout=0.05)
        family = psutil.Process(process.pid).children(recursive=True)
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 128 + signal.SIGINT, (out, err)
    assert "course feedback: stopped by SIGINT; run it again to finish" in err
    _, alive = psutil.wait_procs(family, timeout=30)
    assert alive == [], f"left running: {alive}"
