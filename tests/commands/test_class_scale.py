"""A class of 1000 costs the gradebook ten times a class of 100, not a hundred times.

nbgrader looks up each submission's notebooks, grades and scores on columns
it has no index for, so without ``course.gradebook_indexes`` every lookup
reads the whole table and export, status and report grow with the square of
the class. Growth is measured without a clock: the SQLite virtual machine's
instructions, counted through ``sqlite3``'s progress handler on every
connection the commands open, on synthetic classes of 100 and 1000 grown
from the session's graded class (tests/commands/synthetic_class.py). With
the indexes the ratio is about 10; without them it is about 90.

Also here: the per-submission queries' plans use the indexes, ``course db
init`` adds them to an old gradebook once (SQLite and PostgreSQL) leaving
nbgrader's schema version alone, ``course release`` gives a new course's
gradebook them, and the exports do not change by a byte.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from nbgrader.plugins.export import CsvExportPlugin
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from course.course_config import ensure_tools_on_path, load_course_config
from course.database import init_database, schema_state
from course.export import FORMATS, export, pending_warning
from course.gradebook_indexes import INDEXES
from course.messages import SUMMARY_NAMES
from course.release import release
from course.report import report
from course.results import load_results
from course.status import status
from tests.commands.graded_course import ASSIGNMENT, LATE_STUDENT
from tests.commands.synthetic_class import copy_course, grow_class, move_gradebook
from tests.coursedir import db_url, make_course, run_tool

pytest_plugins = ["tests.commands.graded_course"]
pytestmark = pytest.mark.slow

SIZES = (100, 1000)
COMMANDS: dict[str, Callable[[Path], object]] = {
    **{f"export {form}": lambda root, form=form: export(root=root, assignment=ASSIGNMENT, file_format=form)
       for form in FORMATS},
    "status": lambda root: status(root=root, assignment=ASSIGNMENT),
    "report": lambda root: report(root=root, assignment=ASSIGNMENT),
}
INSTRUCTIONS_PER_TICK = 1000
LINEAR = (5, 15)  # bounds of the 1000/100 ratio: 10 when each submission costs the same
ALL = {index.name for index in INDEXES}
SCANNED = re.compile(r"\bSCAN (grade|comment|submitted_notebook)\b")  # a whole table read (an index's too)
POSTGRES_SCANNED = re.compile(r"\bSeq Scan on (grade|comment|submitted_notebook)\b")


def indexes_present(url: str) -> set[str]:
    """Which of ``INDEXES`` the gradebook at ``url`` has."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            found = inspect(connection)
            return {index.name for index in INDEXES if index.name in {i["name"] for i in found.get_indexes(index.table)}}
    finally:
        engine.dispose()


@contextmanager
def sqlite_instructions() -> Iterator[list[int]]:
    """Counts, in thousands, the SQLite VM instructions run on every connection opened meanwhile (one element)."""
    ticks = [0]

    def tick() -> int:
        ticks[0] += 1
        return 0  # go on

    def connected(dbapi_connection: sqlite3.Connection, record: object) -> None:
        dbapi_connection.set_progress_handler(tick, INSTRUCTIONS_PER_TICK)

    event.listen(Pool, "connect", connected)
    try:
        yield ticks
    finally:
        event.remove(Pool, "connect", connected)


@contextmanager
def statements() -> Iterator[list[tuple[str, object]]]:
    """The SQL statements run meanwhile, with their parameters."""
    seen: list[tuple[str, object]] = []

    def executed(connection, cursor, statement, parameters, context, executemany) -> None:
        seen.append((statement, parameters))

    event.listen(Engine, "before_cursor_execute", executed)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", executed)


@pytest.fixture(scope="module")
def old_course(graded_course, tmp_path_factory) -> Path:
    """The graded class as this module found it, its gradebook made by stock nbgrader: without the indexes."""
    root = copy_course(graded_course.root, tmp_path_factory.mktemp("old") / "course")
    assert indexes_present(db_url(root)) == set()
    return root


def grown(old_course: Path, root: Path, size: int, *, indexes: bool = True) -> Path:
    copy_course(old_course, root)
    assert len(grow_class(root, size)) == size
    if indexes:
        init_database(root=root)
    return root


@pytest.fixture(scope="module")
def classes(old_course, tmp_path_factory) -> dict[int, Path]:
    return {size: grown(old_course, tmp_path_factory.mktemp(f"class{size}") / "course", size) for size in SIZES}


@pytest.fixture(scope="module")
def instructions(classes) -> dict[tuple[str, int], int]:
    """Thousands of SQLite instructions each command runs, by command and class size."""
    counts = {}
    for size, root in classes.items():
        for name, command in COMMANDS.items():
            with sqlite_instructions() as ticks:
                command(root)
            counts[name, size] = ticks[0]
    return counts


