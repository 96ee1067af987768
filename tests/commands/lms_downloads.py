"""LMS files written the way Canvas and Moodle write them: class lists, submission downloads, submission lists.

The roster and collect tests build them from one small class (``CLASS``) so
that each test states only what differs: who hands in, late, twice, inside a
wrapper folder. The layouts follow what the LMSes document and what was seen
in real downloads (../shared/FIELD-NOTES.md): Canvas's gradebook export with
its *Points Possible* row and UTF-8 byte order mark, Moodle's grades export
and grading worksheet, Canvas's flat ``lastfirst_userid_submissionid_file``
names and Moodle's ``Full Name_ID_assignsubmission_file_/`` folders.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from course.roster import name_key

NOTEBOOK = "compression.ipynb"


@dataclass(frozen=True)
class Person:
    """A student as both LMSes know them (the class is never on both; the tests use one at a time)."""

    first: str
    last: str
    email: str
    canvas_id: str
    sis_user_id: str
    sis_login_id: str
    section: str
    moodle_id: str
    id_number: str

    @property
    def canvas_name(self) -> str:
        """Canvas's name in its download's file names: last and first name run together, lower case."""
        return name_key(self.last, self.first)

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"


CLASS = [
    Person("Carol", "Díaz", "Carol.Diaz@uni.example", "34567", "S-0001", "cdiaz", "Section A", "501", "ID-0001"),
    Person("Eve", "Ng", "eve@uni.example", "34568", "S-0002", "eve.ng@uni.example", "Section A", "502", ""),
    Person("Zoë", "Ådahl", "zoe@uni.example", "34569", "S-0003", "", "Section B", "503", "ID-0003"),
    Person("Mary Ann", "Lee", "mal@uni.example", "34570", "", "", "Section B", "504", ""),
    Person("Fay", "Fox", "fay@uni.example", "34571", "S-0005", "ffox", "Section A", "505", "ID-0005"),
]
CAROL, EVE, ZOE, MARY, FAY = CLASS
# The student ids the roster gives them: Canvas (SIS Login ID, else SIS User ID, else ID; an email's local part)
CANVAS_IDS = {CAROL: "cdiaz", EVE: "eve.ng", ZOE: "s-0003", MARY: "34570", FAY: "ffox"}
# ... and Moodle, from the grades export or the grading worksheet (ID number, else username, else the email's local part)
MOODLE_IDS = {CAROL: "id-0001", EVE: "eve", ZOE: "id-0003", MARY: "mal", FAY: "id-0005"}


def write_csv(path: Path, rows: list[list[str]], *, bom: bool = True) -> Path:
    """``rows`` as the LMSes write CSV: UTF-8 with a byte order mark, every field quoted."""
    text = io.StringIO()
    csv.writer(text, quoting=csv.QUOTE_ALL).writerows(rows)
    path.write_text(("\ufeff" if bom else "") + text.getvalue(), encoding="utf-8", newline="")
    return path


def canvas_gradebook(path: Path, people: list[Person] = CLASS) -> Path:
    """Canvas's *Grades → Export*: identity columns, assignment and total columns, the Points Possible row."""
    header = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Compression (123456)",
              "Assignments Current Score", "Current Score"]
    rows = [header, ["    Points Possible", "", "", "", "", "87.00", "(read only)", "(read only)"]]
    rows += [[f"{p.last}, {p.first}", p.canvas_id, p.sis_user_id, p.sis_login_id, p.section, "", "", ""] for p in people]
    rows.append(["Student, Test", "99999", "", "", "Section A", "", "", ""])  # Canvas's Student View user
    return write_csv(path, rows)


def moodle_grades(path: Path, people: list[Person] = CLASS) -> Path:
    """Moodle's grades export (plain text file): names, ID number, email, then one column per grade item."""
    header = ["First name", "Surname", "ID number", "Institution", "Department", "Email address",
              "Assignment: Compression (Real)", "Last downloaded from this course"]
    rows = [header] + [[p.first, p.last, p.id_number, "Uni", "CS", p.email, "-", "1772467200"] for p in people]
    return write_csv(path, rows, bom=False)


def moodle_worksheet(path: Path, people: list[Person] = CLASS, submitted: dict[Person, str] | None = None) -> Path:
    """An assignment's *Download grading worksheet*: "Participant N" (the number in its download's folder names).

    ``submitted``: the people who handed in, with the time as Moodle writes it.
    """
    submitted = submitted or {}
    header = ["Identifier", "Full name", "ID number", "Email address", "Status", "Grade", "Maximum Grade",
              "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments"]
    rows = [header] + [
        [f"Participant {p.moodle_id}", p.full_name, p.id_number, p.email,
         "Submitted for grading" if p in submitted else "No submission", "", "87.00", "Yes",
         submitted.get(p, "-"), "-", ""]
        for p in people
    ]
    return write_csv(path, rows)


def canvas_name(person: Person, file: str, *, late: bool = False, submission: int = 1) -> str:
    """``diazcarol_34567_1234567_compression.ipynb``, with ``LATE_`` after the name for a late hand-in."""
    return f"{person.canvas_name}_{'LATE_' if late else ''}{person.canvas_id}_{1234500 + submission}_{file}"


def moodle_name(person: Person, file: str, *, folders: bool = True) -> str:
    """``Carol Díaz_501_assignsubmission_file_/compression.ipynb`` (flat without the ``/`` when not in folders)."""
    return f"{person.full_name}_{person.moodle_id}_assignsubmission_file_{'/' if folders else ''}{file}"


def hand_in_bytes(name: str) -> bytes:
    """Content that says which file of the download it was, so every file can be traced to where it landed."""
    return f'{{"handed in as": "{name}"}}'.encode()


def write_download(path: Path, names: list[str]) -> Path:
    """A download holding ``names`` (each with ``hand_in_bytes``): a ``.zip`` file, or a folder."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w") as archive:
            for name in names:
                archive.writestr(name, hand_in_bytes(name))
    else:
        for name in names:
            (path / name).parent.mkdir(parents=True, exist_ok=True)
            (path / name).write_bytes(hand_in_bytes(name))
    return path


def submission_list(path: Path, rows: list[tuple[str, str]], who: str = "ID", when: str = "submitted_at") -> Path:
    """A list of submissions: a student column and a time column."""
    return write_csv(path, [[who, when], *map(list, rows)], bom=False)
