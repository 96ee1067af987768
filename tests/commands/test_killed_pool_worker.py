"""A grading process of the local pool killed mid-batch (SIGKILL, as the out-of-memory killer does).

``course autograde --workers 2`` runs as a real subprocess; the test finds the
pool worker that is grading a given student (the process holding that
student's result lock, from /proc/locks, whose kernel is running) and kills it
with SIGKILL. Nothing here waits for time to pass: every wait is for a
condition, with a generous overall limit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable, TypeVar

import psutil
import pytest
from nbgrader.api import Gradebook

from course.grading.result_lock import LOCK_DIRECTORY
from course.grading.verdicts import read_verdict
from course.results import load_results
from tests.commands.small_class import cell_scores, hand_in, new_course, small_class
from tests.coursedir import ASSIGNMENT, db_url, run_tool, tool_env

pytestmark = pytest.mark.slow

EXTRA = ("dee", "eve", "fay", "gus", "hal")  # more complete notebooks, so that some wait in the queue
T = TypeVar("T")


@pytest.fixture(scope="module")
def undisturbed(tmp_path_factory) -> dict[str, dict[str, float]]:
    """The small class's cell scores from a run nobody disturbed."""
    root = tmp_path_factory.mktemp("undisturbed")
    new_course(root)
    run_tool(root, "course", "autograde", "--workers", "2", "--no-progress")
    return cell_scores(root)


def class_with_extras(root: Path, extras: tuple[str, ...]) -> list[str]:
    students = new_course(root)
    for student in extras:
        hand_in(root, student, small_class(root)["ada"])
    return sorted([*students, *extras])


def start_batch(root: Path, log: Path) -> subprocess.Popen:
    with log.open("w") as output:  # a file, not a pipe: nobody reads it until the batch ends
        return subprocess.Popen(["course", "autograde", "--workers", "2", "--no-progress", "-v"], cwd=root,
                                env=tool_env(), stdout=output, stderr=subprocess.STDOUT)


def lock_holders(root: Path) -> dict[str, int]:
    """student -> pid of the process holding that student's result lock, read from /proc/locks."""
    students = {}
    for path in (root / LOCK_DIRECTORY).glob(f"{ASSIGNMENT}+*.lock"):
        try:
            students[path.stat().st_ino] = path.name[len(ASSIGNMENT) + 1:-len(".lock")]
        except FileNotFoundError:
            pass
    holders = {}
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()  # "1: POSIX  ADVISORY  WRITE 4242 00:2e:1234567 0 EOF"; "1: -> ..." is a waiter
        if len(fields) < 6 or fields[1] == "->" or fields[1] != "POSIX":
            continue
        inode = int(fields[5].rsplit(":", 1)[1])
        if inode in students:
            holders[students[inode]] = int(fields[4])
    return holders


def grading_worker(root: Path, batch: subprocess.Popen, student: str) -> int | None:
    """The pid of the pool worker grading ``student`` with its kernel running, or None."""
    pid = lock_holders(root).get(student)
    try:
        workers = {p.pid for p in psutil.Process(batch.pid).children(recursive=True)}
        if pid is None or pid not in workers or not psutil.Process(pid).children():
            return None
    except psutil.NoSuchProcess:
        return None
    return pid