@pytest.fixture(scope="module")
def postgres_classes(classes, postgres_server, tmp_path_factory) -> dict[int, Path]:
    """The grown classes with their gradebooks moved to PostgreSQL, indexes added by ``course db init``."""
    moved = {}
    for size, root in classes.items():
        moved[size] = copy_course(root, tmp_path_factory.mktemp(f"postgres{size}") / "course")
        move_gradebook(moved[size], postgres_server.new_database())
        init_database(root=moved[size])
    return moved


def test_grown_class_has_the_templates_rows_for_every_student(classes):
    with Gradebook(db_url(classes[100])) as gradebook:
        submissions = gradebook.assignment_submissions(ASSIGNMENT)
        scores = sorted({s.score for s in submissions})
        assert len(gradebook.students) == 80 and len(submissions) == 80  # 4 in 5 graded: eve's copies failed
        assert gradebook.find_submission(ASSIGNMENT, "student0000").score == gradebook.find_submission(ASSIGNMENT, "ada").score
    assert len(scores) >= 3  # full marks, a blank release, a wrong function (and late)
    assert len(status(root=classes[100], assignment=ASSIGNMENT).students) == 100


@pytest.mark.parametrize("command", COMMANDS)
def test_gradebook_work_grows_linearly_with_the_class(instructions, command):
    small, large = instructions[command, 100], instructions[command, 1000]
    assert small > 100, f"{command}: only {small} thousand instructions counted at 100 students"
    ratio = large / small
    assert LINEAR[0] < ratio < LINEAR[1], (
        f"{command}: {large} thousand SQLite instructions at 1000 students, {small} thousand at 100: {ratio:.1f}x")


def test_per_submission_queries_search_the_indexes_instead_of_scanning(classes):
    root = classes[100]
    with statements() as seen:
        for command in COMMANDS.values():
            command(root)
        with Gradebook(db_url(root)) as gradebook:  # what the Formgrader's grading page of one notebook reads
            notebook = gradebook.find_submission(ASSIGNMENT, "dee").notebooks[0]
            assert notebook.comments and notebook.grades
    selects = {(text, tuple(parameters)) for text, parameters in seen if text.lstrip().upper().startswith("SELECT")}
    with sqlite3.connect(root / "gradebook.db") as connection:
        plans = {text: [row[-1] for row in connection.execute(f"EXPLAIN QUERY PLAN {text}", parameters)]
                 for text, parameters in selects}
    scans = {text: lines for text, lines in plans.items() if any(SCANNED.search(line) for line in lines)}
    assert not scans, "\n\n".join(f"{text}\n  {lines}" for text, lines in scans.items())
    used = {index.name for index in INDEXES if any(index.name in line for lines in plans.values() for line in lines)}
    assert used == ALL


def test_the_class_is_read_in_the_same_few_queries_at_any_size(classes):
    counts = {}
    for size, root in classes.items():
        with statements() as seen:
            load_results(root=root, assignment=ASSIGNMENT)
        counts[size] = len(seen)
    assert counts[100] == counts[1000] < 30, counts  # 88 when each cell's score was a query of its own


def test_each_students_scores_are_what_nbgraders_own_api_computes(old_course, tmp_path):
    """Read in bulk, every number is nbgrader's: scores, late penalties, time late with an extension, every cell."""
    root = grown(old_course, tmp_path / "course", 20)
    with Gradebook(db_url(root)) as gradebook:
        gradebook.grant_extension(ASSIGNMENT, "student0002", hours=3)  # a copy of the late student: still late
        gradebook.grant_extension(ASSIGNMENT, "ada", days=2)
        expected = {}
        for submission in gradebook.assignment_submissions(ASSIGNMENT):
            cells = {(notebook.name, grade.name): None if grade.auto_score is None and grade.manual_score is None
                     else grade.score for notebook in submission.notebooks for grade in notebook.grades}
            expected[submission.student.id] = (submission.timestamp, submission.total_seconds_late, submission.score,
                                               submission.late_submission_penalty, cells)
    results = {s.student: s for s in load_results(root=root, assignment=ASSIGNMENT).graded}
    read = {student: (s.timestamp, s.seconds_late, s.raw_score, s.late_penalty, s.cell_scores) for student, s in results.items()}
    assert read == expected
    assert results[LATE_STUDENT].seconds_late > results["student0002"].seconds_late > 0
    assert any(None in s.cell_scores.values() for s in results.values())  # an answer not graded yet


def test_the_export_warning_names_at_most_twenty_of_the_students_still_to_grade(classes):
    small, large = (pending_warning(load_results(root=classes[size], assignment=ASSIGNMENT)) for size in SIZES)
    assert small.count("(1)") == 20 and "more" not in small  # every one of 20
    assert large.startswith("200 written answers still to grade, for 200 students")
    assert large.count("(1)") == SUMMARY_NAMES and large.endswith(" and 180 more (`course status --all` shows each)")


