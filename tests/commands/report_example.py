"""A made-up class on the real source notebook, for what needs no gradebook: the report's page and figures.

Building a graded course takes nbgrader a minute; the report's layout (rows,
markers, figures) depends only on the results it is given, so its tests and
the browser test render this class instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import nbformat

from course.cells import grade_id, nbgrader_meta
from course.content import source_path
from course.grading.verdicts import Verdict
from course.report import ClassReport
from course.results import AssignmentResults, GradeCell, StudentResult
from tests.commands.graded_course import ASSIGNMENT, WRITTEN_ANSWER

DUE = datetime(2026, 1, 15, 17, 0)
EXAMPLE_LATE = "carol"


def example_phases(index: int) -> dict[str, float]:
    """Made-up seconds per grading phase; the kernel's cells take longer for later students."""
    return {"staging": 0.05, "kernel start": 0.6, "kernel cells": 0.3 + 0.01 * index, "grader tests": 0.4,
            "kernel stop": 0.02, "nbgrader": 0.3, "scoring": 0.04}


def example_report(size: int = 17) -> ClassReport:
    """``size`` students who each lose every third cell (in turn); one late, some with a written answer pending,
    one without a submission and one the grader could not grade."""
    source = nbformat.read(source_path(ASSIGNMENT), as_version=4)
    cells = [
        GradeCell(ASSIGNMENT, grade_id(c), float(nbgrader_meta(c)["points"]), c.cell_type == "code")
        for c in source.cells if nbgrader_meta(c).get("grade")
    ]

    def student(name: str, index: int, **changes) -> StudentResult:
        scores = {c.key: c.max_score * ((index + n) % 3 > 0) for n, c in enumerate(cells)}
        if index % 4 == 1:  # a written answer nobody graded yet
            scores[(ASSIGNMENT, WRITTEN_ANSWER)] = None
        values = dict(submitted=True, timestamp=DUE - timedelta(hours=1), raw_score=sum(filter(None, scores.values())),
                      cell_scores=scores, verdict=Verdict(name, ASSIGNMENT, "f", "graded", seconds=1.5 + index,
                                      phases=example_phases(index)))
        return StudentResult(name, **{**values, **changes})

    names = ["ada", "bob", EXAMPLE_LATE, "dan", "eve", *(f"student-{n:02d}" for n in range(size - 5))]
    students = [student(name, index) for index, name in enumerate(names)]
    students[names.index(EXAMPLE_LATE)] = student(EXAMPLE_LATE, 2, timestamp=DUE + timedelta(hours=26),
                                                 seconds_late=26 * 3600.0, late_penalty=6.5)
    students[names.index("dan")] = StudentResult("dan")
    students[names.index("eve")] = StudentResult("eve", verdict=Verdict("eve", ASSIGNMENT, "f", "failed", seconds=0.2))
    results = AssignmentResults(ASSIGNMENT, DUE, sum(c.max_score for c in cells), cells, students, {ASSIGNMENT: source})
    return ClassReport(results, names={"ada": "Ada Lovelace", EXAMPLE_LATE: "Carol Diaz"})
