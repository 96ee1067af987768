"""``feedback_render``: the feedback page nbgrader's exporter and ``GetGrades`` make, at a fraction of the work.

The page must be the same document as stock's (compared as parsed trees:
stock writes its page out through BeautifulSoup, which only re-spells the
markup), for the graded class and for generated notebooks whose cells repeat
with different languages, metadata, attachments and images, so that a cache
keyed on too little shows. The work saved is counted, not timed: gradebook
queries per page and pygments runs for a page seen before.
"""

from __future__ import annotations

import base64
import uuid

import nbformat
import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nbconvert.exporters import HTMLExporter
from nbconvert.filters import highlight
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import GetGrades
from sqlalchemy import event
from sqlalchemy.engine import Engine
from traitlets.config import Config

from course import feedback_render
from course.course_config import open_api
from course.feedback import feedback_config
from course.feedback_render import NEEDS_SOUP, FeedbackExporter, GetGradesAtOnce
from tests.commands.graded_course import ASSIGNMENT, NOTEBOOK

pytest_plugins = ["tests.commands.graded_course"]

GRADED = ["ada", "bob", "cyd", "dee"]
# A 1x1 PNG: an image output, which the classic template writes without alt text.
PIXEL = base64.b64encode(
    bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                  "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
).decode()


def tree(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, features="html.parser")


def render_class(course, folder: str, *, stock: bool) -> dict[str, str]:
    """Every graded student's feedback page, made with the course's pipeline, stock's exporter and GetGrades if ``stock``."""
    config = feedback_config(course.root)
    config.merge(Config({"CourseDirectory": {"feedback_directory": folder}}))
    if stock:
        steps = [GetGrades if step is GetGradesAtOnce else step for step in config.GenerateFeedback.preprocessors]
        config.merge(Config({"GenerateFeedback": {"exporter_class": HTMLExporter, "preprocessors": steps}}))
    api = open_api(config)
    for student in GRADED:
        assert api.generate_feedback(ASSIGNMENT, student_id=student, force=True)["success"], student
    return {student: course.feedback_html(student, folder).read_text(encoding="utf-8") for student in GRADED}


@pytest.fixture(scope="module")
def class_pages(graded_course) -> tuple[dict[str, str], dict[str, str]]:
    return render_class(graded_course, "stock-render", stock=True), render_class(graded_course, "fast-render", stock=False)


@pytest.mark.slow
@pytest.mark.parametrize("student", GRADED)
def test_each_students_page_is_stocks_document(class_pages, student):
    stock, fast = class_pages
    assert tree(fast[student]) == tree(stock[student])
    assert not NEEDS_SOUP.search(fast[student]), "the fast path was not taken: this test compares stock with itself"


@pytest.mark.slow
def test_the_pages_differ_between_students(class_pages):
    """The comparison above can fail: a page served from a cache of another student's would differ from stock's."""
    _, fast = class_pages
    assert len({tree(page).get_text() for page in fast.values()}) == len(GRADED)


@pytest.mark.slow
def test_a_page_reads_its_grades_and_comments_in_a_fixed_number_of_queries(graded_course):
    """Stock asks for each graded cell's grade and each answer's comment on its own; the course's pipeline for all at once."""
    counts = {}
    for stock in (True, False):
        rows = []

        def count(_connection, _cursor, statement, *_args) -> None:
            rows.extend(table for table in ("grade", "comment") if f"{table}.id AS {table}_id" in statement)

        event.listen(Engine, "before_cursor_execute", count)
        try:
            render_class(graded_course, f"counted-{stock}", stock=stock)
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        counts[stock] = {table: rows.count(table) / len(GRADED) for table in ("grade", "comment")}
    cells = [cell.metadata.get("nbgrader", {}) for cell in graded_course.source.cells]
    assert counts[True]["grade"] >= sum(bool(cell.get("grade")) for cell in cells) > 40, counts
    assert counts[True]["comment"] >= sum(bool(cell.get("solution")) for cell in cells) > 10, counts
    assert counts[False] == {"grade": 2, "comment": 1}, counts  # GetGradesAtOnce's two, MarkProvisional's grades


