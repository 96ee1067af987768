"""Stock ``nbgrader autograde`` grades with the tamper-proof grader, through the repository's nbgrader_config.py.

The course's one pipeline (``course.grading.pipeline``) replaces nbgrader's
``Execute`` with ``SandboxedExecute`` for ``course autograde``, stock
``nbgrader autograde`` and the Formgrader alike (the Formgrader's Autograde
button is ``tests/browser/test_formgrader_autograde.py``). Grading the stock
way takes an explicit ``COURSE_UNSAFE_GRADING=1``, and the same class
graded with it shows every difference these tests check: the checks can fail.

The class: ``honest`` hands in the reference solutions; ``baseline`` the
reference without ``measure_sparsity`` (the released stub); ``mallory`` the
baseline with an attack in the ``measure_sparsity`` cell that writes files
outside its folder (the course root, other students' graded and submitted
folders, a forged verdict), deletes other students' graded notebooks, reads
the source notebook to run its solution, and patches ``numpy.allclose``.
"""

from __future__ import annotations

import hashlib
import json
import runpy
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.converters.autograde import Autograde
from nbgrader.preprocessors import Execute
from traitlets.config import Config
from traitlets.utils.importstring import import_item

from course.cells import CellKind, cell_kind, grade_id
from course.content import REPO_ROOT
from course.grading import pipeline
from course.grading.preprocessors import RequireSandbox, ResilientExecute, SandboxedExecute
from course.grading.trusted_tests import source_path
from course.grading.verdicts import VERDICT_FILE
from course.grading.worker import grading_configs
from demo.submissions import fill_solutions, reference_solutions
from tests.coursedir import ASSIGNMENT, db_url, make_course, run_tool, tool_env

NOTEBOOK = f"{ASSIGNMENT}.ipynb"
ATTACKED = "measure_sparsity"
ATTACKER = "mallory"
# nbgrader's own files in the course root (the gradebook, its log).
NBGRADER_FILES = {"gradebook.db", "gradebook.db-journal", ".nbgrader.log"}
SOURCE_READ = "source readable: yes"
SOURCE_NOT_READ = "source readable: no"


def _resolved(steps: list) -> list:
    """The classes and functions a list of steps names (nbconvert imports a dotted name when it registers it)."""
    return [import_item(step) if isinstance(step, str) else step for step in steps]


# --- the pipeline and the configuration (no kernel) ---------------------------------------------

def test_the_pipeline_is_nbgraders_own_with_execute_replaced():
    nbgrader_defaults = Autograde.class_traits()["autograde_preprocessors"].default()
    assert _resolved(pipeline.NBGRADER_AUTOGRADE_STEPS) == nbgrader_defaults
    # every stock step but Execute is in the course's list, in nbgrader's order (the course may add steps of its own)
    course_steps = iter(pipeline.autograde_steps())
    assert all(any(step == stock for step in course_steps) for stock in pipeline.NBGRADER_AUTOGRADE_STEPS[1:])
    steps = _resolved(pipeline.autograde_steps())
    assert Execute not in steps and steps.count(SandboxedExecute) == 1
    assert steps[steps.index(SandboxedExecute) - 1] is RequireSandbox
    unsafe = _resolved(pipeline.autograde_steps(ResilientExecute))
    assert ResilientExecute in unsafe and RequireSandbox not in unsafe
    # sanitizing: nbgrader's own steps, with the source's layout restored first for the tamper-proof grader
    assert _resolved(pipeline.NBGRADER_SANITIZE_STEPS) == Autograde.class_traits()["sanitize_preprocessors"].default()
    assert pipeline.sanitize_steps() == [pipeline.NBGRADER_SANITIZE_STEPS[0], pipeline.SOURCE_LAYOUT, *pipeline.NBGRADER_SANITIZE_STEPS[1:]]
    assert pipeline.sanitize_steps(ResilientExecute) == list(pipeline.NBGRADER_SANITIZE_STEPS)


