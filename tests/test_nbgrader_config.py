"""The repository's nbgrader_config.py: stock nbgrader commands work from the root."""

import re
import runpy
import subprocess
import sys

import pytest
from traitlets.config import Config

from course.content import REPO_ROOT
from tests.notebook.test_release import nbgrader_env


@pytest.fixture(scope="module")
def config() -> Config:
    c = Config()
    runpy.run_path(str(REPO_ROOT / "nbgrader_config.py"), init_globals={"get_config": lambda: c})
    return c


def test_embedded_defaults(config):
    assert config.CourseDirectory.course_id == "compression"
    assert config.CourseDirectory.root == str(REPO_ROOT)
    assert config.CourseDirectory.db_url == f"sqlite:///{REPO_ROOT / 'gradebook.db'}"
    assert config.Exchange.root == str(REPO_ROOT / "exchange")
    assert config.OverwriteCells.add_missing_cells is True
    assert config.Execute.kernel_name == "python3" and config.Execute.timeout > 0
    assert config.IgnorePattern.enabled is True


def test_the_exchange_is_overridable_and_no_variable_chooses_the_gradebook(monkeypatch):
    monkeypatch.setenv("COMPRESSION_EXCHANGE", "/srv/exchange")
    monkeypatch.setenv("COMPRESSION_DB_URL", "postgresql://grader@db/compression")  # no longer read
    c = Config()
    runpy.run_path(str(REPO_ROOT / "nbgrader_config.py"), init_globals={"get_config": lambda: c})
    assert c.Exchange.root == "/srv/exchange"
    assert c.CourseDirectory.db_url == f"sqlite:///{REPO_ROOT / 'gradebook.db'}"


def test_stock_nbgrader_command_line_chooses_the_gradebook(monkeypatch, tmp_path):
    """What every stock nbgrader command does on start-up: the config files, then ``--CourseDirectory.db_url=``."""
    from nbgrader.apps.baseapp import NbGrader

    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setattr(sys, "path", list(sys.path))  # nbgrader puts the folder it starts in on sys.path
    elsewhere = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    app = NbGrader()
    app.initialize([f"--CourseDirectory.db_url={elsewhere}"])
    assert app.coursedir.root == str(REPO_ROOT), "the repository's nbgrader_config.py was not loaded"
    assert app.coursedir.db_url == elsewhere


@pytest.mark.parametrize("stderr_text", [
    "/tmp/ipykernel_1/123.py:4: RuntimeWarning: divide by zero encountered in log\n  x = np.log(0)\n",
    "/usr/lib/x.py:9: DeprecationWarning: old API\n  warnings.warn('old API')\n",
    "\r 40%|####      | 4/10 [00:00<00:00, 812.3it/s]\r100%|##########| 10/10 [00:00<00:00]\n",
    "WARNING:root:learning rate looks large\n",
    "debug: epoch 3 loss 0.25\n",
    "",
])
def test_no_stderr_output_costs_points(config, stderr_text):
    """Progress bars, logging, warnings and debug prints on stderr are dropped before scoring."""
    assert re.search(config.IgnorePattern.pattern, stderr_text)


@pytest.mark.slow
def test_stock_nbgrader_commands_work_from_the_root(tmp_path):
    env = nbgrader_env()
    version = subprocess.run(["nbgrader", "--version"], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True)
    assert "0.9.6" in version.stdout
    listing = subprocess.run(["nbgrader", "db", "student", "list", f"--CourseDirectory.db_url=sqlite:///{tmp_path / 'gradebook.db'}"],
                             cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True)
    assert "students in the database" in listing.stdout
    assert "not recognized" not in listing.stderr, listing.stderr
    assert (tmp_path / "gradebook.db").exists()
