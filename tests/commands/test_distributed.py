"""Beyond one machine: a PostgreSQL gradebook and grading on a Dask cluster, against real servers.

PostgreSQL is a throw-away server (``initdb`` + ``pg_ctl`` on loopback,
tests/postgres.py); the clusters are ``dask.distributed.LocalCluster``s of
worker processes. Every result is compared with the default set-up (SQLite
gradebook, local process pool) grading the same submissions.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import sqlalchemy
from nbgrader.api import Gradebook

from course.database import DatabaseState, init_database
from course.errors import CourseError
from course.messages import database_line
from course.grading.result_lock import LOCK_DIRECTORY, lock_key, result_lock
from course.grading.runners import worker_problem
from tests.commands.small_class import cell_scores, hand_in, new_course, small_class
from tests.coursedir import ASSIGNMENT, make_course, run_tool, tool_env

pytestmark = pytest.mark.slow


def graded_locally(root: Path, *options: str) -> Path:
    run_tool(root, "course", "autograde", "--workers", "2", "--no-progress", *options)
    return root


def export_rows(root: Path, *options: str) -> list[dict[str, str]]:
    run_tool(root, "course", "export", *options)
    with (root / f"grades-{ASSIGNMENT}.csv").open() as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def local_reference(tmp_path_factory) -> tuple[Path, dict]:
    """The small class graded the default way: SQLite gradebook, local pool."""
    root = tmp_path_factory.mktemp("local")
    new_course(root)
    graded_locally(root)
    return root, cell_scores(root)


# -- PostgreSQL ----------------------------------------------------------------


def test_db_init_creates_the_schema_once(tmp_path, postgres_url):
    course = make_course(tmp_path / "course")
    created = init_database(root=course, db_url=postgres_url)
    assert (created.created, created.tables) == (True, 14) and created.version
    assert init_database(root=course, db_url=postgres_url) == DatabaseState(created.url, False, 14, created.version)
    assert "://" in created.url and "gradebook schema created (14 tables" in database_line(created)
    with Gradebook(postgres_url) as gradebook:
        assert gradebook.assignments == []


def test_db_init_refuses_a_database_that_is_not_a_gradebook(tmp_path, postgres_url):
    engine = sqlalchemy.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text("CREATE TABLE payroll (id integer)"))
    engine.dispose()
    course = make_course(tmp_path / "course")
    result = run_tool(course, "course", "db", "init", "--db-url", postgres_url, check=False)
    assert result.returncode == 2 and "not empty" in result.stderr and "payroll" in result.stderr
    with pytest.raises(CourseError, match="cannot open"):
        init_database(root=course, db_url=postgres_url.rsplit("/", 1)[0] + "/no_such_database")


def test_postgres_gradebook_gets_the_same_scores_as_sqlite(tmp_path, postgres_url, local_reference):
    reference_root, reference = local_reference
    root = tmp_path / "course"
    new_course(root)
    run_tool(root, "course", "db", "init", "--db-url", postgres_url)
    run_tool(root, "course", "release", "--db-url", postgres_url)
    graded_locally(root, "--db-url", postgres_url)
    assert cell_scores(root, postgres_url) == reference
    assert export_rows(root, "--db-url", postgres_url) == export_rows(reference_root)
    assert cell_scores(root) == {}, "the course's SQLite gradebook (made by generate_assignment) got no grades"
    # stock nbgrader reads the same gradebook
    listed = run_tool(root, "nbgrader", "db", "student", "list", "--db", postgres_url)
    assert all(student in listed.stdout + listed.stderr for student in reference)


def test_concurrent_graders_do_not_lose_or_double_rows(tmp_path, postgres_url, local_reference):
    """Two batches of the same class at once (both --force) leave each result whole, written once at a time."""
    _, reference = local_reference
    root = tmp_path / "course"
    new_course(root)
    run_tool(root, "course", "release", "--db-url", postgres_url)
    batches = [
        subprocess.Popen(["course", "autograde", "--workers", "2", "--force", "--no-progress", "--db-url", postgres_url],
                         cwd=root, env=tool_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for _ in range(2)
    ]
    outputs = [batch.communicate(timeout=600)[0] for batch in batches]
    assert [batch.returncode for batch in batches] == [0, 0], outputs
    assert cell_scores(root, postgres_url) == reference
    engine = sqlalchemy.create_engine(postgres_url)
    with engine.connect() as connection:
        submissions = connection.execute(sqlalchemy.text("SELECT count(*) FROM submitted_assignment")).scalar()
        grades = connection.execute(sqlalchemy.text("SELECT count(*) FROM grade")).scalar()
    engine.dispose()
    cells = len(next(iter(reference.values())))
    assert (submissions, grades) == (len(reference), len(reference) * cells)


def pg_try_lock(url: str, assignment: str, student: str) -> bool:
    """Whether another connection can take the result's advisory lock right now (released at once if taken)."""
    import psycopg

    where = sqlalchemy.engine.make_url(url)
    with psycopg.connect(host=where.host, port=where.port, user=where.username, dbname=where.database,
                         autocommit=True) as other:
        return other.execute("SELECT pg_try_advisory_lock(%s)", (lock_key(assignment, student),)).fetchone()[0]