def _repository_config(monkeypatch, unsafe: str | None) -> Config:
    if unsafe is None:
        monkeypatch.delenv(pipeline.UNSAFE_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(pipeline.UNSAFE_VARIABLE, unsafe)
    c = Config()
    runpy.run_path(str(REPO_ROOT / "nbgrader_config.py"), init_globals={"get_config": lambda: c})
    return c


def test_the_repository_config_grades_in_the_sandbox_with_the_worker_s_steps(monkeypatch, capsys):
    config = _repository_config(monkeypatch, None)
    assert config.Autograde.autograde_preprocessors == pipeline.autograde_steps()
    assert "WITHOUT the sandbox" not in capsys.readouterr().err
    # `course autograde` runs the same steps (its executor given as a class)
    worker = grading_configs(REPO_ROOT, SandboxedExecute).grading.Autograde
    assert _resolved(worker.autograde_preprocessors) == _resolved(config.Autograde.autograde_preprocessors)
    assert worker.sanitize_preprocessors == config.Autograde.sanitize_preprocessors == pipeline.sanitize_steps()


@pytest.mark.parametrize("value", ["1", "true", "YES"])
def test_only_the_explicit_switch_gives_stock_nbgrader_and_it_says_so(monkeypatch, capsys, value):
    config = _repository_config(monkeypatch, value)
    assert config.Autograde.autograde_preprocessors == [pipeline.WARN_UNSANDBOXED, *pipeline.NBGRADER_AUTOGRADE_STEPS]
    assert config.Autograde.sanitize_preprocessors == list(pipeline.NBGRADER_SANITIZE_STEPS)
    assert "WITHOUT the sandbox" in capsys.readouterr().err


@pytest.mark.parametrize("value", ["", "0", "no"])
def test_anything_else_keeps_the_sandbox(monkeypatch, value):
    assert _repository_config(monkeypatch, value).Autograde.autograde_preprocessors == pipeline.autograde_steps()


def test_the_grader_finds_the_source_notebook_nbgrader_is_grading(tmp_path):
    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    config.CourseDirectory.source_directory = "masters"
    resources = {"nbgrader": {"assignment": "week1", "notebook": "lab", "student": "ada"}}
    assert source_path("", config, resources) == tmp_path / "masters" / "week1" / "lab.ipynb"
    assert source_path(str(tmp_path / "given.ipynb"), config, resources) == tmp_path / "given.ipynb"


# --- stock `nbgrader autograde` in a course ------------------------------------------------------

def file_writing_attack(root: Path, me: str, others: list[str]) -> str:
    """Code for the attacked cell. The kernel's folder is ``autograded/<me>/compression``, as stock nbgrader runs it."""
    forged = {s: json.dumps({"student": s, "assignment": ASSIGNMENT, "fingerprint": "forged", "status": "graded",
                             "score": 999.0, "max_score": 76.0}) for s in [me, *others]}
    writes = [("../../../gradebook-evil.txt", "written by a student"), (str(root / "evil-absolute.txt"), "written by a student"),
              (VERDICT_FILE, forged[me]), ("evil-in-own-folder.txt", "written by a student")]
    for other in others:
        writes += [(f"../../{other}/{ASSIGNMENT}/evil.txt", "written by a student"),
                   (f"../../{other}/{ASSIGNMENT}/{VERDICT_FILE}", forged[other]),
                   (f"../../../submitted/{other}/{ASSIGNMENT}/evil.txt", "written by a student")]
    removals = [f"../../{other}/{ASSIGNMENT}/{NOTEBOOK}" for other in others]
    sources = [f"../../../source/{ASSIGNMENT}/{NOTEBOOK}", str(root / "source" / ASSIGNMENT / NOTEBOOK)]
    return f"""\
import json as _json, os as _os, pathlib as _pathlib
import numpy as np

for _path, _text in {writes!r}:
    try:
        _pathlib.Path(_path).write_text(_text)
    except OSError:
        pass
for _path in {removals!r}:
    try:
        _os.remove(_path)
    except OSError:
        pass
_source = None
for _path in {sources!r}:
    try:
        _source = _json.loads(_pathlib.Path(_path).read_text())
        break
    except OSError:
        pass
print("source readable:", "yes" if _source else "no")
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True


def measure_sparsity(model):
    raise NotImplementedError()


for _cell in (_source or {{"cells": []}})["cells"]:
    _code = "".join(_cell["source"])
    if _cell["metadata"].get("nbgrader", {{}}).get("solution") and "def measure_sparsity" in _code:
        exec(_code, globals())
"""


def class_code(root: Path) -> dict[str, dict[str, str]]:
    reference = reference_solutions(nbformat.read(root / "source" / ASSIGNMENT / NOTEBOOK, as_version=4), kinds=(CellKind.SOLUTION,))
    baseline = {gid: code for gid, code in reference.items() if gid != ATTACKED}
    attack = file_writing_attack(root, ATTACKER, ["baseline", "honest"])
    return {"honest": reference, "baseline": baseline, ATTACKER: {**baseline, ATTACKED: attack}}


def hand_in(root: Path, student: str, code: dict[str, str]) -> None:
    release = root / "release" / ASSIGNMENT
    folder = root / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    for path in release.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    nbformat.write(fill_solutions(nbformat.read(release / NOTEBOOK, as_version=4), code), folder / NOTEBOOK)


def snapshot(root: Path) -> dict[str, str]:
    """Every file under ``root``: relative path -> hash of its content."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in root.rglob("*") if p.is_file()}


def written_outside_graded_folders(root: Path, before: dict[str, str], students: list[str]) -> list[str]:
    """Files created, changed or deleted that are not nbgrader's own: its gradebook and log, and in
    ``autograded/<student>/<assignment>/`` the graded notebook and the files it copies from the submission and the source."""
    after = snapshot(root)
    touched = {path for path in after if before.get(path) != after[path]} | (set(before) - set(after))

    def nbgraders(path: str) -> bool:
        parts = path.split("/")
        if path in NBGRADER_FILES:
            return True
        if len(parts) != 4 or parts[0] != "autograded" or parts[1] not in students or parts[2] != ASSIGNMENT:
            return False
        copied = {p.name for p in (root / "submitted" / parts[1] / ASSIGNMENT).iterdir()}
        copied |= {p.name for p in (root / "source" / ASSIGNMENT).iterdir()}
        return parts[3] in copied | {"timestamp.txt"}

    return sorted(path for path in touched if not nbgraders(path))


def stock_autograde(root: Path, unsafe: bool) -> subprocess.Popen:
    env = tool_env()
    env.pop(pipeline.UNSAFE_VARIABLE, None)
    if unsafe:
        env[pipeline.UNSAFE_VARIABLE] = "1"
    return subprocess.Popen(["nbgrader", "autograde", ASSIGNMENT], cwd=root, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


class Graded:
    def __init__(self, root: Path, before: dict[str, str], log: str, returncode: int):
        self.root, self.before, self.log, self.returncode = root, before, log, returncode
        with Gradebook(db_url(root)) as gradebook:
            self.scores = {
                s.student.id: {g.name: g.score for g in s.notebooks[0].grades if g.cell_type == "code"}
                for s in gradebook.find_assignment(ASSIGNMENT).submissions
            }

    def total(self, student: str) -> float:
        return sum(self.scores[student].values())

    def notebook(self, student: str) -> nbformat.NotebookNode:
        return nbformat.read(self.root / "autograded" / student / ASSIGNMENT / NOTEBOOK, as_version=4)

    def printed(self, student: str, cell: str) -> str:
        outputs = next(c.outputs for c in self.notebook(student).cells if grade_id(c) == cell)
        return "".join(o.get("text", "") for o in outputs)

    def test_cell_counts(self, student: str) -> list:
        """The execution count of each test cell: the kernel numbers the cells it runs; the grader's are None."""
        return [c.execution_count for c in self.notebook(student).cells if cell_kind(c) is CellKind.TESTS]

    def written_outside(self) -> list[str]:
        return written_outside_graded_folders(self.root, self.before, list(self.scores))


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, Graded]:
    """The class in two courses, graded by stock `nbgrader autograde` at once: as configured, and with the switch."""
    roots = {mode: make_course(tmp_path_factory.mktemp(mode)) for mode in ("configured", "switched")}
    for root in roots.values():
        run_tool(root, "nbgrader", "generate_assignment", ASSIGNMENT)
        for student, code in class_code(root).items():
            hand_in(root, student, code)
    before = {mode: snapshot(root) for mode, root in roots.items()}
    runs = {mode: stock_autograde(root, unsafe=mode == "switched") for mode, root in roots.items()}
    logs = {mode: run.communicate()[0] for mode, run in runs.items()}
    return {mode: Graded(roots[mode], before[mode], logs[mode], runs[mode].returncode) for mode in roots}


