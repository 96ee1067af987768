"""``course feedback``: each student's feedback HTML, without hidden-test source, released to the exchange.

nbgrader's ``generate_feedback`` renders the autograded notebook, hidden tests
included (nbgrader #917, #1363). Here the same converter runs with
``HideHiddenTests`` added to its pipeline, so students see their score, their
code, the visible tests and what failed, but not the hidden tests' source.
Feedback goes only to students whose autograded notebook is current, one
student at a time, so that one bad notebook costs only its own feedback.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from nbgrader.converters import GenerateFeedback
from traitlets.config import Config

from course.course_config import load_course_config, open_api, step_folder
from course.errors import CourseError
from course.feedback_filters import HideHiddenTests

if TYPE_CHECKING:
    from nbgrader.apps import NbGraderAPI

log = logging.getLogger(__name__)

HIDE_HIDDEN_TESTS = f"{HideHiddenTests.__module__}.{HideHiddenTests.__qualname__}"


def feedback_config(root: Path) -> Config:
    """The course config whose feedback pipeline ends with ``HideHiddenTests`` (unless it already has it)."""
    config = load_course_config(root)
    section = config.GenerateFeedback
    steps = list(section["preprocessors"] if "preprocessors" in section else GenerateFeedback.preprocessors.default())
    if not any(step in (HideHiddenTests, HIDE_HIDDEN_TESTS) for step in steps):
        steps.append(HideHiddenTests)
    section.preprocessors = steps
    return config


def last_line(result: dict) -> str:
    """The gist of a failed nbgrader API call: the last line of its traceback or log."""
    text = (result.get("error") or result.get("log") or "").strip()
    return text.splitlines()[-1] if text else "no details"


def feedback(*, root: Path, assignment: str, release: bool = True) -> str:
    """Generate feedback for every currently autograded student, release it, and say what happened in one line.

    Raises ``CourseError`` when nothing is autograded, and, after doing all it
    can for the others, when feedback failed for some students.
    """
    config = feedback_config(root)
    api = open_api(config)
    students = sorted(api.get_autograded_students(assignment))
    if not students:
        raise CourseError(f"no autograded submission of {assignment!r}: run `course autograde {assignment}` first")
    generated, failed = [], []
    for student in students:
        result = api.generate_feedback(assignment, student_id=student, force=True)
        (generated if result["success"] else failed).append(student)
        if not result["success"]:
            log.error("%s: feedback failed: %s", student, last_line(result))
    summary = f"{assignment}: feedback for {len(generated)} of {len(students)} students"
    if release:
        summary += "; " + release_feedback(api, config, assignment, generated)
    if failed:
        raise CourseError(f"{summary}; failed for {', '.join(failed)} (-v shows why)")
    return summary


def release_feedback(api: NbGraderAPI, config: Config, assignment: str, students: list[str]) -> str:
    """Put each student's feedback in the exchange; say how many went there and which could not."""
    released, unreachable = [], []
    for student in students:
        folder = step_folder(config, api.coursedir.feedback_directory, student, assignment)
        # The exchange files feedback under a hash of the submission's secret;
        # an LMS download (zip_collect) has none, so its students cannot fetch it.
        if not (folder / "submission_secret.txt").is_file():
            unreachable.append(student)
            continue
        result = api.release_feedback(assignment, student_id=student)
        if result["success"]:
            released.append(student)
        else:
            unreachable.append(student)
            log.error("%s: release failed: %s", student, last_line(result))
    text = f"{len(released)} released to the exchange"
    if unreachable:
        text += f" (not released: {', '.join(unreachable)}; hand out their {api.coursedir.feedback_directory}/ folders)"
    return text