def test_the_advisory_lock_excludes_a_second_holder_until_released(tmp_path, postgres_url):
    with result_lock(postgres_url, tmp_path, ASSIGNMENT, "ada"):
        assert pg_try_lock(postgres_url, ASSIGNMENT, "ada") is False
        assert pg_try_lock(postgres_url, ASSIGNMENT, "bob") is True  # other results are not held up
    assert pg_try_lock(postgres_url, ASSIGNMENT, "ada") is True


FILE_LOCK_PROBE = """
import fcntl, sys
handle = open(sys.argv[1], "a")
try:
    fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
except OSError:
    sys.exit(3)
"""


def test_the_file_lock_excludes_another_process_until_released(tmp_path):
    path = tmp_path / LOCK_DIRECTORY / f"{ASSIGNMENT}+ada.lock"

    def probe() -> int:
        return subprocess.run(["python", "-c", FILE_LOCK_PROBE, str(path)], env=tool_env(), check=False).returncode

    with result_lock(f"sqlite:///{tmp_path / 'gradebook.db'}", tmp_path, ASSIGNMENT, "ada"):
        assert probe() == 3
    assert probe() == 0


# -- Dask ----------------------------------------------------------------------


@pytest.fixture
def cluster():
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as local, Client(local) as client:
        yield local.scheduler_address, client


def test_dask_cluster_grades_like_the_local_pool(tmp_path, cluster, local_reference):
    address, _ = cluster
    reference_root, reference = local_reference
    root = tmp_path / "course"
    new_course(root)
    run_tool(root, "course", "autograde", "--scheduler", address, "--no-progress")
    assert cell_scores(root) == reference
    assert export_rows(root) == export_rows(reference_root)
    run_tool(root, "course", "feedback", "--no-release")
    run_tool(reference_root, "course", "feedback", "--no-release")
    for student in reference:
        ours = (root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        theirs = (reference_root / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        assert ours == theirs, student


def test_killing_a_worker_mid_batch_still_grades_every_submission_once(tmp_path, cluster):
    address, client = cluster
    root = tmp_path / "course"
    students = new_course(root)
    complete = small_class(root)["ada"]
    for extra in ("dee", "eve", "fay", "gus", "hal"):
        hand_in(root, extra, complete)
    batch = subprocess.Popen(["course", "autograde", "--scheduler", address, "--no-progress", "-v"], cwd=root,
                             env=tool_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    pids = client.run(os.getpid)
    victim = None
    deadline = time.monotonic() + 120
    while victim is None and time.monotonic() < deadline:
        busy = [w for w, keys in client.processing().items() if any("course-autograde" in str(k) for k in keys)]
        if busy:
            victim = busy[0]
        time.sleep(0.05)
    assert victim is not None, "no worker ever started grading"
    time.sleep(0.5)  # well inside the submission: each takes seconds
    os.kill(pids[victim], signal.SIGKILL)
    output = batch.communicate(timeout=600)[0]
    assert batch.returncode == 0, output
    everyone = sorted([*students, "dee", "eve", "fay", "gus", "hal"])
    scores = cell_scores(root)
    assert sorted(scores) == everyone
    for student in ("dee", "eve", "fay", "gus", "hal"):
        assert scores[student] == scores["ada"], student
    graded_lines = [line for line in output.splitlines() if ": graded " in line]
    assert sorted(line.split("INFO course.grading.autograde: ")[1].split(":")[0] for line in graded_lines) == everyone
    assert victim not in client.scheduler_info()["workers"], "the killed worker is gone"


def test_unreachable_scheduler_and_workers_that_cannot_grade_are_clear_errors(tmp_path, cluster):
    _, client = cluster
    root = tmp_path / "course"
    new_course(root)
    unreachable = run_tool(root, "course", "autograde", "--scheduler", "tcp://127.0.0.1:9", "--no-progress", check=False)
    assert unreachable.returncode == 2 and "cannot reach the Dask scheduler" in unreachable.stderr
    assert set(client.run(worker_problem, str(root), True).values()) == {None}
    elsewhere = client.run(worker_problem, str(tmp_path / "not-shared"), True)
    assert all("no course directory at" in problem for problem in elsewhere.values())
