"""``course collect``: bring hand-ins into ``submitted/<student>/<assignment>/``.

Two sources, both through nbgrader so that stock commands agree with the result:

* the exchange inbound (nbgrader's ``ExchangeCollect``: each student's latest
  submission, ``timestamp.txt`` included);
* an LMS download, a ``.zip`` file or a folder (nbgrader's ``zip_collect``:
  archives unpacked, files renamed to the student's folder, the time in the
  file name written to ``timestamp.txt``).

A bad file never stops the batch. Stock ``zip_collect`` aborts the whole run
on a duplicate hand-in without times and stock ``collect`` on one badly named
inbound folder; here every file is judged first, and the ones that cannot be
placed are listed as ``skipped: <name> (<reason>)`` in the summary and logged.
"""

from __future__ import annotations

import logging
import pwd
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from nbgrader.apps.zipcollectapp import ZipCollectApp
from nbgrader.plugins import FileNameCollectorPlugin
from nbgrader.utils import capture_log, parse_utc, temp_attrs
from traitlets import Dict, Unicode
from traitlets.config import Config

from course.course_config import course_directory, load_course_config, nbgrader_logger, open_api
from course.errors import CourseError
from course.release import nbgrader_failure

log = logging.getLogger(__name__)

# Matched (re.search) against each file's path inside the download, with "/"
# separators. Flat names "<student>_<anything>_<file>", where <anything> may
# be a time in LMS_TIME_FORMAT ("<student>_20260302T150000Z_<file>", which
# becomes the submission time), or one folder per student "<student>/<file>".
# Student ids cannot contain "_" in the flat form.
DEFAULT_PATTERN = (
    r"^(?P<student_id>[^/_]+)"
    r"(?:_(?P<timestamp>\d{8}T\d{6}Z)_|_(?:[^/]*_)?|/)"
    r"(?P<file_id>[^/].*)$"
)
SYSTEM_NAMES = ("__MACOSX", "Thumbs.db", "desktop.ini")
DOWNLOAD = "download"  # the name the LMS download gets inside nbgrader's archive folder


@dataclass
class Collected:
    """What a collection did, for the summary line."""

    students: dict[str, str] = field(default_factory=dict)  # student -> what happened
    skipped: list[str] = field(default_factory=list)  # "<name> (<reason>)"

    def skip(self, name: str, reason: str) -> None:
        log.warning("skipped %s (%s)", name, reason)
        self.skipped.append(f"{name} ({reason})")

    def summary(self, what: str) -> str:
        counts: dict[str, int] = {}
        for outcome in self.students.values():
            counts[outcome] = counts.get(outcome, 0) + 1
        done = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
        skipped = f"; skipped: {', '.join(self.skipped)}" if self.skipped else ""
        return f"{what}: {len(self.students)} students ({done or 'none'}){skipped}"


def collect(*, root: Path, assignment: str, zip_source: Path | None = None, pattern: str | None = None) -> str:
    """Collect ``assignment`` from the exchange, or from an LMS download; return a summary line."""
    if zip_source is None:
        if pattern is not None:
            raise CourseError("--pattern reads LMS file names; it needs --zip")
        return collect_exchange(root=root, assignment=assignment)
    return collect_download(root=root, assignment=assignment, source=zip_source, pattern=pattern or DEFAULT_PATTERN)


# -- the exchange -------------------------------------------------------------


def inbound_student(name: str) -> str:
    """The student of an inbound folder name, read the way nbgrader's ``ExchangeCollect`` reads it.

    ``ValueError`` names what nbgrader would choke on (and abort the run for).
    """
    parts = name.rsplit("+", 3)  # <student>+<assignment>+<timestamp>[+<random>]
    if len(parts) < 3:
        raise ValueError("not a <student>+<assignment>+<time> folder")
    try:
        parse_utc(parts[2])
    except (ValueError, OverflowError):
        raise ValueError(f"unreadable submission time {parts[2]!r}") from None
    return parts[0]


def inbound_students(inbound: Path, assignment: str, collected: Collected) -> dict[str, list[Path]]:
    """Each student's inbound folders for ``assignment``; the others are skipped with the reason."""
    students: dict[str, list[Path]] = {}
    for entry in sorted(inbound.glob(f"*+{assignment}+*")):  # the glob nbgrader uses
        try:
            if not entry.is_dir():
                raise ValueError("not a folder")
            students.setdefault(inbound_student(entry.name), []).append(entry)
        except ValueError as reason:
            collected.skip(entry.name, str(reason))
    return students


