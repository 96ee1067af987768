"""A second assignment proves that the engine knows no assignment of its own.

The "vectors" assignment (``tests/fixtures/assignments/vectors``) has two
notebooks, its own support library and given class, and exists only in the
test fixtures. A throw-away course holds it, configured with the course's
general options and the assignment's own settings, nothing else; the
commands an instructor and the students run take it through the whole course:
``course release``; ``nbgrader fetch_assignment`` and ``submit`` by each
student through the exchange; ``course collect``; ``course autograde`` with
the sandbox; a written answer graded as in the Formgrader; ``course
feedback``; ``course export``. The expected scores come from the fixture: the
points of the source's test cells, and the cells the wrong student's
mistakes must cost (``students/wrong.toml``).
"""

from __future__ import annotations

import copy
import csv
import json
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.cells import CellKind, cell_kind, grade_id, nbgrader_meta
from course.content import REPO_ROOT, build_notebook, render
from course.feedback_filters import hidden_regions
from course.grading.inspect import stage_submission
from course.grading.verdicts import Problem, read_verdict
from demo.course_folder import COURSE_CONFIG
from demo.submissions import fill_solutions, reference_solutions
from tests.commands.test_feedback import HIDDEN_DELIMITERS, hidden_lines, leaked, shown_text
from tests.coursedir import db_url, run_tool

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "assignments" / "vectors"
ASSIGNMENT = "vectors"
COURSE_ID = "geometry"  # not the assignment's id: a command that confuses the two finds nothing
PERFECT, WRONG = "ada", "bob"
# This course's one assignment and its own settings, after the course's general options (COURSE_CONFIG).
ASSIGNMENT_CONFIG = """\
c.CourseDirectory.course_id = {course_id!r}
load_subconfig("assignment_config.py", path={fixture!r})  # noqa: F821
"""
# Each code cell of an executed notebook run in one namespace, as stock nbgrader runs them all in the
# student's kernel: prints the grade ids of the test cells that fail there.
RUN_IN_ONE_NAMESPACE = """\
import json, sys
import nbformat
namespace, failed = {"__name__": "__main__"}, []
for cell in nbformat.read(sys.argv[1], as_version=4).cells:
    meta = cell.metadata.get("nbgrader", {})
    if cell.cell_type != "code":
        continue
    try:
        exec(compile(cell.source, meta.get("grade_id", "cell"), "exec"), namespace)
    except Exception:
        failed.append(meta.get("grade_id"))
print(json.dumps(failed))  # the last line
"""


@dataclass(frozen=True)
class Course:
    root: Path
    homes: Path
    source: dict[str, nbformat.NotebookNode]  # notebook id -> source notebook
    wrong: dict  # students/wrong.toml

    def points(self, notebook: str) -> dict[str, float]:
        """Grade id -> points of each autograded cell of ``notebook`` worth points."""
        return {grade_id(cell): float(nbgrader_meta(cell)["points"]) for cell in self.source[notebook].cells
                if cell_kind(cell) is CellKind.TESTS and nbgrader_meta(cell)["points"] > 0}

    def written(self, notebook: str) -> dict[str, float]:
        """Grade id -> points of each written answer of ``notebook``."""
        return {grade_id(cell): float(nbgrader_meta(cell)["points"]) for cell in self.source[notebook].cells
                if cell_kind(cell) is CellKind.ANSWER}

    def expected_code_scores(self, student: str) -> dict[tuple[str, str], float]:
        """(notebook, grade id) -> the points each test cell must give: all, except the cells the mistakes cost."""
        lost = {(nb, gid) for nb, part in self.wrong.items() for gid in part["loses"]} if student == WRONG else set()
        return {(nb, gid): 0.0 if (nb, gid) in lost else points
                for nb in self.source for gid, points in self.points(nb).items()}

    def folder(self, step: str, student: str) -> Path:
        return self.root / step / student / ASSIGNMENT

    def exchange_options(self, student: str) -> list[str]:
        """What a student's own nbgrader needs to find the course's exchange and keep its cache."""
        return [f"--course={COURSE_ID}", f"--student={student}", f"--Exchange.root={self.root / 'exchange'}",
                f"--Exchange.cache={self.homes / student / 'cache'}"]


def source_notebooks(folder: Path) -> dict[str, nbformat.NotebookNode]:
    """The assignment's source notebooks, built from their text and written to ``folder``; by notebook id."""
    folder.mkdir(parents=True)
    texts = sorted((FIXTURE / "notebooks").glob("*.py"))
    notebooks = {text.stem: build_notebook(text.read_text(encoding="utf-8")) for text in texts}
    for name, nb in notebooks.items():
        (folder / f"{name}.ipynb").write_text(render(nb), encoding="utf-8")
    return notebooks


def make_course(root: Path) -> dict[str, nbformat.NotebookNode]:
    """The course folder: its nbgrader_config.py and the assignment's source notebooks."""
    root.mkdir(parents=True)
    config = COURSE_CONFIG.format(repo=str(REPO_ROOT), root=str(root), db_url=db_url(root), exchange=str(root / "exchange"))
    (root / "nbgrader_config.py").write_text(config + ASSIGNMENT_CONFIG.format(course_id=COURSE_ID, fixture=str(FIXTURE)))
    return source_notebooks(root / "source" / ASSIGNMENT)


