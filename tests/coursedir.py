"""Throw-away course directories with the repository's grading options.

Command-level tests (the nbgrader test-suite approach) need a real course:
its own nbgrader_config.py that loads the repository's config and moves every
location (root, gradebook, exchange) into a temporary folder, and a copy of
source/. Tests then drive stock nbgrader or ``course`` commands in it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from course.content import REPO_ROOT

ASSIGNMENT = "compression"
COURSE_CONFIG = """\
# The repository's grading options, with every location moved into this directory.
c = get_config()  # noqa: F821
load_subconfig("nbgrader_config.py", path={repo!r})  # noqa: F821
c.CourseDirectory.root = {root!r}
c.CourseDirectory.db_url = {db_url!r}
c.Exchange.root = {exchange!r}
"""


def db_url(root: Path) -> str:
    return f"sqlite:///{root / 'gradebook.db'}"


def make_course(root: Path, extra_config: str = "") -> Path:
    """A course at ``root`` with source/ copied and the repository's options (plus ``extra_config`` lines)."""
    repo_config = REPO_ROOT / "nbgrader_config.py"
    assert repo_config.is_file(), "load_subconfig would silently grade with nbgrader's defaults"
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        COURSE_CONFIG.format(repo=str(REPO_ROOT), root=str(root), db_url=db_url(root), exchange=str(root / "exchange"))
        + extra_config
    )
    shutil.copytree(REPO_ROOT / "source" / ASSIGNMENT, root / "source" / ASSIGNMENT)
    return root


def tool_env() -> dict[str, str]:
    """The environment for nbgrader/course subprocesses: this interpreter's scripts first on PATH."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def run_tool(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``nbgrader ...`` or ``course ...`` in the course directory."""
    result = subprocess.run(list(args), cwd=root, env=tool_env(), capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result
