"""The kernel sees only what the student handed in and what was released.

nbgrader writes the notebook it restored from the source (hidden tests and
the grader's oracle cell included) into the graded folder before the kernel
starts. A student's cell that walks every readable file of its sandbox and
looks for every distinctive line of the source's hidden tests, oracles and
solutions must find none. The kernel gets only hashes of those lines, so its
own history cannot match.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from course.content import REPO_ROOT
from course.grading.preprocessors import SandboxedExecute
from tests.grading.course_settings import CONFIG

pytestmark = pytest.mark.slow

SOURCE = REPO_ROOT / "source" / "compression" / "compression.ipynb"
RELEASE = REPO_ROOT / "release" / "compression"
REGIONS = (("### BEGIN SOLUTION", "### END SOLUTION"), ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"))

NORMALISE = "def normalise(line):\n    return line.strip().strip('\",').strip()\n"
namespace: dict = {}
exec(NORMALISE, namespace)
normalise = namespace["normalise"]


def secret_lines() -> set[str]:
    """Lines inside solution and hidden-test regions of the source that appear nowhere in the release."""
    released = "\n".join(normalise(line) for path in RELEASE.rglob("*.ipynb") for cell in nbformat.read(path, 4).cells
                         for line in cell.source.splitlines())
    released_lines = set(released.splitlines())
    secrets, inside = set(), False
    for cell in nbformat.read(SOURCE, 4).cells:
        for line in cell.source.splitlines():
            if any(line.strip().startswith(begin) for begin, _ in REGIONS):
                inside = True
            elif any(line.strip().startswith(end) for _, end in REGIONS):
                inside = False
            elif inside and len(normalise(line)) >= 25 and normalise(line) not in released_lines:
                secrets.add(normalise(line))
    return secrets


WALK = NORMALISE + """
import hashlib, os, sys
found = set()
# The system and the Python environment are bound read-only as they are on the host (no course files
# in them: test_sandbox checks that the course package stays hidden); everything else is read.
system = ('/usr', '/lib', '/lib64', '/bin', '/proc', '/sys', '/dev', sys.prefix, sys.base_prefix)
for top, folders, names in os.walk('/'):
    folders[:] = [f for f in folders if os.path.join(top, f) not in system]
    for name in names:
        path = os.path.join(top, name)
        try:
            if not os.path.isfile(path) or os.path.getsize(path) > 8 * 2**20:
                continue
            with open(path, 'rb') as handle:
                text = handle.read().decode('utf-8', 'ignore')
        except OSError:
            continue
        unescaped = text.replace('\\\\n', '\\n').replace('\\\\"', '"').replace('\\\\\\\\', '\\\\')
        for line in (text + '\\n' + unescaped).splitlines():
            if hashlib.sha256(normalise(line).encode()).hexdigest() in SECRETS:
                found.add(path)
print('FOUND', sorted(found))
"""


def test_no_line_of_the_hidden_tests_oracles_or_solutions_is_readable_in_the_sandbox(tmp_path):
    secrets = secret_lines()
    assert len(secrets) > 200, "the check has the source's lines to look for"
    graded = tmp_path / "autograded" / "student" / "compression"
    shutil.copytree(RELEASE, graded)
    shutil.copy(SOURCE, graded / "compression.ipynb")  # what nbgrader has written there when the kernel starts
    (graded / ".course-verdict.json").write_text(json.dumps({"problems": ["the grader's bookkeeping"]}))
    (graded / "my_notes.txt").write_text("the student's own file")
    hashes = sorted(hashlib.sha256(s.encode()).hexdigest() for s in secrets)
    code = f"SECRETS = set({hashes!r})\n" + WALK + "print('SEES', sorted(os.listdir('.')))\n"
    nb = new_notebook(cells=[new_code_cell(code, metadata={})],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    SandboxedExecute(config=CONFIG, source_notebook=str(SOURCE), timeout=600).preprocess(nb, {"metadata": {"path": str(graded)}})
    printed = "".join(o.get("text", "") for o in nb.cells[0].outputs)
    assert "FOUND []" in printed, printed[-3000:]
    assert "SEES ['digits_teacher.npz', 'my_notes.txt']" in printed, printed[-3000:]
