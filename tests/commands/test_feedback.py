"""``course feedback``: students see their results, never the hidden tests' source (nbgrader #917, #1363)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from nbgrader.converters import GenerateFeedback
from nbgrader.utils import notebook_hash

from course.course_config import load_course_config, open_api
from course.feedback import feedback_config
from course.feedback_filters import HideHiddenTests
from tests.commands.graded_course import ASSIGNMENT, NOTEBOOK, GradedCourse, fetch_feedback
from tests.coursedir import run_tool

pytest_plugins = ["tests.commands.graded_course"]

GRADED = ["ada", "bob", "cyd", "dee"]
HIDDEN_DELIMITERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
PLACEHOLDER = HideHiddenTests.placeholder.default_value
# What must go into nbgrader_config.py for stock `nbgrader generate_feedback` to hide them too.
STOCK_FEEDBACK_CONFIG = """
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import GetGrades
from course.feedback_filters import HideHiddenTests
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, HideHiddenTests]
"""


class _Text(HTMLParser):
    """The text a browser shows: data outside <style> and <script>, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.hidden_depth += tag in ("style", "script")

    def handle_endtag(self, tag) -> None:
        self.hidden_depth -= tag in ("style", "script")

    def handle_data(self, data) -> None:
        if not self.hidden_depth:
            self.parts.append(data)


def shown_text(html_file: Path) -> str:
    parser = _Text()
    parser.feed(html_file.read_text(encoding="utf-8"))
    return "".join(parser.parts)


def hidden_lines(nb: nbformat.NotebookNode) -> set[str]:
    """Every non-blank line between the hidden-test delimiters of the source notebook."""
    hidden, inside = set(), False
    for cell in nb.cells:
        for line in cell.source.splitlines():
            if line.strip() in HIDDEN_DELIMITERS:
                inside = line.strip() == HIDDEN_DELIMITERS[0]
            elif inside and line.strip():
                hidden.add(line.strip())
    return hidden


def secret_lines(course: GradedCourse, student: str) -> set[str]:
    """Hidden-test lines a student cannot know otherwise: not in the release, not in their own code.

    A hidden line that the public text already shows (as a line, or inside one, by the same rule as
    `leaked`) is no secret: a call spelling out the defaults repeats the released signature.
    """
    release = nbformat.read(course.root / "release" / ASSIGNMENT / NOTEBOOK, as_version=4)
    submitted = nbformat.read(course.notebook("submitted", student), as_version=4)
    public = "\n".join(cell.source for nb in (release, submitted) for cell in nb.cells)
    hidden = hidden_lines(course.source)
    return hidden - set(leaked(public, hidden))


def leaked(text: str, secret: set[str]) -> list[str]:
    """Secret lines shown as a line of their own, or (when long enough to be unambiguous) inside any line."""
    shown = {line.strip() for line in text.splitlines()}
    return sorted(line for line in secret if line in shown or (len(line) >= 25 and line in text))


@pytest.mark.slow
def test_feedback_is_generated_and_released_for_every_graded_student(graded_course, feedback_summary):
    assert feedback_summary == f"{ASSIGNMENT}: feedback for 4 of 4 students; 4 released to the exchange"
    for student in GRADED:
        assert (graded_course.feedback_html(student)).is_file()
    assert not (graded_course.root / "feedback" / "eve").exists()  # nothing was graded


@pytest.mark.slow
@pytest.mark.parametrize("student", GRADED)
def test_feedback_shows_no_line_of_any_hidden_test(graded_course, feedback_summary, student):
    secret = secret_lines(graded_course, student)
    assert len(secret) > 400  # the check has something to find
    text = shown_text(graded_course.feedback_html(student))
    assert leaked(text, secret) == []
    assert PLACEHOLDER in text


@pytest.mark.slow
def test_feedback_shows_score_and_visible_test_outcomes(graded_course, feedback_summary):
    ada = shown_text(graded_course.feedback_html("ada"))
    cyd = shown_text(graded_course.feedback_html("cyd"))
    assert f"{ASSIGNMENT} (Score: 76.0 / 87.0)" in ada
    assert f"{ASSIGNMENT} (Score: 57.6 / 87.0)" in cyd  # 72 less the late penalty of two days
    assert "measure_sparsity: visible tests passed" in {line.strip() for line in ada.splitlines()}
    assert "AssertionError: 2 of the 18 weights zero (11.11%): got" in cyd  # the visible test's own message
    assert "Traceback (most recent call last)" not in cyd


@pytest.mark.slow
def test_released_feedback_reaches_the_student(graded_course, feedback_summary):
    secret = (graded_course.notebook("submitted", "ada").parent / "submission_secret.txt").read_text()
    name = notebook_hash(secret=secret, notebook_id=ASSIGNMENT)  # where nbgrader files it in the exchange
    exchange_copy = graded_course.root / "exchange" / ASSIGNMENT / "feedback" / f"{name}.html"
    assert exchange_copy.read_bytes() == graded_course.feedback_html("ada").read_bytes()
    fetched = fetch_feedback(graded_course, "ada")
    assert [p.name for p in fetched] == [f"{ASSIGNMENT}.html"]
    assert leaked(shown_text(fetched[0]), secret_lines(graded_course, "ada")) == []


