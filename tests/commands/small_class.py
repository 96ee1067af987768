"""A small class for grading tests: a complete student, a half-done one and one who handed in the release."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from course.cells import CellKind
from demo.submissions import fill_solutions, reference_solutions
from tests.coursedir import ASSIGNMENT, db_url, make_course, run_tool


def released(root: Path) -> nbformat.NotebookNode:
    return nbformat.read(root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def small_class(root: Path) -> dict[str, nbformat.NotebookNode]:
    """A complete student, one who did half the functions, and one who handed in the release."""
    solutions = reference_solutions(nbformat.read(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4),
                                    kinds=(CellKind.SOLUTION,))
    half = dict(list(solutions.items())[::2])
    release = released(root)
    return {"ada": fill_solutions(release, solutions), "bob": fill_solutions(release, half), "cy": release}


def hand_in(root: Path, student: str, nb: nbformat.NotebookNode) -> None:
    folder = root / "submitted" / student / ASSIGNMENT
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(root / "release" / ASSIGNMENT, folder)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")


def new_course(root: Path) -> dict[str, nbformat.NotebookNode]:
    make_course(root)
    run_tool(root, "nbgrader", "generate_assignment", ASSIGNMENT)
    students = small_class(root)
    for student, nb in students.items():
        hand_in(root, student, nb)
    return students


def cell_scores(root: Path, url: str | None = None) -> dict[str, dict[str, float]]:
    """student -> grade id -> score, from the course's SQLite gradebook or the database at ``url``."""
    with Gradebook(url or db_url(root)) as gradebook:
        return {
            s.student.id: {g.name: g.score for g in s.notebooks[0].grades}
            for s in gradebook.find_assignment(ASSIGNMENT).submissions
        }
