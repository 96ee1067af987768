"""A student's whole path through JupyterLab, and the instructor's view of it, in a real browser.

The instructor releases the assignment; a student's JupyterLab (``course lab
student``) fetches it from the Assignment List, the student types one
function into the editor, runs it, presses Validate and submits; the
instructor collects and autogrades, and the Formgrader in the instructor's
JupyterLab (``course lab instructor``) lists the submission with its score.

Every step leaves a screenshot under ``test-output/browser/<test>/``; a
failing step leaves ``NN-<step>-FAILED.png`` and both servers' logs.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from tests.browser.servers import Lab, lab_server
from tests.network import LOOPBACK, listening_addresses
from tests.coursedir import ASSIGNMENT, db_url, make_course, run_tool

pytestmark = [pytest.mark.slow, pytest.mark.browser]

STUDENT = "e2e-student"
# Typed line by line into the stub's body; the editor keeps the indentation.
SOLUTION_LINES = [
    "weights = [p.data for p in model.parameters() if p.ndim >= 2]",
    "total = sum(w.size for w in weights)",
    "zeros = sum(int((w == 0).sum()) for w in weights)",
    "return 100.0 * zeros / total if total else 0.0",
]
SOLVED_TESTS = "test_measure_sparsity"  # the grade ids of measure_sparsity's test cells start so
MENU = "#jp-menu-panel div.lm-MenuBar-itemLabel"
SUBMISSION_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")
DIRTY = re.compile(r"\bjp-mod-dirty\b")
SLOW = 180_000  # ms: running a whole notebook in Validate, starting a kernel on a loaded machine


class Journey:
    """Numbered steps, each ending in a screenshot; a failing one is captured before it propagates."""

    def __init__(self, output: Path):
        self.output = output
        self.count = 0
        self.page = None

    @contextmanager
    def step(self, name: str):
        self.count += 1
        label = f"{self.count:02d}-{name}"
        try:
            yield
        except BaseException:
            if self.page is not None:
                self.page.screenshot(path=self.output / f"{label}-FAILED.png", full_page=True)
            raise
        if self.page is not None:
            self.page.screenshot(path=self.output / f"{label}.png")


def open_nbgrader_menu_item(page, command: str) -> None:
    page.locator(MENU, has_text="Nbgrader").click()
    page.locator(f'#jp-mainmenu-nbgrader li[data-command="{command}"]').click()


def assignment_list_rows(page, section: str):
    return page.locator(f"#{section}_assignments_list > .list_item")


def notebook_tab(page):
    """The main area's tab of the open notebook; it carries ``jp-mod-dirty`` while there are unsaved changes."""
    return page.locator("#jp-main-dock-panel .lm-TabBar-tab", has_text=f"{ASSIGNMENT}.ipynb")


def code_cell(page, text: str):
    return page.locator(".jp-Notebook .jp-CodeCell").filter(has_text=text)


