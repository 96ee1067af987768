"""``course collect``: bring hand-ins into ``submitted/<student>/<assignment>/``.

Two sources, both through nbgrader so that stock commands agree with the result:

* the exchange inbound (nbgrader's ``ExchangeCollect``: each student's latest
  submission, ``timestamp.txt`` included);
* an LMS download, a ``.zip`` file or a folder (nbgrader's ``zip_collect``:
  archives unpacked, files renamed to the student's folder, the time in the
  file name or in the LMS's list of submissions (``--times``) written to
  ``timestamp.txt``). Canvas, Moodle and plain layouts are read
  (``course.lms_names``) and matched against the roster (``course.lms_download``);
  roster students with nothing collected are named, and so are students
  without a submission time, to whom no late penalty can apply.

A bad file never stops the batch. Stock ``zip_collect`` aborts the whole run
on a duplicate hand-in without times and stock ``collect`` on one badly named
inbound folder; here every file is judged first, and the ones that cannot be
placed are listed with the reason in the result (``CollectResult.skipped``) and logged.
"""

from __future__ import annotations

import logging
import pwd
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dateutil.tz import gettz
from nbgrader.apps.zipcollectapp import ZipCollectApp
from nbgrader.plugins import FileNameCollectorPlugin
from nbgrader.utils import capture_log, parse_utc, temp_attrs
from traitlets import Dict, Unicode
from traitlets.config import Config

from course.course_config import (
    course_directory, exchange_folder, load_course_config, nbgrader_logger, open_api, step_folder,
)
from course.errors import BadOption, CourseError, NbgraderFailed, NothingToDo, UnusableInput
from course.lms_download import Plan, plan_download
from course.nbgrader_reason import nbgrader_reason
from course.results import students_in_step
from course.roster import load_roster
from course.submission_times import as_timestamp, read_times
from course.wording import plural

log = logging.getLogger(__name__)

DOWNLOAD = "download"  # the name the LMS download gets inside nbgrader's archive folder


@dataclass(frozen=True)
class CollectResult:
    """What a collection did, student by student, and what the instructor should know about it.

    The fields after ``skipped`` are left empty by the source they do not apply to.
    """

    assignment: str
    source: Path | None  # the LMS download; None: the exchange
    submitted: Path  # where the submissions went (CourseDirectory.submitted_directory)
    students: dict[str, str]  # student -> "new", "updated", "unchanged" (exchange) or "collected" (download)
    skipped: dict[str, str]  # inbound folder, student or file of the download -> why it was not collected
    foreign_owned: list[str] = field(default_factory=list)  # exchange: inbound folders another user account owns
    missing: list[str] = field(default_factory=list)  # roster students with nothing collected
    by_name: list[str] = field(default_factory=list)  # students found by their name only
    times: Path | None = None  # the LMS's list of submissions (--times)
    timed: list[str] = field(default_factory=list)  # students whose submission time came from ``times``
    unknown_rows: list[str] = field(default_factory=list)  # rows of ``times`` naming no known student
    undated: list[str] = field(default_factory=list)  # students without a submission time: no late penalty applies
    marked_late: list[str] = field(default_factory=list)  # students Canvas marked late


def skip(skipped: dict[str, str], name: str, reason: str) -> None:
    """Note what could not be collected and why; logged at once, so that a long run shows it as it goes."""
    log.warning("skipped %s (%s)", name, reason)
    skipped[name] = reason


def collect(*, root: Path, assignment: str, zip_source: Path | None = None, pattern: str | None = None,
            times: Path | None = None, db_url: str | None = None) -> CollectResult:
    """Collect ``assignment`` from the exchange, or from an LMS download.

    ``NothingToDo`` when there is nothing to collect, saying what to do;
    ``BadOption`` for options that do not go together.
    """
    if zip_source is None:
        if pattern is not None:
            raise BadOption("--pattern reads LMS file names; it needs --zip")
        if times is not None:
            raise BadOption("--times gives the submission times of an LMS download; it needs --zip")
        return collect_exchange(root=root, assignment=assignment, db_url=db_url)
    return collect_download(root=root, assignment=assignment, source=zip_source, pattern=pattern, times=times,
                            db_url=db_url)


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