def test_a_cell_with_no_gradebook_row_fails_as_with_stock(graded_course):
    nb = nbformat.read(graded_course.notebook("autograded", "ada"), as_version=4)
    nb.cells.append(new_code_cell("1", metadata={"nbgrader": {"grade": True, "grade_id": "not_in_gradebook", "points": 1,
                                                              "solution": False, "locked": True, "schema_version": 3}}))
    resources = {"nbgrader": {"notebook": NOTEBOOK.removesuffix(".ipynb"), "assignment": ASSIGNMENT, "student": "ada",
                              "db_url": feedback_config(graded_course.root).CourseDirectory.db_url}}
    for step in (GetGrades(), GetGradesAtOnce()):
        with pytest.raises(MissingEntry):
            step.preprocess(nb, resources)


def classic(exporter: type[HTMLExporter]) -> HTMLExporter:
    return exporter(config=Config({"HTMLExporter": {"template_name": "classic"}}))


SOURCES = st.sampled_from(["x = 1", "print('hi')", "%%bash\necho hi", "# Title\n\nSome *text* and `code`.", "", "![pic](attachment:p.png)"])


@st.composite
def notebooks(draw) -> nbformat.NotebookNode:
    """Few distinct sources, so that they recur with other languages, metadata, attachments and outputs."""
    cells = []
    for _ in range(draw(st.integers(1, 5))):
        source = draw(SOURCES)
        if draw(st.booleans()):
            metadata = {"magics_language": "bash"} if draw(st.booleans()) else {}
            outputs = [new_output("display_data", data={"image/png": PIXEL, "text/plain": "<img>"})] if draw(st.booleans()) else []
            cells.append(new_code_cell(source, metadata=metadata, outputs=outputs))
        else:
            attached = "attachment:p.png" in source or draw(st.booleans())
            cell = new_markdown_cell(source)
            if attached:
                cell.attachments = {"p.png": {"image/png": draw(st.sampled_from([PIXEL, PIXEL[:-8] + "AAAAAAA="]))}}
            cells.append(cell)
    lexer = draw(st.sampled_from(["ipython3", "python", "bash"]))
    return new_notebook(cells=cells, metadata={"language_info": {"name": "python", "pygments_lexer": lexer}})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nb=notebooks())
def test_any_notebook_renders_as_with_stock(nb):
    stock, _ = classic(HTMLExporter).from_notebook_node(nb)
    fast, _ = classic(FeedbackExporter).from_notebook_node(nb)
    assert tree(fast) == tree(stock)


def test_an_image_without_alt_text_gets_stocks_alt_text():
    nb = new_notebook(cells=[new_code_cell("plot()", outputs=[new_output("display_data", data={"image/png": PIXEL})])])
    fast, _ = classic(FeedbackExporter).from_notebook_node(nb)
    assert tree(fast).find("img")["alt"] == "No description has been provided for this image"


def test_a_page_seen_before_runs_no_highlighting(monkeypatch):
    unseen = uuid.uuid4().hex  # sources no earlier test of this process rendered
    nb = new_notebook(cells=[new_code_cell(f"value_{i} = '{unseen}'") for i in range(5)] + [new_markdown_cell(unseen)])
    calls = []
    real = highlight._pygments_highlight
    monkeypatch.setattr(highlight, "_pygments_highlight", lambda *a, **k: calls.append(1) or real(*a, **k))
    classic(FeedbackExporter).from_notebook_node(nb)
    first = len(calls)
    second, _ = classic(FeedbackExporter).from_notebook_node(nb)
    assert first >= 5 and len(calls) == first
    assert tree(second) == tree(classic(HTMLExporter).from_notebook_node(nb)[0])


def test_a_long_run_keeps_a_bounded_number_of_rendered_cells(monkeypatch):
    """Each student's own answers are met once: they must not pile up in the process for a class of thousands."""
    monkeypatch.setattr(feedback_render, "KEPT_CELLS", 10)
    shared = new_code_cell("shared = 'released cell'")
    for student in range(30):
        classic(FeedbackExporter).from_notebook_node(new_notebook(cells=[shared, new_code_cell(f"answer = {student}")]))
    assert len(feedback_render._HIGHLIGHTED) <= 10
    assert any(key[-1] == shared.source for key in feedback_render._HIGHLIGHTED), "the cell every page has stays"
