"""A small class, handed in through the exchange and graded by stock nbgrader, shared by the command tests.

Feedback, export, report and status all read a course after grading, so one
is built per session: a throw-away course with the repository's options (and
the late-penalty plugin this course uses), its release in the exchange, five
students who submit through the exchange with nbgrader's own ``submit``, one
``nbgrader collect`` and one ``nbgrader autograde``. The grading engine that
writes verdicts is not used here; its verdicts are written directly, in its
format, so that these tests depend only on what the commands read.
Test modules load the fixtures with ``pytest_plugins``, so that the course is
built once per session however many modules use it. They also import its
constants first, too early for pytest to rewrite its asserts, hence
PYTEST_DONT_REWRITE (its asserts carry their own messages).

The class: ``ada`` hands in the reference solutions, ``bob`` the release as
it came, ``cyd`` the reference with a wrong ``measure_sparsity`` and a day
and two hours late, ``dee`` the reference, one written answer (the others
leave them blank) and a stray file (a graded submission with a problem), and
``eve`` a notebook under the wrong name that the engine could not grade (a
verdict, but no gradebook submission).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.cells import CellKind
from course.feedback import FeedbackResult, feedback
from course.grading.verdicts import Problem, Verdict, fingerprint, write_verdict
from demo.submissions import fill_solutions, reference_solutions, with_definitions
from tests.coursedir import ASSIGNMENT, db_url, make_course, run_tool, tool_env

NOTEBOOK = f"{ASSIGNMENT}.ipynb"
DUE = datetime(2026, 1, 15, 17, 0, 0)  # UTC, naive as the gradebook stores it
ON_TIME = DUE - timedelta(hours=3)
LATE = DUE + timedelta(days=1, hours=2)  # two started days
LATE_STUDENT = "cyd"
# The lines nbgrader_config.py needs for this course's late-penalty policy.
LATE_PENALTY_CONFIG = 'c.AssignLatePenalties.plugin_class = "course.late_penalty.PerDayLatePenalty"\n'
WRONG_MEASURE_SPARSITY = "def measure_sparsity(model):\n    return 0.0\n"
EXTRA_FILE_PROBLEM = Problem("extra_files", "notes.txt is not part of the assignment; it was left out of grading")
MISSING_NOTEBOOK_PROBLEM = Problem("missing_notebook", f"{NOTEBOOK} is missing; found 'Compression (1).ipynb'")
WRITTEN_ANSWER = "q1_reasoning"  # dee answers it, so it awaits a human grader; blank answers score 0 at once
GRADING_SECONDS = {"ada": 2.6, "bob": 1.4, "cyd": 2.5, "dee": 2.7, "eve": 0.1}


@dataclass(frozen=True)
class GradedCourse:
    root: Path
    homes: Path  # each student's own folder (their cwd and submission cache)
    source: nbformat.NotebookNode

    def home(self, student: str) -> Path:
        return self.homes / student

    def notebook(self, step: str, student: str) -> Path:
        return self.root / step / student / ASSIGNMENT / NOTEBOOK

    def feedback_html(self, student: str, folder: str = "feedback") -> Path:
        return self.root / folder / student / ASSIGNMENT / f"{ASSIGNMENT}.html"

    def exchange_options(self, student: str) -> list[str]:
        """What a student's own nbgrader needs to find the course exchange and their cache."""
        return [
            f"--course={ASSIGNMENT}", f"--student={student}",
            f"--Exchange.root={self.root / 'exchange'}", f"--Exchange.cache={self.home(student) / 'cache'}",
        ]


def class_submissions(source: nbformat.NotebookNode, release: nbformat.NotebookNode) -> dict[str, dict[str, object]]:
    """Each student's files (name -> notebook or text), built from the release with demo.submissions."""
    reference = reference_solutions(source, kinds=(CellKind.SOLUTION,))
    full = fill_solutions(release, reference)
    wrong = with_definitions(reference, WRONG_MEASURE_SPARSITY, "measure_sparsity")
    return {
        "ada": {NOTEBOOK: full},
        "bob": {NOTEBOOK: release},
        "cyd": {NOTEBOOK: fill_solutions(release, wrong)},
        "dee": {NOTEBOOK: fill_solutions(release, {**reference, WRITTEN_ANSWER: "Dense kernels skip no zeros."}),
                "notes.txt": "my scratch notes\n"},
        "eve": {"Compression (1).ipynb": full},
    }