def hand_in(course: Course, student: str) -> None:
    """The student fetches the assignment, types their code into every notebook of it, and submits it."""
    home = course.homes / student
    home.mkdir(parents=True)
    run_tool(home, "nbgrader", "fetch_assignment", ASSIGNMENT, *course.exchange_options(student))
    for name, source in course.source.items():
        path = home / ASSIGNMENT / f"{name}.ipynb"
        typed = reference_solutions(source)  # the code, and the written answers
        if student == WRONG:  # the code with its mistakes; the written answers left blank
            typed = {**reference_solutions(source, kinds=(CellKind.SOLUTION,)), **course.wrong[name]["cells"]}
        nbformat.write(fill_solutions(nbformat.read(path, as_version=4), typed), path)
    run_tool(home, "nbgrader", "submit", ASSIGNMENT, *course.exchange_options(student))


def grade_written_answers(course: Course, student: str) -> None:
    """Full points for each written answer of ``student``, as the instructor gives them in the Formgrader."""
    with Gradebook(db_url(course.root)) as gradebook:
        for notebook in course.source:
            for answer, points in course.written(notebook).items():
                gradebook.find_grade(answer, notebook, ASSIGNMENT, student).manual_score = points
        gradebook.db.commit()


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    root = tmp_path_factory.mktemp("vectors-course") / "course"
    wrong = tomllib.loads((FIXTURE / "students" / "wrong.toml").read_text(encoding="utf-8"))
    built = Course(root, tmp_path_factory.mktemp("homes"), make_course(root), wrong)
    with pytest.MonkeyPatch.context() as env:
        # The support library is importable for every process the commands start, as an installed one would be.
        env.setenv("PYTHONPATH", str(FIXTURE / "support"))
        run_tool(root, "course", "release", ASSIGNMENT)
        for student in (PERFECT, WRONG):
            hand_in(built, student)
        run_tool(root, "course", "collect", ASSIGNMENT)
        run_tool(root, "course", "autograde", ASSIGNMENT, "--workers", "2", "--no-progress")
        grade_written_answers(built, PERFECT)  # the wrong student left the answer blank: 0 at once
        run_tool(root, "course", "feedback", ASSIGNMENT)
        run_tool(root, "course", "export", ASSIGNMENT)
    return built


def code_scores(course: Course, student: str) -> dict[tuple[str, str], float]:
    """(notebook, grade id) -> the gradebook's score of each autograded cell worth points."""
    graded = {(nb, gid) for nb in course.source for gid in course.points(nb)}
    with Gradebook(db_url(course.root)) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return {(nb.name, g.name): g.score for nb in submission.notebooks for g in nb.grades if (nb.name, g.name) in graded}


@pytest.mark.slow
def test_both_notebooks_are_released_without_the_grader_s_cells(course):
    release = course.folder("release", ".")
    assert sorted(path.stem for path in release.glob("*.ipynb")) == sorted(course.source) == ["part1", "part2"]
    for name in course.source:
        assert "_answer_" not in (release / f"{name}.ipynb").read_text(encoding="utf-8")


@pytest.mark.slow
@pytest.mark.parametrize("student", [PERFECT, WRONG])
def test_every_test_cell_of_both_notebooks_gives_the_points_the_fixture_says(course, student):
    assert code_scores(course, student) == course.expected_code_scores(student)
    verdict = read_verdict(course.folder("autograded", student))
    assert verdict.status == "graded"
    assert (verdict.score, verdict.max_score) == (sum(course.expected_code_scores(student).values()),
                                                  sum(course.expected_code_scores(PERFECT).values()))


@pytest.mark.slow
def test_the_perfect_student_earns_every_code_point_in_each_notebook(course):
    scores = code_scores(course, PERFECT)
    for notebook in course.source:
        earned = sum(score for (nb, _), score in scores.items() if nb == notebook)
        assert earned == sum(course.points(notebook).values()) > 0, notebook
    assert read_verdict(course.folder("autograded", PERFECT)).problems == []


@pytest.mark.slow
def test_comparisons_rigged_in_the_kernel_fool_only_tests_run_there(course):
    """The wrong dot passes every test of part 2 run in its own kernel's namespace, and fails them in the grader."""
    executed = course.folder("autograded", WRONG) / "part2.ipynb"  # student code, and the tests as the source has them
    run = subprocess.run([sys.executable, "-c", RUN_IN_ONE_NAMESPACE, str(executed)], capture_output=True, text=True,
                         check=True, env={"PYTHONPATH": str(FIXTURE / "support")})
    assert json.loads(run.stdout.splitlines()[-1]) == []  # after what the cells printed
    lost = {gid for (nb, gid), score in code_scores(course, WRONG).items() if nb == "part2" and score == 0}
    assert lost == set(course.wrong["part2"]["loses"]) and lost


