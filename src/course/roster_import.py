"""``course roster import``: an LMS's class list into nbgrader's student table and ``roster.csv``.

Three kinds of file, told apart by their header (``--format auto``):

* **canvas**: the gradebook export (*Grades → Export*): ``Student`` ("Last,
  First"), ``ID``, ``SIS User ID``, ``SIS Login ID``, ``Section``, then one
  column per assignment; rows without an ``ID`` (``Points Possible``, manual
  posting) and Canvas's *Test Student* are not students.
* **moodle**: the grades or participants export (``First name``,
  ``Surname`` or ``Last name``, ``ID number``, ``Email address``, maybe
  ``Username``), or an assignment's grading worksheet (``Identifier``
  "Participant 34567", ``Full name``, ``Email address``): only the worksheet
  holds the user number Moodle puts in its download folder names.
* **csv**: a plain class list with an ``id`` column (or ``student_id``,
  ``username``) and optionally first name, last name, email, and any other
  column of ``roster.csv`` (``lms_user_id``, ``section``, ...).

The student id, a folder name everywhere in the course: the plain CSV's id;
for Canvas the SIS Login ID, else the SIS User ID, else the Canvas ID; for
Moodle the ID number, else the username, else the email address's local
part; an email-like value gives its local part in every case. It is made
usable by ``roster.normalise_id`` (lower case ASCII, no spaces). Two students
that would share an id are refused, with both rows named, before anything is written.

Importing again updates: a row is the same student as a roster entry with
the same id, or with the same LMS user id, SIS id, ID number or email, and
keeps that entry's id. Students of the roster missing from the file are kept.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from nbgrader.api import Gradebook

from course.course_config import ensure_tools_on_path, load_course_config
from course.errors import BadOption, UnusableInput
from course.lms_csv import cell, column_key, read_table
from course.roster import IDENTIFIERS, RosterEntry, by_identifier, load_roster, normalise_id, save_roster

FORMATS = ("auto", "canvas", "moodle", "csv")
# Identifiers that never change for one person: two rows or entries with one
# id and different values of these are two people.
STABLE = ("lms_user_id", "sis_user_id", "id_number")
CANVAS_TEST_STUDENT = "Student, Test"


@dataclass(frozen=True)
class Row:
    """One student as the file has them, with the row it came from (for messages)."""

    line: int
    entry: RosterEntry

    @property
    def label(self) -> str:
        return f"row {self.line} ({self.entry.full_name or self.entry.email or 'no name'})"


def detect_format(columns: set[str]) -> str:
    if {"student", "id"} <= columns and columns & {"sis user id", "sis login id"}:
        return "canvas"
    if columns & {"id", "student id"}:  # Moodle's exports have none ("ID number" is another column)
        return "csv"
    if {"identifier", "full name"} <= columns or ({"first name"} <= columns and columns & {"surname", "last name"}):
        return "moodle"
    raise UnusableInput(
        "not a class list this command reads: its header has neither Canvas's gradebook columns (Student, ID, "
        "SIS User ID, SIS Login ID), Moodle's (First name, Surname, Email address; or Identifier, Full name) "
        "nor an id column (id, first_name, last_name, email)")


def split_full_name(name: str) -> tuple[str, str]:
    """``("Mary Ann", "Lee")`` from ``"Mary Ann Lee"``: the last word is the last name."""
    first, _, last = name.strip().rpartition(" ")
    return (first, last) if first else (last, "")


def local_part(value: str) -> str:
    """An email-like value's part before the ``@``; any other value unchanged."""
    return value.split("@", 1)[0] if "@" in value else value


def first_usable_id(*candidates: str) -> str:
    """The first candidate that still says something once made a usable id ("" when none does)."""
    return next((n for n in (normalise_id(local_part(c)) for c in candidates) if n), "")


