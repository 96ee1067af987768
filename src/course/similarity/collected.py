"""The release and every collected submission of an assignment, read from a course folder.

Submissions are read where ``course collect`` (and stock ``nbgrader
collect``) put them, ``submitted/<student>/<assignment>/``, as nbgrader's
``CourseDirectory`` lays it out. A notebook handed in under another name
counts when it is the only one, as for grading; a submission without a
readable notebook is not compared, with the reason.

Only each cell's type, metadata and source are kept: a submission's
outputs (plots, tables) are often most of its bytes, and building and
validating nbformat's objects for them took longer than comparing the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import json

import nbformat
from nbformat import NotebookNode

from course.course_config import course_directory, load_course_config, notebook_file, step_folder
from course.errors import CourseError, NothingToDo
from course.results import students_in_step


@dataclass(frozen=True)
class CollectedClass:
    release: NotebookNode
    notebooks: dict[str, NotebookNode]  # student -> submitted notebook
    skipped: dict[str, str]  # student -> why nothing of theirs is compared


def submitted_notebook(folder: Path, name: str) -> Path | None:
    """``folder/name``, else the folder's only notebook (a renamed download), else None."""
    if (folder / name).is_file():
        return folder / name
    candidates = sorted(folder.rglob("*.ipynb"))
    return candidates[0] if len(candidates) == 1 else None


def read_cells(path: Path) -> NotebookNode:
    """The notebook at ``path`` with each cell's type, metadata and source (nbformat 4; older ones converted)."""
    data = json.loads(path.read_bytes())
    if data.get("nbformat") != 4:
        return nbformat.read(path, as_version=4)
    return NotebookNode(cells=[
        NotebookNode(cell_type=cell["cell_type"], metadata=cell.get("metadata", {}),
                     source="".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"])
        for cell in data["cells"]
    ])


def unreadable(path: Path, error: Exception) -> str:
    """Why the notebook at ``path`` could not be read, in a few words."""
    return "the notebook file is empty" if path.stat().st_size == 0 else f"not a readable notebook ({type(error).__name__})"


def load_collected(root: Path, assignment: str) -> CollectedClass:
    """The release notebook ``<assignment>.ipynb`` and each collected student's notebook of that name.

    ``CourseError`` without a release notebook, ``NothingToDo`` when nothing is collected.
    """
    coursedir = course_directory(load_course_config(root))
    release_path = notebook_file(coursedir, "release", assignment, assignment=assignment)
    if not release_path.is_file():
        raise CourseError(f"no release notebook at {release_path}: run `course release {assignment}` first")
    students = students_in_step(coursedir, "submitted", assignment)
    if not students:
        raise NothingToDo(f"nothing collected for {assignment} yet: run `course collect {assignment}` first")
    notebooks, skipped = {}, {}
    for student in students:
        path = submitted_notebook(step_folder(coursedir, "submitted", student, assignment), release_path.name)
        if path is None:
            skipped[student] = f"no {release_path.name} in the submission"
            continue
        try:
            notebooks[student] = read_cells(path)
        except Exception as error:  # bad JSON, a missing key, a wrong type, or nbformat's own errors
            skipped[student] = unreadable(path, error)
    return CollectedClass(nbformat.read(release_path, as_version=4), notebooks, skipped)