def wait_for(condition: Callable[[], T | None], what: str, batch: subprocess.Popen, log: Path) -> T:
    """Poll ``condition`` until it gives a value; fail if the batch ends first or nothing happens for long."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        assert batch.poll() is None, f"the batch ended before {what}:\n{log.read_text()}"
        time.sleep(0.02)
    raise AssertionError(f"never saw {what}:\n{log.read_text()}")


def finish(batch: subprocess.Popen, log: Path) -> tuple[int, str]:
    try:
        return batch.wait(timeout=600), log.read_text()
    finally:
        if batch.poll() is None:
            batch.kill()


def assert_every_grade_has_its_verdict(root: Path, everyone: list[str], graded: list[str]) -> None:
    """A verdict per student; the gradebook holds a whole submission for exactly the graded ones, at their score."""
    verdicts = {student: read_verdict(root / "autograded" / student / ASSIGNMENT) for student in everyone}
    assert all(verdicts.values()), {s: v for s, v in verdicts.items() if v is None}
    assert sorted(s for s, v in verdicts.items() if v.status == "graded") == graded
    with Gradebook(db_url(root)) as gradebook:
        cells = len(gradebook.find_notebook(ASSIGNMENT, ASSIGNMENT).grade_cells)
        submissions = gradebook.find_assignment(ASSIGNMENT).submissions
        assert sorted(s.student.id for s in submissions) == graded
        assert all(len(s.notebooks[0].grades) == cells for s in submissions)
    for student, scores in cell_scores(root).items():
        assert verdicts[student].score == pytest.approx(sum(v for k, v in scores.items() if not k.startswith("q")))


def graded_once(output: str) -> list[str]:
    return sorted(line.split("INFO course.grading.autograde: ")[1].split(":")[0]
                  for line in output.splitlines() if ": graded " in line)


def test_a_killed_pool_worker_is_replaced_and_every_student_graded_once(tmp_path, undisturbed):
    root = tmp_path / "course"
    everyone = class_with_extras(root, EXTRA)
    log = tmp_path / "autograde.log"
    batch = start_batch(root, log)

    def anyone_being_graded() -> tuple[str, int] | None:
        return next(((s, pid) for s in lock_holders(root) if (pid := grading_worker(root, batch, s))), None)

    student, worker = wait_for(anyone_being_graded, "a pool worker grading someone", batch, log)
    os.kill(worker, signal.SIGKILL)
    returncode, output = finish(batch, log)
    assert returncode == 0, output
    assert cell_scores(root) == {**undisturbed, **{s: undisturbed["ada"] for s in EXTRA}}, f"{student} was the victim"
    assert graded_once(output) == everyone, output
    assert_every_grade_has_its_verdict(root, everyone, graded=everyone)


def test_a_submission_that_kills_its_grader_every_time_is_failed_with_the_reason(tmp_path, undisturbed):
    """bob's grading process is killed, and again when bob is graded once more: bob fails, the rest are graded."""
    root = tmp_path / "course"
    everyone = class_with_extras(root, EXTRA[:2])
    log = tmp_path / "autograde.log"
    batch = start_batch(root, log)
    first = wait_for(lambda: grading_worker(root, batch, "bob"), "bob's grading worker", batch, log)
    os.kill(first, signal.SIGKILL)
    second = wait_for(lambda: (pid := grading_worker(root, batch, "bob")) != first and pid,
                      "bob's second grading worker", batch, log)
    os.kill(second, signal.SIGKILL)
    returncode, output = finish(batch, log)
    assert returncode == 1, output  # some submission failed
    others = [s for s in everyone if s != "bob"]
    assert graded_once(output) == others, output
    verdict = read_verdict(root / "autograded" / "bob" / ASSIGNMENT)
    assert (verdict.status, [p.code for p in verdict.problems]) == ("failed", ["grader_killed"])
    assert "killed twice" in verdict.problems[0].message
    assert cell_scores(root) == {s: undisturbed.get(s, undisturbed["ada"]) for s in others}
    assert_every_grade_has_its_verdict(root, everyone, graded=others)
    bob = next(s for s in load_results(root=root, assignment=ASSIGNMENT).students if s.student == "bob")
    assert bob.failed and not bob.submitted and bob.score == 0
    # An unchanged submission that failed is not graded again (its verdict stands) until --force.
    again = run_tool(root, "course", "autograde", "--workers", "2", "--no-progress", "--student", "bob", check=False)
    assert again.returncode == 0 and read_verdict(root / "autograded" / "bob" / ASSIGNMENT) == verdict
