"""The source's layout wins over the submission's: properties over generated notebooks and edits.

A generated source has text, given, solution, answer and test cells; a
submission starts as the student's honest copy (their code in the solution
cells, some cells of their own) and then suffers any sequence of edits a
student could make to the file: move, duplicate, delete, retag, re-label.
"""

from __future__ import annotations

import copy

import nbformat
from hypothesis import given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course.cells import CellKind, cell_kind, grade_id
from course.grading.layout import source_layout

KINDS = ["markdown", "given", "solution", "answer", "tests"]


def source_cell(kind: str, number: int) -> nbformat.NotebookNode:
    name = f"{kind}_{number}"
    if kind == "markdown":
        return new_markdown_cell(f"text {number}", id=f"md-{number}")
    meta = {"grade": kind in ("tests", "answer"), "solution": kind in ("solution", "answer"),
            "locked": kind in ("given", "tests"), "grade_id": name, "schema_version": 3}
    if meta["grade"]:
        meta["points"] = number % 3 + 1
    make = new_markdown_cell if kind == "answer" else new_code_cell
    return make(f"# {name}: the instructor's\n### BEGIN SOLUTION\nsecret_{number}()", id=name,
                metadata={"nbgrader": meta, "tags": ["analysis"] if number % 5 == 0 else []})


sources = st.lists(st.sampled_from(KINDS), min_size=1, max_size=14).map(
    lambda kinds: new_notebook(cells=[source_cell(kind, i) for i, kind in enumerate(kinds)])
)


def honest_copy(source: nbformat.NotebookNode, extras: list[int]) -> nbformat.NotebookNode:
    """The release with the student's work filled in, and their own cells after the chosen positions."""
    cells = []
    for index, cell in enumerate(source.cells):
        cell = copy.deepcopy(cell)
        if cell_kind(cell) in (CellKind.SOLUTION, CellKind.ANSWER):
            cell.source = f"student work for {grade_id(cell)}"
        elif "### BEGIN SOLUTION" in cell.source:
            cell.source = cell.source.split("### BEGIN SOLUTION")[0]  # what the release shows
        cells.append(cell)
        cells += [new_code_cell(f"own cell {index}.{n}") for n in range(extras.count(index))]
    return new_notebook(cells=[new_code_cell("own cell at the top")] + cells if -1 in extras else cells)


def edit(nb: nbformat.NotebookNode, edits: list[tuple[str, int, int]]) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    for action, i, j in edits:
        if not nb.cells:
            break
        i, j = i % len(nb.cells), j % len(nb.cells)
        cell = nb.cells[i]
        meta = cell.metadata.setdefault("nbgrader", {})
        if action == "move":
            nb.cells.insert(j, nb.cells.pop(i))
        elif action == "duplicate":
            twin = copy.deepcopy(cell)
            twin.id = f"twin-{i}-{j}"
            nb.cells.insert(j, twin)
        elif action == "delete":
            nb.cells.pop(i)
        elif action == "retag":
            cell.metadata["tags"] = ["skip-execution", "raises-exception", "analysis", "reads-student-state"]
        elif action == "make-it-a-solution":
            meta.update(solution=True, locked=False)
            cell.source = "pass  # the test, emptied"
        elif action == "more-points":
            meta.update(grade=True, points=100)
        elif action == "relabel":
            meta["grade_id"] = grade_id(nb.cells[j]) or "made-up"
    return nb


edits = st.lists(st.tuples(st.sampled_from(["move", "duplicate", "delete", "retag", "make-it-a-solution",
                                            "more-points", "relabel"]), st.integers(0, 40), st.integers(0, 40)),
                 max_size=8)
extras = st.lists(st.integers(-1, 13), max_size=4)


def is_students(cell: nbformat.NotebookNode) -> bool:
    return cell_kind(cell) in (CellKind.SOLUTION, CellKind.ANSWER)


def slot(cell: nbformat.NotebookNode) -> tuple:
    """A cell as the grader sees it; only the student's content in their own slots may differ."""
    return cell.cell_type, cell.id, cell.metadata, None if is_students(cell) else cell.source


@settings(max_examples=300, deadline=None)
@given(sources, extras, edits)
def test_the_instructors_cells_are_the_sources_in_order_whatever_the_edits(source, own, changes):
    laid_out = source_layout(edit(honest_copy(source, own), changes), source)
    ids = {c.id for c in source.cells}
    assert [slot(c) for c in laid_out if c.id in ids] == [slot(c) for c in source.cells]


@settings(max_examples=300, deadline=None)
@given(sources, extras)
def test_an_honest_layout_is_kept_cell_for_cell(source, own):
    submitted = honest_copy(source, own)
    by_id = {c.id: c for c in source.cells}
    expected = [by_id[c.id] if c.id in by_id and not is_students(c) else c for c in submitted.cells]
    assert [(c.cell_type, c.source) for c in source_layout(submitted, source)] == [(c.cell_type, c.source) for c in expected]


@settings(max_examples=300, deadline=None)
@given(sources, extras, st.lists(st.tuples(st.sampled_from(["move", "duplicate", "retag"]),
                                           st.integers(0, 40), st.integers(0, 40)), max_size=6))
def test_no_code_the_student_wrote_is_lost(source, own, changes):
    """Moving, copying or retagging their own cells never drops the student's work from what runs."""
    submitted = edit(honest_copy(source, own), changes)
    written = [c.source for c in submitted.cells if c.source.startswith(("own cell", "student work"))]
    ran = [c.source for c in source_layout(submitted, source)]
    assert sorted(s for s in ran if s.startswith(("own cell", "student work"))) == sorted(written)


@settings(max_examples=200, deadline=None)
@given(sources, extras, edits)
def test_nothing_of_the_source_fills_a_missing_student_cell(source, own, changes):
    laid_out = source_layout(edit(honest_copy(source, own), changes), source)
    for cell in laid_out:
        if cell_kind(cell) in (CellKind.SOLUTION, CellKind.ANSWER):
            assert "secret_" not in cell.source
    assert len({c.id for c in laid_out}) == len(laid_out)