def owner(path: Path) -> str:
    try:
        return pwd.getpwuid(path.stat().st_uid).pw_name
    except KeyError:
        return f"uid {path.stat().st_uid}"


def collect_exchange(*, root: Path, assignment: str) -> str:
    """nbgrader's collect (latest submission per student; newer ones replace older), one student at a time.

    One call per student keeps a bad inbound folder from stopping everyone
    else's collection: it costs only the student it claims to be from.
    nbgrader's owner check (``ExchangeCollect.check_owner``: is a folder owned
    by the user account of the student it names?) is done here once for the
    class, one warning line in all, instead of four lines per submission on
    every run.
    """
    config = load_course_config(root)
    check_owner = config.ExchangeCollect.get("check_owner", True)
    config.ExchangeCollect.check_owner = False
    api = open_api(config, log)
    inbound = Path(api.exchange_root, api.course_id, "inbound")
    if not inbound.is_dir():
        raise CourseError(f"no exchange inbound at {inbound}: release the assignment first (course release)")
    collected = Collected()
    students = inbound_students(inbound, assignment, collected)
    for student in students:
        folder = api.coursedir.format_path(api.coursedir.submitted_directory, student, assignment)
        before = api.coursedir.get_existing_timestamp(folder) if Path(folder).is_dir() else "new"
        with temp_attrs(api.coursedir, student_id=student):
            result = api.collect(assignment, update=True)
        if not result["success"]:
            collected.skip(student, str(nbgrader_failure(result, "nbgrader collect")))
        elif before == "new":
            collected.students[student] = "new"
        else:
            changed = api.coursedir.get_existing_timestamp(folder) != before
            collected.students[student] = "updated" if changed else "unchanged"
    submitted = Path(api.coursedir.format_path(api.coursedir.submitted_directory, ".", ".")).resolve()
    summary = collected.summary(f"collected {assignment} from the exchange into {submitted}")
    strangers = sorted(s for s, entries in students.items() if any(owner(e) != s for e in entries))
    if check_owner and strangers:
        log.warning("inbound folders owned by another user account than their student's "
                    "(impersonation on a shared exchange? ExchangeCollect.check_owner=False to stop checking): %s",
                    ", ".join(strangers))
        summary += f"; {len(strangers)} owned by another user account than their student's"
    return summary


# -- an LMS download ----------------------------------------------------------


def compile_pattern(pattern: str) -> re.Pattern:
    """The file-name pattern, checked for the groups the collector needs."""
    try:
        regex = re.compile(pattern)
    except re.error as error:
        raise CourseError(f"--pattern is not a regular expression: {error}") from None
    if "student_id" not in regex.groupindex or not {"file_id", "file"} & set(regex.groupindex):
        raise CourseError("--pattern needs the named groups (?P<student_id>...) and (?P<file_id>...) (or file)")
    return regex


def read_name(name: str, pattern: re.Pattern) -> dict[str, str]:
    """nbgrader's collector record for one file of the download (path inside it, "/"-separated).

    ``ValueError`` says why the file cannot be placed.
    """
    parts = PurePosixPath(name).parts
    if any(part.startswith(".") or part in SYSTEM_NAMES for part in parts):
        raise ValueError("hidden or system file")
    match = pattern.search(name)
    if match is None:
        raise ValueError("matches no student in the file-name pattern")
    groups = match.groupdict()
    student, file_id = groups["student_id"], groups.get("file_id") or groups.get("file")
    if not student or student.startswith(".") or "/" in student:
        raise ValueError(f"{student!r} is not a usable student id")
    if not file_id or PurePosixPath(file_id).is_absolute() or ".." in PurePosixPath(file_id).parts:
        raise ValueError(f"{file_id!r} is not a usable file name")
    if PurePosixPath(file_id).name == "timestamp.txt":
        raise ValueError("timestamp.txt is reserved: nbgrader would take it as the submission time")
    record = {"student_id": student, "file_id": file_id}
    if groups.get("timestamp"):
        try:
            parse_utc(groups["timestamp"])
        except (ValueError, OverflowError):
            raise ValueError(f"unreadable submission time {groups['timestamp']!r}") from None
        record["timestamp"] = groups["timestamp"]
    return record