def canvas_entry(row: dict[str, str]) -> RosterEntry | None:
    """A Canvas gradebook row as a roster entry; None for rows that are not a student."""
    student = cell(row, "student")
    if not cell(row, "id") or student == CANVAS_TEST_STUDENT:
        return None
    last, comma, first = student.partition(",")
    first, last = (first.strip(), last.strip()) if comma else split_full_name(student)
    login, sis, canvas_id = cell(row, "sis login id"), cell(row, "sis user id"), cell(row, "id")
    return RosterEntry(
        first_usable_id(login, sis, canvas_id), first, last, lms_user_id=canvas_id, sis_user_id=sis,
        sis_login_id=login, section=cell(row, "section"), email=cell(row, "email", "email address"),
    )


def moodle_entry(row: dict[str, str]) -> RosterEntry:
    """A row of Moodle's grades or participants export, or of an assignment's grading worksheet."""
    if cell(row, "full name"):
        first, last = split_full_name(cell(row, "full name"))
    else:
        first, last = cell(row, "first name"), cell(row, "surname", "last name")
    participant = re.search(r"\d+", cell(row, "identifier"))
    email, id_number = cell(row, "email address", "email"), cell(row, "id number")
    return RosterEntry(
        first_usable_id(id_number, cell(row, "username"), email), first, last, email=email,
        lms_user_id=participant.group() if participant else "", id_number=id_number,
    )


ALIASES = {  # plain CSV: the column names each roster field is read from
    "first_name": ("first name", "firstname", "given name"),
    "last_name": ("last name", "lastname", "surname", "family name"),
    "email": ("email", "email address", "e mail"),
}


def csv_entry(row: dict[str, str]) -> RosterEntry:
    """A plain class list's row: the id as given (made usable), the other fields by column name."""
    fields = {f: cell(row, *ALIASES.get(f, (column_key(f),))) for f in asdict(RosterEntry("")) if f != "student_id"}
    return RosterEntry(first_usable_id(cell(row, "id", "student id", "username")), **fields)


READERS = {"canvas": canvas_entry, "moodle": moodle_entry, "csv": csv_entry}
ID_SOURCES = {
    "canvas": "SIS Login ID, else SIS User ID, else ID",
    "moodle": "ID number, else Username, else the email's local part",
    "csv": "the id column",
}


def read_class_list(path: Path, file_format: str = "auto") -> tuple[str, list[Row], dict[int, str]]:
    """The format, the students (one row each, distinct ids) and the rows that are not a student, from the file.

    The rows that are not a student: row number -> the name the row gives.
    Refuses the whole file, naming the rows, when a student has no usable id
    or two students would share one.
    """
    if file_format not in FORMATS:
        raise BadOption(f"unknown class list format {file_format!r}: {', '.join(FORMATS)}")
    table = read_table(path)
    if not table:
        raise UnusableInput(f"{path} has no students")
    if file_format == "auto":
        file_format = detect_format(set().union(*(row.keys() for _, row in table)))
    rows, skipped = [], {}
    for line, cells in table:
        entry = READERS[file_format](cells)
        if entry is None:
            skipped[line] = cell(cells, "student") or "no name"
        else:
            rows.append(Row(line, entry))
    if not rows:
        raise UnusableInput(f"{path}: no row of it is a student of a {file_format} class list "
                          "(--format auto tells the kind from the header)")
    nameless = [row.label for row in rows if not row.entry.student_id]
    if nameless:
        raise UnusableInput(
            f"{path}: no usable student id in {', '.join(nameless)} (ids come from {ID_SOURCES[file_format]})")
    return file_format, distinct(rows, path, file_format), skipped


def same_person(a: RosterEntry, b: RosterEntry) -> bool:
    """No stable identifier (LMS user id, SIS user id, ID number) tells them apart."""
    return all(not getattr(a, f) or not getattr(b, f) or getattr(a, f) == getattr(b, f) for f in STABLE)


