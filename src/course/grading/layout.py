"""The submission's own cells in the source's layout, so that the instructor decides what is graded.

nbgrader executes a submission as the student laid it out. A student can move
a test cell, duplicate or delete it, retag it (``skip-execution``), or change
its metadata, and nbgrader's own steps (DeduplicateIds, OverwriteCells) repair
only part of that. Which tests run, in what order and for how many points
should not be the student's to choose.

So the notebook that is executed is rebuilt on the source's cell sequence:

- every cell the instructor owns (text, given code, tests) comes from the
  source, with the source's metadata, whatever the submission holds in its place;
- every cell the student owns (solution and answer cells) comes from the
  submission, in the source's slot and with the source's nbgrader metadata;
- cells the student added stay right after the cell they followed, so helper
  cells and scratch work run where the student put them.

Cells are matched by nbgrader's ``grade_id`` and otherwise by cell id (the
release keeps the source's ids). A student cell missing from the submission
is left empty: nothing is filled in from the source, which holds the solutions.
"""

from __future__ import annotations

import copy

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from course.cells import CellKind, cell_kind, grade_id
from course.grading.trusted_tests import read_source, source_path

STUDENT_KINDS = (CellKind.SOLUTION, CellKind.ANSWER)


def cell_key(cell: NotebookNode) -> str | None:
    """What identifies a cell across source, release and submission."""
    return grade_id(cell) or cell.get("id")


def source_layout(submitted: NotebookNode, source: NotebookNode) -> list[NotebookNode]:
    """The cells to execute: the source's sequence, the student's work in its slots."""
    owned = {cell_key(c): c for c in source.cells if cell_kind(c) in STUDENT_KINDS}
    known = {cell_key(c) for c in source.cells}
    work: dict[str, NotebookNode] = {}  # the student's cell for each slot (the last copy, as DeduplicateIds keeps)
    added: dict[str | None, list[NotebookNode]] = {}  # cells the student added, by the known cell before them
    anchor = None
    for cell in submitted.cells:
        key = cell_key(cell)
        if key in known:
            if key in owned and cell.cell_type == owned[key].cell_type:
                if key in work:  # an earlier copy of the slot stays the student's, as an added cell
                    added.setdefault(anchor, []).append(_as_added(work[key]))
                work[key] = cell
            anchor = key
        else:
            added.setdefault(anchor, []).append(_as_added(cell))
    cells = list(added.get(None, []))
    for original in source.cells:
        key = cell_key(original)
        cells.append(_in_slot(work.get(key), original) if key in owned else copy.deepcopy(original))
        cells += added.get(key, [])
    _fresh_ids([c for extra in added.values() for c in extra], taken={c.get("id") for c in source.cells})
    return cells


def _in_slot(student: NotebookNode | None, original: NotebookNode) -> NotebookNode:
    """The student's content with the source's identity and grading metadata."""
    cell = copy.deepcopy(original)
    cell.source = student.source if student is not None else ""
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    return cell


def _as_added(cell: NotebookNode) -> NotebookNode:
    """A student's extra cell: their code, with no nbgrader role (it is graded by nothing)."""
    cell = copy.deepcopy(cell)
    cell.metadata.pop("nbgrader", None)
    return cell


def _fresh_ids(added: list[NotebookNode], taken: set) -> None:
    """nbformat 4.5 wants unique cell ids: an added cell that reuses one (a copy of a slot) gets a new one."""
    number = 0
    for cell in added:
        while cell.get("id") in taken:
            number += 1
            cell.id = f"added-{number}"
        taken.add(cell.get("id"))


class SourceLayout(NbGraderPreprocessor):
    """The first step of nbgrader's sanitizing: the submission in the source's layout.

    It runs before nbgrader's own repairs (DeduplicateIds, OverwriteCells), which
    then find every cell where the gradebook expects it; a test cell retagged as
    a solution no longer stops them with "Inconsistent checksums". The source is
    the one the tests come from (``TrustedExecute.source_notebook``, or found from
    the course directory).
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        configured = self.config.TrustedExecute.get("source_notebook", "")
        nb.cells = source_layout(nb, read_source(source_path(configured, self.config, resources)).notebook)
        return nb, resources
