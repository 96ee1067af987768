"""Red team: every attack of tests/grading/attacks.py graded by the real ``course autograde``.

One batch holds two honest students and one submission per attack. The
grader must: finish the batch; give the honest students exactly their
scores; give no attack a point over the baseline it was built on, in any
test cell; keep the grader's secrets out of the graded notebooks; and name
in the report what it detected. The attacks that earn points from
stock-style grading are graded once more with ``--unsafe`` to show that
they do: without that, "gains nothing" could mean "the attack was broken".
"""

from __future__ import annotations

import functools
import html
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.cells import is_test_of
from course.content import source_path
from course.grading.verdicts import read_verdict
from course.release import release
from course.cells import CellKind
from course.results import problem_text
from demo.course_folder import create_course, db_url
from demo.submissions import fill_solutions, reference_solutions
from tests.coursedir import run_tool
from tests.grading.attacks import ATTACKED_CELL, ATTACKS, BASELINE_SOLVED, SECRET

pytestmark = pytest.mark.slow

ASSIGNMENT = "compression"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
HONEST = ("honest-perfect", "honest-baseline")
# Short limits keep the sleeping attacks quick; they are the same mechanism as the defaults.
RED_TEAM_CONFIG = "\nc.Execute.timeout = 6\nc.TrustedExecute.wall_limit = 300\n"


@pytest.fixture(scope="module")
def source_server():
    """An HTTP server on the host's loopback that hands out the source notebook (for the network attack)."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(source_path(ASSIGNMENT).parent))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def submissions(port: int) -> dict[str, dict[str, str]]:
    """Solution code by grade id, for every student of the batch."""
    reference = reference_solutions(nbformat.read(source_path(ASSIGNMENT), as_version=4), kinds=(CellKind.SOLUTION,))
    baseline = {gid: code for gid, code in reference.items() if gid in BASELINE_SOLVED}
    students = {"honest-perfect": reference, "honest-baseline": baseline}
    for attack in ATTACKS:
        students[attack.name] = {**baseline, ATTACKED_CELL: attack.code.replace("{port}", str(port))}
    return students


def hand_in(root: Path, student: str, code: dict[str, str]) -> None:
    folder = root / "submitted" / student / ASSIGNMENT
    shutil.copytree(root / "release" / ASSIGNMENT, folder)
    nb = fill_solutions(nbformat.read(folder / NOTEBOOK, as_version=4), code)
    edits = [a.edit for a in ATTACKS if a.name == student and a.edit]
    for edit in edits:
        edit(nb)
    nbformat.write(nb, folder / NOTEBOOK)


def cell_scores(root: Path) -> dict[str, dict[str, float]]:
    with Gradebook(db_url(root)) as gradebook:
        return {
            s.student.id: {g.name: g.score for g in s.notebooks[0].grades if g.cell_type == "code"}
            for s in gradebook.find_assignment(ASSIGNMENT).submissions
        }


def grade_batch(root: Path, students: dict[str, dict[str, str]], *extra: str):
    release(root=root, assignment=ASSIGNMENT)
    for student, code in students.items():
        hand_in(root, student, code)
    env_secret = {"COMPRESSION_TEST_SECRET": SECRET}
    os.environ.update(env_secret)
    try:
        result = run_tool(root, "course", "autograde", "--no-progress", "--workers", "2", *extra, check=False)
    finally:
        os.environ.pop("COMPRESSION_TEST_SECRET")
    return result, cell_scores(root)


@pytest.fixture(scope="module")
def batch(tmp_path_factory, source_server):
    root = create_course(tmp_path_factory.mktemp("red-team"), RED_TEAM_CONFIG)
    result, scores = grade_batch(root, submissions(source_server))
    return root, result, scores


@pytest.fixture(scope="module")
def unsafe_batch(tmp_path_factory, source_server):
    root = create_course(tmp_path_factory.mktemp("red-team-unsafe"), RED_TEAM_CONFIG)
    chosen = {name: code for name, code in submissions(source_server).items()
              if name == "honest-baseline" or any(a.name == name and a.gains_when_unsafe for a in ATTACKS)}
    result, scores = grade_batch(root, chosen, "--unsafe")
    return root, result, scores


def test_the_batch_completes_and_grades_everyone(batch):
    root, result, scores = batch
    expected = set(HONEST) | {attack.name for attack in ATTACKS}
    assert expected <= set(scores), f"not graded: {sorted(expected - set(scores))}\n{result.stdout}\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


def test_honest_students_keep_their_exact_scores(batch):
    root, _, scores = batch
    perfect, baseline = scores["honest-perfect"], scores["honest-baseline"]
    with Gradebook(db_url(root)) as gradebook:
        points = {g.name: g.max_score for g in gradebook.find_notebook(ASSIGNMENT, ASSIGNMENT).grade_cells if g.cell_type == "code"}
    assert perfect == points
    solved = {cell: top for cell, top in points.items() if any(is_test_of(cell, f) for f in BASELINE_SOLVED)}
    assert baseline == {cell: solved.get(cell, 0.0) for cell in points}


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_an_attack_gains_no_point_in_any_cell(batch, attack):
    _, _, scores = batch
    gained = {cell: (score, scores["honest-baseline"][cell]) for cell, score in scores[attack.name].items()
              if score > scores["honest-baseline"][cell]}
    assert not gained, f"{attack.name} gained points over the baseline: {gained}"


@pytest.fixture(scope="module")
def report_html(batch) -> str:
    root, _, _ = batch
    run_tool(root, "course", "report")
    return (root / f"report-{ASSIGNMENT}.html").read_text()


@pytest.mark.parametrize("attack", [a for a in ATTACKS if a.detected], ids=lambda a: a.name)
def test_the_report_names_what_was_detected(batch, report_html, attack):
    root, _, _ = batch
    verdict = read_verdict(root / "autograded" / attack.name / ASSIGNMENT)
    assert verdict is not None
    matching = [p for p in verdict.problems if attack.detected == p.code or attack.detected in p.message]
    assert matching, (attack.detected, verdict.problems)
    row = re.search(rf'<tr [^>]*data-student="{re.escape(html.escape(attack.name, quote=True))}"[^>]*>.*?</tr>', report_html, re.S)
    assert row and html.escape(problem_text(matching[:1])) in row.group(0)


def test_no_secret_of_the_grader_reaches_a_graded_notebook(batch):
    root, _, _ = batch
    leaks = [p for p in (root / "autograded").rglob("*.ipynb") if SECRET in p.read_text(errors="replace")]
    assert not leaks


def test_nothing_outside_the_submission_was_written(batch):
    root, _, _ = batch
    assert not Path("/tmp/grader-was-here").exists()
    nb = nbformat.read(root / "autograded" / "honest-perfect" / ASSIGNMENT / NOTEBOOK, as_version=4)
    assert nb.cells, "the honest student's graded notebook is intact"
    assert not list((root / "autograded").rglob("filler-*.bin"))


@pytest.mark.parametrize("attack", [a for a in ATTACKS if a.gains_when_unsafe], ids=lambda a: a.name)
def test_the_attack_is_real_it_gains_points_without_the_protection(unsafe_batch, attack):
    _, result, scores = unsafe_batch
    assert attack.name in scores, result.stderr[-3000:]
    gained = sum(scores[attack.name].values()) - sum(scores["honest-baseline"].values())
    assert gained > 0, f"{attack.name} gains nothing even under --unsafe: the attack is broken"
