"""``course feedback``: students see their results, never the hidden tests' source (nbgrader #917, #1363)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.converters import GenerateFeedback
from nbgrader.preprocessors import GetGrades
from nbgrader.utils import notebook_hash

from nbgrader.api import Gradebook

from course.cli import main
from course.course_config import load_course_config, open_api
from course.errors import WrittenAnswersPending
from course.feedback import COURSE_STEPS, Delivery, FeedbackResult, feedback, feedback_config
from course.messages import feedback_failure, feedback_lines
from course.feedback_filters import ExplainFailedTests, HideHiddenTests, is_test_cell
from course.feedback_render import FeedbackExporter, GetGradesAtOnce
from tests.commands.graded_course import ASSIGNMENT, NOTEBOOK, WRITTEN_ANSWER, GradedCourse, fetch_feedback
from tests.coursedir import db_url, run_tool

pytest_plugins = ["tests.commands.graded_course"]

GRADED = ["ada", "bob", "cyd", "dee"]
HIDDEN_DELIMITERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")
PLACEHOLDER = HideHiddenTests.placeholder.default_value
# A course config that names some of the course's steps itself, as the repository's does.
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


PROVISIONAL = "provisional: 1 written answer not graded yet"
FAILED_HIDDEN = ExplainFailedTests.heading.default_value + ": "


@pytest.mark.slow
def test_feedback_is_generated_and_released_for_every_graded_student(graded_course, feedback_result):
    result = feedback_result
    assert (result.students, result.failed, result.release, result.pending) == (GRADED, [], True, {"dee": 1})
    assert result.folders == {student: graded_course.root / "feedback" / student / ASSIGNMENT for student in GRADED}
    assert result.delivery == dict.fromkeys(GRADED, Delivery.RELEASED)
    first, *table = feedback_lines(result).splitlines()  # what `course feedback` prints
    assert first == (
        f"{ASSIGNMENT}: feedback for 4 of 4 students; 4 released to the exchange; "
        "provisional for 1 (1 written answer not graded yet)"
    )
    rows = dict(line.strip().split(": ", 1) for line in table)
    assert sorted(rows) == GRADED
    assert {s: row.split("; ")[0] for s, row in rows.items()} == dict.fromkeys(GRADED, "released to the exchange")
    assert [s for s, row in rows.items() if row.endswith(PROVISIONAL)] == ["dee"]
    for student in GRADED:
        assert (graded_course.feedback_html(student)).is_file()
    assert not (graded_course.root / "feedback" / "eve").exists()  # nothing was graded


@pytest.mark.slow
def test_feedback_waits_for_written_answers_unless_partial(graded_course, capsys):
    refusal = r"^1 written answer of 1 student \(dee\) not graded yet: .* --partial`$"
    with pytest.raises(WrittenAnswersPending, match=refusal) as refused:
        feedback(root=graded_course.root, assignment=ASSIGNMENT)
    assert refused.value.pending == {"dee": 1}
    with pytest.raises(SystemExit) as stopped:
        main(["feedback", "--root", str(graded_course.root), "--no-release"])
    assert stopped.value.code == 2
    message = capsys.readouterr().err.strip()
    assert message.startswith("course feedback: 1 written answer of 1 student (dee)") and "\n" not in message


@pytest.mark.slow
def test_partial_feedback_says_it_is_provisional(graded_course, feedback_result):
    for student in GRADED:
        shown = {line.strip() for line in shown_text(graded_course.feedback_html(student)).splitlines()}
        banners = [line for line in shown if line.startswith("provisional:")]
        if student == "dee":  # her written answer awaits a grader; blank answers score 0 at once
            assert banners == [f"{PROVISIONAL} ({WRITTEN_ANSWER}). Answers not graded yet count 0 "
                               "in the score above, which is not final."]
            assert f"{ASSIGNMENT} ({PROVISIONAL}) (Score: 76.0 / 87.0)" in shown  # the mark beside the score
        else:
            assert banners == [] and not [line for line in shown if "provisional" in line]


def handed_in(course: GradedCourse, student: str) -> set[Path]:
    folder = course.root / "submitted" / student
    return {path.relative_to(folder) for path in folder.rglob("*") if path.is_file()}


@pytest.mark.slow
def test_feedback_folders_hold_only_the_html_and_the_students_own_files(graded_course, feedback_result):
    for student in GRADED:
        folder = graded_course.root / "feedback" / student
        files = {path.relative_to(folder) for path in folder.rglob("*") if path.is_file()}
        html = graded_course.feedback_html(student).relative_to(folder)
        assert html in files
        assert files - {html} <= handed_in(graded_course, student), student
    dee = graded_course.root / "feedback" / "dee" / ASSIGNMENT
    assert (dee / "notes.txt").is_file()  # her own file stays hers
    assert not (dee / "digits_teacher.npz").exists()  # nbgrader copied it from source/ into autograded/
    exchange = graded_course.root / "exchange" / ASSIGNMENT / "feedback"
    ours = {graded_course.feedback_html(s).read_bytes() for s in GRADED}
    assert len(list(exchange.iterdir())) == 4
    assert all(path.suffix == ".html" and path.read_bytes() in ours for path in exchange.iterdir())


def lost_hidden_tests(course: GradedCourse, student: str) -> set[str]:
    """Descriptions of the source's hidden tests in cells where the gradebook says ``student`` lost points."""
    with Gradebook(db_url(course.root)) as gradebook:
        notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        lost = {grade.name for grade in notebook.grades if grade.score < grade.max_score}
    explain = ExplainFailedTests()
    return {
        text for cell in course.source.cells
        if is_test_cell(cell) and cell.metadata.nbgrader.grade_id in lost for text in explain.descriptions(cell.source)
    }


