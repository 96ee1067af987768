"""``course lab``: the extensions JupyterLab loads, and the student-side configuration it writes.

The browser test (tests/browser) drives both servers end to end; these
tests pin down the parts that need no browser, with stock nbgrader and
jupyter commands as the judges.
"""

from __future__ import annotations

import re
import subprocess
import pytest

from course.errors import BadOption, CourseError
from course.lab import (
    PORT_VARIABLE, NothingReleased, instructor_server, prepare_student_workspace, student_config_dir, student_server,
)
from course.messages import lab_lines
from tests.coursedir import ASSIGNMENT, make_course, run_tool, tool_env

ANSI = re.compile(r"\x1b\[[0-9;]*m")
NBGRADER_SERVER_EXTENSIONS = ("formgrader", "validate_assignment", "assignment_list", "course_list")


def jupyter(*args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(["jupyter", *args], env=env or tool_env(), capture_output=True, text=True, check=True)
    return ANSI.sub("", result.stdout + result.stderr)


def server_extension_states(output: str) -> dict[str, str]:
    """``nbgrader.server_extensions.X`` -> "enabled"/"disabled" as the server will see it.

    ``jupyter server extension list`` prints one section per config folder,
    the one that wins first (the user's folder, then the environment's).
    """
    states: dict[str, str] = {}
    for name, state in re.findall(r"^\s+nbgrader\.server_extensions\.(\w+) (enabled|disabled)\s*$", output, re.MULTILINE):
        states.setdefault(name, state)
    return states


@pytest.mark.slow
def test_environment_enables_nbgrader_lab_and_server_extensions():
    lab = jupyter("labextension", "list")
    assert re.search(r"@jupyter/nbgrader v0\.9\.6 enabled\s+OK", lab), lab
    server = jupyter("server", "extension", "list")
    assert server_extension_states(server) == {name: "enabled" for name in NBGRADER_SERVER_EXTENSIONS}, server
    for name in NBGRADER_SERVER_EXTENSIONS:
        assert re.search(rf"nbgrader\.server_extensions\.{name}\s+OK", server), name
    assert not re.search(r"\bX\b|error|failed", server, re.IGNORECASE), server


@pytest.mark.slow
def test_student_server_turns_off_only_the_instructor_tools(tmp_path):
    course = make_course(tmp_path / "course")
    server = student_server(course, "ada", tmp_path / "ada")
    states = server_extension_states(jupyter("server", "extension", "list", env=server.env))
    assert states == {
        "formgrader": "disabled", "course_list": "disabled",
        "assignment_list": "enabled", "validate_assignment": "enabled",
    }
    lab = jupyter("labextension", "list", env=server.env)
    assert re.search(r"@jupyter/nbgrader v0\.9\.6 enabled\s+OK", lab), lab
    disabled = lab.split("Disabled extensions:")[1].split()
    assert disabled == ["@jupyter/nbgrader:course-list", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:formgrader"]


def test_servers_bind_to_loopback_in_their_own_folders(tmp_path):
    course = make_course(tmp_path / "course")
    student = student_server(course, "ada", tmp_path / "ada", port=9001, extra=["--debug"])
    instructor = instructor_server(course, port=9002)
    assert "--ServerApp.ip=127.0.0.1" in student.argv and "--ServerApp.ip=127.0.0.1" in instructor.argv
    assert "--ServerApp.port=9001" in student.argv and student.argv[-1] == "--debug"
    assert student.cwd == (tmp_path / "ada").resolve() and instructor.cwd == course.resolve()
    assert f"--ServerApp.root_dir={course.resolve()}" in instructor.argv


def test_instructor_server_needs_a_course_directory(tmp_path):
    with pytest.raises(CourseError, match="nbgrader_config.py"):
        instructor_server(tmp_path)


@pytest.mark.parametrize("student", ["", "a+b", "x*", "../eve", "a/b", ".hidden", " ada"])
def test_student_ids_that_nbgrader_cannot_file_are_refused(tmp_path, student):
    course = make_course(tmp_path / "course")
    with pytest.raises(BadOption, match="invalid student id"):
        prepare_student_workspace(course, student, tmp_path / "ws")
    assert not (tmp_path / "ws").exists()


def in_terminal(server, *args: str) -> str:
    """Run a stock nbgrader command as in a terminal of that JupyterLab: its folder, its environment."""
    result = subprocess.run(list(args), cwd=server.cwd, env=server.env, capture_output=True, text=True)
    assert result.returncode == 0, f"{' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.mark.slow
def test_stock_nbgrader_fetches_and_submits_from_the_student_workspace(tmp_path):
    """The student config alone lets stock nbgrader fetch and submit under the chosen student id."""
    course = make_course(tmp_path / "course")
    run_tool(course, "course", "release")
    workspace = tmp_path / "ada"
    server = student_server(course, "ada", workspace)

    in_terminal(server, "nbgrader", "fetch_assignment", ASSIGNMENT)
    fetched = workspace / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert fetched.read_bytes() == (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()

    fetched.write_text(fetched.read_text().replace("raise NotImplementedError()", "pass", 1))
    work = fetched.read_bytes()
    prepare_student_workspace(course, "ada", workspace)  # running `course lab student` again keeps the work
    assert fetched.read_bytes() == work
    in_terminal(server, "nbgrader", "submit", ASSIGNMENT)
    inbound = list((course / "exchange" / "compression" / "inbound").iterdir())
    assert [folder.name.split("+")[:2] for folder in inbound] == [["ada", ASSIGNMENT]]
    listed = in_terminal(server, "nbgrader", "list", "--cached")
    assert re.search(rf"compression ada {ASSIGNMENT} \d{{4}}-", listed), listed

    run_tool(course, "course", "collect")
    assert (course / "submitted" / "ada" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes() == fetched.read_bytes()


def test_lab_command_help_names_both_roles():
    result = subprocess.run(["course", "lab", "--help"], env=tool_env(), capture_output=True, text=True, check=True)
    assert "student" in result.stdout and "instructor" in result.stdout
    bad = subprocess.run(["course", "lab", "student"], env=tool_env(), capture_output=True, text=True)
    assert bad.returncode == 2 and "--student" in bad.stderr


def test_student_config_lives_in_the_hidden_jupyter_folder(tmp_path):
    """Nothing in the folder the student browses invites editing nbgrader's configuration."""
    course = make_course(tmp_path / "course")
    server = student_server(course, "ada", tmp_path / "ada")
    visible = [path.name for path in server.cwd.iterdir() if not path.name.startswith(".")]
    assert visible == []
    assert server.env["JUPYTER_CONFIG_DIR"] == str(student_config_dir(server.cwd))
    assert "c.CourseDirectory.student_id = 'ada'" in (student_config_dir(server.cwd) / "nbgrader_config.py").read_text()


def test_student_is_told_when_nothing_is_released(tmp_path):
    course = make_course(tmp_path / "course")
    server = student_server(course, "ada", tmp_path / "ada")
    assert server.nothing_released == NothingReleased((course / "exchange").resolve(), course.resolve(), ASSIGNMENT)
    note, started = lab_lines(server)  # what `course lab student` prints first
    assert note.startswith(f"note: nothing is released in {(course / 'exchange').resolve()} yet: ")
    assert note.endswith(f"runs `course release {ASSIGNMENT}` in {course.resolve()}")
    assert started == f"JupyterLab on {server.url} (token in the log below); Ctrl+C to stop"
    run_tool(course, "course", "release")
    released = student_server(course, "ada", tmp_path / "ada")
    assert released.nothing_released is None and len(lab_lines(released)) == 1


def test_jupyter_port_variable_sets_the_default_port(tmp_path, monkeypatch):
    course = make_course(tmp_path / "course")
    monkeypatch.setenv(PORT_VARIABLE, "9123")
    assert "--ServerApp.port=9123" in student_server(course, "ada", tmp_path / "ada").argv
    assert "--ServerApp.port=9124" in student_server(course, "ada", tmp_path / "ada", port=9124).argv
    monkeypatch.setenv(PORT_VARIABLE, "http")
    with pytest.raises(BadOption, match=PORT_VARIABLE):
        instructor_server(course)


def test_cli_defaults_and_pass_through(tmp_path, monkeypatch):
    """Without --workspace a student works in <root>/workspaces/<id>; options after -- reach jupyter lab."""
    from course import cli, lab

    monkeypatch.delenv(PORT_VARIABLE, raising=False)
    course = make_course(tmp_path / "course")
    started = []
    monkeypatch.setattr(lab, "run", started.append)
    for argv in (["lab", "student", "--student", "bo", "--root", str(course), "--", "--ServerApp.token=t"],
                 ["lab", "instructor", "--root", str(course)]):
        args = cli.build_parser().parse_args(argv)
        assert args.run(args) == 0
    student, instructor = started
    assert student.cwd == (course / "workspaces" / "bo").resolve()
    assert "c.CourseDirectory.student_id = 'bo'" in (student_config_dir(student.cwd) / "nbgrader_config.py").read_text()
    assert "--ServerApp.port=8890" in student.argv and student.argv[-1] == "--ServerApp.token=t"
    assert "--ServerApp.port=8888" in instructor.argv and instructor.url.endswith("/formgrader/manage_submissions/compression")
