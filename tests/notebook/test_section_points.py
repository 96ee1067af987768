"""The points each section's heading shows are the points of the grade cells in that section.

A section runs from its ``##`` heading to the next one (a question, ``###``,
to the next heading of either level); a heading shows ``(N points)``,
``(N points: A autograded, W written)`` or ``(N points, written)``, and a
section without graded cells shows none. The introduction states the total.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from course.cells import CellKind, cell_kind, nbgrader_meta
from tests.reference import NOTEBOOK

HEADING = re.compile(r"^(#{2,3}) (.+?)(?: \((\d+) points?(?:: (\d+) autograded, (\d+) written|(, written))?\))?$")
TOTAL = re.compile(r"(\d+) points in all: (\d+) for the code and the\s+numbers[^,]*, checked automatically, and (\d+) for")


def sections(nb) -> list[dict]:
    """Each heading in order: its text, the points it shows, and the points of its grade cells."""
    found, open_ = [], {}
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell_kind(cell) is not CellKind.ANSWER:
            for line in cell.source.splitlines():
                match = HEADING.match(line)
                if match:
                    level = len(match.group(1))
                    total, auto, written, only_written = match.group(3, 4, 5, 6)
                    shown = None
                    if total:
                        shown = (int(total), int(auto) if auto else (0 if only_written else int(total)),
                                 int(written) if written else (int(total) if only_written else 0))
                    section = {"title": match.group(2), "shown": shown, "auto": 0, "written": 0}
                    found.append(section)
                    open_ = {lvl: s for lvl, s in open_.items() if lvl < level}
                    open_[level] = section
        meta = nbgrader_meta(cell)
        if meta.get("grade"):
            kind = "written" if cell_kind(cell) is CellKind.ANSWER else "auto"
            for section in open_.values():
                section[kind] += meta["points"]
    return found


@pytest.fixture(scope="module")
def nb():
    return nbformat.read(NOTEBOOK, as_version=4)


def test_each_heading_shows_the_points_of_its_grade_cells(nb):
    found = sections(nb)
    assert len(found) > 15
    for section in found:
        points = section["auto"] + section["written"]
        expected = (points, section["auto"], section["written"]) if points else None
        assert section["shown"] == expected, section


def test_introduction_states_the_total(nb):
    graded = [nbgrader_meta(c) for c in nb.cells if nbgrader_meta(c).get("grade")]
    auto = sum(m["points"] for m in graded if not m.get("solution"))
    written = sum(m["points"] for m in graded if m.get("solution"))
    total, shown_auto, shown_written = map(int, TOTAL.search(nb.cells[0].source).groups())
    assert (total, shown_auto, shown_written) == (auto + written, auto, written)
