"""``course feedback``: each student's feedback HTML, fit for the student, released to the exchange.

nbgrader's ``generate_feedback`` renders the autograded notebook, hidden tests
included (nbgrader #917, #1363), and copies every other file of the autograded
folder beside it. Here the same converter runs with the course's steps added
to its pipeline (``feedback_filters``): the hidden tests' source is removed,
a test cell that lost points says in words what its hidden tests check, and
feedback sent while written answers are still ungraded carries a
"provisional" banner. Only the student's own files are copied: not the
grader's verdict, not the files nbgrader put there from ``source/``.
Feedback goes only to students whose autograded notebook is current, each
page made on its own, so that one bad notebook costs only its own feedback
(a large class's pages in parallel, on the grader's crash-proof pool); and
not at all, unless asked for with ``partial``, while any written answer of a
graded submission awaits a grader.
"""

from __future__ import annotations

import enum
import functools
import glob
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nbgrader.converters import GenerateFeedback
from nbgrader.preprocessors import GetGrades
from nbgrader.utils import temp_attrs
from traitlets.config import Config

from course.course_config import CONFIG_FILE, load_course_config, open_api, step_folder
from course.errors import NothingToDo, WrittenAnswersPending
from course.feedback_filters import ExplainFailedTests, HideHiddenTests, MarkProvisional
from course.feedback_render import FeedbackExporter, GetGradesAtOnce
from course.grading.verdicts import VERDICT_FILE
from course.nbgrader_reason import nbgrader_reason
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
# The class size from which feedback is made in parallel by default: a pool
# costs a couple of seconds to start, a page about 0.13 s of CPU.
PARALLEL_FROM = 50
# nbgrader's file beside a submission that the exchange files feedback under (a hash of it).
SUBMISSION_SECRET = "submission_secret.txt"


class Delivery(enum.Enum):
    """How one student's feedback reaches them."""

    RELEASED = "released"  # in the exchange: ``nbgrader fetch_feedback`` brings it home
    FROM_LMS = "from_lms"  # collected from an LMS: the folder is to be uploaded there
    RELEASE_FAILED = "release_failed"  # nbgrader's release_feedback failed (logged with the reason)
    NOT_RELEASED = "not_released"  # generated only (``release=False``)


@dataclass(frozen=True)
class FeedbackResult:
    """Feedback for every currently autograded student: where each one's is, and whose failed."""

    assignment: str
    students: list[str]  # currently autograded
    folders: dict[str, Path]  # generated: student -> feedback folder
    delivery: dict[str, Delivery]  # generated: student -> how it reaches them
    pending: dict[str, int]  # provisional: student -> written answers not graded yet
    failed: list[str]  # no feedback could be generated (the reasons are logged)
    release: bool  # release to the exchange was asked for

    @property
    def released(self) -> list[str]:
        return [student for student, how in self.delivery.items() if how is Delivery.RELEASED]


def dotted_name(step: object) -> str:
    return step if isinstance(step, str) else f"{step.__module__}.{step.__qualname__}"


# nbgrader's feedback steps that have a faster twin giving the same result, by either of their names.
FASTER = dict.fromkeys([dotted_name(GetGrades), "nbgrader.preprocessors.GetGrades"], GetGradesAtOnce)


def feedback_config(root: Path, *, db_url: str | None = None) -> Config:
    """The course config whose feedback pipeline ends with ``COURSE_STEPS``, each once and in that order.

    nbgrader's steps and exporter are swapped for ``feedback_render``'s, which
    give the same page at a fraction of the cost, unless the course
    configured an exporter of its own.
    """
    config = load_course_config(root, db_url=db_url)
    section = config.GenerateFeedback
    configured = list(section["preprocessors"] if "preprocessors" in section else GenerateFeedback.preprocessors.default())
    ours = {dotted_name(step) for step in COURSE_STEPS}
    configured = [FASTER.get(dotted_name(step), step) for step in configured if dotted_name(step) not in ours]
    section.preprocessors = configured + COURSE_STEPS
    if "exporter_class" not in section:
        section.exporter_class = FeedbackExporter
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
    submitted = step_folder(coursedir, "submitted", student, assignment)
    autograded = step_folder(coursedir, "autograded", student, assignment)
    handed_in = {path.relative_to(submitted) for path in submitted.rglob("*") if path.is_file()}
    not_theirs = {
        path.name for path in autograded.rglob("*") if path.is_file() and path.relative_to(autograded) not in handed_in
    }
    return [*coursedir.ignore, *GRADER_FILES, *sorted(map(glob.escape, not_theirs))]


def refusal(assignment: str, pending: dict[str, int]) -> str:
    """The one line that says why feedback waits, and the two ways on."""
    names = sorted(pending)
    shown = ", ".join(names[:5]) + (", ..." if len(names) > 5 else "")
    return (
        f"{plural(sum(pending.values()), 'written answer')} of {plural(len(pending), 'student')} ({shown}) "
        f"not graded yet: grade them in the Formgrader (`course lab instructor`), "
        f"or send provisional feedback with `course feedback {assignment} --partial`"
    )