@pytest.mark.slow
def test_stock_feedback_leaks_hidden_tests_without_the_filter(graded_course, feedback_summary):
    """The check above can fail: nbgrader's own feedback pipeline shows the hidden tests."""
    nbgrader_defaults = GenerateFeedback.class_traits()["preprocessors"].default()
    config = load_course_config(
        graded_course.root,
        CourseDirectory={"feedback_directory": "unfiltered"},
        GenerateFeedback={"preprocessors": nbgrader_defaults},
    )
    assert open_api(config).generate_feedback(ASSIGNMENT, student_id="bob")["success"]
    text = shown_text(graded_course.feedback_html("bob", "unfiltered"))
    assert len(leaked(text, secret_lines(graded_course, "bob"))) > 400


@pytest.mark.slow
def test_stock_generate_feedback_hides_them_with_the_config_lines(graded_course, feedback_summary):
    """The lines to add to nbgrader_config.py make stock `nbgrader generate_feedback` safe too."""
    stock = graded_course.root / "stock-config"
    stock.mkdir()
    (stock / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"load_subconfig('nbgrader_config.py', path={str(graded_course.root)!r})  # noqa: F821\n"
        f"c.CourseDirectory.feedback_directory = 'stock-feedback'\n{STOCK_FEEDBACK_CONFIG}"
    )
    run_tool(stock, "nbgrader", "generate_feedback", ASSIGNMENT, "--student=cyd")
    text = shown_text(graded_course.feedback_html("cyd", "stock-feedback"))
    assert leaked(text, secret_lines(graded_course, "cyd")) == []
    assert PLACEHOLDER in text


def test_the_filter_joins_the_feedback_pipeline_once(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    steps = feedback_config(tmp_path).GenerateFeedback.preprocessors
    assert steps == [*GenerateFeedback.preprocessors.default(), HideHiddenTests]
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n" + STOCK_FEEDBACK_CONFIG)
    assert feedback_config(tmp_path).GenerateFeedback.preprocessors == steps  # already configured: unchanged


# Unit checks of the filter on a hand-made autograded notebook, in IPython's traceback format.

ORACLE = "_expected = _oracle_sparsity(_m)"
VISIBLE = "assert f(1) == 1, 'f(1) is 1'"
TEST_SOURCE = "\n".join([VISIBLE, "### BEGIN HIDDEN TESTS", ORACLE, "assert f(2) == _expected", "### END HIDDEN TESTS"])
TRACEBACK = [
    "\x1b[31mAssertionError\x1b[39m                            Traceback (most recent call last)",
    f"\x1b[36mCell\x1b[39m In[3], line 4\n\x1b[32m      3\x1b[39m {ORACLE}\n"
    "\x1b[32m----> \x1b[39m\x1b[32m4\x1b[39m assert f(2) == _expected\n",
    "\x1b[31mAssertionError\x1b[39m: ",
]


def filtered(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb, _ = HideHiddenTests().preprocess(new_notebook(cells=list(cells)), {})
    return nb


def grade_cell(source: str = TEST_SOURCE, outputs: list | None = None) -> nbformat.NotebookNode:
    meta = {"nbgrader": {"grade": True, "solution": False, "grade_id": "test_f", "points": 1, "locked": True}}
    return new_code_cell(source, metadata=meta, outputs=outputs or [])


def test_hidden_region_becomes_one_placeholder_line():
    nb = filtered(grade_cell())
    assert nb.cells[0].source == f"{VISIBLE}\n{PLACEHOLDER}"


def test_test_cell_errors_keep_only_the_exception():
    error = new_output("error", ename="AssertionError", evalue="", traceback=TRACEBACK)
    nb = filtered(grade_cell(outputs=[error]))
    assert nb.cells[0].outputs[0].traceback == ["AssertionError"]


def test_outputs_of_student_cells_that_quote_hidden_code_are_scrubbed():
    printed = new_output("stream", name="stdout", text=f"looking at the grader:\n{ORACLE}\n")
    raised = new_output("error", ename="NameError", evalue="name 'f' is not defined", traceback=TRACEBACK)
    own_traceback = ["\x1b[32m----> 1\x1b[39m raise ValueError('bad')"]
    own = new_output("error", ename="ValueError", evalue="bad", traceback=own_traceback)
    nb = filtered(grade_cell(), new_code_cell("cheat()", outputs=[printed, raised]), new_code_cell("x", outputs=[own]))
    assert nb.cells[1].outputs[0].text == "looking at the grader:\n"
    assert nb.cells[1].outputs[1].traceback == ["NameError: name 'f' is not defined"]
    assert nb.cells[2].outputs[0].traceback == own.traceback  # a student's own traceback is theirs to read
