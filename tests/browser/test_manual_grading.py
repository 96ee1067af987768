"""A written answer graded by hand in the Formgrader reaches ``course export``, in a real browser.

One student hands in the reference solutions and answers one written
question (the other written answers are blank, which nbgrader scores 0 at
once); ``course autograde`` grades the code, so ``course export`` lists that
answer as pending and leaves its cell empty. The instructor opens the
Formgrader's manual grading list in ``course lab instructor``, sees the
submission marked as needing a manual grade, opens it, types a score into the
answer's cell and moves on; the cell's red "needs grading" highlight goes
once the server has stored the score, and the list then shows the new written
score and no longer marks the submission. ``course export`` then has the
score in the answer's column, in the total, and nothing pending.

Every wait is on what the page shows; each step leaves a screenshot under
``test-output/browser/<test>/``.
"""

from __future__ import annotations

import csv
import re

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.cells import CellKind
from demo.submissions import reference_solutions
from tests.browser.servers import lab_server
from tests.browser.test_student_journey import MENU, Journey
from tests.commands.graded_course import WRITTEN_ANSWER
from tests.commands.test_stock_nbgrader_grading import NOTEBOOK, hand_in
from tests.coursedir import ASSIGNMENT, db_url, make_course, run_tool

pytestmark = [pytest.mark.slow, pytest.mark.browser]

STUDENT = "wren"
LOADED = 120_000  # ms: JupyterLab, or a Formgrader page's data, on a loaded machine
SAVED = 60_000  # ms: one grade written by the Formgrader's server on a loaded machine


def exported_row(course) -> dict[str, str]:
    """The student's row of ``course export``'s per-cell CSV."""
    run_tool(course, "course", "export")
    with (course / f"grades-{ASSIGNMENT}.csv").open(newline="", encoding="utf-8") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}[STUDENT]


def answer_points(course) -> float:
    with Gradebook(db_url(course)) as gradebook:
        return gradebook.find_grade(WRITTEN_ANSWER, ASSIGNMENT, ASSIGNMENT, STUDENT).max_score


def test_a_score_typed_in_the_formgrader_is_exported_and_no_longer_pending(browser, output_dir, tmp_path):
    from playwright.sync_api import expect

    course = make_course(tmp_path / "course")
    run_tool(course, "nbgrader", "generate_assignment", ASSIGNMENT)
    code = reference_solutions(nbformat.read(course / "source" / ASSIGNMENT / NOTEBOOK, as_version=4), kinds=(CellKind.SOLUTION,))
    hand_in(course, STUDENT, {**code, WRITTEN_ANSWER: "Dense kernels multiply the zeros too, so nothing is saved."})
    run_tool(course, "course", "autograde", "--no-progress")
    before = exported_row(course)
    assert (before["written_pending"], before[WRITTEN_ANSWER]) == ("1", ""), before
    given = answer_points(course) / 2

    journey = Journey(output_dir)
    with lab_server(["course", "lab", "instructor"], course, output_dir / "instructor-lab.log") as lab:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = journey.page = context.new_page()
        with journey.step("manual-grading-list"):
            page.goto(lab.url("lab"))  # logs in: the Formgrader's pages then call its API with the session cookie
            page.locator(MENU, has_text="Nbgrader").wait_for(timeout=LOADED)
            page.goto(lab.url("formgrader"))
            page.get_by_role("link", name="Manual Grading").click()
            page.locator("tbody td a", has_text=ASSIGNMENT).click()  # the assignment, then its notebook
            page.locator("tbody td a", has_text=ASSIGNMENT).click()
            row = page.locator("tbody tr", has=page.locator("td.name"))
            expect(row).to_have_count(1, timeout=LOADED)
            expect(row.locator("td.needs-manual-grade .glyphicon-ok")).to_have_count(1)
            expect(row.locator("td.written-score")).to_have_text(re.compile(r"^0 / \d+"))

        score = page.locator(f"input.score#{WRITTEN_ANSWER}")
        with journey.step("submission-open"):
            row.locator("td.name a:visible").click()
            expect(score).to_have_class(re.compile(r"\bneeds_manual_grade\b"), timeout=LOADED)  # red until graded
            score.scroll_into_view_if_needed()

        with journey.step("score-saved"):
            score.fill(f"{given:g}")
            score.press("Tab")  # leaving the field is what saves it
            expect(score).not_to_have_class(re.compile(r"\bneeds_manual_grade\b"), timeout=SAVED)
            expect(score).to_have_value(f"{given:g}")

        with journey.step("list-updated"):
            # the notebook's link in the page's breadcrumb (Back would show the list as it was, from the cache)
            page.get_by_role("link", name=ASSIGNMENT, exact=True).last.click()
            expect(row.locator("td.written-score")).to_have_text(re.compile(rf"^{given:g} / \d+"), timeout=LOADED)
            expect(row.locator("td.needs-manual-grade .glyphicon-ok")).to_have_count(0)
        context.close()

    after = exported_row(course)
    assert (after["written_pending"], after[WRITTEN_ANSWER]) == ("0", str(given))
    assert float(after["score"]) == pytest.approx(float(before["score"]) + given)
