"""``course report``: the HTML page with its four figures and the problem list, and the summary table."""

from __future__ import annotations

import base64
import re
import statistics

import nbformat
import pytest

from course.cells import CellKind, cell_kind, grade_id, nbgrader_meta
from course.content import source_path
from course.report import (
    WRITTEN, function_names, function_of, pass_rates, points_lost_by_function, report, summary_table,
)
from course.results import AssignmentResults, GradeCell, load_results
from tests.commands.graded_course import ASSIGNMENT, EXTRA_FILE_PROBLEM, MISSING_NOTEBOOK_PROBLEM

pytest_plugins = ["tests.commands.graded_course"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIGURE_TITLES = ["Score distribution", "Pass rate per test cell", "Points lost per function", "Time per submission"]


@pytest.mark.slow
def test_report_embeds_four_figures_and_lists_problem_submissions(graded_course, tmp_path):
    path = report(root=graded_course.root, assignment=ASSIGNMENT)
    assert path == graded_course.root / f"report-{ASSIGNMENT}.html"
    page = path.read_text(encoding="utf-8")
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert [title for title, _ in images] == FIGURE_TITLES
    assert all(base64.b64decode(data).startswith(PNG_SIGNATURE) for _, data in images)
    assert "src=\"http" not in page and "<script" not in page  # self-contained
    problems = page[page.index('<section id="problems">'):]
    assert "<td>dee</td><td>76</td>" in problems and EXTRA_FILE_PROBLEM.message in problems
    assert "<td>eve</td><td>not graded</td>" in problems
    assert "Compression (1).ipynb" in problems and MISSING_NOTEBOOK_PROBLEM.code in problems
    assert "<td>ada</td>" not in problems
    assert "students graded" in page


@pytest.mark.slow
def test_report_output_path_can_be_chosen(graded_course, tmp_path):
    assert report(root=graded_course.root, assignment=ASSIGNMENT, output=tmp_path / "r.html") == tmp_path / "r.html"


@pytest.mark.slow
def test_summary_table(graded_course):
    scores = [76.0, 0.0, 57.6, 76.0]  # ada, bob, cyd (72 less 20% for two days late), dee
    table = summary_table(root=graded_course.root, assignment=ASSIGNMENT)
    lines = {line.split("  ")[0].strip(): line for line in table.splitlines()}
    assert lines["students graded"].split()[-1] == "4"
    assert f"{statistics.mean(scores):.1f} / 87" in lines["mean score"]
    assert f"{statistics.median(scores):.1f} / 87" in lines["median score"]
    assert "75% (score >= 50% of 87)" in lines["pass rate"]
    assert lines["problem submissions"].split("  ")[-1].strip() == "2 (1 not graded)"
    assert "\x1b[" not in "".join(lines.values())


@pytest.mark.slow
def test_figure_data_follow_the_gradebook(graded_course):
    results = load_results(root=graded_course.root, assignment=ASSIGNMENT)
    rates = pass_rates(results)
    assert "grader_oracles" not in rates  # worth no points
    assert rates["test_measure_sparsity_visible"] == 0.5  # ada and dee; not bob (blank) nor cyd (wrong)
    assert rates["test_magnitude_prune_visible"] == 0.75  # everyone but bob
    lost = points_lost_by_function(results)
    assert lost["measure_sparsity"] == (2.0, 4.0)  # bob and cyd lose all 4 points: 8 over 4 students
    assert lost["magnitude_prune"] == (8 / 4, 8.0)  # only bob loses them
    assert lost[WRITTEN] == ((11 + 11 + 11 + 9) / 4, 11.0)  # blank answers lose all; dee's 2-point one awaits marking
    assert list(lost)[:2] == ["measure_sparsity", "magnitude_prune"]  # notebook order


def test_test_cells_are_grouped_by_the_function_they_test():
    source = nbformat.read(source_path(ASSIGNMENT), as_version=4)
    names = function_names(AssignmentResults(ASSIGNMENT, None, 0.0, [], [], {ASSIGNMENT: source}))

    def group(grade_id: str, autograded: bool = True) -> str:
        return function_of(GradeCell(ASSIGNMENT, grade_id, 1.0, autograded), names)

    assert group("test_measure_sparsity_visible") == "measure_sparsity"
    assert group("test_quantize_weights_zero") == "quantize_weights"
    assert group("test_quantize_layer_weights_state") == "quantize_layer_weights"
    assert group("test_dequantize_weights") == "dequantize_weights"  # defined in the quantize_weights cell
    assert group("test_KnowledgeDistillation_soft_term") == "KnowledgeDistillation"
    assert group("test_answers_q1") == "answers_q1"  # a solution cell without functions
    assert group("q1_reasoning", autograded=False) == WRITTEN
    tests = [grade_id(c) for c in source.cells if cell_kind(c) is CellKind.TESTS and nbgrader_meta(c)["points"] > 0]
    assert all(group(test) in names for test in tests)
