"""``course report``: the student table, the four figures (legible, values on the bars) and the summary table."""

from __future__ import annotations

import base64
import itertools
import re
import statistics
from dataclasses import replace

import nbformat
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from course.cells import CellKind, cell_kind, grade_id, nbgrader_meta
from course.content import source_path
from course.messages import report_lines
from course.report import (
    FIGURE_STYLE, WRITTEN, ClassReport, drawn, figures, function_names, function_of, function_pass_rates,
    grading_times, points_lost_by_function, render_page, report,
)
from course.results import AssignmentResults, GradeCell, load_results
from course.roster import RosterEntry
from tests.commands.graded_course import ASSIGNMENT, EXTRA_FILE_PROBLEM, LATE_STUDENT, MISSING_NOTEBOOK_PROBLEM
from tests.commands.report_example import EXAMPLE_LATE, example_report

pytest_plugins = ["tests.commands.graded_course"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FIGURE_TITLES = [title for title, _ in figures(0.5)]
ROW = re.compile(r'<tr class="([^"]*)" data-student="([^"]+)">(.*?)</tr>', re.S)


def student_rows(page: str) -> dict[str, tuple[str, list[str]]]:
    """The student table: id -> (row classes, cell contents)."""
    return {m[2]: (m[1], re.findall(r"<td>(.*?)</td>", m[3], re.S)) for m in ROW.finditer(page)}


@pytest.mark.slow
def test_report_embeds_four_figures_and_a_row_per_student(graded_course, tmp_path):
    path = report(root=graded_course.root, assignment=ASSIGNMENT).path
    assert path == graded_course.root / f"report-{ASSIGNMENT}.html"
    page = path.read_text(encoding="utf-8")
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)
    assert [title for title, _ in images] == FIGURE_TITLES
    assert all(base64.b64decode(data).startswith(PNG_SIGNATURE) for _, data in images)
    assert "src=\"http" not in page and "<script" not in page  # self-contained
    rows = student_rows(page)
    assert sorted(rows) == ["ada", "bob", "cyd", "dee", "eve"]
    assert rows["ada"] == ("", ["ada", "", "76 / 87", "", "", ""])
    classes, (_, _, score, late, _, pending) = rows[LATE_STUDENT]
    assert classes == "late" and score == "57.6 / 87"  # 72 less 20% for two started days
    assert late == '<span class="late-marker">late</span> 2 days, &minus;14.4 points'
    classes, (_, _, score, late, problems, pending) = rows["dee"]
    assert (classes, score, late, pending) == ("problem", "76 / 87", "", "1")  # her written answer awaits a grader
    assert EXTRA_FILE_PROBLEM.message in problems
    _, (_, _, score, _, problems, _) = rows["eve"]
    assert score == "not graded" and "Compression (1).ipynb" in problems and MISSING_NOTEBOOK_PROBLEM.code in problems
    assert sum("late-marker" in "".join(cells) for _, cells in rows.values()) == 1
    assert "students graded" in page and "1 late submission marked" in page


@pytest.mark.slow
def test_the_table_names_students_from_the_roster(graded_course, tmp_path, monkeypatch):
    monkeypatch.setattr("course.report.load_roster", lambda root: {"ada": RosterEntry("ada", "Ada", "Lovelace")})
    rows = student_rows(report(root=graded_course.root, assignment=ASSIGNMENT, output=tmp_path / "r.html").path.read_text())
    assert rows["ada"][1][:2] == ["ada", "Ada Lovelace"] and rows["bob"][1][:2] == ["bob", ""]


@pytest.mark.slow
def test_report_output_path_can_be_chosen(graded_course, tmp_path):
    assert report(root=graded_course.root, assignment=ASSIGNMENT, output=tmp_path / "r.html").path == tmp_path / "r.html"


@pytest.mark.slow
def test_summary_table(graded_course, tmp_path):
    scores = [76.0, 0.0, 57.6, 76.0]  # ada, bob, cyd (72 less 20% for two days late), dee
    result = report(root=graded_course.root, assignment=ASSIGNMENT, output=tmp_path / "r.html")
    summary = result.summary
    assert (summary.scores, summary.max_score, summary.passed, summary.pass_rate) == (scores, 87, 3, 0.75)
    assert (summary.late, summary.penalties, summary.pending_answers, summary.pending_students) == (1, 14.4, 1, 1)
    assert (summary.with_problems, summary.not_graded) == (2, 1)
    table, path = report_lines(result).rsplit("\n", 1)  # what `course report` prints: the table, then the page
    assert path == str(tmp_path / "r.html")
    lines = {line.split("  ")[0].strip(): line.split("  ")[-1].strip() for line in table.splitlines()}
    assert lines["students graded"] == "4"
    assert lines["mean score"] == f"{statistics.mean(scores):.1f} / 87"
    assert lines["median score"] == f"{statistics.median(scores):.1f} / 87"
    assert lines["pass rate"] == "75% (score >= 50% of 87)"
    assert lines["late submissions"] == "1 (14.4 points of penalties)"
    assert lines["answers to grade"] == "1 written answer of 1 student (pending, not lost)"
    assert lines["problem submissions"] == "2 (1 not graded)"
    assert "\x1b[" not in table


@pytest.mark.slow
def test_figure_data_follow_the_gradebook(graded_course):
    results = load_results(root=graded_course.root, assignment=ASSIGNMENT)
    rates = function_pass_rates(results)
    assert "grader_oracles" not in rates and WRITTEN not in rates  # worth no points; graded by hand
    assert rates["measure_sparsity"] == 0.5  # ada and dee; not bob (blank) nor cyd (wrong)
    assert rates["magnitude_prune"] == 0.75  # everyone but bob
    assert list(rates.values()) == sorted(rates.values())  # worst first
    lost = points_lost_by_function(results)
    assert lost["measure_sparsity"] == (2.0, 4.0)  # bob and cyd lose all 4 points: 8 over 4 students
    assert lost["magnitude_prune"] == (8 / 4, 8.0)  # only bob loses them
    assert lost[WRITTEN] == ((11 + 11 + 11 + 9) / 4, 11.0)  # blank answers lose all; dee's 2-point one is pending
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


