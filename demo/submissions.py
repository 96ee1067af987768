"""Make student submissions out of a released notebook, cell by cell.

Checking the autograder needs notebooks that look exactly like what students
hand in: the released notebook (same cells, ids and locked metadata) with
their own code typed into the solution cells. Building them from the release
rather than from the source keeps the hidden tests out of the submission, so
the grader has to restore them the way it does for a real student.
Solution cells are addressed by their nbgrader grade id, which is the
contract's stable name for them (it survives rewording and reordering).
Inside a cell, code is swapped one top-level ``def``/``class`` at a time,
because the contract lets one solution cell hold several of them and a
student may get one right and another wrong.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable

from nbformat import NotebookNode

from course.cells import CellKind, cell_kind, grade_id
from course.definitions import top_level_definitions

# Cells a student types into: code solutions and free-response answers.
STUDENT_KINDS = (CellKind.SOLUTION, CellKind.ANSWER)
# nbgrader's default delimiters (ClearSolutions.begin/end_solution_delimeter
# with the "###" comment mark); they only mean something in the source.
SOLUTION_DELIMITERS = ("### BEGIN SOLUTION", "### END SOLUTION")


def student_cells(nb: NotebookNode, kinds: tuple[CellKind, ...] = STUDENT_KINDS) -> dict[str, NotebookNode]:
    """The cells of ``nb`` a student fills in (of the given kinds), by grade id."""
    return {grade_id(cell): cell for cell in nb.cells if cell_kind(cell) in kinds}


def strip_solution_delimiters(source: str) -> str:
    """``source`` without its BEGIN/END SOLUTION lines, as a student would have typed it."""
    return "\n".join(line for line in source.splitlines() if line.strip() not in SOLUTION_DELIMITERS)


def reference_solutions(source_nb: NotebookNode, kinds: tuple[CellKind, ...] = STUDENT_KINDS) -> dict[str, str]:
    """The instructor's solution of every student cell (of the given kinds) of the *source* notebook.

    Keyed by grade id. The delimiters are dropped so that the code reads like
    a submission, not like a source cell that ``generate_assignment`` would
    clear again. Pass ``kinds=(CellKind.SOLUTION,)`` for the code cells only.
    """
    return {gid: strip_solution_delimiters(cell.source) for gid, cell in student_cells(source_nb, kinds).items()}


def fill_solutions(nb: NotebookNode, code_by_grade_id: dict[str, str]) -> NotebookNode:
    """A copy of the released ``nb`` whose named student cells hold the given code.

    Every other cell, including its metadata, stays as released, as in a real
    submission. A grade id that names no student cell raises ``KeyError``
    instead of being ignored: a misspelt id would otherwise hand in the
    unfilled stub and pass for a deliberate choice.
    """
    submission = copy.deepcopy(nb)
    cells = student_cells(submission)
    unknown = sorted(set(code_by_grade_id) - set(cells))
    if unknown:
        raise KeyError(f"no student cell with grade id {unknown}; have {sorted(cells)}")
    for gid, code in code_by_grade_id.items():
        cells[gid].source = code
    return submission


def cell_defining(code_by_grade_id: dict[str, str], name: str) -> str:
    """The grade id of the code cell whose source defines ``name`` at top level.

    The contract fixes function names, not which cell holds them, so callers
    find a function's cell by asking for the function.
    """
    for gid, code in code_by_grade_id.items():
        if name in top_level_definitions(code):
            return gid
    raise KeyError(f"no cell defines {name!r}")


def replace_definitions(source: str, code: str) -> str:
    """``source`` with the top-level definitions that ``code`` redefines swapped for ``code``.

    ``code`` goes where the first of them was, so the cell keeps its order;
    the rest of the cell is kept verbatim. ``ValueError`` if ``code`` redefines
    nothing in ``source``: it was meant for another cell.
    """
    old = top_level_definitions(source)
    spans = [old[name] for name in top_level_definitions(code) if name in old]
    if not spans:
        raise ValueError("the code redefines none of the cell's functions or classes")
    lines = source.splitlines()
    first = min(start for start, _ in spans)
    kept = [line for i, line in enumerate(lines) if not any(start <= i < end for start, end in spans)]
    return "\n".join([*kept[:first], code.strip("\n"), *kept[first:]])


def with_definitions(code_by_grade_id: dict[str, str], code: str, name: str) -> dict[str, str]:
    """A copy of ``code_by_grade_id`` in which ``code`` replaces ``name`` (and whatever else it redefines in that cell)."""
    gid = cell_defining(code_by_grade_id, name)
    return {**code_by_grade_id, gid: replace_definitions(code_by_grade_id[gid], code)}


def apply_replacements(source: str, replacements: Iterable[tuple[str, str]]) -> str:
    """``source`` with each ``(old, new)`` text replacement applied in turn.

    For submissions that differ from a known solution by a small edit. Each
    ``old`` must occur exactly once in the text it is applied to (``source``
    with the earlier replacements done), and must differ from its ``new``:
    when the solution is rewritten, an edit that no longer matches, or
    matches twice, raises ``ValueError`` instead of silently doing nothing,
    editing the wrong place or handing in the solution unchanged.
    """
    text = source
    for index, (old, new) in enumerate(replacements):
        first_line = next((line.strip() for line in old.splitlines() if line.strip()), repr(old))
        where = f"replacement {index} ({first_line})"
        if old == new:
            raise ValueError(f"{where}: old and new are the same text")
        count = text.count(old) if old else 0
        if count != 1:
            raise ValueError(f"{where}: old text occurs {count} times, must occur exactly once")
        text = text.replace(old, new)
    return text