@pytest.mark.slow
def test_the_assignment_s_own_settings_flag_its_grader_names_and_rigged_comparisons(course):
    messages = [p.message for p in read_verdict(course.folder("autograded", WRONG)).problems if p.code == "tampering"]
    assert any(m.startswith("part2.ipynb: ") and "uses the grader's name _answer_dot" in m for m in messages), messages
    assert any(m.startswith("part2.ipynb: ") and "replaces minivec.Vec.__eq__" in m for m in messages), messages
    assert not any(m.startswith("part1.ipynb: ") for m in messages), messages


def visible_test_lines(source: nbformat.NotebookNode) -> set[str]:
    """Every non-blank line of the source's test cells outside their hidden regions."""
    lines = set()
    for cell in source.cells:
        if cell_kind(cell) is CellKind.TESTS:
            code = cell.source.split("\n")
            regions = hidden_regions(cell.source, *HIDDEN_DELIMITERS)
            hidden = {number for begin, end in regions for number in range(begin, end + 1)}
            lines |= {line.strip() for number, line in enumerate(code) if number not in hidden and line.strip()}
    return lines


@pytest.mark.slow
@pytest.mark.parametrize("student", [PERFECT, WRONG])
def test_feedback_for_each_notebook_shows_the_visible_tests_and_no_hidden_line(course, student):
    for name, source in course.source.items():
        text = shown_text(course.folder("feedback", student) / f"{name}.html")
        public = "\n".join(cell.source for folder in (course.folder("release", "."), course.folder("submitted", student))
                           for cell in nbformat.read(folder / f"{name}.ipynb", as_version=4).cells)
        secret = hidden_lines(source) - set(leaked(public, hidden_lines(source)))  # "else:" is no secret
        assert secret and leaked(text, secret) == [], (name, leaked(text, secret))
        shown = {line.strip() for line in text.splitlines()}
        assert visible_test_lines(source) - shown == set(), name


@pytest.mark.slow
def test_the_export_has_each_student_s_totals_and_every_cell_of_both_notebooks(course):
    with (course.root / f"grades-{ASSIGNMENT}.csv").open(newline="") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle)}
    written = sum(points for nb in course.source for points in course.written(nb).values())
    maximum = sum(course.expected_code_scores(PERFECT).values()) + written
    for student, written_score in ((PERFECT, written), (WRONG, 0.0)):
        row, cells = rows[student], course.expected_code_scores(student)
        assert (float(row["score"]), float(row["max_score"])) == (sum(cells.values()) + written_score, maximum)
        assert {(nb, gid): float(row[f"{nb}:{gid}"]) for nb, gid in cells} == cells  # columns named notebook:grade id
        assert row["written_pending"] == "0"


# -- staging: every notebook of the release, each on its own (no grading runs here) ----------------


def release_of_two(folder: Path) -> Path:
    """A release folder holding the assignment's two notebooks (staging compares cells only: the source will do)."""
    source_notebooks(folder)
    return folder


def test_a_notebook_missing_from_several_costs_only_itself(tmp_path):
    release = release_of_two(tmp_path / "release")
    submitted = tmp_path / "submitted"
    submitted.mkdir()
    shutil.copy(release / "part2.ipynb", submitted / "part2.ipynb")
    staged = stage_submission(submitted, tmp_path / "staging", release)
    assert staged.gradable and staged.notebooks == ["part2.ipynb"]
    assert staged.problems == [Problem("missing_notebook", "no part1.ipynb in the submission")]


def test_an_unreadable_notebook_is_left_out_and_repairs_name_their_notebook(tmp_path):
    release = release_of_two(tmp_path / "release")
    submitted = tmp_path / "submitted"
    submitted.mkdir()
    (submitted / "part1.ipynb").write_text("{not json")
    part2 = nbformat.read(release / "part2.ipynb", as_version=4)
    part2.cells.append(copy.deepcopy(next(c for c in part2.cells if grade_id(c) == "test_dot_visible")))
    part2.cells[-1].id = "a-copy"
    nbformat.write(part2, submitted / "part2.ipynb")
    staged = stage_submission(submitted, tmp_path / "staging", release)
    assert staged.notebooks == ["part2.ipynb"] and not (staged.folder / "part1.ipynb").exists()
    assert [p.code for p in staged.problems] == ["malformed_notebook", "duplicate_grade_cell"]
    assert staged.problems[0].message.startswith("part1.ipynb is not a readable notebook (")
    assert staged.problems[1].message == "part2.ipynb: cell 'test_dot_visible' appears 2 times; graded the original"
    assert (submitted / "part1.ipynb").read_text() == "{not json"  # the student's files are never changed


def test_a_submission_without_any_released_notebook_is_not_gradable(tmp_path):
    release = release_of_two(tmp_path / "release")
    submitted = tmp_path / "submitted"
    submitted.mkdir()
    staged = stage_submission(submitted, tmp_path / "staging", release)
    assert not staged.gradable
    assert [p.message for p in staged.problems] == ["no part1.ipynb in the submission", "no part2.ipynb in the submission"]
