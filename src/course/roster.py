"""The class list: who is enrolled, under which course id, and how the LMS knows them.

nbgrader's student table holds the id, names, email and one LMS user id; an
LMS's grade import matches rows on further identifiers (Canvas: SIS user id,
SIS login id, section; Moodle: ID number). The imported roster is kept whole
in ``roster.csv`` beside the gradebook, so collecting, exporting and the
Formgrader all read the same class list.
"""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from course.course_config import load_course_config

ROSTER_FILE = "roster.csv"


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
