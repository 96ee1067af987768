"""Which assignments a course knows, and one clear refusal for a name it does not know.

A misspelt assignment id otherwise reaches nbgrader, which treats it as an
assignment with nothing in it: ``collect`` finds "0 students", ``status``
shows an empty class, both exit 0. Every ``course`` command that takes an
assignment checks it here first (``cli.main``), so the instructor gets one
line naming the nearest known id instead.
"""

from __future__ import annotations

import difflib
import glob
from pathlib import Path

from nbgrader.api import Gradebook

from course.course_config import ensure_tools_on_path, load_course_config, step_folder
from course.errors import BadOption, NotReleased, UnknownAssignment


NO_ASSIGNMENT_HINT = "put one in source/, then `course release ID`"


def released_assignments(root: Path, *, db_url: str | None = None) -> list[str]:
    """The assignments in the gradebook: ``course release`` (or nbgrader's generate_assignment) put them there."""
    ensure_tools_on_path()  # a new gradebook is created by running alembic
    with Gradebook(load_course_config(root, db_url=db_url).CourseDirectory.db_url) as gradebook:
        return sorted(a.name for a in gradebook.assignments)


def source_assignments(root: Path) -> list[str]:
    """The assignments with a folder in the course's source/, where ``course release`` starts from."""
    pattern = step_folder(load_course_config(root), "source", ".", "*")
    return sorted(Path(path).name for path in glob.glob(str(pattern)) if Path(path).is_dir())


def course_assignments(root: Path, *, db_url: str | None = None) -> list[str]:
    """Every assignment the course knows: in the gradebook or in source/."""
    return sorted(set(released_assignments(root, db_url=db_url)) | set(source_assignments(root)))


def default_assignment(root: Path, *, db_url: str | None = None) -> str:
    """The assignment a command means when none is named: the course's only one.

    The engine names no assignment of its own; a course of one assignment
    needs none on the command line, and a course of several is asked which.
    """
    known = course_assignments(root, db_url=db_url)
    if len(known) == 1:
        return known[0]
    if not known:
        raise UnknownAssignment(f"this course has no assignment yet: {NO_ASSIGNMENT_HINT}", "")
    raise BadOption(f"this course has {len(known)} assignments ({', '.join(known)}): name the one you mean")


def check_assignment(root: Path, assignment: str, *, released: bool = True, db_url: str | None = None) -> None:
    """Refuse ``assignment`` unless the course knows it; with ``released``, unless it is in the gradebook too.

    Known means in the gradebook or in source/. The message names the nearest
    known id (difflib) or, for one not released yet, the command that releases it.
    """
    in_gradebook = released_assignments(root, db_url=db_url)
    if assignment in in_gradebook:
        return
    in_source = source_assignments(root)
    if assignment in in_source:
        if released:
            raise NotReleased(
                f"{assignment!r} is not in the gradebook yet: run `course release {assignment}` first", assignment)
        return
    known = sorted(set(in_gradebook) | set(in_source))
    nearest = difflib.get_close_matches(assignment, known, n=1, cutoff=0.6)
    if nearest:
        hint = f"did you mean {nearest[0]!r}?"
    elif known:
        hint = "known: " + ", ".join(known)
    else:
        hint = f"this course has no assignment yet ({NO_ASSIGNMENT_HINT})"
    raise UnknownAssignment(f"unknown assignment {assignment!r} (not in the gradebook nor in source/): {hint}", assignment)
