"""``course release``: make the student version and put it in the exchange.

The student version is regenerated on every run (nbgrader's
``generate_assignment --force``) and then compared with what was there, rather
than regenerated only "when source/ is newer". nbgrader's own staleness test
compares modification times, which git checkouts and copies scramble (a fresh
clone can have release/ newer than an edited source/), and a stored hash of
source/ goes stale as soon as someone runs stock ``nbgrader generate_assignment``
by hand. Generation is deterministic (an unchanged source gives byte-identical
files; the repository's tests rely on that) and takes about a second, so
regenerating and comparing is both the simplest test and the only reliable one.
The exchange copy is replaced only when it differs from release/, so running the
command again is harmless.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from nbgrader.utils import parse_utc

from course.course_config import load_course_config, open_api
from course.errors import CourseError
from course.grading.verdicts import fingerprint

log = logging.getLogger(__name__)


def parse_due(due: str) -> datetime:
    """The due date as nbgrader stores it (naive UTC); a date without a time zone is taken as UTC."""
    try:
        return parse_utc(due)
    except (ValueError, OverflowError) as error:
        raise CourseError(f"cannot read the due date {due!r} ({error}); use e.g. '2026-12-01 17:00:00 UTC'") from None


def nbgrader_failure(result: dict, what: str) -> CourseError:
    """A ``CourseError`` carrying nbgrader's own reason for a failed API call.

    nbgrader logs its reasons as ERROR/CRITICAL lines; without one, the last
    line of the traceback it captured is the best there is.
    """
    log_lines = (result.get("log") or "").splitlines()
    reasons = [line.split("] ", 1)[1] for line in log_lines if line.startswith(("[ERROR]", "[CRITICAL]"))]
    if not reasons:
        reasons = (result.get("error") or "no reason given").strip().splitlines()[-1:]
    return CourseError(f"{what} failed: {'; '.join(reasons)}")


def ensure_exchange(exchange: Path) -> None:
    """Create the exchange as nbgrader requires it (everyone may write), instead of letting it fail first."""
    if not exchange.exists():
        exchange.mkdir(parents=True)
        exchange.chmod(0o777)


def release(*, root: Path, assignment: str, due: str | None = None) -> str:
    """Generate the student version, store the due date, release to the exchange; return a summary line.

    Stock ``nbgrader release_assignment`` refuses to overwrite an earlier
    release; this replaces it (force) when, and only when, release/ changed.
    """
    duedate = parse_due(due) if due is not None else None  # before touching anything
    config = load_course_config(root, ExchangeReleaseAssignment={"force": True})
    ensure_exchange(Path(config.Exchange.root))
    api = open_api(config, log)
    release_dir = Path(api.coursedir.format_path(api.coursedir.release_directory, ".", assignment))

    before = fingerprint(release_dir)
    result = api.generate_assignment(assignment, force=True)
    if not result["success"]:
        raise nbgrader_failure(result, f"generate_assignment {assignment}")
    student_version = "unchanged" if fingerprint(release_dir) == before else "regenerated"

    if duedate is not None:
        with api.gradebook as gradebook:
            gradebook.update_or_create_assignment(assignment, duedate=duedate)

    outbound = Path(api.exchange_root, api.course_id, "outbound", assignment)
    if fingerprint(outbound) == fingerprint(release_dir):
        exchange = "already in the exchange"
    else:
        result = api.release_assignment(assignment)
        if not result["success"]:
            raise nbgrader_failure(result, f"release_assignment {assignment}")
        exchange = "released to the exchange"
    due_note = f", due {duedate:%Y-%m-%d %H:%M:%S} UTC" if duedate else ""
    return f"{assignment}: student version {student_version}, {exchange} ({outbound}){due_note}"
