"""``course report``: one self-contained HTML page on how the class did, and a summary for the terminal.

After a grading pass an instructor wants to see, not read, where the class
stands: who scored what (late and problem submissions marked, written answers
still waiting for a grader counted), the spread of scores, which functions
most students get wrong (a hard task or a bad test) and which cost the most
points, and which submissions were slow to grade. Written answers nobody has
graded yet are pending, never counted as lost. The figures are PNGs embedded
in the page, so it can be mailed or archived as one file; matplotlib is
driven through its Agg canvas, never pyplot, so that no display or global
backend is touched.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imsave
from matplotlib.ticker import MaxNLocator

from course.cells import CellKind, cell_kind, grade_id, is_test_of
from course.course_config import course_file, load_course_config
from course.definitions import top_level_definitions
from course.grading import phases
from course.late_penalty import days_late
from course.results import AssignmentResults, GradeCell, StudentResult, load_results, problem_text
from course.roster import load_roster
from course.tables import render_table
from course.wording import plural

log = logging.getLogger(__name__)

PASS_MARK = 0.5  # share of the maximum score that passes
WRITTEN = "written answers"
# Legible at the page's width: no label below 10 pt, room for every bar's label.
FIGURE_STYLE = {"font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "xtick.labelsize": 10, "ytick.labelsize": 10}
INCHES_PER_BAR = 0.34
RED, AMBER, GREEN, BLUE = "#c44e52", "#dd8452", "#55a868", "#4c72b0"


@dataclass(frozen=True)
class ClassReport:
    """What the report shows: the results and each student's name from the roster."""

    results: AssignmentResults
    names: dict[str, str] = field(default_factory=dict)

    def is_late(self, student: StudentResult) -> bool:
        return student.submitted and student.seconds_late > 0

    @property
    def late(self) -> list[StudentResult]:
        return [s for s in self.results.students if self.is_late(s)]


def load_class_report(root: Path, assignment: str, *, db_url: str | None = None) -> ClassReport:
    results = load_results(root=root, assignment=assignment, db_url=db_url)
    roster = load_roster(root)
    names = {s.student: roster[s.student].full_name if s.student in roster else "" for s in results.students}
    for student in results.students:  # the gradebook's names where the roster has none
        names[student.student] = names[student.student] or " ".join(filter(None, (student.first_name, student.last_name)))
    return ClassReport(results, names)


def passed(score: float, results: AssignmentResults, pass_mark: float) -> bool:
    return score >= pass_mark * results.max_score


@dataclass(frozen=True)
class ClassSummary:
    """The class in a few numbers: the report's summary table, on the page and in the terminal."""

    assignment: str
    max_score: float
    pass_mark: float  # share of the maximum score that passes
    scores: list[float]  # each graded student's score, after the late penalty
    passed: int  # graded students at or above the pass mark
    late: int  # late submissions
    penalties: float  # points of late penalties, all together
    pending_answers: int  # written answers nobody has graded yet
    pending_students: int  # students with such answers
    with_problems: int  # submissions with a problem, graded or not
    not_graded: int  # submissions that could not be graded at all

    @property
    def pass_rate(self) -> float | None:
        return self.passed / len(self.scores) if self.scores else None


def class_summary(view: ClassReport, pass_mark: float = PASS_MARK) -> ClassSummary:
    results = view.results
    scores = [s.score for s in results.graded]
    pending = results.pending_answers()
    return ClassSummary(
        results.assignment, results.max_score, pass_mark, scores, sum(passed(x, results, pass_mark) for x in scores),
        len(view.late), sum(s.late_penalty for s in view.late), sum(pending.values()), len(pending),
        len(results.with_problems), sum(s.failed for s in results.students),
    )


def summary_rows(summary: ClassSummary) -> list[tuple[str, str]]:
    top = f"{summary.max_score:g}"
    rows = [("students graded", str(len(summary.scores)))]
    if summary.scores:
        rows += [
            ("mean score", f"{statistics.mean(summary.scores):.1f} / {top}"),
            ("median score", f"{statistics.median(summary.scores):.1f} / {top}"),
            ("pass rate", f"{summary.pass_rate:.0%} (score >= {summary.pass_mark:.0%} of {top})"),
        ]
    penalties = f" ({plural(summary.penalties, 'point')} of penalties)" if summary.penalties else ""
    rows += [
        ("late submissions", f"{summary.late}{penalties}"),
        ("answers to grade", f"{plural(summary.pending_answers, 'written answer')} "
                             f"of {plural(summary.pending_students, 'student')} (pending, not lost)"),
        ("problem submissions", f"{summary.with_problems} ({summary.not_graded} not graded)"),
    ]
    return rows


def summary_text(summary: ClassSummary) -> str:
    """The summary table as plain text: the page shows it, and ``course report`` prints it."""
    return render_table(f"{summary.assignment}: summary", summary_rows(summary))


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


