"""Build an assignment's source notebook from its chapter text, deterministically.

An assignment's chapter is authored as text, one file per section in
``assignments/<assignment>/chapter/`` (jupytext percent format, nbgrader
metadata in the cell headers), so that it reviews and diffs as text and each
section sits with its own tests. This module joins the files in name order
and turns them into ``source/<assignment>/<assignment>.ipynb`` with nbformat
4.5, the ``python3`` kernel and stable cell ids (the grade id for graded
cells, a content hash otherwise), so that rebuilding an unchanged text yields
a byte-identical notebook. The section files carry no jupytext header: the
format is fixed here, once, instead of in whichever file happens to sort first.
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import jupytext
import nbformat
from nbformat import NotebookNode

from course.cells import grade_id

REPO_ROOT = Path(__file__).resolve().parents[2]
TEXT_FORMAT = "py:percent"
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
JUPYTEXT_ONLY_KEYS = ("lines_to_next_cell", "lines_to_end_of_cell_marker")


def chapter_files(assignment: str, root: Path = REPO_ROOT) -> list[Path]:
    """The section files of ``assignment``'s chapter, in the order they form the notebook.

    ``FileNotFoundError`` when there are none: building would otherwise write
    an empty notebook for a misspelt assignment.
    """
    folder = root / "assignments" / assignment / "chapter"
    files = sorted(folder.glob("*.py"))
    if not files:
        raise FileNotFoundError(f"no chapter files (*.py) in {folder}")
    return files


def chapter_text(assignment: str, root: Path = REPO_ROOT) -> str:
    """The whole chapter as one jupytext text: the section files, concatenated as they are."""
    return "".join(path.read_text(encoding="utf-8") for path in chapter_files(assignment, root))


def source_path(assignment: str, root: Path = REPO_ROOT) -> Path:
    return root / "source" / assignment / f"{assignment}.ipynb"


def _stable_id(cell: NotebookNode, seen: dict[str, int]) -> str:
    base = grade_id(cell) or "c-" + hashlib.sha1(cell.source.encode()).hexdigest()[:10]
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else f"{base}-{seen[base]}"


def build_notebook(text: str) -> NotebookNode:
    """Read the chapter's jupytext text and normalise it into a source notebook."""
    nb = jupytext.reads(text, fmt=TEXT_FORMAT)
    nb.nbformat, nb.nbformat_minor = 4, 5
    nb.metadata = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    seen: dict[str, int] = {}
    for cell in nb.cells:
        for key in JUPYTEXT_ONLY_KEYS:
            cell.metadata.pop(key, None)
        cell.id = _stable_id(cell, seen)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.validate(nb)
    return nb


def render(nb: NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def build(assignment: str, root: Path = REPO_ROOT) -> Path:
    """Write the source notebook of ``assignment``; return its path."""
    text = chapter_text(assignment, root)
    target = source_path(assignment, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(build_notebook(text)), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", help="the folder name under assignments/")
    args = parser.parse_args(argv)
    try:
        print(build(args.assignment))
    except FileNotFoundError as error:
        parser.error(str(error))


if __name__ == "__main__":
    main()
