"""One real nbgrader course, graded once per session for every probe submission.

The fixtures build a throw-away course directory with the repository's own
grading options (the repository config is loaded, then only the locations
are moved into the temporary directory), generate the release with
``nbgrader generate_assignment``, hand in one notebook per student
(reference, correct alternatives, mutants) and run a single
``nbgrader autograde``. Autograding costs seconds per notebook, so every
test reads the one gradebook instead of grading on its own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.cells import CellKind, cell_kind, grade_id
from course.content import source_path
from course.grading.pipeline import UNSAFE_VARIABLE
from demo.course_folder import create_course, db_url
from demo.submissions import fill_solutions, reference_solutions, with_definitions
from tests.coursedir import run_tool, tool_env
from tests.grading.mutants import Alternative, Mutant, Variant, load_alternatives, load_mutants

ASSIGNMENT = "compression"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
REFERENCE_STUDENT = "reference"


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
REPORT_KEY = pytest.StashKey[list[str]]()


@dataclass(frozen=True)
class Course:
    root: Path

    @property
    def db_url(self) -> str:
        return db_url(self.root)

    def notebook(self, stage: str, student: str | None = None) -> Path:
        """``<stage>/[<student>/]compression/compression.ipynb``."""
        parts = [stage, *([student] if student else []), ASSIGNMENT, NOTEBOOK]
        return self.root.joinpath(*parts)


@dataclass(frozen=True)
class GradingRun:
    """The outcome of one autograde: per student, per autograded test cell, (score, max)."""

    course: Course
    seconds: float
    log: str = field(repr=False)
    scores: dict[str, dict[str, tuple[float, float]]] = field(repr=False)

    def lost(self, student: str) -> dict[str, tuple[float, float]]:
        """The test cells in which ``student`` did not get full marks."""
        return {cell: (score, top) for cell, (score, top) in self.scores[student].items() if score < top}

    def failure(self, student: str, cell: str) -> str:
        """What the cell printed to stderr or raised in the student's autograded notebook."""
        nb = nbformat.read(self.course.notebook("autograded", student), as_version=4)
        outputs = next(c.outputs for c in nb.cells if grade_id(c) == cell)
        texts = ["\n".join(o.traceback) for o in outputs if o.output_type == "error"]
        texts += [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
        return ANSI_ESCAPE.sub("", "\n".join(texts)) or "(no error output)"


def nbgrader(course: Course, *args: str) -> subprocess.CompletedProcess:
    """Run the stock nbgrader CLI in the course directory, from this interpreter's environment."""
    return run_tool(course.root, "nbgrader", *args, check=False)


def submission_code(reference: dict[str, str], variants: tuple[Variant, ...]) -> dict[str, str]:
    """The reference solutions with each (correct alternative) variant spliced in place of its function."""
    code = reference
    for variant in variants:
        code = with_definitions(code, variant.code, variant.function)
    return code


def read_scores(course: Course) -> dict[str, dict[str, tuple[float, float]]]:
    """Autograded (code) cell scores of every graded student, from the gradebook."""
    with Gradebook(course.db_url) as gradebook:
        return {
            submission.student.id: {
                grade.name: (grade.score, grade.max_score)
                for grade in submission.notebooks[0].grades
                if grade.cell_type == "code"
            }
            for submission in gradebook.find_assignment(ASSIGNMENT).submissions
        }


@pytest.fixture(scope="session")
def source_notebook() -> nbformat.NotebookNode:
    return nbformat.read(source_path(ASSIGNMENT), as_version=4)


@pytest.fixture(scope="session")
def reference_code(source_notebook) -> dict[str, str]:
    """The source notebook's code solutions by grade id (free-text answers stay unanswered)."""
    return reference_solutions(source_notebook, kinds=(CellKind.SOLUTION,))


@pytest.fixture(scope="session")
def test_cells(source_notebook) -> list[str]:
    return [grade_id(c) for c in source_notebook.cells if cell_kind(c) is CellKind.TESTS]


@pytest.fixture(scope="session")
def mutants() -> list[Mutant]:
    return load_mutants()


@pytest.fixture(scope="session")
def alternatives() -> list[Alternative]:
    return load_alternatives()


@pytest.fixture(scope="session")
def course(tmp_path_factory) -> Course:
    return generated_course(tmp_path_factory, "course")


def generated_course(tmp_path_factory, name: str) -> Course:
    """A course directory with the repository's grading options and a generated release."""
    course = Course(create_course(tmp_path_factory.mktemp(name)))
    result = nbgrader(course, "generate_assignment", ASSIGNMENT)
    assert result.returncode == 0, result.stdout + result.stderr
    return course


@pytest.fixture(scope="session")
def student_code(reference_code, alternatives, mutants) -> dict[str, dict[str, str]]:
    """What each student hands in: solution code by grade id.

    A mutant whose edits no longer fit the reference raises ``MutantError``
    naming it, before anything is graded.
    """
    students = {REFERENCE_STUDENT: reference_code}
    students |= {alt.name: submission_code(reference_code, alt.variants) for alt in alternatives}
    students |= {m.name: m.submission(reference_code) for m in mutants}
    return students


def hand_in(course: Course, student: str, code_by_grade_id: dict[str, str]) -> None:
    """``submitted/<student>/compression/``: the released folder with the student's notebook."""
    release = course.notebook("release").parent
    folder = course.notebook("submitted", student).parent
    shutil.copytree(release, folder)
    released = nbformat.read(release / NOTEBOOK, as_version=4)
    nbformat.write(fill_solutions(released, code_by_grade_id), folder / NOTEBOOK)


@pytest.fixture(scope="session")
def grading(request, course, student_code, tmp_path_factory) -> GradingRun:
    """Grade every student with stock ``nbgrader autograde`` (no sandbox, tests in the kernel).

    Stock nbgrader grades one notebook at a time, so the class is split into
    one course per core, each graded by its own ``nbgrader autograde`` at the
    same time. Every notebook is still graded once, by the stock command; the
    shards' autograded folders are gathered into ``course`` afterwards, so
    every test sees one graded course.
    """
    processes = min(2, os.cpu_count() or 1)
    shards = [course] + [generated_course(tmp_path_factory, f"course-shard-{index}") for index in range(1, processes)]
    for index, (student, code) in enumerate(sorted(student_code.items())):
        hand_in(shards[index % len(shards)], student, code)
    started = time.perf_counter()
    # The stock baseline: the repository's config grades in the sandbox unless told otherwise.
    runs = [subprocess.Popen(["nbgrader", "autograde", ASSIGNMENT], cwd=shard.root, env={**tool_env(), UNSAFE_VARIABLE: "1"},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for shard in shards]
    log = "".join(run.communicate()[0] for run in runs)
    seconds = time.perf_counter() - started
    scores = {}
    for shard in shards:
        scores |= read_scores(shard)
        if shard is not course:
            for stage in ("submitted", "autograded"):
                shutil.copytree(shard.root / stage, course.root / stage, dirs_exist_ok=True)
    run = GradingRun(course, seconds, log, scores)
    report = grading_report(run, len(shards))
    print("\n".join(report))
    request.config.stash[REPORT_KEY] = report
    return run


@pytest.fixture(scope="session")
def sandboxed_grading(request, tmp_path_factory, grading) -> GradingRun:
    """The same hand-ins graded by ``course autograde``: sandboxed kernels, test cells run by the grader."""
    course = generated_course(tmp_path_factory, "sandboxed-course")
    shutil.copytree(grading.course.root / "submitted", course.root / "submitted")
    started = time.perf_counter()
    result = run_tool(course.root, "course", "autograde", "--no-progress", check=False)
    seconds = time.perf_counter() - started
    run = GradingRun(course, seconds, result.stdout + result.stderr, read_scores(course))
    line = f"course autograde (sandboxed, parallel): {len(run.scores)} notebooks in {seconds:.1f} s wall time"
    request.config.stash[REPORT_KEY] = request.config.stash.get(REPORT_KEY, []) + [line]
    return run


def grading_report(run: GradingRun, processes: int) -> list[str]:
    """The wall time of the run, then the cells each student lost points in."""
    students = sorted(run.scores)
    lines = [
        f"nbgrader autograde ({processes} at once): {len(students)} notebooks in {run.seconds:.1f} s wall time "
        f"({run.seconds * processes / max(1, len(students)):.1f} s per notebook and process)"
    ]
    for student in students:
        lost = run.lost(student)
        cells = ", ".join(f"{cell} {score:g}/{top:g}" for cell, (score, top) in lost.items())
        lines.append(f"  {student}: {cells or 'full marks'}")
    return lines


def pytest_terminal_summary(terminalreporter, config) -> None:
    """Show the grading report even under ``-q``, where captured prints are not shown."""
    for line in config.stash.get(REPORT_KEY, []):
        terminalreporter.write_line(line)