def cells_by_function(results: AssignmentResults) -> dict[str, list[GradeCell]]:
    """The grade cells worth points, grouped by ``function_of``, in notebook order."""
    names = function_names(results)
    groups: dict[str, list[GradeCell]] = {}
    for cell in (c for c in results.cells if c.max_score > 0):
        groups.setdefault(function_of(cell, names), []).append(cell)
    return groups


def function_pass_rates(results: AssignmentResults) -> dict[str, float]:
    """Per function, the share of graded students with full marks in every one of its test cells; worst first.

    Written answers are not a function: they have no pass rate here.
    """
    graded = results.graded
    rates = {
        group: sum(all((s.cell_scores.get(c.key) or 0) >= c.max_score for c in cells) for s in graded) / max(1, len(graded))
        for group, cells in cells_by_function(results).items()
        if group != WRITTEN
    }
    return dict(sorted(rates.items(), key=lambda item: item[1]))  # stable: ties stay in notebook order


def points_lost_by_function(results: AssignmentResults) -> dict[str, tuple[float, float]]:
    """Per function, in notebook order: mean points lost per graded student, and points at stake.

    A written answer that awaits a human grader costs nothing yet: it is pending, not lost.
    """
    graded = results.graded
    lost = {}
    for group, cells in cells_by_function(results).items():
        scores = [(c.max_score, s.cell_scores.get(c.key)) for c in cells for s in graded]
        lost[group] = (sum(top - x for top, x in scores if x is not None) / max(1, len(graded)), sum(c.max_score for c in cells))
    return lost


def bar_chart(figure: Figure, labels: list[str], values: list[float], colours: list[str], texts: list[str]) -> Axes:
    """Horizontal bars, first label on top, each bar's value written beside it, with room for every label."""
    figure.set_figheight(1.2 + INCHES_PER_BAR * len(labels))
    axes = figure.subplots()
    bars = axes.barh(labels, values, color=colours)
    axes.bar_label(bars, labels=texts, padding=3)
    axes.invert_yaxis()
    axes.margins(y=0.5 / max(1, len(labels)))
    return axes


def score_histogram(results: AssignmentResults, figure: Figure, *, pass_mark: float) -> None:
    axes = figure.subplots()
    axes.hist([s.score for s in results.graded], bins=20, range=(0, results.max_score or 1), color=BLUE)
    axes.axvline(pass_mark * results.max_score, color=RED, linestyle="--", label=f"pass mark ({pass_mark:.0%})")
    axes.set(xlabel=f"score (after late penalty) out of {results.max_score:g}", ylabel="students")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.legend()


def rate_colour(rate: float) -> str:
    return RED if rate < 0.5 else AMBER if rate < 0.8 else GREEN


def pass_rate_chart(results: AssignmentResults, figure: Figure) -> None:
    rates = function_pass_rates(results)
    graded = len(results.graded)
    texts = [f"{rate:.0%} ({round(rate * graded)} of {graded})" for rate in rates.values()]
    axes = bar_chart(figure, list(rates), [100 * r for r in rates.values()], list(map(rate_colour, rates.values())), texts)
    axes.set(xlabel="% of graded students with full marks in all of the function's tests", xlim=(0, 125))
    axes.set_xticks(range(0, 101, 20))


def points_lost(results: AssignmentResults, figure: Figure) -> None:
    lost = sorted(points_lost_by_function(results).items(), key=lambda item: -item[1][0])
    waiting = sum(results.pending_answers().values())
    labels = [
        f"{group} ({plural(top, 'point')}" + (f"; {plural(waiting, 'answer')} pending" if group == WRITTEN and waiting else "") + ")"
        for group, (_, top) in lost
    ]
    means = [mean for _, (mean, _) in lost]
    axes = bar_chart(figure, labels, means, [RED] * len(lost), [f"{mean:.1f}" for mean in means])
    axes.set(xlabel="mean points lost per graded student (ungraded answers: pending, not lost)")
    axes.set_xlim(0, max([*means, 1]) * 1.15)


def grading_times(results: AssignmentResults, figure: Figure) -> None:
    """How long submissions took (a histogram: readable at any class size), and where the time went on average."""
    timed = [s.verdict for s in results.students if s.verdict is not None]
    spread, split = figure.subplots(1, 2, width_ratios=(3, 2))
    graded, failed = ([v.seconds for v in timed if (v.status == "graded") is ok] for ok in (True, False))
    spread.hist([graded, failed], bins=20, stacked=True, color=[BLUE, RED], label=["graded", "not graded"])
    spread.set(xlabel="seconds to grade one submission", ylabel="submissions")
    spread.yaxis.set_major_locator(MaxNLocator(integer=True))
    spread.legend()
    means = phases.averaged([v.phases for v in timed if v.phases])
    bars = split.barh(list(means), list(means.values()), color=BLUE)
    split.bar_label(bars, labels=[f"{x:.2f} s" for x in means.values()], padding=3)
    split.invert_yaxis()
    split.set(xlabel="mean seconds per submission, by phase")
    split.set_xlim(0, max([*means.values(), 0.1]) * 1.4)