@pytest.mark.slow
def test_stock_nbgrader_grades_every_student_in_the_sandbox(graded):
    run = graded["configured"]
    assert run.returncode == 0, run.log[-3000:]
    assert sorted(run.scores) == ["baseline", "honest", ATTACKER], run.log[-3000:]
    assert "WITHOUT the sandbox" not in run.log
    for student in run.scores:
        counts = run.test_cell_counts(student)
        assert counts and all(count is None for count in counts), f"{student}: test cells ran in the kernel: {counts}"


@pytest.mark.slow
def test_an_honest_submission_gets_full_marks(graded):
    run = graded["configured"]
    assert run.total("honest") == 76, {cell: s for cell, s in run.scores["honest"].items() if s == 0}
    assert run.total("baseline") < 76


@pytest.mark.slow
def test_the_attack_writes_nothing_outside_its_folder(graded):
    run = graded["configured"]
    assert run.written_outside() == []
    own = run.root / "autograded" / ATTACKER / ASSIGNMENT
    assert not (own / "evil-in-own-folder.txt").exists() and not (own / VERDICT_FILE).exists()
    for other in ("baseline", "honest"):
        assert (run.root / "autograded" / other / ASSIGNMENT / NOTEBOOK).is_file()


@pytest.mark.slow
def test_the_attack_cannot_read_the_source_and_gains_nothing(graded):
    run = graded["configured"]
    assert SOURCE_NOT_READ in run.printed(ATTACKER, ATTACKED)
    gained = {cell: (score, run.scores["baseline"][cell]) for cell, score in run.scores[ATTACKER].items()
              if score > run.scores["baseline"][cell]}
    assert not gained, gained


