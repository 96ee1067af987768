"""Reading the CSV files an LMS exports, whatever the spreadsheet they passed through did to them.

Canvas writes UTF-8 with a byte order mark; Moodle lets the teacher pick
comma, semicolon or tab; a spreadsheet re-saves headers with other spacing
or case and appends blank rows. Columns are therefore looked up by a loose
key (``column_key``), and a file that is not UTF-8 is refused with the fix.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from course.errors import CourseError


def column_key(header: str) -> str:
    """A header cell compared loosely: ``"Email address"``, ``"email_address"`` and ``" EMAIL-address"`` are one."""
    return re.sub(r"[\s_-]+", " ", header.strip().casefold())


def cell(row: dict[str, str], *keys: str) -> str:
    """The first non-empty cell of the given (loose) column names, stripped; "" when none has one."""
    return next((row[key].strip() for key in keys if (row.get(key) or "").strip()), "")


def read_table(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as ``(line, {column_key: cell})``: UTF-8 (with or without BOM), comma, semicolon or tab."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CourseError(f"no file at {path}") from None
    except UnicodeDecodeError:
        raise CourseError(f"{path} is not UTF-8 text: export it again as CSV (UTF-8)") from None
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text.splitlines(keepends=True), dialect)
    header = [column_key(h) for h in next(reader, [])]
    return [(reader.line_num, dict(zip(header, cells))) for cells in reader if any(c.strip() for c in cells)]