Draw = Callable[[AssignmentResults, Figure], None]


def figures(pass_mark: float) -> list[tuple[str, Draw]]:
    """The report's figures in page order: title and the function that draws it."""
    return [
        ("Score distribution", partial(score_histogram, pass_mark=pass_mark)),
        ("Pass rate per function (worst first)", pass_rate_chart),
        ("Points lost per function (most first)", points_lost),
        ("Grading time", grading_times),
    ]


def drawn(draw: Draw, results: AssignmentResults) -> Figure:
    """The figure ``draw`` makes, in the report's style, laid out and ready to save."""
    with rc_context(FIGURE_STYLE):
        figure = Figure(figsize=(10, 4), layout="constrained")
        draw(results, figure)
        FigureCanvasAgg(figure).draw()
    return figure


def png(figure: Figure) -> str:
    """``figure``, as ``drawn`` left it, as base64 PNG.

    The pixels of that drawing are saved as ``print_png`` saves them, without
    the second drawing ``print_png`` would make (a quarter of a second per
    figure at a class of 1000).
    """
    buffer = io.BytesIO()
    imsave(buffer, figure.canvas.buffer_rgba(), format="png", origin="upper", dpi=figure.dpi)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def score_cell(student: StudentResult, results: AssignmentResults) -> str:
    if student.failed:
        return "not graded"
    if not student.submitted:
        return "no submission"
    return f"{student.score:g} / {results.max_score:g}"


def late_cell(view: ClassReport, student: StudentResult) -> str:
    if not view.is_late(student):
        return ""
    days = plural(days_late(student.seconds_late), "day")
    penalty = f"&minus;{plural(student.late_penalty, 'point')}" if student.late_penalty else "no penalty"
    return f'<span class="late-marker">late</span> {days}, {penalty}'


def student_row(view: ClassReport, student: StudentResult) -> str:
    problems = "".join(f"<li>{html.escape(problem_text([problem]))}</li>" for problem in student.problems)
    pending = len(view.results.pending(student))
    classes = " ".join(name for name, on in (("late", view.is_late(student)), ("problem", bool(problems))) if on)
    cells = [
        html.escape(student.student), html.escape(view.names.get(student.student, "")),
        score_cell(student, view.results), late_cell(view, student),
        f"<ul>{problems}</ul>" if problems else "", str(pending) if pending else "",
    ]
    return (f'<tr class="{classes}" data-student="{html.escape(student.student, quote=True)}">'
            + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")


STUDENT_COLUMNS = ["student", "name", "score", "late penalty", "problems", "written answers pending"]
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;font-size:16px;max-width:64em;margin:2em auto;padding:0 1em}} img{{max-width:100%}}
table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}}
td ul{{margin:0;padding-left:1.2em}} td:nth-child(-n+4){{white-space:nowrap}} tr.late td:first-child{{border-left:4px solid #c44e52}}
.late-marker{{background:#c44e52;color:#fff;border-radius:.3em;padding:0 .4em;font-weight:bold}}</style>
</head><body><h1>{title}</h1>
<pre>{summary}</pre>
<section id="students"><h2>Students</h2>
<p>{late} marked <span class="late-marker">late</span>; written answers pending are not graded yet and cost nothing so far.</p>
<table><thead><tr>{header}</tr></thead>
<tbody>
{rows}
</tbody></table></section>
{figures}
</body></html>
"""


def render_page(view: ClassReport, pass_mark: float = PASS_MARK) -> str:
    """The whole report as one HTML page (figures embedded)."""
    sections = "\n".join(
        f'<section><h2>{html.escape(title)}</h2>\n'
        f'<img alt="{html.escape(title)}" src="data:image/png;base64,{png(drawn(draw, view.results))}"></section>'
        for title, draw in figures(pass_mark)
    )
    return PAGE.format(
        title=html.escape(f"Grading report: {view.results.assignment}"),
        summary=html.escape(summary_text(class_summary(view, pass_mark))),
        late=plural(len(view.late), "late submission"),
        header="".join(f"<th>{column}</th>" for column in STUDENT_COLUMNS),
        rows="\n".join(student_row(view, s) for s in view.results.students),
        figures=sections,
    )


@dataclass(frozen=True)
class ReportResult:
    """The report written, and the summary it opens with."""

    path: Path
    summary: ClassSummary


def report(*, root: Path, assignment: str, output: Path | None = None, pass_mark: float = PASS_MARK,
           db_url: str | None = None) -> ReportResult:
    """Write the HTML report (default ``report-<assignment>.html`` in the course folder)."""
    view = load_class_report(root, assignment, db_url=db_url)
    output = output or course_file(load_course_config(root, db_url=db_url), f"report-{assignment}.html")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_page(view, pass_mark), encoding="utf-8")
    log.info("report of %d students -> %s", len(view.results.students), output)
    return ReportResult(output, class_summary(view, pass_mark))
