"""``course db init``: create nbgrader's gradebook schema in an empty database.

nbgrader creates its tables the first time any command opens a gradebook,
and stamps the schema version in a second step. Two graders or a Formgrader
opening a fresh shared database at the same moment race on that, and a
first run that fails between the two steps leaves tables with no version,
which later ``nbgrader db upgrade`` runs cannot handle. Creating the schema
once, up front, from one process avoids both; this command does that and
checks what it finds. It also gives the gradebook the indexes nbgrader
lacks (``course.gradebook_indexes``), in a new gradebook and in one found
complete: running it on an existing gradebook is the migration that adds
them, and running it again adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Base, Gradebook
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from course.course_config import ensure_tools_on_path, load_course_config
from course.errors import CourseError
from course.gradebook_indexes import add_missing_indexes

VERSION_TABLE = "alembic_version"


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def schema_state(url: str) -> tuple[set[str], str | None]:
    """The database's tables and nbgrader's schema version (None when unstamped)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            version = None
            if VERSION_TABLE in tables:
                version = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
            return tables, version
    finally:
        engine.dispose()


@dataclass(frozen=True)
class DatabaseState:
    """The gradebook database after ``init_database``: created now, or found complete."""

    url: str  # without its password
    created: bool
    tables: int
    version: str | None  # nbgrader's schema version (alembic's)
    indexes_added: tuple[str, ...] = ()  # course.gradebook_indexes it lacked, created now


def init_database(*, root: Path, db_url: str | None = None) -> DatabaseState:
    """Create the gradebook schema in the course's database (or ``db_url``'s) if it is empty, and the indexes it lacks.

    Reports what was found or done.
    """
    url = load_course_config(root, db_url=db_url).CourseDirectory.db_url
    try:
        tables, version = schema_state(url)
    except ArgumentError as error:
        raise CourseError(f"not a database URL SQLAlchemy understands: {url!r} ({error})") from None
    except SQLAlchemyError as error:
        raise CourseError(f"cannot open {shown(url)}: {str(error).splitlines()[0]}") from None
    nbgrader_tables = set(Base.metadata.tables)
    if version is not None and nbgrader_tables <= tables:
        return DatabaseState(shown(url), False, len(tables), version, tuple(add_missing_indexes(url)))
    if tables:
        raise CourseError(
            f"{shown(url)} is not empty and holds no complete nbgrader gradebook "
            f"(tables: {', '.join(sorted(tables))}); use an empty database"
        )
    ensure_tools_on_path()  # nbgrader asks the `alembic` command for the schema version
    Gradebook(url).close()
    added = tuple(add_missing_indexes(url))
    tables, version = schema_state(url)
    return DatabaseState(shown(url), True, len(tables), version, added)
