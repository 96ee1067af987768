"""The README's "For students" steps, run as written in a copy of the repository.

The commands are read from the section's shell block, so the test breaks
when the README drifts. The copy holds what a fresh clone holds (the files
git tracks, plus new ones not ignored: the working tree as it would be
committed); its ``.venv`` is this one, linked, and the test refuses to run
``make`` when that environment is out of date, because ``make env`` in the
copy would then reinstall the course package from the copy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from course.content import REPO_ROOT
from tests.browser.servers import Lab, shell_lab_server
from tests.coursedir import ASSIGNMENT
from tests.network import LOOPBACK

pytestmark = pytest.mark.slow

README = REPO_ROOT / "README.md"
SECTION = "## For students"
SHELL_BLOCK = re.compile(r"```bash\n(.*?)```", re.DOTALL)


def student_steps(readme: str) -> list[str]:
    """The command lines of the first shell block of the README's student section."""
    section = readme.split(f"\n{SECTION}\n", 1)[1].split("\n## ", 1)[0]
    block = SHELL_BLOCK.search(section)
    assert block, f"the README's {SECTION!r} section has no ```bash block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def fresh_clone(target: Path) -> Path:
    """The repository's committable files copied to ``target`` (times kept, so ``make`` sees the same ages)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO_ROOT,
                            capture_output=True, text=True, check=True).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(REPO_ROOT / ".venv")
    return target


def shell_env() -> dict[str, str]:
    """The environment of a fresh terminal: no virtual environment activated, whatever runs this test."""
    scripts = str(REPO_ROOT / ".venv" / "bin")
    path = [entry for entry in os.environ["PATH"].split(os.pathsep) if entry != scripts and Path(entry).resolve() != Path(sys.executable).parent]
    return {**{k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}, "PATH": os.pathsep.join(path)}


def api(lab: Lab, path: str, method: str = "GET", **query: str):
    """JSON from the server's ``path``, authenticated by the token header (so that ``query`` stays the only query)."""
    url = f"http://{LOOPBACK}:{lab.port}/{path}?{urllib.parse.urlencode(query)}"
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None,
                                     headers={"Authorization": f"token {lab.token}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def test_readme_steps_for_students_work_on_a_fresh_clone(tmp_path):
    steps = student_steps(README.read_text(encoding="utf-8"))
    *setup, start_lab = steps
    assert "student-lab" in start_lab, f"the block should end by starting the student's JupyterLab: {steps}"
    student = re.search(r"STUDENT=(\S+)", start_lab).group(1)
    clone = fresh_clone(tmp_path / "clone")
    stale = subprocess.run(["make", "-q", "env"], cwd=clone, env=shell_env(), capture_output=True)
    assert stale.returncode == 0, "the environment is out of date: run `make env` before this test"

    for line in setup:
        done = subprocess.run(["bash", "-c", line], cwd=clone, env=shell_env(), capture_output=True, text=True)
        assert done.returncode == 0, f"{line!r} exited {done.returncode}\n{done.stdout}\n{done.stderr}"

    with shell_lab_server(start_lab, clone, tmp_path / "student-lab.log", env=shell_env()) as lab:
        listed = api(lab, "assignments", course_id=ASSIGNMENT)
        assert listed["success"], listed  # a student lab on another exchange says "The exchange directory does not exist"
        assert [(a["assignment_id"], a["status"]) for a in listed["value"]] == [(ASSIGNMENT, "released")], listed

        fetched = api(lab, "assignments/fetch", method="POST", course_id=ASSIGNMENT, assignment_id=ASSIGNMENT)
        assert [(a["assignment_id"], a["status"]) for a in fetched["value"]] == [(ASSIGNMENT, "fetched")], fetched
        workspace = clone / "workspaces" / student
        notebook = workspace / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert notebook.read_bytes() == (clone / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()

        # What the student's file browser shows: their work, no nbgrader configuration to edit.
        shown = [item["name"] for item in api(lab, "api/contents/")["content"]]
        assert shown == [ASSIGNMENT], shown
        with pytest.raises(urllib.error.HTTPError) as hidden:
            api(lab, "api/contents/.jupyter/nbgrader_config.py")
        assert hidden.value.code == 404