@pytest.mark.slow
@pytest.mark.parametrize("student", ["bob", "cyd", "ada"])
def test_feedback_names_the_property_each_failed_hidden_test_checks(graded_course, feedback_result, student):
    shown = [line.strip() for line in shown_text(graded_course.feedback_html(student)).splitlines()]
    explained = {line.removeprefix(FAILED_HIDDEN) for line in shown if line.startswith(FAILED_HIDDEN)}
    assert explained == lost_hidden_tests(graded_course, student)
    if student == "cyd":  # only her measure_sparsity is wrong
        assert "the result is a percentage, from 0 to 100, over all layers together." in explained
        assert not any("magnitude" in text for text in explained)
    elif student == "bob":  # the release as it came: every hidden test fails
        assert len(explained) > 40
    else:
        assert explained == set()


@pytest.mark.slow
@pytest.mark.parametrize("student", GRADED)
def test_feedback_shows_no_line_of_any_hidden_test(graded_course, feedback_result, student):
    secret = secret_lines(graded_course, student)
    assert len(secret) > 400  # the check has something to find
    text = shown_text(graded_course.feedback_html(student))
    assert leaked(text, secret) == []
    assert PLACEHOLDER in text


@pytest.mark.slow
def test_feedback_shows_score_and_visible_test_outcomes(graded_course, feedback_result):
    ada = shown_text(graded_course.feedback_html("ada"))
    cyd = shown_text(graded_course.feedback_html("cyd"))
    assert f"{ASSIGNMENT} (Score: 76.0 / 87.0)" in ada
    assert f"{ASSIGNMENT} (Score: 57.6 / 87.0)" in cyd  # 72 less the late penalty of two days
    assert "measure_sparsity: visible tests passed" in {line.strip() for line in ada.splitlines()}
    assert "AssertionError: 2 of the 18 weights zero (11.11%): got" in cyd  # the visible test's own message
    assert "Traceback (most recent call last)" not in cyd


@pytest.mark.slow
def test_released_feedback_reaches_the_student(graded_course, feedback_result):
    secret = (graded_course.notebook("submitted", "ada").parent / "submission_secret.txt").read_text()
    name = notebook_hash(secret=secret, notebook_id=ASSIGNMENT)  # where nbgrader files it in the exchange
    exchange_copy = graded_course.root / "exchange" / ASSIGNMENT / "feedback" / f"{name}.html"
    assert exchange_copy.read_bytes() == graded_course.feedback_html("ada").read_bytes()
    fetched = fetch_feedback(graded_course, "ada")
    assert [p.name for p in fetched] == [f"{ASSIGNMENT}.html"]
    assert leaked(shown_text(fetched[0]), secret_lines(graded_course, "ada")) == []


