"""Which file of an LMS download goes to which student, judged over the whole download before any is placed.

Every file is either placed (a record for nbgrader's collector: student id,
file id, maybe a time) or skipped with a reason; none is dropped unsaid.
With a roster, every student id comes from it: a Canvas or Moodle name by
the LMS's user id (else by a full name only one roster student has), a plain
name by the roster id it spells. Without one, a plain name's id is used as
written if it is usable (``roster.unusable_id``), and Canvas and Moodle names,
which carry no student id, wait for ``course roster import``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from nbgrader.utils import parse_utc

from course.lms_names import HandIn, is_hidden, read_hand_in, read_pattern, unwrap
from course.roster import RosterEntry, by_identifier, by_key, name_key, normalise_id, unusable_id


@dataclass
class Plan:
    """The download judged: what goes where, what cannot go anywhere and why."""

    records: dict[str, dict[str, str]] = field(default_factory=dict)  # path in the download -> collector record
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    by_name: set[str] = field(default_factory=set)  # students found by their name only
    marked_late: set[str] = field(default_factory=set)  # Canvas's LATE marker

    @property
    def students(self) -> set[str]:
        return {record["student_id"] for record in self.records.values()}


class Matcher:
    """Finds the student a hand-in's name refers to: in the roster if there is one."""

    def __init__(self, roster: dict[str, RosterEntry]) -> None:
        self.roster = roster
        self.by_lms_id = by_identifier(roster, "lms_user_id")
        # Moodle writes the full name first name first, Canvas last name first.
        self.by_name = {"moodle": by_key(roster, lambda e: name_key(e.first_name, e.last_name)),
                        "canvas": by_key(roster, lambda e: name_key(e.last_name, e.first_name))}

    def is_student(self, folder: str) -> bool:
        return normalise_id(folder) in self.roster

    def student(self, hand_in: HandIn) -> tuple[str, bool]:
        """The student id, and whether it was found by name only; ``ValueError`` says why there is none."""
        if hand_in.layout == "plain":
            return self.plain_student(hand_in.who), False
        if not self.roster:
            raise ValueError(f"{hand_in.describe()}: an LMS's file names carry no student id; import the "
                             "class list first (course roster import FILE) to match its users to students")
        if hand_in.lms_user_id in self.by_lms_id:
            return self.by_lms_id[hand_in.lms_user_id], False
        by_name = self.by_name[hand_in.layout].get(name_key(hand_in.who))
        if by_name is not None and not self.roster[by_name].lms_user_id:
            return by_name, True
        raise ValueError(f"{hand_in.describe()} is not in the roster")

    def plain_student(self, written: str) -> str:
        if not self.roster:
            if reason := unusable_id(written):
                raise ValueError(reason)
            return written
        if normalise_id(written) not in self.roster:
            raise ValueError(f"{written!r} is not in the roster")
        return normalise_id(written)


def plan_download(names: list[str], roster: dict[str, RosterEntry], pattern: re.Pattern | None = None) -> Plan:
    """Judge every file of the download (its paths inside it): whose it is and under which name it goes.

    ``pattern`` (``--pattern``) replaces the layouts: then every name is read
    with it as a plain name. Two files that would land on the same name for
    the same student: the one with the later time in its name wins; without
    times, the first in name order. (Stock ``zip_collect`` aborts the whole
    run in that case.)
    """
    plan = Plan()
    matcher = Matcher(roster)
    visible = [name for name in sorted(names) if not is_hidden(name)]
    plan.skipped.extend((name, "hidden or system file") for name in sorted(names) if is_hidden(name))
    inner = unwrap(visible, matcher.is_student) if pattern is None else {name: name for name in visible}
    read: Callable[[str], HandIn] = read_hand_in if pattern is None else (lambda n: read_pattern(n, pattern))
    claimed: dict[tuple[str, str], str] = {}
    for name in visible:
        try:
            hand_in = read(inner[name])
            student, by_name = matcher.student(hand_in)
        except ValueError as reason:
            plan.skipped.append((name, str(reason)))
            continue
        record = {"student_id": student, "file_id": hand_in.file_id}
        if hand_in.timestamp:
            record["timestamp"] = hand_in.timestamp
        key = (student, PurePosixPath(hand_in.file_id).with_suffix(PurePosixPath(name).suffix).as_posix())
        rival = claimed.get(key)
        if rival is not None and not later(record, plan.records[rival]):
            plan.skipped.append((name, f"another {key[1]} from {student}: {rival} is newer or first"))
            continue
        if rival is not None:
            plan.skipped.append((rival, f"another {key[1]} from {student}: {name} is newer"))
            del plan.records[rival]
        claimed[key], plan.records[name] = name, record
        if by_name:
            plan.by_name.add(student)
        if hand_in.late:
            plan.marked_late.add(student)
    return plan


def later(record: dict[str, str], other: dict[str, str]) -> bool:
    if "timestamp" not in record or "timestamp" not in other:
        return False
    return parse_utc(record["timestamp"]) > parse_utc(other["timestamp"])
