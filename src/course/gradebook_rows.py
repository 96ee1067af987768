"""A submitted notebook's grades or comments, read in one query.

nbgrader's ORM loads each grade's cell, maximum score and cell type lazily:
a page that shows every cell's grade asks the gradebook once per attribute
per cell. Asking for the rows with all of that at once is one query.
"""

from __future__ import annotations

from nbgrader.api import Comment, Grade, Gradebook, SubmittedNotebook
from sqlalchemy.orm import joinedload, undefer


def submission_rows(gradebook: Gradebook, table: type[Grade] | type[Comment], notebook: SubmittedNotebook) -> dict[str, Grade | Comment]:
    """``notebook``'s rows of ``table`` (``Grade`` or ``Comment``) by cell name, everything nbgrader computes loaded."""
    rows = (
        gradebook.db.query(table).options(joinedload(table.cell), undefer("*")).filter(table.notebook_id == notebook.id)
    )
    return {row.name: row for row in rows}
