"""``course collect --zip ... --times FILE``: submission times from the LMS's list of submissions.

Canvas names its download's files without a time and Moodle's folders carry
none either, so nbgrader would see no submission time and no late penalty
could apply. The LMS lists the times elsewhere: Moodle's grading worksheet
(``Identifier`` "Participant 34567", ``Email address``, ``Last modified
(submission)``), Canvas's submissions (``submitted_at`` through its API or a
report), or any CSV with a column naming the student and one with the time.

The student column may hold the student id, the LMS user id (``ID``,
``Identifier``), an SIS id, the ID number or the email address: whichever the
roster knows. Times without a zone are read in nbgrader's ``Exchange.timezone``
(UTC unless configured); a date like ``02/03/2026`` that reads differently
day-first and month-first is refused, not guessed.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

from dateutil import parser as dateparser
from dateutil.tz import gettz

from course.errors import CourseError
from course.lms_csv import cell, read_table
from course.roster import IDENTIFIERS, RosterEntry, by_identifier, unusable_id

STUDENT_COLUMNS = ("student id", "student", "id", "identifier", "lms user id", "user id", "sis user id",
                   "sis login id", "id number", "username", "email", "email address")
TIME_COLUMNS = ("submitted at", "submitted", "submission time", "last modified (submission)", "timestamp", "time")
NOT_SUBMITTED = ("", "-", "never")
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S UTC"  # what nbgrader's parse_utc reads back


def parse_time(text: str, zone: str) -> datetime:
    """``text`` as a UTC time; ``ValueError`` if it is no time or an ambiguous date.

    A date that starts with the year is year-month-day (ISO 8601, Canvas's
    ``submitted_at``); others must read the same day-first and month-first
    (Moodle writes the month's name).
    """
    if re.match(r"\d{4}[-/]", text):
        time = dateparser.parse(text, yearfirst=True, dayfirst=False)
    else:
        time, day_first = dateparser.parse(text), dateparser.parse(text, dayfirst=True)
        if time != day_first:
            raise ValueError(f"{text!r} is ambiguous ({time:%d %B} or {day_first:%d %B}): "
                             "write times as 2026-03-02 15:00 UTC")
    if time.tzinfo is None:
        time = time.replace(tzinfo=gettz(zone))
    return time.astimezone(timezone.utc)


def student_lookup(roster: dict[str, RosterEntry]) -> dict[str, str]:
    """Every identifier that names exactly one roster student (any kind of it), with the student's id."""
    lookup: dict[str, str] = {}
    for field in reversed(IDENTIFIERS):  # the student id wins over a look-alike value of another field
        lookup.update(by_identifier(roster, field))
    return lookup


def read_times(path: Path, roster: dict[str, RosterEntry], zone: str = "UTC") -> tuple[dict[str, datetime], list[str]]:
    """Each student's latest submission time in the list at ``path``, and the rows that name no known student.

    Rows without a time (Moodle's "No submission", "-") are not submissions
    and are passed over. A time that cannot be read stops the collection:
    a wrong time would cost a student a late penalty, or waive one.
    """
    table = read_table(path)
    columns = set().union(*(row.keys() for _, row in table)) if table else set()
    who_columns = [c for c in STUDENT_COLUMNS if c in columns]
    when_columns = [c for c in TIME_COLUMNS if c in columns]
    if not who_columns or not when_columns:
        raise CourseError(f"{path}: --times needs a column naming the student ({', '.join(STUDENT_COLUMNS)}) "
                          f"and one with the time ({', '.join(TIME_COLUMNS)})")
    lookup = student_lookup(roster)
    times: dict[str, datetime] = {}
    unknown: list[str] = []
    for line, row in table:
        when = cell(row, *when_columns)
        if when.casefold() in NOT_SUBMITTED or cell(row, "status").casefold().startswith("no submission"):
            continue
        names = [cell(row, c) for c in who_columns if cell(row, c)]
        student = next((found for found in map(lambda n: known_student(n, lookup, roster), names) if found), None)
        if student is None:
            unknown.append(f"row {line} ({', '.join(names) or 'no student'})")
            continue
        try:
            time = parse_time(when, zone)
        except (ValueError, OverflowError) as error:
            raise CourseError(f"{path}, row {line}: unreadable submission time: {error}") from None
        times[student] = max(time, times.get(student, time))
    return times, unknown


def known_student(name: str, lookup: dict[str, str], roster: dict[str, RosterEntry]) -> str | None:
    """The student ``name`` (an id, an LMS id, "Participant 34567", an email) refers to, or None."""
    participant = re.fullmatch(r"Participant (\d+)", name)
    value = participant.group(1) if participant else name
    if roster:
        return lookup.get(value)
    return None if unusable_id(value) else value


def as_timestamp(time: datetime) -> str:
    """A time as the collector's ``timestamp``, which nbgrader writes into ``timestamp.txt``."""
    return time.astimezone(timezone.utc).strftime(TIMESTAMP_FORMAT)
