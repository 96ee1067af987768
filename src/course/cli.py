"""The ``course`` command: the instructor's grading pass on top of stock nbgrader.

Each sub-command declares its options here and calls one keyword-only
function of the module that does the work; ``CourseError`` from any of them
becomes a one-line message and exit status 2. Stock ``nbgrader`` commands keep
working on the same course directory and gradebook.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from course.course_config import ASSIGNMENT, DB_URL_VARIABLE
from course.errors import CourseError


def _add_root(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="course directory holding nbgrader_config.py (default: here)")


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", nargs="?", default=ASSIGNMENT, help="assignment id (default: %(default)s)")
    _add_root(parser)
    parser.add_argument("--db-url", help="gradebook SQLAlchemy URL, instead of the config's CourseDirectory.db_url")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")


def _release(args: argparse.Namespace) -> int:
    from course.release import release

    print(release(root=args.root, assignment=args.assignment, due=args.due))
    return 0


def _collect(args: argparse.Namespace) -> int:
    from course.collect import collect

    print(collect(root=args.root, assignment=args.assignment, zip_source=args.zip, pattern=args.pattern))
    return 0


def _autograde(args: argparse.Namespace) -> int:
    from course.grading.autograde import autograde

    batch = autograde(
        root=args.root, assignment=args.assignment, workers=args.workers,
        students=args.student or None, force=args.force, progress=not args.no_progress, unsafe=args.unsafe,
        scheduler=args.scheduler,
    )
    return 1 if batch.failed else 0


def _feedback(args: argparse.Namespace) -> int:
    from course.feedback import feedback

    print(feedback(root=args.root, assignment=args.assignment, release=not args.no_release))
    return 0


def _export(args: argparse.Namespace) -> int:
    from course.export import export

    print(export(root=args.root, assignment=args.assignment, output=args.output))
    return 0


def _report(args: argparse.Namespace) -> int:
    from course.report import report

    from course.report import summary_table

    path = report(root=args.root, assignment=args.assignment, output=args.output)
    print(summary_table(root=args.root, assignment=args.assignment))
    print(path)
    return 0


def _status(args: argparse.Namespace) -> int:
    from course.status import status

    print(status(root=args.root, assignment=args.assignment))
    return 0


def _db_init(args: argparse.Namespace) -> int:
    from course.database import init_database

    print(init_database(root=args.root))
    return 0


def _lab(args: argparse.Namespace) -> int:
    from course import lab

    extra = [arg for arg in args.jupyter_args if arg != "--"]
    if args.role == "student":
        workspace = args.workspace or args.root / "workspaces" / args.student
        server = lab.student_server(args.root, args.student, workspace, port=args.port or lab.STUDENT_PORT, extra=extra)
    else:
        server = lab.instructor_server(args.root, port=args.port or lab.INSTRUCTOR_PORT, extra=extra)
    lab.run(server)
    return 0  # not reached: run() replaces this process


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("release", help="generate the student version if source changed, release it to the exchange")
    _add_common(p)
    p.add_argument("--due", help="due date, e.g. '2026-12-01 17:00:00 UTC' (stored in the gradebook)")
    p.set_defaults(run=_release)

    p = commands.add_parser("collect", help="collect submissions from the exchange, or from an LMS download")
    _add_common(p)
    p.add_argument("--zip", type=Path, help="a zip file or folder downloaded from the LMS, instead of the exchange")
    p.add_argument("--pattern", help="regular expression with named groups 'student_id' and 'file' for LMS file names")
    p.set_defaults(run=_collect)

    p = commands.add_parser("autograde", help="autograde every collected submission in parallel")
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
    p.set_defaults(run=_feedback)

    p = commands.add_parser("export", help="grades CSV: nbgrader's columns, late penalties and one column per grade cell")
    _add_common(p)
    p.add_argument("--output", type=Path, help="CSV path (default: <root>/grades-<assignment>.csv)")
    p.set_defaults(run=_export)

    p = commands.add_parser("report", help="HTML report with figures, and a summary table in the terminal")
    _add_common(p)
    p.add_argument("--output", type=Path, help="HTML path (default: <root>/report-<assignment>.html)")
    p.set_defaults(run=_report)

    p = commands.add_parser("db", help="the gradebook database")
    actions = p.add_subparsers(dest="action", required=True)
    r = actions.add_parser("init", help="create nbgrader's gradebook schema in an empty database (e.g. PostgreSQL)")
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
        r.add_argument("--port", type=int, help="port on 127.0.0.1 (default: 8890 student, 8888 instructor)")
        r.add_argument("-v", "--verbose", action="count", default=0, help=argparse.SUPPRESS)
        if role == "student":
            r.add_argument("--student", required=True, help="the student id submissions are filed under")
            r.add_argument("--workspace", type=Path, help="the student's folder (default: <root>/workspaces/<student>)")
        r.add_argument("jupyter_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
        r.set_defaults(run=_lab)

    p = commands.add_parser("status", help="what is released, submitted and graded, and what failed and why")
    _add_common(p)
    p.set_defaults(run=_status)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if getattr(args, "db_url", None):  # read by load_course_config here and in the processes started from here
        os.environ[DB_URL_VARIABLE] = args.db_url
    level = [logging.WARNING, logging.INFO, logging.DEBUG][min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        sys.exit(args.run(args))
    except CourseError as error:
        print(f"course {args.command}: {error}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print(f"course {args.command}: interrupted; run it again to finish", file=sys.stderr)
        sys.exit(130)


if __name__ == "__main__":
    main()
