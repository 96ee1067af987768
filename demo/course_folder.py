"""Make a course directory that grades with this repository's options.

The demo and the command-level tests need real, separate courses (their own
gradebook, exchange and student folders) that still grade exactly as the
repository's course does. The generated nbgrader_config.py loads the
repository's config and moves only the locations.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from assignments.compression import ASSIGNMENT
from course.content import REPO_ROOT

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


def create_course(root: Path, extra_config: str = "", assignment: str = ASSIGNMENT) -> Path:
    """A course at ``root`` with the repository's source/ and options (plus ``extra_config`` lines)."""
    repo_config = REPO_ROOT / "nbgrader_config.py"
    if not repo_config.is_file():  # load_subconfig would silently fall back to nbgrader's defaults
        raise FileNotFoundError(repo_config)
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        COURSE_CONFIG.format(repo=str(REPO_ROOT), root=str(root), db_url=db_url(root), exchange=str(root / "exchange"))
        + extra_config
    )
    shutil.copytree(REPO_ROOT / "source" / assignment, root / "source" / assignment)
    return root
