"""Look at a submission before nbgrader does, repair what can be repaired, and say what was wrong.

Stock nbgrader either crashes on these (a copied grade cell aborts the whole
run, nbgrader #1083; an unreadable notebook stops the student) or repairs them
silently (a deleted or edited read-only cell). Either way the instructor never
learns why a student scored what they scored. Repairs happen in a staging
copy: the student's submitted files are never modified.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from course.cells import grade_id, nbgrader_meta
from course.grading.verdicts import Problem

# Files nbgrader itself puts in a submission (exchange submit and zip_collect).
SUBMISSION_BOOKKEEPING = {"timestamp.txt", "submission_secret.txt"}


@dataclass
class Staged:
    """A staged submission: where it is, and what inspection found."""

    folder: Path
    problems: list[Problem]
    gradable: bool


def stage_submission(submitted: Path, staging: Path, release: Path, notebook_name: str) -> Staged:
    """Copy ``submitted`` to ``staging`` and make its notebook gradable if at all possible."""
    if staging.resolve() == submitted.resolve() or submitted.resolve() in staging.resolve().parents:
        raise ValueError(f"refusing to stage {submitted} into itself ({staging})")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(submitted, staging)
    problems = []
    target = staging / notebook_name
    if not target.exists():
        renamed = rename_lone_notebook(staging, notebook_name)
        if renamed is not None:
            problems.append(renamed)
    problems += extra_files(staging, release, notebook_name)
    if not target.exists():
        return Staged(staging, problems + [Problem("missing_notebook", f"no {notebook_name} in the submission")], False)
    try:
        nb = nbformat.read(target, as_version=4)
    except Exception as error:  # nbformat raises several types for bad JSON or schema
        reason = "the file is empty" if target.stat().st_size == 0 else f"{type(error).__name__}: {str(error)[:200]}"
        return Staged(staging, problems + [Problem("malformed_notebook", f"{notebook_name} is not a readable notebook ({reason})")], False)
    nb, repaired = repair_duplicate_grade_cells(nb)
    problems += repaired
    released = nbformat.read(release / notebook_name, as_version=4)
    problems += compare_with_release(nb, released)
    nbformat.write(nb, target)
    return Staged(staging, problems, True)


def extra_files(folder: Path, release: Path, notebook_name: str) -> list[Problem]:
    expected = {p.name for p in release.iterdir()} | SUBMISSION_BOOKKEEPING | {notebook_name}
    extra = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name not in expected)
    if not extra:
        return []
    return [Problem("extra_files", "files beside the notebook (kept, not graded): " + ", ".join(extra[:10]))]


def rename_lone_notebook(folder: Path, notebook_name: str) -> Problem | None:
    """A single notebook under another name ("Compression (1).ipynb") is the submission."""
    candidates = sorted(folder.rglob("*.ipynb"))
    if len(candidates) != 1:
        return None
    candidates[0].rename(folder / notebook_name)
    return Problem("wrong_filename", f"graded {candidates[0].name!r} as {notebook_name}")


def repair_duplicate_grade_cells(nb: NotebookNode) -> tuple[NotebookNode, list[Problem]]:
    """Strip nbgrader metadata from copies of a grade cell, keeping the original.

    A cell copied in JupyterLab keeps its nbgrader metadata but gets a new
    cell id; the original is the one whose id is the grade id (as released),
    or the first one. Without this, nbgrader aborts the autograde run.
    """
    by_grade_id: dict[str, list[int]] = {}
    for index, cell in enumerate(nb.cells):
        if grade_id(cell):
            by_grade_id.setdefault(grade_id(cell), []).append(index)
    problems = []
    for gid, indices in by_grade_id.items():
        if len(indices) < 2:
            continue
        keep = next((i for i in indices if nb.cells[i].get("id") == gid), indices[0])
        for index in indices:
            if index != keep:
                del nb.cells[index].metadata["nbgrader"]
        problems.append(Problem("duplicate_grade_cell", f"cell {gid!r} appears {len(indices)} times; graded the original"))
    return nb, problems


def compare_with_release(nb: NotebookNode, released: NotebookNode) -> list[Problem]:
    """Grade and read-only cells that were deleted, retyped or edited (nbgrader restores them)."""
    found = {grade_id(c): c for c in nb.cells if grade_id(c)}
    problems = []
    for original in released.cells:
        gid, meta = grade_id(original), nbgrader_meta(original)
        if not gid or not (meta.get("grade") or meta.get("locked")):
            continue
        cell = found.get(gid)
        if cell is None:
            problems.append(Problem("deleted_cell", f"cell {gid!r} was deleted; restored from the source and graded"))
        elif cell.cell_type != original.cell_type:
            problems.append(Problem("cell_type_changed", f"cell {gid!r} was turned into {cell.cell_type}; restored"))
        elif meta.get("locked") and cell.source != original.source:
            problems.append(Problem("edited_readonly_cell", f"read-only cell {gid!r} was edited; the original was run"))
    return problems
