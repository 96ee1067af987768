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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nbgrader.utils import parse_utc

from course.course_config import exchange_folder, exchange_root, load_course_config, open_api, step_folder
from course.errors import BadOption, NbgraderFailed
from course.gradebook_indexes import add_missing_indexes
from course.grading.verdicts import fingerprint
from course.nbgrader_reason import nbgrader_reason

log = logging.getLogger(__name__)


def parse_due(due: str) -> datetime:
    """The due date as nbgrader stores it (naive UTC); a date without a time zone is taken as UTC."""
    try:
        return parse_utc(due)
    except (ValueError, OverflowError) as error:
        raise BadOption(f"cannot read the due date {due!r} ({error}); use e.g. '2026-12-01 17:00:00 UTC'") from None


@dataclass(frozen=True)
class ReleaseResult:
    """What ``release`` did: whether the student version changed, whether the exchange got it, and where."""

    assignment: str
    regenerated: bool  # release/ differs from before: the source changed (or nothing was generated yet)
    released: bool  # the exchange's copy was replaced; False: it was the same already
    outbound: Path  # the assignment's folder in the exchange
    due: datetime | None = None  # the due date stored by this run (naive UTC), if one was given


def ensure_exchange(exchange: Path) -> None:
    """Create the exchange as nbgrader requires it (everyone may write), instead of letting it fail first."""
    if not exchange.exists():
        exchange.mkdir(parents=True)
        exchange.chmod(0o777)


def release(*, root: Path, assignment: str, due: str | None = None, db_url: str | None = None) -> ReleaseResult:
    """Generate the student version, store the due date, release to the exchange; index the gradebook.

    Stock ``nbgrader release_assignment`` refuses to overwrite an earlier
    release; this replaces it (force) when, and only when, release/ changed.
    """
    duedate = parse_due(due) if due is not None else None  # before touching anything
    config = load_course_config(root, db_url=db_url, ExchangeReleaseAssignment={"force": True})
    outbound = exchange_folder(config, "outbound", assignment)
    ensure_exchange(exchange_root(config))
    api = open_api(config, log)
    release_dir = step_folder(config, "release", ".", assignment)

    before = fingerprint(release_dir)
    result = api.generate_assignment(assignment, force=True)
    if not result["success"]:
        raise NbgraderFailed(f"generate_assignment {assignment}", nbgrader_reason(result))
    regenerated = fingerprint(release_dir) != before
    # The gradebook exists now (generate_assignment made it, if nothing before): a course's first command
    # gives it the indexes a large class needs, and a course that predates them gets them here.
    if added := add_missing_indexes(api.coursedir.db_url):
        log.info("gradebook indexes added: %s", ", ".join(added))

    if duedate is not None:
        with api.gradebook as gradebook:
            gradebook.update_or_create_assignment(assignment, duedate=duedate)

    released = fingerprint(outbound) != fingerprint(release_dir)
    if released:
        result = api.release_assignment(assignment)
        if not result["success"]:
            raise NbgraderFailed(f"release_assignment {assignment}", nbgrader_reason(result))
    return ReleaseResult(assignment, regenerated, released, outbound, duedate)