@pytest.mark.slow
def test_stock_feedback_leaks_hidden_tests_without_the_filter(graded_course, feedback_result):
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
def test_stock_generate_feedback_is_the_courses_feedback(graded_course, feedback_result):
    """The repository's nbgrader_config.py makes stock `nbgrader generate_feedback` (and the Formgrader) safe too."""
    run_tool(graded_course.root, "nbgrader", "generate_feedback", ASSIGNMENT, "--student=cyd",
             "--CourseDirectory.feedback_directory=stock-feedback")
    text = shown_text(graded_course.feedback_html("cyd", "stock-feedback"))
    assert leaked(text, secret_lines(graded_course, "cyd")) == []
    assert PLACEHOLDER in text
    shown = [line.strip() for line in text.splitlines()]
    explained = {line.removeprefix(FAILED_HIDDEN) for line in shown if line.startswith(FAILED_HIDDEN)}
    assert explained == lost_hidden_tests(graded_course, "cyd") != set()
    folder = graded_course.root / "stock-feedback" / "cyd" / ASSIGNMENT
    assert not list(folder.glob(".course-verdict.json*")), "the grader's verdict is the instructor's"


def test_the_filters_join_the_feedback_pipeline_once(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")
    config = feedback_config(tmp_path)
    steps = config.GenerateFeedback.preprocessors
    assert steps == [GetGradesAtOnce, CSSHTMLHeaderPreprocessor, *COURSE_STEPS]  # nbgrader's, GetGrades by its twin
    assert GenerateFeedback.preprocessors.default() == [GetGrades, CSSHTMLHeaderPreprocessor]
    assert config.GenerateFeedback.exporter_class is FeedbackExporter
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n" + STOCK_FEEDBACK_CONFIG)
    assert feedback_config(tmp_path).GenerateFeedback.preprocessors == steps  # already configured: unchanged


def test_each_way_feedback_reaches_a_student_is_one_line_and_failures_one_error(tmp_path):
    folders = {student: tmp_path / "feedback" / student / ASSIGNMENT for student in ("ada", "bob", "cyd", "dee")}
    result = FeedbackResult(
        ASSIGNMENT, ["ada", "bob", "cyd", "dee", "eve"], folders,
        {"ada": Delivery.RELEASED, "bob": Delivery.FROM_LMS, "cyd": Delivery.RELEASE_FAILED, "dee": Delivery.NOT_RELEASED},
        pending={"bob": 2}, failed=["eve"], release=True,
    )
    assert feedback_lines(result).splitlines() == [
        f"{ASSIGNMENT}: feedback for 4 of 5 students; 1 released to the exchange; "
        "provisional for 1 (2 written answers not graded yet)",
        "  ada: released to the exchange",
        f"  bob: {folders['bob']} (collected from an LMS: upload it there); provisional: 2 written answers not graded yet",
        f"  cyd: {folders['cyd']} (release failed: -v shows why)",
        f"  dee: {folders['dee']}",
    ]
    assert feedback_failure(result) == (
        f"{ASSIGNMENT}: feedback for 4 of 5 students; 1 released to the exchange; "
        "provisional for 1 (2 written answers not graded yet); failed for eve (-v shows why)")


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


def test_a_test_cell_that_lost_points_says_what_its_hidden_tests_check():
    source = "\n".join([
        VISIBLE, "# Hidden tests: zeros count,", "# biases do not.", "### BEGIN HIDDEN TESTS", ORACLE,
        "### END HIDDEN TESTS", "x = 1", "### BEGIN HIDDEN TESTS", "assert f(3) == 3", "### END HIDDEN TESTS",
    ])
    error = new_output("error", ename="AssertionError", evalue="", traceback=TRACEBACK)
    failed, passed = grade_cell(source, outputs=[error]), grade_cell(source)
    failed.metadata.nbgrader.update(score=0.0, points=1)
    passed.metadata.nbgrader.update(score=1.0, points=1)
    nb, _ = ExplainFailedTests().preprocess(new_notebook(cells=[failed, passed]), {})
    explanation, original = nb.cells[0].outputs
    assert explanation.data["text/plain"] == f"{FAILED_HIDDEN}zeros count, biases do not."  # no text above the 2nd
    assert "<div" in explanation.data["text/html"] and original == error
    assert nb.cells[1].outputs == []  # full marks: nothing to explain
