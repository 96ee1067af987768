"""Look at a submission before nbgrader does, repair what can be repaired, and say what was wrong.

Stock nbgrader either crashes on these (a copied grade cell aborts the whole
run, nbgrader #1083; an unreadable notebook stops the student) or repairs them
silently (a deleted or edited read-only cell). Either way the instructor never
learns why a student scored what they scored. Repairs happen in a staging
copy: the student's submitted files are never modified.

Every notebook of the release is graded, however many the assignment has. A
released notebook that is missing or unreadable is left out of the staging
copy, so that nbgrader scores it 0 and grades the others; a submission with
none of them left is not gradable.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from course.cells import grade_id, nbgrader_meta
from course.grading.verdicts import Problem

# Files nbgrader itself puts in a submission (exchange submit and zip_collect).
SUBMISSION_BOOKKEEPING = {"timestamp.txt", "submission_secret.txt"}


@dataclass
class Staged:
    """A staged submission: where it is, what inspection found, and which released notebooks in it are graded."""

    folder: Path
    problems: list[Problem]
    released: list[str]  # the assignment's notebooks (file names)
    notebooks: list[str] = field(default_factory=list)  # those in the staging copy, to grade

    @property
    def gradable(self) -> bool:
        return bool(self.notebooks)

    def of_notebook(self, name: str, problems: list[Problem]) -> list[Problem]:
        """``problems`` found in notebook ``name``; their messages name it when the assignment has several."""
        return [Problem(p.code, f"{name}: {p.message}") for p in problems] if len(self.released) > 1 else problems


def released_notebooks(release: Path) -> list[str]:
    """The file names of the assignment's notebooks, as released (in name order, as nbgrader grades them)."""
    return sorted(path.name for path in release.glob("*.ipynb"))


def stage_submission(submitted: Path, staging: Path, release: Path) -> Staged:
    """Copy ``submitted`` to ``staging`` and make each released notebook in it gradable if at all possible."""
    if staging.resolve() == submitted.resolve() or submitted.resolve() in staging.resolve().parents:
        raise ValueError(f"refusing to stage {submitted} into itself ({staging})")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(submitted, staging)
    names = released_notebooks(release)
    staged = Staged(staging, [], names)
    if len(names) == 1 and not (staging / names[0]).exists():
        renamed = rename_lone_notebook(staging, names[0])
        if renamed is not None:
            staged.problems.append(renamed)
    staged.problems += extra_files(staging, release)
    for name in names:
        nb = read_staged(staging / name)
        if isinstance(nb, Problem):
            staged.problems.append(nb)
            continue
        staged.problems += staged.of_notebook(name, repair(nb, staging / name, release / name))
        staged.notebooks.append(name)
    return staged


def read_staged(path: Path) -> NotebookNode | Problem:
    """The staged notebook at ``path``, or why it cannot be graded; an unreadable one is removed (nbgrader scores it 0)."""
    if not path.exists():
        return Problem("missing_notebook", f"no {path.name} in the submission")
    try:
        return nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises several types for bad JSON or schema
        reason = "the file is empty" if path.stat().st_size == 0 else f"{type(error).__name__}: {str(error)[:200]}"
        path.unlink()
        return Problem("malformed_notebook", f"{path.name} is not a readable notebook ({reason})")


def repair(nb: NotebookNode, target: Path, released: Path) -> list[Problem]:
    """Repair ``nb`` and write it to ``target``; what was wrong with it, compared with the ``released`` notebook."""
    nb, problems = repair_duplicate_grade_cells(nb)
    problems += compare_with_release(nb, nbformat.read(released, as_version=4))
    nbformat.write(nb, target)
    return problems


def extra_files(folder: Path, release: Path) -> list[Problem]:
    expected = {p.name for p in release.iterdir()} | SUBMISSION_BOOKKEEPING
    extra = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p.name not in expected)
    if not extra:
        return []
    return [Problem("extra_files", "files beside the notebook (kept, not graded): " + ", ".join(extra[:10]))]


def rename_lone_notebook(folder: Path, notebook_name: str) -> Problem | None:
    """A single notebook under another name ("Compression (1).ipynb") is the submission of a one-notebook assignment."""
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
