"""``course lab``: JupyterLab with nbgrader's extensions, as a student or as the instructor.

Both servers are stock JupyterLab with nbgrader 0.9.6's server and lab
extensions, bound to loopback. The difference is configuration only:

* the instructor's server runs in the course directory, so the Formgrader
  reads the course's own ``nbgrader_config.py`` (gradebook, exchange);
* a student's server runs in a workspace of its own, with a Jupyter config
  folder (``JUPYTER_CONFIG_DIR``) that turns off the instructor tools
  (Formgrader, Course List, Create Assignment), as nbgrader's documentation
  advises for student servers, and holds the student-side
  ``nbgrader_config.py`` (course id, the course's exchange, the student id, a
  per-workspace submission cache). nbgrader searches the Jupyter config path
  for that file, so it need not sit in the folder the student works in: the
  config folder is ``.jupyter``, hidden from JupyterLab's file browser, and
  nothing the student sees invites editing it.

The student id is written into the student's nbgrader config rather than
taken from the login name, so one machine can host several test students.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from course.course_config import ensure_tools_on_path, exchange_folder, exchange_root, load_course_config
from course.errors import BadOption, CourseError
from course.known import course_assignments

LOOPBACK = "127.0.0.1"
INSTRUCTOR_PORT = 8888
STUDENT_PORT = 8890
# Jupyter's own variable for a default port; it wins over the defaults above, as it does for `jupyter lab`.
PORT_VARIABLE = "JUPYTER_PORT"

# Instructor-only parts of nbgrader, switched off in a student's server.
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")
INSTRUCTOR_LAB_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:create-assignment")

STUDENT_CONFIG = """\
# Student-side nbgrader configuration, written by `course lab student`.
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.student_id = {student!r}
c.Exchange.root = {exchange!r}
# The workspace belongs to this one course: fetch into <workspace>/<assignment>.
c.Exchange.path_includes_course = False
c.Exchange.assignment_dir = {workspace!r}
c.Exchange.cache = {cache!r}
"""


@dataclass(frozen=True)
class NothingReleased:
    """A student's server on an exchange that holds no release yet: the Assignment List stays empty."""

    exchange: Path
    course: Path  # the course folder, where the instructor releases
    assignment: str  # the one to release: the course's only one, else "ID"


@dataclass(frozen=True)
class LabServer:
    """How to start one JupyterLab server: the command, its folder and its environment."""

    argv: list[str]
    cwd: Path
    env: dict[str, str]
    url: str
    nothing_released: NothingReleased | None = None  # for the person starting it to know first


def _check_student_id(student: str) -> None:
    # nbgrader's exchange names submissions "<student>+<assignment>+<time>".
    if not student or any(ch in student for ch in "+*/\\") or student.startswith(".") or student != student.strip():
        raise BadOption(f"invalid student id {student!r}: use letters, digits, '-' or '_'")


def student_config_dir(workspace: Path) -> Path:
    """The workspace's Jupyter config folder (``JUPYTER_CONFIG_DIR``), hidden from the file browser."""
    return workspace.resolve() / ".jupyter"


def prepare_student_workspace(root: Path, student: str, workspace: Path) -> Path:
    """Write the student-side configuration into ``workspace``'s config folder; return that folder.

    The exchange location comes from the course's own configuration, so a
    configured exchange (an environment override included) reaches students too. Work already in
    the workspace (fetched notebooks, solutions) is never touched.
    """
    _check_student_id(student)
    config = load_course_config(root)
    workspace = workspace.resolve()
    jupyter_config = student_config_dir(workspace)
    (jupyter_config / "labconfig").mkdir(parents=True, exist_ok=True)
    (jupyter_config / "nbgrader_config.py").write_text(STUDENT_CONFIG.format(
        course_id=config.CourseDirectory.course_id,
        student=student,
        exchange=str(exchange_root(config).resolve()),
        workspace=str(workspace),
        cache=str(workspace / ".nbgrader-cache"),
    ))
    (jupyter_config / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {name: False for name in INSTRUCTOR_SERVER_EXTENSIONS}}}, indent=2,
    ))
    (jupyter_config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {name: True for name in INSTRUCTOR_LAB_PLUGINS}}, indent=2,
    ))
    return jupyter_config


def _lab_argv(root_dir: Path, port: int, extra: list[str]) -> list[str]:
    # Containers and CI machines often have only root; Jupyter refuses root unless told.
    as_root = ["--allow-root"] if os.geteuid() == 0 else []
    return [
        sys.executable, "-m", "jupyterlab", "--no-browser", *as_root,
        f"--ServerApp.ip={LOOPBACK}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root_dir}", *extra,
    ]


def _tool_env(**extra: str) -> dict[str, str]:
    """This environment's scripts on PATH: nbgrader runs ``alembic`` and kernels by name."""
    ensure_tools_on_path()
    return {**os.environ, **extra}


def default_port(role_default: int) -> int:
    """``$JUPYTER_PORT`` when set (Jupyter's own convention), else the role's port."""
    value = os.environ.get(PORT_VARIABLE, "")
    if not value:
        return role_default
    if not value.isdigit():
        raise BadOption(f"{PORT_VARIABLE}={value!r} is not a port number")
    return int(value)


def _nothing_released(root: Path) -> NothingReleased | None:
    """Whether the course's exchange holds no release yet (the Assignment List would say only "does not exist")."""
    config = load_course_config(root)
    outbound = exchange_folder(config, "outbound")
    if outbound.is_dir() and any(path.is_dir() for path in outbound.iterdir()):
        return None
    known = course_assignments(root)
    return NothingReleased(exchange_root(config).resolve(), root.resolve(), known[0] if len(known) == 1 else "ID")


def student_server(root: Path, student: str, workspace: Path, port: int | None = None, extra: list[str] = ()) -> LabServer:
    """JupyterLab for ``student`` in ``workspace``: Assignment List and Validate, no instructor tools."""
    jupyter_config = prepare_student_workspace(root, student, workspace)
    workspace = workspace.resolve()
    port = port or default_port(STUDENT_PORT)
    return LabServer(
        argv=_lab_argv(workspace, port, list(extra)),
        cwd=workspace,
        env=_tool_env(JUPYTER_CONFIG_DIR=str(jupyter_config)),
        url=f"http://{LOOPBACK}:{port}/lab",
        nothing_released=_nothing_released(root),
    )


def instructor_server(root: Path, port: int | None = None, extra: list[str] = ()) -> LabServer:
    """JupyterLab in the course directory, where the Formgrader finds the gradebook and submissions."""
    root = root.resolve()
    if not (root / "nbgrader_config.py").is_file():
        raise CourseError(f"{root} holds no nbgrader_config.py: pass the course directory with --root")
    port = port or default_port(INSTRUCTOR_PORT)
    known = course_assignments(root)  # a course of one assignment opens on its submissions
    return LabServer(
        argv=_lab_argv(root, port, list(extra)),
        cwd=root,
        env=_tool_env(),
        url=f"http://{LOOPBACK}:{port}/formgrader" + (f"/manage_submissions/{known[0]}" if len(known) == 1 else ""),
    )


def run(server: LabServer) -> None:
    """Replace this process with the server, so that Ctrl+C and signals reach JupyterLab directly."""
    sys.stdout.flush()
    sys.stderr.flush()  # what the CLI printed first must not be lost with this process
    os.chdir(server.cwd)
    os.execve(server.argv[0], server.argv, server.env)
