"""One place that turns a course directory into nbgrader configuration and API objects.

Every instructor command works on a course root holding ``nbgrader_config.py``
(the repository root by default). Loading that file the way the nbgrader CLI
does keeps the project's commands and stock ``nbgrader`` in agreement.
"""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

from traitlets.config import Config

from course.content import REPO_ROOT

ASSIGNMENT = "compression"


def load_course_config(root: Path = REPO_ROOT, **overrides: dict) -> Config:
    """The course's nbgrader config, with per-section overrides (e.g. CourseDirectory={...})."""
    config = Config()
    runpy.run_path(str(root / "nbgrader_config.py"), init_globals={"get_config": lambda: config})
    for section, values in overrides.items():
        for key, value in values.items():
            config[section][key] = value
    return config


def ensure_tools_on_path() -> None:
    """nbgrader runs ``alembic`` as a subprocess: make this environment's scripts findable."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def open_api(config: Config):
    """An ``NbGraderAPI`` bound to the course described by ``config``."""
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    ensure_tools_on_path()
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
