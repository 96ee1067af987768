"""``course report``: one self-contained HTML page on how the class did, and a summary for the terminal.

After a grading pass an instructor wants to see, not read, where the class
stands: the spread of scores, which tests most students fail (a hard task or
a bad test), which functions cost the most points, which submissions were
slow to grade, and which ones had something wrong with them and why. The
figures are PNGs embedded in the page, so it can be mailed or archived as one
file; matplotlib is driven through its Agg canvas, never pyplot, so that no
display or global backend is touched.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import statistics
from collections.abc import Callable
from functools import partial
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from course.cells import CellKind, cell_kind, grade_id, is_test_of
from course.results import AssignmentResults, GradeCell, StudentResult, load_results, problem_text
from course.submissions import top_level_definitions
from course.tables import render_table

log = logging.getLogger(__name__)

PASS_MARK = 0.5  # share of the maximum score that passes
WRITTEN = "written answers"


def passed(score: float, results: AssignmentResults, pass_mark: float) -> bool:
    return score >= pass_mark * results.max_score


def summary_rows(results: AssignmentResults, pass_mark: float) -> list[tuple[str, str]]:
    scores = [s.score for s in results.graded]
    failed = sum(s.failed for s in results.students)
    rows = [("students graded", str(len(scores)))]
    if scores:
        rows += [
            ("mean score", f"{statistics.mean(scores):.1f} / {results.max_score:g}"),
            ("median score", f"{statistics.median(scores):.1f} / {results.max_score:g}"),
            ("pass rate", f"{sum(passed(x, results, pass_mark) for x in scores) / len(scores):.0%} "
                          f"(score >= {pass_mark:.0%} of {results.max_score:g})"),
        ]
    rows.append(("problem submissions", f"{len(results.with_problems)} ({failed} not graded)"))
    return rows


def summary_text(results: AssignmentResults, pass_mark: float) -> str:
    return render_table(f"{results.assignment}: summary", summary_rows(results, pass_mark))


def summary_table(*, root: Path, assignment: str, pass_mark: float = PASS_MARK) -> str:
    """A short plain-text table: students graded, mean and median score, pass rate, problem submissions."""
    return summary_text(load_results(root=root, assignment=assignment), pass_mark)


def function_names(results: AssignmentResults) -> list[str]:
    """Names a test cell's grade id can refer to: solution cell ids and the functions and classes they define."""
    names = []
    for nb in results.source.values():
        for cell in nb.cells:
            if cell_kind(cell) is CellKind.SOLUTION and cell.cell_type == "code":
                names += [grade_id(cell), *top_level_definitions(cell.source)]
    return names


def function_of(cell: GradeCell, names: list[str]) -> str:
    """``test_<function>`` or ``test_<function>_<aspect>`` -> the function (longest match); written work together."""
    if not cell.autograded:
        return WRITTEN
    matches = [n for n in names if is_test_of(cell.grade_id, n)]
    return max(matches, key=len) if matches else cell.grade_id.removeprefix("test_")


def score_histogram(results: AssignmentResults, figure: Figure, *, pass_mark: float) -> None:
    axes = figure.subplots()
    axes.hist([s.score for s in results.graded], bins=20, range=(0, results.max_score or 1), color="#4c72b0")
    axes.axvline(pass_mark * results.max_score, color="#c44e52", linestyle="--", label=f"pass mark ({pass_mark:.0%})")
    axes.set(xlabel=f"score (after late penalty) out of {results.max_score:g}", ylabel="students")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend()


def pass_rates(results: AssignmentResults) -> dict[str, float]:
    """Share of graded students with full marks, per autograded test cell worth points (by grade id)."""
    graded = results.graded
    return {
        cell.grade_id: sum((s.cell_scores.get(cell.key) or 0) >= cell.max_score for s in graded) / max(1, len(graded))
        for cell in results.cells
        if cell.autograded and cell.max_score > 0
    }


