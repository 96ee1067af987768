"""Why an nbgrader step failed, in nbgrader's own words: one reading for every caller.

nbgrader's API calls (``NbGraderAPI.generate_assignment``, ``collect``,
``generate_feedback``, ...) and ``nbgrader.utils.capture_log`` do not raise:
they return ``{"success": False, "error": <traceback>, "log": <captured log>}``.
The reason an instructor can act on is in the log's ERROR and CRITICAL
records ("No notebooks were matched by ..."), or in the last line of a
traceback nbgrader logged; the traceback ``capture_log`` adds at the end
mostly says "see the error log above". So: the failure records, each cut
to its point and without nbgrader's pointers to the log; else the last line
of the traceback; else of the log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# capture_log's format is "[%(levelname)s] %(message)s"; a record's further lines follow it unmarked.
RECORD = re.compile(r"^\[(DEBUG|INFO|WARNING|ERROR|CRITICAL)\] ?", re.MULTILINE)
FAILURE_LEVELS = ("ERROR", "CRITICAL")
# What nbgrader's converters log around the real reason: where it happened, and where to look.
POINTERS = ("There was an error processing assignment", "Please see the")
NO_REASON = "no reason given"


def log_records(log: str) -> list[tuple[str, str]]:
    """(level, text) of each record of a log captured by ``capture_log``, in order."""
    marks = list(RECORD.finditer(log))
    ends = [mark.start() for mark in marks[1:]] + [len(log)]
    return [(mark[1], log[mark.end():end].strip()) for mark, end in zip(marks, ends)]


def point_of(text: str) -> str:
    """A failure record's point: a traceback's last line (the exception), else the record's first line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[-1] if lines[0].startswith("Traceback") else lines[0]


def nbgrader_reason(result: Mapping[str, object]) -> str:
    """The reason a failed nbgrader call gives (its result dict), one line, repeated reasons said once."""
    reasons: list[str] = []
    for level, text in log_records(str(result.get("log") or "")):
        point = point_of(text) if level in FAILURE_LEVELS else ""
        if point and not point.startswith(POINTERS) and point not in reasons:
            reasons.append(point)
    if reasons:
        return "; ".join(reasons)
    for key in ("error", "log"):
        lines = str(result.get(key) or "").strip().splitlines()
        if lines:
            return lines[-1].strip()
    return NO_REASON
