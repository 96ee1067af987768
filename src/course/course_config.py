"""One place that turns a course directory into nbgrader configuration and API objects.

Every instructor command works on a course root holding ``nbgrader_config.py``
(the repository root by default). Loading that file the way the nbgrader CLI
does keeps the project's commands and stock ``nbgrader`` in agreement.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from course.content import REPO_ROOT
from course.errors import CourseError

ASSIGNMENT = "compression"
CONFIG_FILE = "nbgrader_config.py"
# Set by `course ... --db-url URL`: the gradebook for this command and the
# processes it starts, whatever the course's nbgrader_config.py says.
DB_URL_VARIABLE = "COURSE_DB_URL"


def load_course_config(root: Path = REPO_ROOT, **overrides: dict) -> Config:
    """The course's nbgrader config, with per-section overrides (e.g. CourseDirectory={...}).

    A folder without ``nbgrader_config.py`` is not a course: that is the
    instructor's mistake to fix (wrong folder, missing ``--root``), not a traceback.
    """
    if not Path(root, CONFIG_FILE).is_file():
        raise CourseError(
            f"{Path(root).resolve()} is not a course folder (no {CONFIG_FILE}): "
            "run the command in the course folder, or pass --root COURSE_FOLDER"
        )
    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    if os.environ.get(DB_URL_VARIABLE):
        config.CourseDirectory.db_url = os.environ[DB_URL_VARIABLE]
    for section, values in overrides.items():
        for key, value in values.items():
            config[section][key] = value
    return config


def ensure_tools_on_path() -> None:
    """nbgrader runs ``alembic`` as a subprocess: make this environment's scripts findable."""
    scripts = str(Path(sys.executable).parent)
    if scripts not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = scripts + os.pathsep + os.environ.get("PATH", "")


def course_directory(config: Config):
    """nbgrader's ``CourseDirectory``: the one place that knows the course's folder layout."""
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(config=config)


def step_folder(config: Config, step: str, student: str, assignment: str = ASSIGNMENT) -> Path:
    """A student's folder for a grading step ("submitted", "autograded", "feedback"), as configured.

    The folder name comes from ``CourseDirectory.<step>_directory``, exactly as
    nbgrader resolves it, so a configured override is honoured.
    """
    coursedir = course_directory(config)
    return Path(coursedir.format_path(getattr(coursedir, f"{step}_directory"), student, assignment))


class _OnlyWhenDebugging(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR or logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def nbgrader_logger(owner: logging.Logger) -> logging.Logger:
    """The logger to give nbgrader's apps: ``<owner>.nbgrader``, showing their lines only at -vv (errors always).

    nbgrader logs routine steps as warnings ("Removing existing assignment"
    on every forced generate, one "Creating" per folder zip_collect makes);
    each command's summary and its own warnings say what matters.
    """
    child = owner.getChild("nbgrader")
    if not child.filters:
        child.addFilter(_OnlyWhenDebugging())
    return child


def open_api(config: Config, owner: logging.Logger | None = None):
    """An ``NbGraderAPI`` bound to the course described by ``config``, logging as ``<owner>.nbgrader``."""
    from nbgrader.apps import NbGraderAPI

    ensure_tools_on_path()
    return NbGraderAPI(coursedir=course_directory(config), config=config, log=nbgrader_logger(owner or logging.getLogger("course")))
