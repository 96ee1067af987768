"""A headless Debian Chromium driven by Playwright, and an output folder for screenshots and logs.

Playwright is told to use the system's Chromium (``executable_path``);
it never downloads a browser of its own. ``.ci/run`` installs the Debian
package when it is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from course.content import REPO_ROOT

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
OUTPUT = Path(os.environ.get("COURSE_TEST_OUTPUT", REPO_ROOT / "test-output"))


@pytest.fixture
def output_dir(request: pytest.FixtureRequest) -> Path:
    """``test-output/browser/<test name>/``, emptied first: screenshots of each step and server logs."""
    folder = OUTPUT / "browser" / request.node.name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.is_file():
        raise FileNotFoundError(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()
