"""What each cell of an assignment notebook is, read from its nbgrader metadata.

Builders, test harnesses and graders all need to ask "is this a solution
cell, a test cell, given code?"; answering it in one place keeps them agreeing.
Analysis cells (plots and experiments on real data) carry the tag
``analysis``: they are read-only like given code but are not part of the API.
"""

from __future__ import annotations

from enum import Enum

from nbformat import NotebookNode

ANALYSIS_TAG = "analysis"


class CellKind(str, Enum):
    MARKDOWN = "markdown"
    SOLUTION = "solution"  # code the student writes (a def/class per contract)
    TESTS = "tests"  # autograded test cell, maybe with hidden tests
    ANSWER = "answer"  # manually graded free-response cell
    GIVEN = "given"  # read-only code the student runs but does not edit
    ANALYSIS = "analysis"  # read-only experiment, skipped while grading
    OTHER = "other"  # plain code cell with no grading role


def nbgrader_meta(cell: NotebookNode) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def cell_kind(cell: NotebookNode) -> CellKind:
    meta = nbgrader_meta(cell)
    tags = cell.get("metadata", {}).get("tags", [])
    if cell.cell_type == "markdown":
        return CellKind.ANSWER if meta.get("solution") else CellKind.MARKDOWN
    if meta.get("grade") and not meta.get("solution"):
        return CellKind.TESTS
    if meta.get("solution"):
        return CellKind.SOLUTION
    if ANALYSIS_TAG in tags:
        return CellKind.ANALYSIS
    if meta.get("locked"):
        return CellKind.GIVEN
    return CellKind.OTHER


def grade_id(cell: NotebookNode) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def is_test_of(test_grade_id: str, function: str) -> bool:
    """Whether a test cell checks ``function``: its grade id is ``test_<function>`` or ``test_<function>_<aspect>``.

    The notebook names its test cells this way so that graders, reports and
    the mutation check can charge each lost point to one function.
    """
    return test_grade_id == f"test_{function}" or test_grade_id.startswith(f"test_{function}_")


def code_of_kinds(nb: NotebookNode, *kinds: CellKind) -> str:
    """The source of every code cell of the given kinds, in notebook order."""
    return "\n\n".join(
        cell.source for cell in nb.cells if cell.cell_type == "code" and cell_kind(cell) in kinds
    )
