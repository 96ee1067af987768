"""Indexes nbgrader's gradebook lacks for looking up one submission's rows.

nbgrader 0.9.6 reads a submission's notebooks (``submitted_notebook`` by
``assignment_id``), their grades and comments (``grade``/``comment`` by
``notebook_id``) and sums its score and late penalty the same way, once per
submission. Its only indexes on those tables serve its unique constraints,
whose leading columns are others (``cell_id``, ``notebook_id``), so each
lookup scans the whole table: export, status, report, feedback and stock
``nbgrader export`` grow with the square of the class, and each page of the
Formgrader's manual grading (``/formgrader/api/grades`` and ``/comments``
of one notebook) reads every grade and comment of the class. These three
indexes turn each lookup into a search; the other per-submission lookups
already have an index (``submitted_assignment`` by assignment and student,
``grade`` and ``comment`` by cell and notebook, every primary key).

They are extra indexes only: nbgrader's tables and its alembic version stay
as they are, so stock ``nbgrader db upgrade`` keeps working. The names carry
the ``course_`` prefix so that an index a later nbgrader adds under
SQLAlchemy's default name (``ix_<table>_<column>``) does not collide; an
existing index that already leads with the column counts as present.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection


@dataclass(frozen=True)
class GradebookIndex:
    """One single-column index on one of nbgrader's tables."""

    table: str
    column: str

    @property
    def name(self) -> str:
        return f"course_ix_{self.table}_{self.column}"

    @property
    def ddl(self) -> str:
        return f"CREATE INDEX IF NOT EXISTS {self.name} ON {self.table} ({self.column})"


INDEXES = (
    GradebookIndex("grade", "notebook_id"),  # a notebook's grades, and every score sum
    GradebookIndex("comment", "notebook_id"),  # a notebook's comments (Formgrader page, removal)
    GradebookIndex("submitted_notebook", "assignment_id"),  # a submission's notebooks, its late penalty
)


def present(connection: Connection, index: GradebookIndex) -> bool:
    """Whether some index of the table leads with the column (ours, or one nbgrader or an admin made)."""
    return any(found["column_names"][:1] == [index.column] for found in inspect(connection).get_indexes(index.table))


def missing_indexes(connection: Connection) -> list[GradebookIndex]:
    return [index for index in INDEXES if not present(connection, index)]


def add_missing_indexes(url: str) -> list[str]:
    """Create the indexes the gradebook at ``url`` lacks; the names of those created (none: it had them all).

    The gradebook's tables must exist. ``IF NOT EXISTS`` keeps two
    processes adding them at once from failing (SQLite, PostgreSQL).
    """
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            added = missing_indexes(connection)
            for index in added:
                connection.execute(text(index.ddl))
        return [index.name for index in added]
    finally:
        engine.dispose()
