"""``course feedback``: each student's feedback HTML, fit for the student, released to the exchange.

nbgrader's ``generate_feedback`` renders the autograded notebook, hidden tests
included (nbgrader #917, #1363), and copies every other file of the autograded
folder beside it. Here the same converter runs with the course's steps added
to its pipeline (``feedback_filters``): the hidden tests' source is removed,
a test cell that lost points says in words what its hidden tests check, and
feedback sent while written answers are still ungraded carries a
"provisional" banner. Only the student's own files are copied: not the
grader's verdict, not the files nbgrader put there from ``source/``.
Feedback goes only to students whose autograded notebook is current, one
student at a time, so that one bad notebook costs only its own feedback; and
not at all, unless asked for with ``partial``, while any written answer of a
graded submission awaits a grader.
"""

from __future__ import annotations

import glob
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from nbgrader.converters import GenerateFeedback
from nbgrader.utils import temp_attrs
from traitlets.config import Config

from course.course_config import load_course_config, open_api, step_folder
from course.errors import CourseError
from course.feedback_filters import ExplainFailedTests, HideHiddenTests, MarkProvisional
from course.grading.verdicts import VERDICT_FILE
from course.results import load_results
from course.wording import plural

if TYPE_CHECKING:
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

log = logging.getLogger(__name__)

# The course's feedback steps, run after nbgrader's (GetGrades first puts the scores in the cells).
COURSE_STEPS = [ExplainFailedTests, HideHiddenTests, MarkProvisional]
# The grader's bookkeeping beside the autograded notebook: the verdict and its temporary copy.
GRADER_FILES = [glob.escape(VERDICT_FILE) + "*"]
RELEASED = "released to the exchange"


def dotted_name(step: object) -> str:
    return step if isinstance(step, str) else f"{step.__module__}.{step.__qualname__}"


def feedback_config(root: Path) -> Config:
    """The course config whose feedback pipeline ends with ``COURSE_STEPS``, each once and in that order."""
    config = load_course_config(root)
    section = config.GenerateFeedback
    configured = list(section["preprocessors"] if "preprocessors" in section else GenerateFeedback.preprocessors.default())
    ours = {dotted_name(step) for step in COURSE_STEPS}
    section.preprocessors = [step for step in configured if dotted_name(step) not in ours] + COURSE_STEPS
    return config


def kept_out_of_feedback(coursedir: CourseDirectory, assignment: str, student: str) -> list[str]:
    """``CourseDirectory.ignore`` for one student's feedback: nbgrader's list, the grader's files, what was not handed in.

    ``GenerateFeedback`` copies every file of the autograded folder that is not
    a notebook into the feedback folder, except names that match
    ``CourseDirectory.ignore`` (nbgrader's ``BaseConverter.init_assignment``).
    The autograded folder also holds the grader's verdict (problems found,
    tampering flags), the files nbgrader's autograde copied from ``source/``
    and, with ``--unsafe``, files the code wrote while graded. Only the files
    the student handed in belong to the student. The globs match base names.
    """
    submitted = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
    autograded = Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))
    handed_in = {path.relative_to(submitted) for path in submitted.rglob("*") if path.is_file()}
    not_theirs = {
        path.name for path in autograded.rglob("*") if path.is_file() and path.relative_to(autograded) not in handed_in
    }
    return [*coursedir.ignore, *GRADER_FILES, *sorted(map(glob.escape, not_theirs))]


def last_line(result: dict) -> str:
    """The gist of a failed nbgrader API call: the last line of its traceback or log."""
    text = (result.get("error") or result.get("log") or "").strip()
    return text.splitlines()[-1] if text else "no details"


def refusal(assignment: str, pending: dict[str, int]) -> str:
    """The one line that says why feedback waits, and the two ways on."""
    names = sorted(pending)
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    return (
        f"{plural(sum(pending.values()), 'written answer')} of {plural(len(pending), 'student')} ({shown}) "
        f"not graded yet: grade them in the Formgrader (`course lab instructor`), "
        f"or send provisional feedback with `course feedback {assignment} --partial`"
    )


def feedback(*, root: Path, assignment: str, release: bool = True, partial: bool = False) -> str:
    """Generate feedback for every currently autograded student, release it, and say where each student's is.

    Raises ``CourseError`` when nothing is autograded; when written answers
    still await a grader, unless ``partial`` (their feedback then says it is
    provisional); and, after doing all it can for the others, when feedback
    failed for some students.
    """
    config = feedback_config(root)
    api = open_api(config, log)
    students = sorted(api.get_autograded_students(assignment))
    if not students:
        raise CourseError(f"no autograded submission of {assignment!r}: run `course autograde {assignment}` first")
    results = load_results(root=root, assignment=assignment)
    pending = {student: count for student, count in results.pending_answers().items() if student in students}
    if pending and not partial:
        raise CourseError(refusal(assignment, pending))
    generated, failed = [], []
    for student in students:
        with temp_attrs(api.coursedir, ignore=kept_out_of_feedback(api.coursedir, assignment, student)):
            result = api.generate_feedback(assignment, student_id=student, force=True)
        (generated if result["success"] else failed).append(student)
        if not result["success"]:
            log.error("%s: feedback failed: %s", student, last_line(result))
    where = release_feedback(api, config, assignment, generated) if release else {}
    where = {s: where.get(s) or str(step_folder(config, "feedback", s, assignment)) for s in generated}
    summary = f"{assignment}: feedback for {len(generated)} of {plural(len(students), 'student')}"
    if release:
        summary += f"; {sum(text == RELEASED for text in where.values())} {RELEASED}"
    if pending:
        summary += f"; provisional for {len(pending)} ({plural(sum(pending.values()), 'written answer')} not graded yet)"
    lines = where_lines(where, pending)
    if failed:
        log.warning("feedback of the others:\n%s", lines)
        raise CourseError(f"{summary}; failed for {', '.join(failed)} (-v shows why)")
    return f"{summary}\n{lines}"


def where_lines(where: dict[str, str], pending: dict[str, int]) -> str:
    """One line per student, never folded: a folder's path is copied from here into the LMS's upload dialog."""
    return "\n".join(
        f"  {student}: {place}"
        + (f"; provisional: {plural(pending[student], 'written answer')} not graded yet" if student in pending else "")
        for student, place in where.items()
    )


def release_feedback(api: NbGraderAPI, config: Config, assignment: str, students: list[str]) -> dict[str, str]:
    """Put each student's feedback in the exchange; for those it cannot reach, the folder to hand out, and why."""
    where = {}
    for student in students:
        folder = step_folder(config, "feedback", student, assignment)
        # The exchange files feedback under a hash of the submission's secret;
        # an LMS download (zip_collect) has none, so its students cannot fetch it.
        if not (folder / "submission_secret.txt").is_file():
            where[student] = f"{folder} (collected from an LMS: upload it there)"
            continue
        result = api.release_feedback(assignment, student_id=student)
        if result["success"]:
            where[student] = RELEASED
        else:
            where[student] = f"{folder} (release failed: -v shows why)"
            log.error("%s: release failed: %s", student, last_line(result))
    return where