def student_works(page, student_lab: Lab, journey: Journey) -> str:
    """Fetch, solve measure_sparsity, run, validate and submit; return the submission time shown."""
    from playwright.sync_api import expect

    with journey.step("assignment-list"):
        page.goto(student_lab.url("lab"))
        open_nbgrader_menu_item(page, "nbgrader:open-assignment-list")
        released = assignment_list_rows(page, "released")
        expect(released).to_have_count(1)
        expect(released.first.locator(".item_name")).to_have_text(ASSIGNMENT)
        # the student's server has no instructor tools
        page.locator(MENU, has_text="Nbgrader").click()
        expect(page.locator("#jp-mainmenu-nbgrader li.lm-Menu-item:visible")).to_have_text(["Assignment List"])
        page.keyboard.press("Escape")

    with journey.step("fetched"):
        released.first.locator(".item_status button", has_text="Fetch").click()
        fetched = assignment_list_rows(page, "fetched")
        expect(fetched).to_have_count(1)
        expect(released).to_have_count(0)

    with journey.step("notebook-open"):
        fetched.first.locator("a.assignment-notebooks-link").click()
        page.locator(f"#nbgrader-{ASSIGNMENT}-{ASSIGNMENT}.in .nested_list_item .item_name a").click()
        page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=SLOW)

    solution = code_cell(page, "def measure_sparsity(model) -> float:")
    visible_test = code_cell(page, 'print("measure_sparsity: visible tests passed")')
    with journey.step("solution-typed"):
        solution.locator(".cm-line", has_text="raise NotImplementedError()").click()
        page.keyboard.press("End")
        page.keyboard.press("Shift+Home")
        for number, line in enumerate(SOLUTION_LINES):
            if number:
                page.keyboard.press("Enter")
            page.keyboard.type(line)
        expect(solution.locator(".cm-content")).not_to_contain_text("NotImplementedError")
        solution.scroll_into_view_if_needed()

    with journey.step("solution-runs"):
        # Run everything above the visible test (imports of tinytorch included), then the test itself.
        visible_test.locator(".cm-content").click()
        page.locator(MENU, has_text="Run").click()
        page.locator('#jp-mainmenu-run li[data-command="notebook:run-all-above"]').click()
        expect(solution.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]:"), timeout=SLOW)
        visible_test.locator(".cm-content").click()
        page.keyboard.press("Control+Enter")
        expect(visible_test.locator(".jp-OutputArea-output")).to_have_text(
            "measure_sparsity: visible tests passed", timeout=SLOW,
        )
        visible_test.scroll_into_view_if_needed()

    with journey.step("saved"):
        # Wait, as a person would, until the tab's unsaved mark clears. Validate saves again, and
        # clicking it while this save is in flight makes JupyterLab ask "File Changed" first
        # (nbgrader's result dialog then waits behind that one).
        tab = notebook_tab(page)
        expect(tab).to_have_class(DIRTY)
        page.keyboard.press("Control+s")
        expect(tab).not_to_have_class(DIRTY, timeout=SLOW)

    with journey.step("validated"):
        validate = page.locator(".jp-NotebookPanel-toolbar jp-button.validate-button")
        expect(validate).to_have_text("Validate")
        validate.click()
        # The other functions are still stubs: Validate reports their failures, not this one's.
        dialog = page.locator(".nbgrader-ErrorDialog")
        expect(dialog.locator(".validation-failed")).to_be_visible(timeout=SLOW)
        expect(dialog).to_contain_text("NotImplementedError")
        expect(dialog).not_to_contain_text("measure_sparsity: visible tests")

    with journey.step("submitted"):
        dialog.locator("button.jp-Dialog-button").click()
        page.locator(".lm-TabBar-tab", has_text="Assignments").click()
        fetched.first.locator(".item_status button", has_text="Submit").click()
        submissions = page.locator(f"#nbgrader-{ASSIGNMENT}-{ASSIGNMENT}-submissions > .list_item")
        expect(submissions).to_have_count(2)  # a header row, then one row per submission
        shown = submissions.nth(1).locator(".item_name").inner_text()
        assert SUBMISSION_TIME.search(shown), shown
    return shown


def gradebook_scores(course: Path) -> dict[str, tuple[float, float]]:
    """grade id -> (score, max score) of the student's graded notebook."""
    with Gradebook(db_url(course), "compression") as gradebook:
        notebook = gradebook.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, STUDENT)
        return {grade.name: (grade.score, grade.max_score) for grade in notebook.grades}


def test_student_fetches_solves_validates_submits_and_is_graded(browser, output_dir, tmp_path):
    from playwright.sync_api import expect

    course = make_course(tmp_path / "course")
    workspace = tmp_path / "workspace"
    journey = Journey(output_dir)
    run_tool(course, "course", "release")

    student_command = ["course", "lab", "student", "--student", STUDENT, "--workspace", str(workspace)]
    with (
        lab_server(student_command, course, output_dir / "student-lab.log") as student_lab,
        lab_server(["course", "lab", "instructor"], course, output_dir / "instructor-lab.log") as instructor_lab,
    ):
        assert listening_addresses(student_lab.port) == {LOOPBACK}
        assert listening_addresses(instructor_lab.port) == {LOOPBACK}

        context = browser.new_context(viewport={"width": 1400, "height": 900})
        journey.page = context.new_page()
        shown = student_works(journey.page, student_lab, journey)
        inbound = list((course / "exchange" / "compression" / "inbound").glob(f"{STUDENT}+{ASSIGNMENT}+*"))
        assert len(inbound) == 1, inbound

        with journey.step("collected-and-graded"):
            run_tool(course, "course", "collect")
            assert (course / "submitted" / STUDENT / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
            run_tool(course, "course", "autograde", "--no-progress")
            scores = gradebook_scores(course)
            solved = {name: s for name, s in scores.items() if name.startswith(SOLVED_TESTS)}
            assert len(solved) == 4 and all(score == top > 0 for score, top in solved.values()), solved
            others = {name: s for name, s in scores.items() if name not in solved}
            assert others and all(score == 0 for score, _ in others.values()), others
            total = sum(score for score, _ in scores.values())
            possible = sum(top for _, top in scores.values())

        page = journey.page
        with journey.step("formgrader"):
            page.goto(instructor_lab.url("lab"))
            open_nbgrader_menu_item(page, "nbgrader:open-formgrader")
            formgrader = page.frame_locator("iframe").first
            formgrader.locator("td.num-submissions a").first.click()
            row = formgrader.locator("tr", has_text=STUDENT)
            expect(row).to_have_count(1)
            expect(row).to_contain_text(f"{total:g} / {possible:g}")
        context.close()
    print(f"submitted at {shown}; screenshots and logs in {output_dir}")
