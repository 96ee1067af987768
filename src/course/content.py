"""Build the source notebook from its jupytext text, deterministically.

The chapter is authored as ``content/<assignment>.py`` (jupytext percent
format, nbgrader metadata in the cell headers) so that it reviews and diffs
as text. This module turns it into ``source/<assignment>/<assignment>.ipynb``
with nbformat 4.5, the ``python3`` kernel and stable cell ids (the grade id
for graded cells, a content hash otherwise), so that rebuilding an unchanged
text yields a byte-identical notebook.
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
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
JUPYTEXT_ONLY_KEYS = ("lines_to_next_cell", "lines_to_end_of_cell_marker")


def content_path(assignment: str, root: Path = REPO_ROOT) -> Path:
    return root / "content" / f"{assignment}.py"


def source_path(assignment: str, root: Path = REPO_ROOT) -> Path:
    return root / "source" / assignment / f"{assignment}.ipynb"


def _stable_id(cell: NotebookNode, seen: dict[str, int]) -> str:
    base = grade_id(cell) or "c-" + hashlib.sha1(cell.source.encode()).hexdigest()[:10]
    seen[base] = seen.get(base, 0) + 1
    return base if seen[base] == 1 else f"{base}-{seen[base]}"


def build_notebook(text_path: Path) -> NotebookNode:
    """Read the jupytext text and normalise it into a source notebook."""
    nb = jupytext.read(text_path)
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
    target = source_path(assignment, root)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(build_notebook(content_path(assignment, root))), encoding="utf-8")
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="compression")
    args = parser.parse_args(argv)
    print(build(args.assignment))


if __name__ == "__main__":
    main()
