"""The Formgrader's Autograde button grades with the tamper-proof grader, in a real browser.

A class of two is graded by ``course autograde`` (each gets a course verdict):
``ada`` hands in the reference solutions, ``mallory`` the reference without
``measure_sparsity``, whose cell holds code that writes files outside its
folder (the course root, ada's graded and submitted folders, forged verdicts
for ada and itself), deletes ada's graded notebook, reads the source notebook
to run its solution and patches ``numpy.allclose``. The instructor then opens
the Formgrader in ``course lab instructor`` and clicks Autograde for mallory.

Graded in the sandbox, nothing changes outside mallory's graded folder (ada's
verdict and graded notebook are kept byte for byte), no file the code wrote is
left in mallory's folder either (no forged verdict), and mallory's grade is
kept: the Formgrader shows, and the gradebook holds, exactly what
``course autograde`` gave the same submission. (nbgrader itself, not the
student's code, clears the folder of a submission it regrades, mallory's own
course verdict included; the next ``course autograde`` then grades it again.)
With ``COURSE_UNSAFE_GRADING=1`` in the server's environment the button
grades the stock way, and every one of these checks fails.

Each step leaves a screenshot under ``test-output/browser/<test>/``.
"""

from __future__ import annotations

import pytest
from nbgrader.api import Gradebook

from course.grading.verdicts import VERDICT_FILE, read_verdict
from tests.browser.servers import lab_server
from tests.browser.test_student_journey import MENU, Journey, open_nbgrader_menu_item
from tests.commands.test_stock_nbgrader_grading import (
    ATTACKED, NOTEBOOK, class_code, file_writing_attack, hand_in, snapshot, written_outside_graded_folders,
)
from tests.coursedir import ASSIGNMENT, db_url, make_course, run_tool

pytestmark = [pytest.mark.slow, pytest.mark.browser]

HONEST, ATTACKER = "ada", "mallory"
SLOW = 300_000  # ms: one notebook graded by the Formgrader on a loaded machine


def grades(course, student: str) -> dict[str, tuple[float, float]]:
    with Gradebook(db_url(course)) as gradebook:
        notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        return {grade.name: (grade.score, grade.max_score) for grade in notebook.grades}


def shown_score(scores: dict[str, tuple[float, float]]) -> str:
    """The Formgrader's score column: the total and the maximum, rounded to two decimals."""
    return f"{round(sum(s for s, _ in scores.values()), 2):g} / {round(sum(m for _, m in scores.values()), 2):g}"


def test_formgrader_autograde_grades_a_file_writing_submission_in_the_sandbox(browser, output_dir, tmp_path):
    from playwright.sync_api import expect

    course = make_course(tmp_path / "course")
    run_tool(course, "nbgrader", "generate_assignment", ASSIGNMENT)
    reference = class_code(course)["honest"]
    hand_in(course, HONEST, reference)
    hand_in(course, ATTACKER, {**reference, ATTACKED: file_writing_attack(course, ATTACKER, [HONEST])})
    run_tool(course, "course", "autograde", "--no-progress")
    graded = {s: read_verdict(course / "autograded" / s / ASSIGNMENT) for s in (HONEST, ATTACKER)}
    assert all(v is not None and v.status == "graded" for v in graded.values()), graded
    before_grades = grades(course, ATTACKER)
    assert sum(s for s, _ in before_grades.values() if s is not None) == graded[ATTACKER].score
    before = snapshot(course)

    journey = Journey(output_dir)
    with lab_server(["course", "lab", "instructor"], course, output_dir / "instructor-lab.log") as lab:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = journey.page = context.new_page()
        with journey.step("formgrader"):
            page.goto(lab.url("lab"))
            page.locator(MENU, has_text="Nbgrader").wait_for()
            open_nbgrader_menu_item(page, "nbgrader:open-formgrader")
            formgrader = page.frame_locator("iframe").first
            formgrader.locator("td.num-submissions a").first.click()
            row = formgrader.locator("tr", has_text=ATTACKER)
            expect(row).to_have_count(1)
            expect(row).to_contain_text(shown_score(before_grades))

        with journey.step("autograded"):
            row.locator("td.autograde a").click()
            modal = formgrader.locator("#success-modal, #error-modal")
            expect(modal).to_be_visible(timeout=SLOW)
            expect(modal).to_contain_text(f"Successfully autograded '{ASSIGNMENT}' for student '{ATTACKER}'.")

        with journey.step("score-shown"):
            modal.locator(".modal-footer button", has_text="OK").click()
            expect(modal).to_have_count(0)
            expect(row).to_contain_text(shown_score(before_grades))
        context.close()

    assert grades(course, ATTACKER) == before_grades
    ours = course / "autograded" / ATTACKER / ASSIGNMENT
    # Nothing outside mallory's graded folder was written, changed or deleted: ada's verdict and notebook are
    # kept. nbgrader clears the folder it regrades, mallory's course verdict with it; none is forged in its place.
    own_verdict = f"autograded/{ATTACKER}/{ASSIGNMENT}/{VERDICT_FILE}"
    assert written_outside_graded_folders(course, before, [ATTACKER]) == [own_verdict]
    assert not (course / own_verdict).exists()
    assert (course / "autograded" / HONEST / ASSIGNMENT / VERDICT_FILE).read_text() == graded[HONEST].to_json()
    # inside it, only what nbgrader writes: no file of the student's code, no verdict it forged
    assert sorted(p.name for p in ours.iterdir()) == sorted(p.name for p in (course / "submitted" / ATTACKER / ASSIGNMENT).iterdir())
    notebook = (ours / NOTEBOOK).read_text()
    assert "source readable: no" in notebook and "source readable: yes" not in notebook
