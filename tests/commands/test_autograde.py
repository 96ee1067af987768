"""``course autograde``: parallel scores equal stock serial ones; re-runs are incremental and resumable."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from course.grading import phases, worker
from course.grading.autograde import autograde
from course.grading.pipeline import UNSAFE_VARIABLE
from course.grading.verdicts import VERDICT_FILE, Verdict, read_verdict
from tests.commands.small_class import cell_scores, hand_in, new_course, small_class
from tests.coursedir import ASSIGNMENT, db_url, run_tool, tool_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stock_and_parallel(tmp_path_factory):
    stock, ours = tmp_path_factory.mktemp("stock"), tmp_path_factory.mktemp("ours")
    new_course(stock)
    new_course(ours)
    # stock nbgrader: the repository's config grades in the sandbox unless told otherwise
    subprocess.run(["nbgrader", "autograde", ASSIGNMENT], cwd=stock, env={**tool_env(), UNSAFE_VARIABLE: "1"}, check=True,
                   capture_output=True)
    run_tool(ours, "course", "autograde", ASSIGNMENT, "--workers", "2", "--no-progress")
    return stock, ours


def test_parallel_scores_equal_stock_serial_scores(stock_and_parallel):
    stock, ours = stock_and_parallel
    expected, got = cell_scores(stock), cell_scores(ours)
    assert set(expected) == {"ada", "bob", "cy"}
    assert got == expected
    assert sum(expected["ada"].values()) > sum(expected["bob"].values()) > 0 == sum(expected["cy"].values())


def test_every_submission_gets_a_verdict_with_its_score(stock_and_parallel):
    _, ours = stock_and_parallel
    for student, cells in cell_scores(ours).items():
        verdict = read_verdict(ours / "autograded" / student / ASSIGNMENT)
        assert verdict.status == "graded" and verdict.problems == []
        assert verdict.score == pytest.approx(sum(v for k, v in cells.items() if not k.startswith("q")))
        assert verdict.max_score == 76 and verdict.seconds > 0


def test_every_verdict_says_where_its_grading_time_went(stock_and_parallel):
    _, ours = stock_and_parallel
    for student in ("ada", "bob", "cy"):
        verdict = read_verdict(ours / "autograded" / student / ASSIGNMENT)
        assert set(verdict.phases) == set(phases.PHASES), student  # every phase (the file keeps keys sorted)
        assert all(seconds > 0 for seconds in verdict.phases.values()), verdict.phases
        # The phases are disjoint intervals of the grading: nothing counted twice (kernel time inside nbgrader's).
        assert sum(verdict.phases.values()) <= verdict.seconds + 0.001 * len(phases.PHASES), verdict


def test_rerun_grades_only_new_or_changed_and_force_regrades(stock_and_parallel):
    _, ours = stock_and_parallel
    again = autograde(root=ours, assignment=ASSIGNMENT, workers=2, progress=False)
    assert sorted(again.skipped) == ["ada", "bob", "cy"] and not again.graded
    hand_in(ours, "cy", small_class(ours)["ada"])  # cy resubmits a complete notebook
    changed = autograde(root=ours, assignment=ASSIGNMENT, workers=2, progress=False)
    assert [v.student for v in changed.graded] == ["cy"] and sorted(changed.skipped) == ["ada", "bob"]
    assert changed.graded[0].score == 76
    forced = autograde(root=ours, assignment=ASSIGNMENT, workers=2, progress=False, force=True, students=["bob"])
    assert [v.student for v in forced.graded] == ["bob"] and not forced.skipped


def test_killed_run_is_finished_by_a_rerun_without_double_counting(tmp_path):
    root = tmp_path / "course"
    new_course(root)
    run = subprocess.Popen(["course", "autograde", ASSIGNMENT, "--workers", "1", "--no-progress"], cwd=root,
                           env=tool_env(), start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not list(root.glob(f"autograded/*/{ASSIGNMENT}/{VERDICT_FILE}")) and time.time() < deadline:
        time.sleep(0.2)
    os.killpg(run.pid, signal.SIGKILL)  # kill -9 the whole run, workers and kernels included
    run.wait()
    assert len(list(root.glob(f"autograded/*/{ASSIGNMENT}/{VERDICT_FILE}"))) < 3, "the run was meant to be cut short"
    run_tool(root, "course", "autograde", ASSIGNMENT, "--no-progress")
    verdicts = [read_verdict(root / "autograded" / s / ASSIGNMENT) for s in ("ada", "bob", "cy")]
    assert all(v is not None and v.status == "graded" for v in verdicts)
    with Gradebook(db_url(root)) as gradebook:
        submissions = gradebook.find_assignment(ASSIGNMENT).submissions
        assert sorted(s.student.id for s in submissions) == ["ada", "bob", "cy"]
        n_cells = len(gradebook.find_notebook(ASSIGNMENT, ASSIGNMENT).grade_cells)
        assert all(len(s.notebooks[0].grades) == n_cells for s in submissions)
    assert verdicts[0].score == 76


def test_unknown_assignment_or_student_is_a_clear_error(stock_and_parallel):
    _, ours = stock_and_parallel
    result = run_tool(ours, "course", "autograde", "nonexistent", check=False)
    assert result.returncode == 2 and "not in the gradebook" in result.stderr
    result = run_tool(ours, "course", "autograde", ASSIGNMENT, "--student", "zed", check=False)
    assert result.returncode == 2 and "no collected submission for zed" in result.stderr


def test_without_a_sandbox_it_refuses_unless_unsafe(stock_and_parallel, tmp_path):
    """No bwrap on PATH: nothing is graded and the message says what to install; --unsafe grades anyway."""
    _, ours = stock_and_parallel
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("course", "nbgrader", "alembic", "python"):
        (tools / tool).symlink_to(Path(tool_env()["PATH"].split(os.pathsep)[0]) / tool)
    env = {**tool_env(), "PATH": str(tools)}
    before = read_verdict(ours / "autograded" / "cy" / ASSIGNMENT)
    refused = subprocess.run(["course", "autograde", "--student", "cy", "--force"], cwd=ours, env=env, capture_output=True, text=True)
    assert refused.returncode == 2, refused.stderr
    assert "bwrap not found: install the Debian package bubblewrap" in refused.stderr and "--unsafe" in refused.stderr
    assert read_verdict(ours / "autograded" / "cy" / ASSIGNMENT) == before
    unsafe = subprocess.run(["course", "autograde", "--student", "cy", "--force", "--unsafe"], cwd=ours, env=env, capture_output=True, text=True)
    assert unsafe.returncode == 0, unsafe.stderr
    assert read_verdict(ours / "autograded" / "cy" / ASSIGNMENT).grader == "ResilientExecute"
    # A grade from --unsafe is not kept by the next safe run, even though the submission did not change.
    run_tool(ours, "course", "autograde", "--student", "cy", "--no-progress")
    assert read_verdict(ours / "autograded" / "cy" / ASSIGNMENT).grader == "SandboxedExecute"


class FlakyKernelAPI:
    """nbgrader's API as a worker sees it, losing the kernel's port race once, then succeeding."""

    def __init__(self, failures: list[str]):
        self.failures = failures
        self.calls = 0

    def autograde(self, assignment, student, force, create):
        self.calls += 1
        if self.failures:
            return {"success": False, "log": self.failures.pop(0), "error": "RuntimeError: Kernel died before replying to kernel_info"}
        return {"success": True, "log": ""}


def test_a_kernel_that_fails_to_start_is_retried_not_blamed(monkeypatch):
    api = FlakyKernelAPI(["zmq.error.ZMQError: Address already in use"])
    monkeypatch.setattr(worker, "open_api", lambda config: api)
    verdict = Verdict("ada", ASSIGNMENT, "", "failed")
    worker.run_autograde(None, ASSIGNMENT, "ada", verdict)
    assert (verdict.status, verdict.attempts, api.calls, verdict.problems) == ("graded", 2, 2, [])


def test_a_student_failure_is_not_retried(monkeypatch):
    api = FlakyKernelAPI([])
    api.autograde = lambda *a, **k: {"success": False, "log": "", "error": "ValidationError: bad metadata"}
    monkeypatch.setattr(worker, "open_api", lambda config: api)
    verdict = Verdict("ada", ASSIGNMENT, "", "failed")
    worker.run_autograde(None, ASSIGNMENT, "ada", verdict)
    assert verdict.status == "failed" and verdict.attempts == 1
    assert verdict.problems[0].code == "autograde_failed" and "bad metadata" in verdict.problems[0].message