def inbound_students(inbound: Path, assignment: str, skipped: dict[str, str]) -> dict[str, list[Path]]:
    """Each student's inbound folders for ``assignment``; the others are ``skipped`` with the reason."""
    students: dict[str, list[Path]] = {}
    for entry in sorted(inbound.glob(f"*+{assignment}+*")):  # the glob nbgrader uses
        try:
            if not entry.is_dir():
                raise ValueError("not a folder")
            students.setdefault(inbound_student(entry.name), []).append(entry)
        except ValueError as reason:
            skip(skipped, entry.name, str(reason))
    return students


def owner(path: Path) -> str:
    try:
        return pwd.getpwuid(path.stat().st_uid).pw_name
    except KeyError:
        return f"uid {path.stat().st_uid}"


def collect_exchange(*, root: Path, assignment: str, db_url: str | None = None) -> CollectResult:
    """nbgrader's collect (latest submission per student; newer ones replace older), one student at a time.

    One call per student keeps a bad inbound folder from stopping everyone
    else's collection: it costs only the student it claims to be from.
    nbgrader's owner check (``ExchangeCollect.check_owner``: is a folder owned
    by the user account of the student it names?) is done here once for the
    class, one warning line in all, instead of four lines per submission on
    every run.
    """
    config = load_course_config(root, db_url=db_url)
    check_owner = config.ExchangeCollect.get("check_owner", True)
    config.ExchangeCollect.check_owner = False
    api = open_api(config, log)
    inbound = exchange_folder(config, "inbound")
    if not inbound.is_dir():
        raise NothingToDo(f"no exchange inbound at {inbound}: release the assignment first (course release)")
    skipped: dict[str, str] = {}
    students = inbound_students(inbound, assignment, skipped)
    if not students:
        reasons = "; ".join(f"{name} ({reason})" for name, reason in skipped.items())
        raise NothingToDo(f"nothing to collect: no usable submission of {assignment} in the exchange inbound {inbound}"
                          + (f" ({reasons})" if reasons else "")
                          + f"; students hand in with `nbgrader submit {assignment}`, "
                          "an LMS download is collected with --zip FILE")
    outcomes: dict[str, str] = {}
    for student in students:
        folder = str(step_folder(config, "submitted", student, assignment))
        before = api.coursedir.get_existing_timestamp(folder) if Path(folder).is_dir() else "new"
        with temp_attrs(api.coursedir, student_id=student):
            result = api.collect(assignment, update=True)
        if not result["success"]:
            skip(skipped, student, f"nbgrader collect failed: {nbgrader_reason(result)}")
        elif before == "new":
            outcomes[student] = "new"
        else:
            changed = api.coursedir.get_existing_timestamp(folder) != before
            outcomes[student] = "updated" if changed else "unchanged"
    strangers = sorted(s for s, entries in students.items() if any(owner(e) != s for e in entries)) if check_owner else []
    if strangers:
        log.warning("inbound folders owned by another user account than their student's "
                    "(impersonation on a shared exchange? ExchangeCollect.check_owner=False to stop checking): %s",
                    ", ".join(strangers))
    submitted = step_folder(config, "submitted", ".", ".").resolve()
    return CollectResult(assignment, None, submitted, outcomes, skipped, foreign_owned=strangers)


# -- an LMS download ----------------------------------------------------------


def compile_pattern(pattern: str) -> re.Pattern:
    """The file-name pattern, checked for the groups the collector needs."""
    try:
        regex = re.compile(pattern)
    except re.error as error:
        raise BadOption(f"--pattern is not a regular expression: {error}") from None
    if "student_id" not in regex.groupindex or not {"file_id", "file"} & set(regex.groupindex):
        raise BadOption("--pattern needs the named groups (?P<student_id>...) and (?P<file_id>...) (or file)")
    return regex


class PlannedCollector(FileNameCollectorPlugin):
    """nbgrader's collector plugin answering from a plan made over the whole download.

    nbgrader asks about one file at a time; deciding duplicates and wrapper
    folders needs all of them, so ``PlannedZipCollect`` plans first and this
    plugin only looks up.
    """

    top = Unicode()
    plan = Dict()

    def collect(self, submitted_file: str) -> dict | None:
        return self.plan.get(Path(submitted_file).relative_to(self.top).as_posix())