def test_exports_are_byte_identical_with_and_without_the_indexes(old_course, tmp_path):
    root = grown(old_course, tmp_path / "course", 100, indexes=False)
    assert indexes_present(db_url(root)) == set()

    def exported() -> dict[str, bytes]:
        return {form: export(root=root, assignment=ASSIGNMENT, file_format=form).path.read_bytes() for form in FORMATS}

    without = exported()
    init_database(root=root)
    assert indexes_present(db_url(root)) == ALL
    assert exported() == without
    assert all(len(without[form].splitlines()) > 50 for form in FORMATS)  # rows for the class, not just a header


def test_db_init_adds_the_missing_indexes_once_and_keeps_nbgraders_schema_version(old_course, tmp_path):
    root = copy_course(old_course, tmp_path / "course")
    url = db_url(root)
    version = schema_state(url)[1]
    first = run_tool(root, "course", "db", "init")
    assert "added the missing indexes" in first.stdout and all(i.name in first.stdout for i in INDEXES), first.stdout
    assert indexes_present(url) == ALL
    second = run_tool(root, "course", "db", "init")
    assert second.stdout.rstrip().endswith("nothing to do"), second.stdout
    assert init_database(root=root).indexes_added == ()
    assert schema_state(url)[1] == version
    run_tool(root, "nbgrader", "db", "upgrade")  # stock nbgrader still takes the gradebook as its own
    assert schema_state(url)[1] == version and indexes_present(url) == ALL


def test_db_init_and_release_give_a_new_gradebook_the_indexes(tmp_path):
    created = init_database(root=make_course(tmp_path / "initialised"))
    assert created.created and set(created.indexes_added) == ALL
    assert indexes_present(db_url(tmp_path / "initialised")) == ALL
    root = make_course(tmp_path / "released")
    release(root=root, assignment=ASSIGNMENT)
    assert indexes_present(db_url(root)) == ALL


def test_db_init_migrates_a_postgresql_gradebook(tmp_path, postgres_url):
    ensure_tools_on_path()  # nbgrader stamps a new gradebook's version by running alembic
    Gradebook(postgres_url).close()  # the gradebook as stock nbgrader makes it
    version = schema_state(postgres_url)[1]
    assert indexes_present(postgres_url) == set()
    root = make_course(tmp_path / "course")
    assert set(init_database(root=root, db_url=postgres_url).indexes_added) == ALL
    assert indexes_present(postgres_url) == ALL
    assert init_database(root=root, db_url=postgres_url).indexes_added == ()
    assert schema_state(postgres_url)[1] == version


def test_a_postgresql_gradebook_gives_the_same_exports_and_status_as_sqlite(classes, postgres_classes):
    sqlite, postgresql = classes[100], postgres_classes[100]
    assert load_course_config(postgresql).CourseDirectory.db_url.startswith("postgresql")
    for form in FORMATS:
        exported = [export(root=root, assignment=ASSIGNMENT, file_format=form).path.read_bytes() for root in (sqlite, postgresql)]
        assert exported[0] == exported[1], form
    assert status(root=sqlite, assignment=ASSIGNMENT).students == status(root=postgresql, assignment=ASSIGNMENT).students


def test_per_submission_queries_use_the_indexes_on_postgresql(postgres_classes):
    """At 1000 students the planner reads each submission's rows through the indexes, not the whole tables.

    A query run for each submission is one whose text comes back at least
    once per two students (the course's commands run none since they read the
    class in bulk; stock nbgrader's export runs several); a query run once for
    the whole class may read a whole table, as it should.
    """
    size = 1000
    root = postgres_classes[size]
    url = load_course_config(root).CourseDirectory.db_url
    with statements() as seen:
        for command in COMMANDS.values():
            command(root)
        with Gradebook(url) as gradebook:  # stock nbgrader's export asks for each submission on its own
            CsvExportPlugin(to=str(root / "stock-grades.csv")).export(gradebook)
    runs = Counter(text for text, _ in seen)
    repeated = {text: parameters for text, parameters in seen if runs[text] >= size / 2 and text.lstrip().upper().startswith("SELECT")}
    assert len(repeated) >= 3, runs.most_common(5)  # the per-submission queries were seen
    engine = create_engine(url)
    try:
        connection = engine.raw_connection()
        try:
            with connection.cursor() as cursor:
                plans = {}
                for text, parameters in repeated.items():
                    cursor.execute(f"EXPLAIN {text}", parameters)
                    plans[text] = [row[0] for row in cursor.fetchall()]
        finally:
            connection.close()
    finally:
        engine.dispose()
    scans = {text: lines for text, lines in plans.items() if any(POSTGRES_SCANNED.search(line) for line in lines)}
    assert not scans, "\n\n".join(f"{text}\n  " + "\n  ".join(lines) for text, lines in scans.items())