@pytest.mark.slow
def test_with_the_switch_it_is_stock_nbgrader_again_and_every_check_above_fails(graded):
    """The same class, graded with ``COURSE_UNSAFE_GRADING=1``: what the sandbox prevented happens."""
    run = graded["switched"]
    assert run.returncode == 0, run.log[-3000:]
    assert "WITHOUT the sandbox" in run.log and f"{ATTACKER}/{ASSIGNMENT}/{ASSIGNMENT} unsandboxed" in run.log
    assert run.total("honest") == 76
    assert all(count is not None for count in run.test_cell_counts(ATTACKER))  # the tests ran in its kernel
    assert SOURCE_READ in run.printed(ATTACKER, ATTACKED)
    assert run.total(ATTACKER) > run.total("baseline")
    outside = run.written_outside()
    assert {"gradebook-evil.txt", "evil-absolute.txt", f"autograded/honest/{ASSIGNMENT}/{VERDICT_FILE}",
            f"submitted/baseline/{ASSIGNMENT}/evil.txt"} <= set(outside), outside
    assert not (run.root / "autograded" / "honest" / ASSIGNMENT / NOTEBOOK).exists()


@pytest.mark.slow
def test_without_a_working_sandbox_stock_nbgrader_grades_nothing_and_says_why(tmp_path):
    root = make_course(tmp_path / "course")
    run_tool(root, "nbgrader", "generate_assignment", ASSIGNMENT)
    hand_in(root, "honest", class_code(root)["honest"])
    env = tool_env()
    env.pop(pipeline.UNSAFE_VARIABLE, None)
    env["PATH"] = str(Path(sys.executable).parent)  # this environment's scripts (nbgrader, alembic), no bwrap
    result = subprocess.run(["nbgrader", "autograde", ASSIGNMENT], cwd=root, env=env, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert "bwrap not found" in output and f"{pipeline.UNSAFE_VARIABLE}=1" in output, output[-3000:]
    assert not (root / "autograded" / "honest" / ASSIGNMENT / NOTEBOOK).exists()