class PlannedZipCollect(ZipCollectApp):
    """nbgrader's ``zip_collect`` for this course that judges the whole download before placing any file.

    It works in ``work`` (the download goes into ``work/archive``, nbgrader
    unpacks it into ``work/extracted``), not in the course directory.
    ``make_plan`` judges the unpacked files' paths; the plan is kept in ``plan``.
    """

    def __init__(self, *, config: Config, assignment: str, work: Path, make_plan: Callable[[list[str]], Plan]):
        super().__init__(config=config, log=nbgrader_logger(log))
        self.coursedir = course_directory(config)
        self.coursedir.assignment_id = assignment
        self.collect_directory_structure = str(work / "{collect_step}")
        self.force = True  # a new download replaces what was collected before
        self.collector_plugin = PlannedCollector
        self.archive = work / self.archive_directory
        self.download = work / self.extracted_directory / DOWNLOAD
        self.make_plan = make_plan
        self.plan = Plan()

    def start(self) -> None:
        self.init_plugins()
        self.extract_archive_files()
        names = [p.relative_to(self.download).as_posix() for p in self.download.rglob("*") if p.is_file()]
        self.plan = self.make_plan(names)
        self.collector_plugin_inst.top = str(self.download)
        self.collector_plugin_inst.plan = self.plan.records
        self.process_extracted_files()


def collect_download(*, root: Path, assignment: str, source: Path, pattern: str | None = None,
                     times: Path | None = None, db_url: str | None = None) -> CollectResult:
    """nbgrader's ``zip_collect`` on an LMS download (a ``.zip`` file or a folder), matched against the roster.

    A student's earlier collected files are replaced by the new ones.
    ``times`` (the LMS's list of submissions) gives submission times the
    download's names lack; its times win over those in the names.
    """
    regex = compile_pattern(pattern) if pattern is not None else None
    if not (source.is_dir() or (source.is_file() and source.suffix == ".zip")):
        raise UnusableInput(f"--zip takes a .zip file or a folder; {source} is neither")
    config = load_course_config(root, db_url=db_url)
    roster = load_roster(root)
    zone = config.Exchange.get("timezone", "UTC")
    if times is not None and gettz(zone) is None:
        raise CourseError(f"unknown time zone {zone!r} in Exchange.timezone (nbgrader_config.py)")
    listed, unknown = read_times(times, roster, zone) if times is not None else ({}, [])

    def make_plan(names: list[str]) -> Plan:
        plan = plan_download(names, roster, regex)
        for record in plan.records.values():
            if record["student_id"] in listed:
                record["timestamp"] = as_timestamp(listed[record["student_id"]])
        return plan

    with tempfile.TemporaryDirectory(prefix="course-collect-") as work:
        app = PlannedZipCollect(config=config, assignment=assignment, work=Path(work), make_plan=make_plan)
        if source.is_dir():
            shutil.copytree(source, app.archive / DOWNLOAD)
        else:
            app.archive.mkdir()
            shutil.copy(source, app.archive / f"{DOWNLOAD}.zip")
        result = capture_log(app)
    if not result["success"]:
        raise NbgraderFailed("nbgrader zip_collect", nbgrader_reason(result))
    plan = app.plan
    skipped: dict[str, str] = {}
    for name, reason in plan.skipped:  # logged one by one, also when nothing could be placed
        skip(skipped, name, reason)
    if not plan.records:
        raise NothingToDo(f"nothing to collect from {source}: {nothing_placed(plan)}")
    handed_in = set(students_in_step(app.coursedir, "submitted", assignment))
    dated = {r["student_id"] for r in plan.records.values() if "timestamp" in r}
    return CollectResult(
        assignment, source, step_folder(config, "submitted", ".", ".").resolve(),
        dict.fromkeys(sorted(plan.students), "collected"), skipped,
        missing=sorted(set(roster) - handed_in), by_name=sorted(plan.by_name), times=times,
        timed=sorted(plan.students & set(listed)), unknown_rows=list(unknown),
        undated=sorted(plan.students - dated), marked_late=sorted(plan.marked_late),
    )


def nothing_placed(plan: Plan) -> str:
    """Why no file of the download could be placed, with the first few reasons, and what to do."""
    if not plan.skipped:
        return "it holds no files: download the submissions from the LMS again"
    reasons = "; ".join(f"{name}: {reason}" for name, reason in plan.skipped[:3])
    more = f"; and {len(plan.skipped) - 3} more" if len(plan.skipped) > 3 else ""
    return f"none of its {plural(len(plan.skipped), 'file')} could be placed ({reasons}{more})"