def texts(figure: Figure) -> list[Text]:
    return [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]


def drawn_ticklabels(axis) -> list[Text]:
    """The tick labels matplotlib draws: those of ticks inside the axis's view (it lays out one more each side)."""
    low, high = sorted(axis.get_view_interval())
    return [label for at, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels()) if low <= at <= high]


def overlapping(labels: list[Text], renderer) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels if t.get_visible() and t.get_text()]
    return [(a, b) for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2) if box_a.overlaps(box_b)]


@pytest.mark.parametrize("title", FIGURE_TITLES)
def test_figures_are_legible(title):
    draw = dict(figures(0.5))[title]
    figure = drawn(draw, example_report().results)
    renderer = figure.canvas.get_renderer()
    shown = texts(figure)
    assert min(t.get_fontsize() for t in shown) >= FIGURE_STYLE["xtick.labelsize"]
    assert not [t.get_text() for t in shown if re.search(r"\bpts\b|\b1 points\b", t.get_text())]
    ticks = {id(t) for axes in figure.axes for t in axes.get_xticklabels() + axes.get_yticklabels()}
    drawn_texts = [t for t in shown if id(t) not in ticks]
    for axes in figure.axes:
        assert overlapping(drawn_ticklabels(axes.yaxis), renderer) == []
        assert overlapping(drawn_ticklabels(axes.xaxis), renderer) == []
        drawn_texts += drawn_ticklabels(axes.xaxis) + drawn_ticklabels(axes.yaxis)
    corners = [corner for t in drawn_texts for corner in t.get_window_extent(renderer).corners()]
    assert all(figure.bbox.contains(*corner) for corner in corners)  # nothing cut off at the edges


def bar_values(title: str, view: ClassReport) -> list[str]:
    figure = drawn(dict(figures(0.5))[title], view.results)
    return [t.get_text() for t in figure.axes[0].texts]


def test_pass_rates_are_per_function_worst_first_with_their_values_on_the_bars():
    view = example_report()
    rates = function_pass_rates(view.results)
    assert len(rates) < 25 and list(rates.values()) == sorted(rates.values())
    graded = len(view.results.graded)
    values = bar_values("Pass rate per function (worst first)", view)
    assert values == [f"{rate:.0%} ({round(rate * graded)} of {graded})" for rate in rates.values()]
    figure = drawn(dict(figures(0.5))["Pass rate per function (worst first)"], view.results)
    assert [t.get_text() for t in figure.axes[0].get_yticklabels()] == list(rates)


def test_points_lost_shows_written_answers_as_pending_not_lost():
    view = example_report()
    lost = points_lost_by_function(view.results)
    results = view.results
    full_marks = [  # the same class with every pending answer given its full points: nothing more is lost
        replace(s, cell_scores={**s.cell_scores, **{c.key: c.max_score for c in results.pending(s)}}) for s in results.students
    ]
    assert sum(map(len, map(results.pending, results.students))) > 0
    assert lost == points_lost_by_function(replace(results, students=full_marks))
    pending = sum(len(view.results.pending(s)) for s in view.results.students)
    figure = drawn(dict(figures(0.5))["Points lost per function (most first)"], view.results)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert f"{WRITTEN} (11 points; {pending} answers pending)" in labels
    assert "measure_sparsity (4 points)" in labels
    assert [t.get_text() for t in figure.axes[0].texts] == [f"{m:.1f}" for m, _ in sorted(lost.values(), key=lambda v: -v[0])]


def test_the_page_has_a_row_per_student_with_name_score_late_penalty_and_pending_answers():
    view = example_report()
    rows = student_rows(render_page(view))
    assert list(rows) == [s.student for s in view.results.students]
    assert rows["ada"][1][:3] == ["ada", "Ada Lovelace", f"{view.results.students[0].score:g} / 87"]
    assert rows[EXAMPLE_LATE][0] == "late"
    assert rows[EXAMPLE_LATE][1][3] == '<span class="late-marker">late</span> 2 days, &minus;6.5 points'
    assert [s for s, (classes, _) in rows.items() if "late" in classes.split()] == [EXAMPLE_LATE]
    assert rows["bob"][1][5] == "1" and rows["ada"][1][5] == ""  # bob's written answer awaits a grader
    assert rows["dan"][1][2] == "no submission" and rows["eve"][1][2] == "not graded"


def test_grading_time_is_a_distribution_and_a_mean_per_phase_whatever_the_class_size():
    small, large = example_report(17), example_report(1000)
    heights = {drawn(grading_times, view.results).get_figheight() for view in (small, large)}
    assert len(heights) == 1  # not one bar per student: a class of 1000 reads like one of 17
    figure = drawn(grading_times, large.results)
    spread, split = figure.axes
    assert sum(patch.get_height() for patch in spread.patches) == len(large.results.students) - 1  # dan handed nothing in
    timed = [s.verdict for s in large.results.students if s.verdict is not None and s.verdict.phases]
    means = {phase: sum(v.phases[phase] for v in timed) / len(timed) for phase in timed[0].phases}
    assert [t.get_text() for t in split.get_yticklabels()] == list(means)
    assert [t.get_text() for t in split.texts] == [f"{x:.2f} s" for x in means.values()]
