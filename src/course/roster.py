"""The class list: who is enrolled, under which course id, and how the LMS knows them.

nbgrader's student table holds the id, names, email and one LMS user id; an
LMS's grade import matches rows on further identifiers (Canvas: SIS user id,
SIS login id, section; Moodle: ID number). The imported roster is kept whole
in ``roster.csv`` beside the gradebook, so collecting, exporting and the
Formgrader all read the same class list.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from operator import attrgetter
from pathlib import Path

from course.course_config import load_course_config

ROSTER_FILE = "roster.csv"
# A student id is a folder name under submitted/, feedback/ and the exchange:
# ASCII letters, digits, ".", "_" and "-", starting with a letter or digit, at
# most nbgrader's 128 characters. No space, no path separator, no "+" (the
# exchange's field separator), nothing a shell or another file system reads differently.
USABLE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
# The identifiers an LMS or a list of submissions may name a student by.
IDENTIFIERS = ("student_id", "lms_user_id", "email", "sis_user_id", "sis_login_id", "id_number")


@dataclass(frozen=True)
class RosterEntry:
    """One enrolled student; every field but ``student_id`` may be empty."""

    student_id: str  # the course's id: a folder name in submitted/, never containing a space
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""  # Canvas "ID", Moodle's internal user id (the number in its download folders)
    sis_user_id: str = ""  # Canvas "SIS User ID"
    sis_login_id: str = ""  # Canvas "SIS Login ID"
    section: str = ""  # Canvas "Section"
    id_number: str = ""  # Moodle "ID number"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


COLUMNS = [f.name for f in fields(RosterEntry)]


def roster_path(root: Path) -> Path:
    """``roster.csv`` in the course directory nbgrader is configured with."""
    return Path(load_course_config(root).CourseDirectory.root) / ROSTER_FILE


def load_roster(root: Path) -> dict[str, RosterEntry]:
    """The imported class list by student id; empty when no roster was imported."""
    path = roster_path(root)
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        entries = [RosterEntry(**{k: row.get(k) or "" for k in COLUMNS}) for row in csv.DictReader(handle)]
    return {entry.student_id: entry for entry in entries}


def save_roster(root: Path, entries: list[RosterEntry]) -> Path:
    """Write the class list (sorted by id) where ``load_roster`` reads it."""
    path = roster_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(asdict(entry) for entry in sorted(entries, key=lambda e: e.student_id))
    return path


def normalise_id(text: str) -> str:
    """``text`` made into a usable student id, or "" when nothing of it is usable.

    Accents are dropped (``é`` -> ``e``), letters lower-cased (two ids that
    differ only in case would share a folder on macOS and Windows), every run
    of other characters (spaces, ``@``, ``/``, ``+``, letters with no ASCII form)
    becomes one ``-``, and ``-``, ``.`` and ``_`` are trimmed from both ends.
    """
    return re.sub(r"[^a-z0-9._-]+", "-", _without_accents(text).lower())[:128].strip("-._")


def _without_accents(text: str) -> str:
    """``text`` with its letters' accents dropped (``Å`` -> ``A``); other characters are kept as they are."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def unusable_id(text: str) -> str | None:
    """Why ``text`` cannot be a student id as it stands (it names the character), or None if it can."""
    if USABLE_ID.fullmatch(text):
        return None
    if not text:
        return "an empty student id"
    bad = next((c for c in text if not re.fullmatch(r"[A-Za-z0-9._-]", c)), None)
    if bad is None:  # only usable characters: a bad first one, or too long
        return f"{text!r} is not a usable student id (it must start with a letter or digit and have at most 128 characters)"
    what = "a space" if bad.isspace() else repr(bad)
    return f"{text!r} is not a usable student id (it contains {what})"


def name_key(*parts: str) -> str:
    """Letters and digits of a name, accents dropped and case folded: ``"Díaz, Carol"`` -> ``"diazcarol"``.

    Canvas writes its download names this way (last name first); Moodle
    writes the full name, which is compared in the same form (first name first).
    """
    return re.sub(r"[^a-z0-9]", "", _without_accents("".join(parts)).lower())


def by_key(roster: dict[str, RosterEntry], key: Callable[[RosterEntry], str]) -> dict[str, str]:
    """Each value of ``key`` that names exactly one student, with that student's id.

    Empty values and values two students share name nobody: a look-up must
    never pick one of two students.
    """
    counts = Counter(key(entry) for entry in roster.values())
    return {key(entry): entry.student_id for entry in roster.values() if key(entry) and counts[key(entry)] == 1}


def by_identifier(roster: dict[str, RosterEntry], field: str) -> dict[str, str]:
    """``by_key`` for one field, e.g. ``lms_user_id``."""
    return by_key(roster, attrgetter(field))