def submit(course: GradedCourse, student: str, files: dict[str, object]) -> subprocess.Popen:
    """Put the student's files in their home and start ``nbgrader submit`` there, as they would."""
    folder = course.home(student) / ASSIGNMENT
    folder.mkdir(parents=True)
    for name, content in files.items():
        if isinstance(content, nbformat.NotebookNode):
            nbformat.write(content, folder / name)
        else:
            (folder / name).write_text(content)
    return subprocess.Popen(
        ["nbgrader", "submit", ASSIGNMENT, *course.exchange_options(student)],
        cwd=course.home(student), env=tool_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def set_timestamps(course: GradedCourse, students: list[str]) -> None:
    """Submission times relative to the due date: on time, except the late student."""
    for student in students:
        when = LATE if student == LATE_STUDENT else ON_TIME
        (course.root / "submitted" / student / ASSIGNMENT / "timestamp.txt").write_text(f"{when} UTC")


def write_verdicts(course: GradedCourse, students: list[str]) -> None:
    """The verdicts the grading engine would leave: scores from the gradebook, problems as staged."""
    with Gradebook(db_url(course.root)) as gradebook:
        for student in students:
            submitted = course.root / "submitted" / student / ASSIGNMENT
            folder = course.root / "autograded" / student / ASSIGNMENT
            if student == "eve":
                problems = [MISSING_NOTEBOOK_PROBLEM]
                verdict = Verdict(student, ASSIGNMENT, fingerprint(submitted), "failed", problems=problems)
            else:
                submission = gradebook.find_submission(ASSIGNMENT, student)
                verdict = Verdict(
                    student, ASSIGNMENT, fingerprint(submitted), "graded", score=submission.score,
                    max_score=submission.max_score, problems=[EXTRA_FILE_PROBLEM] if student == "dee" else [],
                )
            verdict.seconds = GRADING_SECONDS[student]
            write_verdict(folder, verdict)


def build_graded_course(root: Path, homes: Path) -> GradedCourse:
    make_course(root, extra_config=LATE_PENALTY_CONFIG)
    run_tool(root, "nbgrader", "generate_assignment", ASSIGNMENT)
    run_tool(root, "nbgrader", "release_assignment", ASSIGNMENT)
    with Gradebook(db_url(root)) as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
    course = GradedCourse(root, homes, nbformat.read(root / "source" / ASSIGNMENT / NOTEBOOK, as_version=4))
    release = nbformat.read(root / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    submissions = class_submissions(course.source, release)
    for student, process in [(s, submit(course, s, files)) for s, files in submissions.items()]:
        output, _ = process.communicate()
        assert process.returncode == 0, f"{student} could not submit:\n{output}"
    run_tool(root, "nbgrader", "collect", ASSIGNMENT)
    set_timestamps(course, list(submissions))
    run_tool(root, "nbgrader", "autograde", ASSIGNMENT, "--CourseDirectory.student_id_exclude=eve")
    write_verdicts(course, list(submissions))
    return course


def fetch_feedback(course: GradedCourse, student: str) -> list[Path]:
    """What ``nbgrader fetch_feedback`` run by the student brings home."""
    run_tool(course.home(student), "nbgrader", "fetch_feedback", ASSIGNMENT, *course.exchange_options(student))
    return sorted((course.home(student) / ASSIGNMENT / "feedback").glob("*/*.html"))


@pytest.fixture(scope="session")
def graded_course(tmp_path_factory) -> GradedCourse:
    return build_graded_course(tmp_path_factory.mktemp("graded-course"), tmp_path_factory.mktemp("homes"))


@pytest.fixture(scope="session")
def feedback_result(graded_course) -> FeedbackResult:
    """``course feedback --partial`` run once on the graded class (generate and release; dee's answer awaits a grader)."""
    return feedback(root=graded_course.root, assignment=ASSIGNMENT, partial=True)
