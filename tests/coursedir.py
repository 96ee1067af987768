"""Throw-away course directories for command-level tests (the nbgrader test-suite approach).

Courses are made by ``demo.course_folder.create_course``; tests then drive stock
nbgrader or ``course`` commands in them as subprocesses.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assignments.compression import ASSIGNMENT  # noqa: F401
from demo.course_folder import create_course as make_course, db_url  # noqa: F401  (re-exported for tests)


def tool_env() -> dict[str, str]:
    """The environment for nbgrader/course subprocesses: this interpreter's scripts first on PATH."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def run_tool(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run ``nbgrader ...`` or ``course ...`` in the course directory."""
    result = subprocess.run(list(args), cwd=root, env=tool_env(), capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result