def plan_download(top: Path, pattern: re.Pattern, collected: Collected) -> dict[str, dict[str, str]]:
    """Which file of the unpacked download goes to which student (by path inside ``top``).

    Two files that would land on the same name for the same student: the one
    with the later time in its name wins; without times, the first in name
    order. (Stock ``zip_collect`` aborts the whole run in that case.)
    """
    plan: dict[str, dict[str, str]] = {}
    claimed: dict[tuple[str, str], str] = {}
    for path in sorted(p for p in top.rglob("*") if p.is_file()):
        name = path.relative_to(top).as_posix()
        try:
            record = read_name(name, pattern)
        except ValueError as reason:
            collected.skip(name, str(reason))
            continue
        key = (record["student_id"], PurePosixPath(record["file_id"]).with_suffix(path.suffix).as_posix())
        rival = claimed.get(key)
        if rival is not None and not _later(record, plan[rival]):
            collected.skip(name, f"another {key[1]} from {key[0]}: {rival} is newer or first")
            continue
        if rival is not None:
            collected.skip(rival, f"another {key[1]} from {key[0]}: {name} is newer")
            del plan[rival]
        claimed[key], plan[name] = name, record
    return plan


def _later(record: dict[str, str], other: dict[str, str]) -> bool:
    if "timestamp" not in record or "timestamp" not in other:
        return False
    return parse_utc(record["timestamp"]) > parse_utc(other["timestamp"])


class PlannedCollector(FileNameCollectorPlugin):
    """nbgrader's collector plugin answering from a plan made over the whole download.

    nbgrader asks about one file at a time; deciding duplicates needs all of
    them, so ``collect_download`` plans first and this plugin only looks up.
    """

    top = Unicode()
    plan = Dict()

    def collect(self, submitted_file: str) -> dict | None:
        return self.plan.get(Path(submitted_file).relative_to(self.top).as_posix())


class PlannedZipCollect(ZipCollectApp):
    """nbgrader's ``zip_collect`` for this course that judges the whole download before placing any file.

    It works in ``work`` (the download goes into ``work/archive``, nbgrader
    unpacks it into ``work/extracted``), not in the course directory.
    """

    def __init__(self, *, config: Config, assignment: str, work: Path, pattern: re.Pattern, collected: Collected):
        super().__init__(config=config, log=nbgrader_logger(log))
        self.coursedir = course_directory(config)
        self.coursedir.assignment_id = assignment
        self.collect_directory_structure = str(work / "{collect_step}")
        self.force = True  # a new download replaces what was collected before
        self.collector_plugin = PlannedCollector
        self.archive = work / self.archive_directory
        self.download = work / self.extracted_directory / DOWNLOAD
        self.name_pattern, self.collected = pattern, collected

    def start(self) -> None:
        self.init_plugins()
        self.extract_archive_files()
        self.collector_plugin_inst.top = str(self.download)
        self.collector_plugin_inst.plan = plan_download(self.download, self.name_pattern, self.collected)
        self.process_extracted_files()


def collect_download(*, root: Path, assignment: str, source: Path, pattern: str) -> str:
    """nbgrader's ``zip_collect`` on an LMS download (a ``.zip`` file or a folder).

    A student's earlier collected files are replaced by the new ones.
    """
    regex = compile_pattern(pattern)
    if not (source.is_dir() or (source.is_file() and source.suffix == ".zip")):
        raise CourseError(f"--zip takes a .zip file or a folder; {source} is neither")
    config = load_course_config(root)
    collected = Collected()
    with tempfile.TemporaryDirectory(prefix="course-collect-") as work:
        app = PlannedZipCollect(config=config, assignment=assignment, work=Path(work), pattern=regex,
                                collected=collected)
        if source.is_dir():
            shutil.copytree(source, app.archive / DOWNLOAD)
        else:
            app.archive.mkdir()
            shutil.copy(source, app.archive / f"{DOWNLOAD}.zip")
        result = capture_log(app)
    if not result["success"]:
        raise nbgrader_failure(result, "nbgrader zip_collect")
    for record in app.collector_plugin_inst.plan.values():
        collected.students[record["student_id"]] = "collected"
    submitted = Path(app.coursedir.format_path(app.coursedir.submitted_directory, ".", ".")).resolve()
    return collected.summary(f"collected {assignment} from {source} into {submitted}")
