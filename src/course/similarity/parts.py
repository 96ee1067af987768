"""What of a notebook is compared: each function a student wrote, the rest of each solution cell, each written answer.

Comparing per function (each top-level ``def``/``class`` of a solution cell,
named by its name) rather than per notebook makes the order of functions
irrelevant, even across cells, and lets the report say which functions two
students share. What a solution cell holds besides its definitions (helpers
at module level, the code answers of a question cell) is one part named
after the cell's grade id; each written answer (a markdown solution cell) is
a part of its own. Cells a student added are not compared.

What every student got never counts as shared: every k-gram of the release
notebook (starter code and docstrings, given and test cells, the question
texts and answer stubs) is subtracted from every student's fingerprints,
wherever in the notebook the student has it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from nbformat import NotebookNode

from course.cells import CellKind, cell_kind, grade_id
from course.definitions import top_level_definitions
from course.similarity.fingerprints import Fingerprints, Kind, every_hash, fingerprints

OTHER_CODE = "{cell} (other code)"  # the part of a solution cell outside its definitions, when it has some


@dataclass(frozen=True)
class Part:
    """One compared piece of a submission: its text and the fingerprints that are the student's own."""

    name: str
    kind: Kind
    text: str
    fingerprints: Fingerprints


def split_cell(source: str, cell: str, release_defines: bool) -> dict[str, str]:
    """The top-level definitions of a solution cell by name, and the rest of it.

    The rest is named after the cell, or ``OTHER_CODE`` when the released cell
    has definitions of its own (so that the name cannot clash with one of
    them). Code that does not parse is one piece, named after the cell.
    """
    rest_name = OTHER_CODE.format(cell=cell) if release_defines else cell
    try:
        spans = top_level_definitions(source)
    except SyntaxError:
        return {rest_name: source}
    lines = source.splitlines()
    pieces = {name: "\n".join(lines[start:end]) for name, (start, end) in spans.items()}
    inside = {i for start, end in spans.values() for i in range(start, end)}
    rest = "\n".join(line for i, line in enumerate(lines) if i not in inside)
    if rest.strip():
        pieces[rest_name] = rest
    return pieces


@dataclass(frozen=True)
class Release:
    """What every student got, read once: every k-gram of the release, and its solution cells that define something."""

    hashes: dict[Kind, np.ndarray]  # sorted, unique
    defining_cells: frozenset[str]

    @classmethod
    def of(cls, release: NotebookNode) -> Release:
        hashes: dict[Kind, list[np.ndarray]] = {Kind.CODE: [], Kind.TEXT: []}
        defining = set()
        for cell in release.cells:
            kind = Kind.CODE if cell.cell_type == "code" else Kind.TEXT
            hashes[kind].append(every_hash(cell.source, kind))
            if cell_kind(cell) == CellKind.SOLUTION and _defines_something(cell.source):
                defining.add(grade_id(cell))
        return cls({kind: np.unique(np.concatenate(h)) for kind, h in hashes.items()}, frozenset(defining))


def _defines_something(source: str) -> bool:
    try:
        return bool(top_level_definitions(source))
    except SyntaxError:
        return False


def notebook_texts(nb: NotebookNode, release: Release) -> dict[str, tuple[Kind, str]]:
    """Every compared piece of ``nb``, by part name: functions and other code, and written answers."""
    texts: dict[str, tuple[Kind, str]] = {}

    def add(name: str, kind: Kind, text: str) -> None:
        before = texts.get(name, (kind, ""))[1]  # a piece twice (a pasted cell): both count
        texts[name] = (kind, f"{before}\n\n{text}" if before else text)

    for cell in nb.cells:
        kind = cell_kind(cell)
        if kind == CellKind.SOLUTION:
            gid = grade_id(cell)
            for name, code in split_cell(cell.source, gid, gid in release.defining_cells).items():
                add(name, Kind.CODE, code)
        elif kind == CellKind.ANSWER:
            add(grade_id(cell), Kind.TEXT, cell.source)
    return texts


def submission_parts(nb: NotebookNode, release: Release) -> dict[str, Part]:
    """The parts of a submission, each with its fingerprints minus everything in the release."""
    parts = {}
    for name, (kind, text) in notebook_texts(nb, release).items():
        parts[name] = Part(name, kind, text, fingerprints(text, kind).without(release.hashes[kind]))
    return parts