def distinct(rows: list[Row], path: Path, file_format: str) -> list[Row]:
    """One row per student id; a student listed twice (one row per section) is kept once."""
    kept: dict[str, Row] = {}
    for row in rows:
        other = kept.get(row.entry.student_id)
        if other is None:
            kept[row.entry.student_id] = row
        elif not same_person(other.entry, row.entry):
            raise UnusableInput(
                f"{path}: {other.label} and {row.label} would both get the student id {row.entry.student_id!r} "
                f"(ids come from {ID_SOURCES[file_format]}): make them distinct in the LMS, "
                "or import a plain CSV with an id column (--format csv)")
    return list(kept.values())


@dataclass
class Merged:
    """The roster after the import, and what the import changed in it."""

    roster: dict[str, RosterEntry]
    new: list[str]
    updated: list[str]
    unchanged: list[str]
    kept: list[str]  # in the roster before, not in the file


def merge(existing: dict[str, RosterEntry], rows: list[Row]) -> Merged:
    """``rows`` folded into ``existing``: a row updates the entry of the same student, or adds one.

    The same student: the same id, else the same stable identifier or email
    (a Moodle export after a Canvas one, say), whose id is then kept. The
    file's empty cells never erase what the roster knows.
    """
    lookups = {f: by_identifier(existing, f) for f in IDENTIFIERS[1:]}
    roster, claimed = dict(existing), {}
    merged = Merged(roster, [], [], [], [])
    for row in rows:
        entry = row.entry
        target = entry.student_id if entry.student_id in existing else next(
            (lookups[f][getattr(entry, f)] for f in IDENTIFIERS[1:] if getattr(entry, f) in lookups[f]), None)
        if target is None:
            roster[entry.student_id] = entry
            merged.new.append(entry.student_id)
            continue
        old = existing[target]
        if not same_person(old, entry) or target in claimed:
            who = claimed.get(target, f"{old.full_name or target} (already in the roster)")
            raise UnusableInput(f"{row.label} and {who} would both be the student {target!r}: "
                              "two people cannot share an id; fix the class list and import it again")
        claimed[target] = row.label
        roster[target] = replace(old, **{f: v for f, v in asdict(entry).items() if v and f != "student_id"})
        (merged.updated if roster[target] != old else merged.unchanged).append(target)
    merged.kept = sorted(set(existing) - set(claimed))
    return merged


def write_students(root: Path, entries: list[RosterEntry], *, db_url: str | None = None) -> None:
    """Names, email and LMS user id into nbgrader's student table (what the Formgrader shows); never erased."""
    ensure_tools_on_path()
    with Gradebook(load_course_config(root, db_url=db_url).CourseDirectory.db_url) as gradebook:
        for entry in entries:
            known = {f: getattr(entry, f) for f in ("first_name", "last_name", "email", "lms_user_id") if getattr(entry, f)}
            gradebook.update_or_create_student(entry.student_id, **known)


@dataclass(frozen=True)
class RosterImport:
    """What an import did: the file read, the students it brought (new, updated, unchanged), where it saved them."""

    source: Path
    file_format: str
    new: list[str]
    updated: list[str]
    unchanged: list[str]
    kept: list[str]  # in the roster before, not in the file: kept as they were
    not_students: dict[int, str]  # row number -> name, of rows that are not a student (Points Possible, Test Student)
    saved: Path  # roster.csv

    @property
    def students(self) -> int:
        """The students of the file."""
        return len(self.new) + len(self.updated) + len(self.unchanged)


def import_roster(*, root: Path, path: Path, file_format: str = "auto", db_url: str | None = None) -> RosterImport:
    """Read the class list at ``path`` into the gradebook and ``roster.csv``."""
    existing = load_roster(root)  # first: outside a course folder, that is the mistake to name
    file_format, rows, skipped = read_class_list(path, file_format)
    merged = merge(existing, rows)
    write_students(root, [merged.roster[s] for s in (*merged.new, *merged.updated, *merged.unchanged)], db_url=db_url)
    saved = save_roster(root, list(merged.roster.values()))
    return RosterImport(path, file_format, merged.new, merged.updated, merged.unchanged, merged.kept, skipped, saved)