def points_lost_by_function(results: AssignmentResults) -> dict[str, tuple[float, float]]:
    """Per function (see ``function_of``), in notebook order: mean points lost per graded student, and points at stake.

    A written answer that awaits a human grader costs nothing yet.
    """
    names = function_names(results)
    lost: dict[str, float] = {}
    at_stake: dict[str, float] = {}
    for cell in (c for c in results.cells if c.max_score > 0):
        group = function_of(cell, names)
        scores = [s.cell_scores.get(cell.key) for s in results.graded]
        lost[group] = lost.get(group, 0.0) + sum(cell.max_score - x for x in scores if x is not None)
        at_stake[group] = at_stake.get(group, 0.0) + cell.max_score
    return {group: (lost[group] / max(1, len(results.graded)), at_stake[group]) for group in lost}


def cell_pass_rates(results: AssignmentResults, figure: Figure) -> None:
    rates = pass_rates(results)
    figure.set_size_inches(8, 1 + 0.18 * len(rates))
    axes = figure.subplots()
    axes.barh(list(rates), [100 * rate for rate in rates.values()], color="#55a868")
    axes.invert_yaxis()
    axes.set(xlabel="% of graded students with full marks", xlim=(0, 100))
    axes.tick_params(axis="y", labelsize=7)


def points_lost(results: AssignmentResults, figure: Figure) -> None:
    lost = points_lost_by_function(results)
    figure.set_size_inches(8, 1 + 0.3 * len(lost))
    axes = figure.subplots()
    axes.barh([f"{group} ({top:g} pts)" for group, (_, top) in lost.items()], [mean for mean, _ in lost.values()],
              color="#c44e52")
    axes.invert_yaxis()
    axes.set(xlabel="points lost per graded student (mean; written answers count once marked)")
    axes.tick_params(axis="y", labelsize=8)


def grading_times(results: AssignmentResults, figure: Figure) -> None:
    timed = [s for s in results.students if s.verdict is not None]
    figure.set_size_inches(8, 1 + 0.25 * len(timed))
    axes = figure.subplots()
    colours = ["#c44e52" if s.failed else "#4c72b0" for s in timed]
    axes.barh([s.student for s in timed], [s.verdict.seconds for s in timed], color=colours)
    axes.invert_yaxis()
    axes.set(xlabel="seconds to grade (red: not graded)")


Draw = Callable[[AssignmentResults, Figure], None]


def figures(pass_mark: float) -> list[tuple[str, Draw]]:
    """The report's figures in page order: title and the function that draws it."""
    return [
        ("Score distribution", partial(score_histogram, pass_mark=pass_mark)),
        ("Pass rate per test cell", cell_pass_rates),
        ("Points lost per function", points_lost),
        ("Time per submission", grading_times),
    ]


def png(draw: Draw, results: AssignmentResults) -> str:
    """The figure ``draw`` makes, as base64 PNG."""
    figure = Figure(figsize=(8, 4), layout="constrained")
    draw(results, figure)
    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def problem_row(student: StudentResult) -> str:
    score = "not graded" if student.failed else f"{student.score:g}"
    items = "".join(f"<li>{html.escape(problem_text([problem]))}</li>" for problem in student.problems)
    return f"<tr><td>{html.escape(student.student)}</td><td>{score}</td><td><ul>{items}</ul></td></tr>"


NO_PROBLEMS = '<tr><td colspan="3">none</td></tr>'
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}} img{{max-width:100%}}
table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}}</style>
</head><body><h1>{title}</h1>
<pre>{summary}</pre>
{figures}
<section id="problems"><h2>Problem submissions</h2>
<table><tr><th>student</th><th>score</th><th>problems</th></tr>
{problems}
</table></section>
</body></html>
"""


def report(*, root: Path, assignment: str, output: Path | None = None, pass_mark: float = PASS_MARK) -> Path:
    """Write the HTML report (default ``<root>/report-<assignment>.html``) and return its path."""
    results = load_results(root=root, assignment=assignment)
    output = output or root / f"report-{assignment}.html"
    sections = "\n".join(
        f'<section><h2>{title}</h2>\n<img alt="{title}" src="data:image/png;base64,{png(draw, results)}"></section>'
        for title, draw in figures(pass_mark)
    )
    page = PAGE.format(
        title=html.escape(f"Grading report: {assignment}"), summary=html.escape(summary_text(results, pass_mark)),
        figures=sections, problems="\n".join(map(problem_row, results.with_problems)) or NO_PROBLEMS,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    log.info("report of %d students -> %s", len(results.students), output)
    return output