def feedback(*, root: Path, assignment: str, release: bool = True, partial: bool = False,
             db_url: str | None = None, workers: int | None = None) -> FeedbackResult:
    """Generate feedback for every currently autograded student and release it.

    Raises ``NothingToDo`` when nothing is autograded, and
    ``WrittenAnswersPending`` when written answers still await a grader,
    unless ``partial`` (their feedback then says it is provisional). A student
    whose feedback fails is in the result's ``failed``; the others get theirs.
    ``workers`` processes make the pages (default: one per core for a class
    of ``PARALLEL_FROM`` or more, where the pool's start-up pays for itself).
    """
    config = feedback_config(root, db_url=db_url)
    api = open_api(config, log)
    students = sorted(api.get_autograded_students(assignment))
    if not students:
        raise NothingToDo(f"no autograded submission of {assignment!r}: run `course autograde {assignment}` first")
    results = load_results(root=root, assignment=assignment, db_url=db_url)
    pending = {student: count for student, count in results.pending_answers().items() if student in students}
    if pending and not partial:
        raise WrittenAnswersPending(refusal(assignment, pending), pending)
    if workers is None:
        workers = (os.cpu_count() or 1) if len(students) >= PARALLEL_FROM else 1
    if workers > 1:
        reasons = generate_in_pool(Path(root), db_url, assignment, students, workers)
    else:
        reasons = {student: generate_one(api, assignment, student) for student in students}
    failed = [student for student in students if reasons[student] is not None]
    for student in failed:
        log.error("%s: feedback failed: %s", student, reasons[student])
    folders = {student: step_folder(config, "feedback", student, assignment) for student in students if student not in failed}
    delivery = release_feedback(api, assignment, folders) if release else dict.fromkeys(folders, Delivery.NOT_RELEASED)
    return FeedbackResult(assignment, students, folders, delivery, pending, failed, release)


def generate_one(api: NbGraderAPI, assignment: str, student: str) -> str | None:
    """Generate ``student``'s feedback: ``None``, or nbgrader's reason it failed."""
    with temp_attrs(api.coursedir, ignore=kept_out_of_feedback(api.coursedir, assignment, student)):
        result = api.generate_feedback(assignment, student_id=student, force=True)
    return None if result["success"] else nbgrader_reason(result)


@functools.lru_cache(maxsize=4)
def _process_api(root: Path, db_url: str | None, stamp: int) -> NbGraderAPI:
    return open_api(feedback_config(root, db_url=db_url), log)


def generate_in_worker(root: Path, db_url: str | None, assignment: str, student: str) -> str | None:
    """``generate_one`` as a pool process's task: one API per process (while the config is unchanged), and so one set of caches."""
    api = _process_api(root, db_url, Path(root, CONFIG_FILE).stat().st_mtime_ns)
    return generate_one(api, assignment, student)


def generate_in_pool(root: Path, db_url: str | None, assignment: str, students: list[str], workers: int) -> dict[str, str | None]:
    """Each student's ``generate_one`` outcome, made by ``workers`` processes of the grader's ``LocalPool``.

    The pool survives a process that dies (killed, out of memory): the pages
    it was making are made again, alone, and a page whose process dies that
    second time too fails with that reason; nobody else's is lost.
    """
    from course.grading.runners import GradingProcessKilled, LocalPool  # the grading stack, only for a pool

    jobs = {student: (root, db_url, assignment, student) for student in students}
    reasons: dict[str, str | None] = {}
    for student, future in LocalPool(min(workers, len(students)), task=generate_in_worker).grade(jobs):
        error = future.exception()
        if isinstance(error, GradingProcessKilled):
            reasons[student] = "its feedback process was killed twice (SIGKILL, e.g. out of memory)"
        elif error is not None:
            reasons[student] = f"{type(error).__name__}: {error}"
        else:
            reasons[student] = future.result()
    return reasons


def release_feedback(api: NbGraderAPI, assignment: str, folders: dict[str, Path]) -> dict[str, Delivery]:
    """Put each student's feedback (in ``folders``) in the exchange, where the exchange can take it."""
    delivery = {}
    for student, folder in folders.items():
        # The exchange files feedback under a hash of the submission's secret;
        # an LMS download (zip_collect) has none, so its students cannot fetch it.
        if not (folder / SUBMISSION_SECRET).is_file():
            delivery[student] = Delivery.FROM_LMS
            continue
        result = api.release_feedback(assignment, student_id=student)
        delivery[student] = Delivery.RELEASED if result["success"] else Delivery.RELEASE_FAILED
        if not result["success"]:
            log.error("%s: release failed: %s", student, nbgrader_reason(result))
    return delivery
