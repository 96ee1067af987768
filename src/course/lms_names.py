"""What the file names of an LMS download say: who handed a file in, which file it is, and when.

Three layouts, read from a file's path inside the download ("/"-separated):

* **Moodle** (*Download all submissions*): ``Carol Diaz_34567_assignsubmission_file_/compression.ipynb``,
  or flat, ``Carol Diaz_34567_assignsubmission_file_compression.ipynb``: the
  student's full name, Moodle's user (or blind-marking participant) number, the plugin.
* **Canvas**: ``diazcarol_34567_1234567_compression.ipynb``, or with
  ``_LATE_`` after the name: Canvas's name for the student (last and first
  name run together; empty when none of its letters is ASCII), the Canvas user id, the submission id, the file as
  uploaded. A notebook uploaded again is renamed ``compression-1.ipynb``;
  the ``-1`` is dropped so nbgrader finds the released notebook's name.
* **plain**: ``<student>/<file>``, ``<student>_<file>``, ``<student>_<anything>_<file>``
  and ``<student>_<YYYYmmddTHHMMSSZ>_<file>`` (the time of the hand-in), the
  student id as written (``DEFAULT_PATTERN``; ``_`` cannot be part of it in the flat forms).

The Canvas and Moodle names carry no student id, only the LMS's user id and
a name: ``lms_download`` matches them against the roster. Wrapper folders
around hand-ins (``submissions/eve/compression.ipynb``) are recognised by
``unwrap`` and never taken for a student.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

from nbgrader.utils import parse_utc

# Matched (re.search) against each file's path inside the download. Flat names
# "<student>_<anything>_<file>", where <anything> may be a time in
# the form %Y%m%dT%H%M%SZ (then the submission time), or one folder per
# student "<student>/<file>". Student ids cannot contain "_" in the flat form.
DEFAULT_PATTERN = (
    r"^(?P<student_id>[^/_]+)"
    r"(?:_(?P<timestamp>\d{8}T\d{6}Z)_|_(?:[^/]*_)?|/)"
    r"(?P<file_id>[^/].*)$"
)
MOODLE = re.compile(r"^(?P<name>[^/]+?)_(?P<user>\d+)_assignsubmission_[a-z]+_/?(?P<file>[^/].*)$")
CANVAS = re.compile(r"^(?P<name>[^/_]*)_(?:(?P<late>LATE)_)?(?P<user>\d+)_\d+_(?P<file>[^/]+)$")
CANVAS_RESUBMISSION = re.compile(r"^(?P<stem>.+)-\d+(?P<suffix>\.ipynb)$")
SYSTEM_NAMES = ("__MACOSX", "Thumbs.db", "desktop.ini")
LAYOUT_NAMES = {"canvas": "Canvas", "moodle": "Moodle"}


@dataclass(frozen=True)
class HandIn:
    """One file of a download as its name describes it."""

    layout: str  # "canvas", "moodle" or "plain"
    who: str  # plain: the student id as written; canvas, moodle: the LMS's name for the student
    file_id: str  # the file's path in the student's hand-in
    lms_user_id: str = ""  # canvas, moodle: the LMS's number for the student
    timestamp: str = ""  # the submission time the name carries (plain names only)
    late: bool = False  # Canvas's LATE marker

    def describe(self) -> str:
        """How the name refers to the student, for messages: ``Canvas user 34567 ('diazcarol')``."""
        if self.layout == "plain":
            return repr(self.who)
        return f"{LAYOUT_NAMES[self.layout]} user {self.lms_user_id} ({self.who!r})"


def is_hidden(name: str) -> bool:
    """A file no student handed in: dot files and folders (``.ipynb_checkpoints``), ``__MACOSX/`` and the like."""
    return any(part.startswith(".") or part in SYSTEM_NAMES for part in PurePosixPath(name).parts)


def read_pattern(name: str, pattern: re.Pattern) -> HandIn:
    """A name read with a ``student_id``/``file_id`` (or ``file``) pattern, such as ``DEFAULT_PATTERN`` or ``--pattern``.

    ``ValueError`` says why the file cannot be placed.
    """
    match = pattern.search(name)
    if match is None:
        raise ValueError("matches no student in the file-name pattern")
    groups = match.groupdict()
    student, file_id = groups["student_id"] or "", groups.get("file_id") or groups.get("file") or ""
    if not student or student.startswith(".") or "/" in student:
        raise ValueError(f"{student!r} is not a usable student id")
    timestamp = groups.get("timestamp") or ""
    if timestamp:
        try:
            parse_utc(timestamp)
        except (ValueError, OverflowError):
            raise ValueError(f"unreadable submission time {timestamp!r}") from None
    return checked(HandIn("plain", student, file_id, timestamp=timestamp))


def read_hand_in(name: str) -> HandIn:
    """What the name of one (not hidden) file of a download says, in whichever layout it is written.

    ``ValueError`` says why the file cannot be placed.
    """
    if match := MOODLE.match(name):
        return checked(HandIn("moodle", match["name"], match["file"], match["user"]))
    if match := CANVAS.match(name):
        resubmitted = CANVAS_RESUBMISSION.match(match["file"])
        file_id = resubmitted["stem"] + resubmitted["suffix"] if resubmitted else match["file"]
        return checked(HandIn("canvas", match["name"], file_id, match["user"], late=bool(match["late"])))
    try:
        return read_pattern(name, re.compile(DEFAULT_PATTERN))
    except ValueError as reason:
        if "matches no student" in str(reason):
            raise ValueError("names no student: neither <student>/<file>, <student>_<file> "
                             "nor a Canvas or Moodle download name") from None
        raise


def checked(hand_in: HandIn) -> HandIn:
    """``hand_in`` if its file can go into a student's folder; ``ValueError`` otherwise."""
    if any(part in ("", ".", "..") for part in hand_in.file_id.split("/")):  # also "" and an absolute path
        raise ValueError(f"{hand_in.file_id!r} is not a usable file name")
    if PurePosixPath(hand_in.file_id).name == "timestamp.txt":
        raise ValueError("timestamp.txt is reserved: nbgrader would take it as the submission time")
    return hand_in


def names_someone(name: str) -> bool:
    try:
        read_hand_in(name)
    except ValueError:
        return False
    return True


def unwrap(names: list[str], is_student: Callable[[str], bool]) -> dict[str, str]:
    """Each name without the wrapper folders around it: ``submissions/eve/compression.ipynb`` -> ``eve/compression.ipynb``.

    A top folder is a wrapper when it is not a student (``is_student``: a
    roster id; nor a Moodle student folder) and every file directly in it
    names a student itself (a Canvas name, say), or it holds folders only.
    A student's own folder holds a file that names nobody: ``eve/compression.ipynb``.
    Each top folder is judged on its own, and what a wrapper holds in turn.
    """
    inner = {name: name for name in names if "/" not in name}
    tops: dict[str, list[str]] = {}
    for name in names:
        if "/" in name:
            top, rest = name.split("/", 1)
            tops.setdefault(top, []).append(rest)
    for top, rests in tops.items():
        direct = [rest for rest in rests if "/" not in rest]
        if is_student(top) or MOODLE.match(f"{top}/x") or not all(names_someone(d) for d in direct):
            inner.update({f"{top}/{rest}": f"{top}/{rest}" for rest in rests})
        else:
            inner.update({f"{top}/{rest}": name for rest, name in unwrap(rests, is_student).items()})
    return inner
