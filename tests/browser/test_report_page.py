"""``course report``'s page as an instructor sees it: Debian's Chromium renders it and its main parts are checked.

The page is built from a made-up class (``tests.commands.report_example``),
so that no grading is needed; what the browser shows is what a real report
shows: a row per student, the late marker on the late submission's row, and
every figure decoded into an image with a size. A full-page screenshot is
left in ``test-output/browser/<test>/``.
"""

from __future__ import annotations

import pytest

from course.report import STUDENT_COLUMNS, figures, render_page
from tests.commands.report_example import EXAMPLE_LATE, example_report

pytestmark = pytest.mark.browser

TIMEOUT = 60_000  # ms, a safety net on a loaded machine: every wait below is for a condition


def test_the_report_page_shows_every_student_the_late_marker_and_every_figure(browser, output_dir, tmp_path):
    view = example_report()
    page_file = tmp_path / "report.html"
    page_file.write_text(render_page(view), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(page_file.as_uri(), wait_until="load", timeout=TIMEOUT)
        page.screenshot(path=output_dir / "report.png", full_page=True)
        headers = page.locator("#students thead th").all_inner_texts()
        assert headers == STUDENT_COLUMNS
        rows = page.locator("#students tbody tr")
        assert rows.evaluate_all("rows => rows.map(row => row.dataset.student)") == [
            s.student for s in view.results.students
        ]
        assert rows.evaluate_all("rows => rows.map(row => row.cells.length)") == [len(STUDENT_COLUMNS)] * rows.count()
        late = page.locator("#students tbody .late-marker")
        assert late.count() == 1 and late.is_visible()
        assert late.evaluate("marker => marker.closest('tr').dataset.student") == EXAMPLE_LATE
        assert "Carol Diaz" in page.locator(f'tr[data-student="{EXAMPLE_LATE}"]').inner_text()
        images = page.locator("section img")
        images.last.wait_for(state="visible", timeout=TIMEOUT)
        loaded = images.evaluate_all("imgs => imgs.map(img => [img.alt, img.complete && img.naturalWidth > 0])")
        assert loaded == [[title, True] for title, _ in figures(0.5)]
        assert all(width > 0 for width in images.evaluate_all("imgs => imgs.map(img => img.getBoundingClientRect().width)"))
    except BaseException:
        page.screenshot(path=output_dir / "report-FAILED.png", full_page=True)
        raise
    finally:
        page.close()
