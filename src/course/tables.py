"""Plain-text tables for the terminal, as wide as the terminal and wrapped only between words.

The CLI's messages (``course.messages``) and the report page draw tables as
text, without colour codes: the same string reads well on a terminal, in a
log file, in the page and in a test. Its width is the terminal's (``shutil.get_terminal_size``:
``COLUMNS``, then the terminal, then 80 columns), or the one asked for.

rich shrinks the widest columns first when a table is too wide, even below
their longest word, which then breaks mid-word. So the column widths are
chosen here: no column is narrower than its longest word, and the spare width
goes to the columns whose text would otherwise wrap. When even the longest
words do not fit side by side, each row becomes a wrapped paragraph.
"""

from __future__ import annotations

import io
import shutil
import textwrap
from collections.abc import Sequence

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

PADDING = 1  # spaces each side of a cell
SEPARATOR = 1  # the space between two columns of box.SIMPLE_HEAD


def terminal_width() -> int:
    return shutil.get_terminal_size().columns


def text_widths(texts: Sequence[str]) -> tuple[int, int]:
    """(longest word, longest line) of the texts: the narrowest a column may be, and the widest it needs."""
    words = [cell_len(word) for text in texts for word in text.split()]
    lines = [cell_len(line) for text in texts for line in text.splitlines()]
    return max(words, default=0), max(lines, default=0)


def fit_columns(texts: Sequence[Sequence[str]], room: int) -> list[int] | None:
    """Content widths for columns of ``texts`` within ``room`` characters, or None when the words cannot fit.

    Each column starts at its longest word; the spare width is shared in
    proportion to what each column still lacks to show its text unwrapped.
    """
    minimum, natural = zip(*(text_widths(column) for column in texts)) if texts else ((), ())
    if sum(natural) <= room:
        return list(natural)
    if sum(minimum) > room:
        return None
    lacking = [n - m for m, n in zip(minimum, natural)]
    spare = room - sum(minimum)
    extra = [spare * lack // sum(lacking) for lack in lacking]
    for index in sorted(range(len(lacking)), key=lambda i: -lacking[i])[: spare - sum(extra)]:
        extra[index] += 1
    return [m + e for m, e in zip(minimum, extra)]


def render_table(title: str, rows: Sequence[Sequence[object]], columns: Sequence[str] = (), width: int | None = None) -> str:
    """``rows`` under ``columns`` (no header without them), at most ``width`` characters wide (default: the terminal's).

    Values are shown as text: no rich markup in them is interpreted.
    """
    width = width or terminal_width()
    cells = [[str(value) for value in row] for row in rows]
    headers = list(columns) or [""] * max(map(len, cells), default=0)
    overhead = len(headers) * 2 * PADDING + max(len(headers) - 1, 0) * SEPARATOR
    widths = fit_columns([[header, *(row[i] for row in cells)] for i, header in enumerate(headers)], width - overhead)
    heading = textwrap.fill(title, width, break_on_hyphens=False)
    if widths is None:
        return heading + "\n" + listed(headers, cells, width)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, show_header=bool(columns), padding=(0, PADDING))
    for header, column_width in zip(headers, widths):
        table.add_column(Text(header), width=column_width, overflow="fold")
    for row in cells:
        table.add_row(*(Text(value) for value in row))
    buffer = io.StringIO()
    Console(file=buffer, width=width, color_system=None, force_terminal=False, highlight=False).print(table)
    lines = [line.rstrip() for line in buffer.getvalue().rstrip().splitlines()]
    return "\n".join([heading, *lines]) + "\n"


def listed(headers: Sequence[str], cells: Sequence[Sequence[str]], width: int) -> str:
    """One paragraph per row: its first value, then ``header: value`` for the others, wrapped between words."""
    paragraphs = []
    for first, *rest in cells:
        fields = "; ".join(f"{header}: {value}" if header else value for header, value in zip(headers[1:], rest))
        lead = f"{first} - " if headers[0] else f"{first}: "  # a headed table's rows say "header: value" after it
        paragraphs.append(textwrap.fill(lead + fields, width, subsequent_indent="  ", break_on_hyphens=False))
    return "\n".join(paragraphs) + "\n"
