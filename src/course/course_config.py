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
from typing import TYPE_CHECKING

from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from course.content import REPO_ROOT
from course.errors import CourseError

if TYPE_CHECKING:
    from nbgrader.coursedir import CourseDirectory

CONFIG_FILE = "nbgrader_config.py"
# nbgrader's steps with a folder of their own (CourseDirectory.<step>_directory), and the exchange's folders.
STEPS = ("source", "release", "submitted", "autograded", "feedback")
EXCHANGE_BOXES = ("outbound", "inbound", "feedback")


def load_course_config(root: Path = REPO_ROOT, *, db_url: str | None = None, **overrides: dict) -> Config:
    """The course's nbgrader config, with per-section overrides (e.g. CourseDirectory={...}).

    ``db_url`` (``course ... --db-url``) replaces the config's
    ``CourseDirectory.db_url``. It is an argument, never read from the
    environment: a command hands the gradebook it was given to each function
    and grading process it uses, and nothing else can change it on the way.
    A folder without ``nbgrader_config.py`` is not a course: that is the
    instructor's mistake to fix (wrong folder, missing ``--root``), not a traceback.
    """
    if not Path(root, CONFIG_FILE).is_file():
        raise CourseError(
            f"{Path(root).resolve()} is not a course folder (no {CONFIG_FILE}): "
            "run the command in the course folder, or pass --root COURSE_FOLDER"
        )
    config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    if db_url:
        config.CourseDirectory.db_url = db_url
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


def as_course_directory(course: Config | CourseDirectory) -> CourseDirectory:
    """``course`` itself when it is nbgrader's ``CourseDirectory`` already, else the one its config describes."""
    from nbgrader.coursedir import CourseDirectory

    return course if isinstance(course, CourseDirectory) else course_directory(course)


def step_directory(course: Config | CourseDirectory, step: str) -> str:
    """The folder name configured for nbgrader's ``step`` (``CourseDirectory.<step>_directory``).

    A folder name is refused where a step is expected: the two are the same
    ("autograded") only until an instructor configures the folder.
    """
    if step not in STEPS:
        raise ValueError(f"{step!r} is not a step of nbgrader ({', '.join(STEPS)}): pass the step, not its folder")
    return getattr(as_course_directory(course), f"{step}_directory")


def step_folder(course: Config | CourseDirectory, step: str, student: str, assignment: str) -> Path:
    """The folder of an assignment at one of nbgrader's ``STEPS``, for ``student``, as configured.

    Resolved by nbgrader's own ``CourseDirectory.format_path``, so a configured
    folder name or ``directory_structure`` is honoured. ``student`` is "." for
    the steps without students (source, release); a glob such as "*" gives
    the pattern of every student's folder.
    """
    coursedir = as_course_directory(course)
    return Path(coursedir.format_path(step_directory(coursedir, step), student, assignment))


def notebook_file(course: Config | CourseDirectory, step: str, notebook: str, student: str = ".", *,
                  assignment: str) -> Path:
    """A notebook of an assignment at one step: ``notebook`` is its id, the file name without ``.ipynb``."""
    return step_folder(course, step, student, assignment) / f"{notebook}.ipynb"


def course_file(config: Config, name: str) -> Path:
    """A file of the course's own (a grades CSV, the report), beside nbgrader's folders in ``CourseDirectory.root``."""
    return Path(course_directory(config).root) / name


def exchange_root(config: Config) -> Path:
    """nbgrader's exchange folder, ``Exchange.root`` as the exchange reads it (its default when not configured)."""
    from nbgrader.exchange.default.exchange import Exchange

    return Path(Exchange(config=config).root)


def exchange_folder(config: Config, box: str, assignment: str | None = None) -> Path:
    """The course's "outbound", "inbound" or "feedback" folder in nbgrader's exchange, or one assignment's in it.

    Laid out as nbgrader's default exchange lays it out: ``<Exchange.root>/<course id>/<box>``.
    """
    if box not in EXCHANGE_BOXES:
        raise ValueError(f"{box!r} is not a folder of the exchange ({', '.join(EXCHANGE_BOXES)})")
    folder = exchange_root(config) / course_directory(config).course_id / box
    return folder / assignment if assignment is not None else folder


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
