"""The ``course`` command: the instructor's grading pass on top of stock nbgrader.

Each sub-command declares its options here and calls one keyword-only
function of the module that does the work, which returns data; the command
prints it in the lines ``course.messages`` makes, and ``main`` is the one
boundary that turns what they raise into a one-line message and an exit
status (``EXIT_CODES``). Stock ``nbgrader`` commands keep working on the same
course directory and gradebook.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from course import messages
from course.course_config import ensure_tools_on_path
from course.errors import CourseError, Interrupted

EXIT_CODES = """\
exit status:
  0        done
  1        autograde: a submission could not be graded (each one and why in the summary);
           any command: an unexpected error (one line; -v shows the traceback)
  2        a mistake to fix, named in one line: not a course folder, unknown assignment,
           nothing collected, a bad option
  129/130/143  stopped by SIGHUP / Ctrl-C (SIGINT) / SIGTERM (128 + the signal's number);
           autograde leaves the submissions it was grading ungraded: run it again to grade the rest
"""
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course directory holding nbgrader_config.py (default: here)")


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", nargs="?", help="assignment id (default: the course's only assignment)")
    _add_root(parser)
    parser.add_argument("--db-url", help="gradebook SQLAlchemy URL, instead of the config's CourseDirectory.db_url")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def _release(args: argparse.Namespace) -> int:
    from course.release import release

    print(messages.release_line(release(root=args.root, assignment=args.assignment, due=args.due, db_url=args.db_url)))
    return 0


def _collect(args: argparse.Namespace) -> int:
    from course.collect import collect

    result = collect(root=args.root, assignment=args.assignment, zip_source=args.zip, pattern=args.pattern,
                     times=args.times, db_url=args.db_url)
    print(messages.collect_line(result))
    return 0


def _roster_import(args: argparse.Namespace) -> int:
    from course.roster_import import import_roster

    print(messages.roster_line(import_roster(root=args.root, path=args.file, file_format=args.format,
                                             db_url=args.db_url)))
    return 0


def _autograde(args: argparse.Namespace) -> int:
    from course.grading.autograde import BatchInterrupted, autograde

    try:
        batch = autograde(
            root=args.root, assignment=args.assignment, workers=args.workers,
            students=args.student or None, force=args.force, progress=not args.no_progress, unsafe=args.unsafe,
            scheduler=args.scheduler, db_url=args.db_url,
        )
    except BatchInterrupted as stop:
        print(messages.autograde_summary(stop.result))
        return stop.exit_status
    print(messages.autograde_summary(batch))
    return 1 if batch.failed else 0


def _feedback(args: argparse.Namespace) -> int:
    from course.feedback import feedback

    result = feedback(root=args.root, assignment=args.assignment, release=not args.no_release, partial=args.partial,
                      db_url=args.db_url, workers=args.workers)
    if result.failed:  # the others' feedback is done: where it is, then main's one error line
        print("\n".join(messages.feedback_places(result)))
        raise CourseError(messages.feedback_failure(result))
    print(messages.feedback_lines(result))
    return 0


def _export(args: argparse.Namespace) -> int:
    from course.export import export

    result = export(
        root=args.root, assignment=args.assignment, output=args.output, file_format=args.format,
        lms_column=args.lms_column, match_by=args.match_by, feedback_column=args.feedback_column, db_url=args.db_url,
    )
    print(result.path)
    return 0


def _report(args: argparse.Namespace) -> int:
    from course.report import report

    result = report(root=args.root, assignment=args.assignment, output=args.output, db_url=args.db_url)
    print(messages.report_lines(result))
    return 0


def _status(args: argparse.Namespace) -> int:
    from course.status import status

    print(messages.status_text(status(root=args.root, assignment=args.assignment, db_url=args.db_url), every_student=args.all))
    return 0


def _similarity(args: argparse.Namespace) -> int:
    from course.similarity.report import similarity, similarity_lines

    given = {"min_score": args.min_score, "top": args.top, "max_holders": args.common}  # unset: the function's defaults
    print(similarity_lines(similarity(
        root=args.root, assignment=args.assignment, output=args.output, json_path=args.json,
        **{name: value for name, value in given.items() if value is not None},
    )))
    return 0


def _db_init(args: argparse.Namespace) -> int:
    from course.database import init_database

    print(messages.database_line(init_database(root=args.root, db_url=args.db_url)))
    return 0


def _lab(args: argparse.Namespace) -> int:
    from course import lab

    extra = [arg for arg in args.jupyter_args if arg != "--"]
    if args.role == "student":
        workspace = args.workspace or args.root / "workspaces" / args.student
        server = lab.student_server(args.root, args.student, workspace, port=args.port, extra=extra)
    else:
        server = lab.instructor_server(args.root, port=args.port, extra=extra)
    for line in messages.lab_lines(server):
        print(line, file=sys.stderr)
    lab.run(server)
    return 0  # not reached: run() replaces this process


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description=__doc__.splitlines()[0], epilog=EXIT_CODES,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("release", help="generate the student version if source changed, release it to the exchange")
    _add_common(p)
    p.add_argument("--due", help="due date, e.g. '2026-12-01 17:00:00 UTC' (stored in the gradebook)")
    p.set_defaults(run=_release)

    p = commands.add_parser("collect", help="collect submissions from the exchange, or from an LMS download")
    _add_common(p)
    p.add_argument("--zip", type=Path, help="a zip file or folder downloaded from the LMS, instead of the exchange")
    p.add_argument("--pattern", help="regular expression with named groups 'student_id' and 'file' for LMS file names "
                                     "(instead of the Canvas, Moodle and plain layouts)")
    p.add_argument("--times", type=Path, metavar="FILE",
                   help="with --zip: the LMS's list of submissions (CSV: a student column and a time column), "
                        "so that late penalties apply to a download whose names carry no time")
    p.set_defaults(run=_collect)

    p = commands.add_parser("roster", help="the class list: names and LMS identifiers of the students")
    actions = p.add_subparsers(dest="action", required=True)
    r = actions.add_parser(
        "import", help="read a Canvas or Moodle export, or a plain CSV, into the gradebook and roster.csv",
        description="Read a class list into nbgrader's student table (the Formgrader shows the names) and "
                    "roster.csv (the LMS identifiers collect and export match on). Importing again updates.",
    )
    r.add_argument("file", type=Path, help="Canvas gradebook export, Moodle grades/participants export or grading "
                                           "worksheet, or a CSV with id, first_name, last_name, email")
    r.add_argument("--format", default="auto", help="canvas, moodle or csv (default: auto, told from the header)")
    _add_root(r)
    r.add_argument("--db-url", help="gradebook SQLAlchemy URL, instead of the config's CourseDirectory.db_url")
    r.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    r.set_defaults(run=_roster_import)

    p = commands.add_parser(
        "autograde", help="autograde every collected submission in parallel",
        description="Autograde every collected submission in parallel; ends with a summary (graded, failed and why, "
                    "skipped, interrupted, time). Ctrl-C, SIGTERM or SIGHUP stop it at once: the submissions being "
                    "graded are left ungraded, and the next run grades them.",
        epilog=EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common(p)
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, help="parallel local workers (default: one per core)")
    where.add_argument("--scheduler", metavar="ADDRESS", help="grade on the Dask cluster of this scheduler (e.g. tcp://host:8786)")
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument("--force", action="store_true", help="regrade submissions that are already graded and unchanged")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (log lines only)")
    p.add_argument(
        "--unsafe", action="store_true",
        help="grade as stock nbgrader does: no sandbox, hidden tests in the student's kernel (gameable; for comparison only)",
    )
    p.set_defaults(run=_autograde)

    p = commands.add_parser("feedback", help="feedback HTML without hidden-test source, released to the exchange")
    _add_common(p)
    p.add_argument("--no-release", action="store_true", help="generate the HTML only")
    p.add_argument(
        "--partial", action="store_true",
        help="send feedback although written answers are not graded yet (marked provisional); refused otherwise",
    )
    p.add_argument("--workers", type=int, help="processes making the pages (default: one per core from 50 students on)")
    p.set_defaults(run=_feedback)

    p = commands.add_parser(
        "export", help="grades CSV (nbgrader's columns, late penalties, one column per grade cell) or an LMS import file",
        description="Grades after the late penalty. Written answers not graded yet are reported as pending; "
                    "canvas and moodle files then hold the current, provisional score (import again after grading).",
    )
    _add_common(p)
    p.add_argument("--format", default="csv", help="csv (default: per-cell), canvas (gradebook import) or moodle (grade import)")
    p.add_argument("--output", type=Path, help="CSV path (default: <root>/grades-<assignment>.csv, or grades-<assignment>-<format>.csv)")
    p.add_argument(
        "--lms-column", metavar="NAME",
        help="the grade column's header (default: the assignment id); for Canvas its title and id, e.g. 'Homework 3 (123456)'",
    )
    p.add_argument("--match-by", default="email", help="moodle: the identifier every row must have, email (default) or idnumber")
    p.add_argument("--feedback-column", action="store_true", help="moodle: add a one-line summary for the grade's feedback")
    p.set_defaults(run=_export)

    p = commands.add_parser("report", help="HTML report with figures, and a summary table in the terminal")
    _add_common(p)
    p.add_argument("--output", type=Path, help="HTML path (default: <root>/report-<assignment>.html)")
    p.set_defaults(run=_report)

    p = commands.add_parser("db", help="the gradebook database")
    actions = p.add_subparsers(dest="action", required=True)
    r = actions.add_parser(
        "init", help="create nbgrader's gradebook schema in an empty database (e.g. PostgreSQL), or add the indexes "
                     "an existing gradebook lacks (safe to run again)",
    )
    _add_root(r)
    r.add_argument("--db-url", help="the database's SQLAlchemy URL (default: the config's CourseDirectory.db_url)")
    r.add_argument("-v", "--verbose", action="count", default=0, help=argparse.SUPPRESS)
    r.set_defaults(run=_db_init)

    p = commands.add_parser("lab", help="JupyterLab on loopback with nbgrader's extensions, as a student or the instructor")
    roles = p.add_subparsers(dest="role", required=True)
    for role, text in (
        ("student", "Assignment List and Validate in the student's own workspace, against the course's exchange"),
        ("instructor", "the Formgrader and Create Assignment in the course directory"),
    ):
        r = roles.add_parser(role, help=text, description=text + "; options after -- go to jupyter lab")
        _add_root(r)
        r.add_argument("--port", type=int, help="port on 127.0.0.1 (default: $JUPYTER_PORT, else 8890 student, 8888 instructor)")
        r.add_argument("-v", "--verbose", action="count", default=0, help=argparse.SUPPRESS)
        if role == "student":
            r.add_argument("--student", required=True, help="the student id submissions are filed under")
            r.add_argument("--workspace", type=Path, help="the student's folder (default: <root>/workspaces/<student>)")
        r.add_argument("jupyter_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
        r.set_defaults(run=_lab)

    p = commands.add_parser("status", help="what is released, submitted and graded, and what failed and why")
    _add_common(p)
    p.add_argument("--all", action="store_true",
                   help="a row for every student (from 40 students on, the default is counts and who needs something done)")
    p.set_defaults(run=_status)

    p = commands.add_parser(
        "similarity", help="rank pairs of students by the code and written answers they share",
        description="Compare every collected submission with every other, per function and per written answer, "
                    "after removing what the release gave everyone; show the pairs that share most (a table, an "
                    "HTML page with the shared regions side by side, and JSON if asked).",
    )
    _add_common(p)
    p.add_argument("--top", type=_count, metavar="N", help="pairs shown, highest first (default: 10; 0: all)")
    p.add_argument("--min-score", type=_fraction, metavar="SCORE", help="show only pairs scoring at least this, 0-1 (default: 0)")
    p.add_argument("--common", type=_count, metavar="N",
                   help="a passage more than N students have is common knowledge, counted for nobody (default: 10)")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the pairs shown as JSON (a, b, score, ...)")
    p.add_argument("--output", type=Path, help="HTML path (default: <root>/similarity-<assignment>.html)")
    p.set_defaults(run=_similarity)
    return parser


def _stop_on_signals() -> None:
    """Ctrl-C, SIGTERM and SIGHUP raise ``Interrupted`` in the command, once.

    Python's default ends the process at once on SIGTERM and SIGHUP, leaving
    autograde's grading processes and kernels running, and handles only
    SIGINT as ``KeyboardInterrupt``. A signal that comes while the command
    cleans up after the first is ignored, so that the clean-up (ending the
    graders) is not cut short.
    """
    def stop(signum: int, frame: object) -> None:
        for number in STOP_SIGNALS:
            signal.signal(number, lambda *_: None)
        raise Interrupted(signum)

    for number in STOP_SIGNALS:
        signal.signal(number, stop)


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    _stop_on_signals()
    ensure_tools_on_path()  # nbgrader shells out to `alembic`: `.venv/bin/course` works without an activated venv
    try:
        if hasattr(args, "assignment"):
            from course.known import check_assignment, default_assignment

            args.assignment = args.assignment or default_assignment(args.root, db_url=args.db_url)
            check_assignment(args.root, args.assignment, released=args.command != "release", db_url=args.db_url)
        status = args.run(args)
    except CourseError as error:
        print(f"course {args.command}: {error}", file=sys.stderr)
        status = 2
    except KeyboardInterrupt as stop:
        signum = getattr(stop, "signum", signal.SIGINT)
        print(f"course {args.command}: stopped by {signal.Signals(signum).name}; run it again to finish", file=sys.stderr)
        status = 128 + signum
    except Exception as error:  # a bug or the machine, not the instructor: one line unless asked for more
        if args.verbose:
            logging.getLogger("course").exception("unexpected error")
        detail = (str(error).strip().splitlines() or [""])[0]
        print(f"course {args.command}: unexpected error: {type(error).__name__}: {detail}"
              + ("" if args.verbose else " (run with -v for the traceback)"), file=sys.stderr)
        status = 1
    _exit(status)


def _exit(status: int) -> None:
    """End the process with ``status``; at once when a signal stopped the command.

    By then the command has cleaned up what matters (autograde: its graders
    and kernels are gone, the interrupted results settled). The interpreter's
    own teardown, freeing every module nbgrader and Jupyter import, took
    0.5-2 s of a 2 s budget on a loaded machine; after a signal it is skipped.
    """
    if status <= 128:
        sys.exit(status)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


if __name__ == "__main__":
    main()
