"""Plain-text tables for the terminal, rendered by rich into a string.

Library functions return text and the CLI prints it, so the table is drawn
without colour codes or terminal probing: the same string reads well on a
terminal, in a log file and in a test.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

WIDTH = 120


def render_table(title: str, rows: Sequence[Sequence[object]], columns: Sequence[str] = ()) -> str:
    """``rows`` under ``columns`` (no header without them), long cells folded to fit ``WIDTH`` characters.

    Values are shown as text: no rich markup in them is interpreted.
    """
    table = Table(title=Text(title), box=box.SIMPLE_HEAD, title_justify="left", show_edge=False, show_header=bool(columns))
    for column in columns or [""] * max(map(len, rows), default=0):
        table.add_column(Text(column), overflow="fold")
    for row in rows:
        table.add_row(*(Text(str(value)) for value in row))
    buffer = io.StringIO()
    Console(file=buffer, width=WIDTH, color_system=None, force_terminal=False, highlight=False).print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().rstrip().splitlines()) + "\n"
