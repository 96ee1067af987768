"""Class scale: how long export, status and report take as a class grows to 1000, with and without the indexes.

A small class is handed in and graded once by stock nbgrader (the command
tests' ``graded_course``), then grown to each size by copying its students'
gradebook rows and folders under new ids (``tests/commands/synthetic_class``).
Each size is timed twice: with the gradebook as nbgrader alone makes it, and
after ``course db init`` has added ``course.gradebook_indexes``. The
commands run as an instructor runs them (a process each, interpreter start
included), stock ``nbgrader export`` among them, which profits from the
indexes too. The last column is the time at the largest size divided by the
time at the smallest: linear growth gives the ratio of the sizes.

With ``--gradebooks postgresql`` (both by default) each grown class is also
moved to a PostgreSQL database on a throw-away local server
(``tests/postgres.py``; Debian's ``postgresql`` programs, which ``make test``
installs) and timed the same way there.

Usage: .venv/bin/python benchmarks/class_scale.py [--sizes 100 300 1000] [--gradebooks sqlite postgresql]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course.database import init_database  # noqa: E402
from tests.commands.graded_course import ASSIGNMENT, build_graded_course  # noqa: E402
from tests import postgres  # noqa: E402
from tests.commands.synthetic_class import copy_course, drop_indexes, grow_class, move_gradebook  # noqa: E402
from tests.coursedir import db_url, run_tool  # noqa: E402

COMMANDS = {
    "course status": ("course", "status", ASSIGNMENT),
    "course export csv": ("course", "export", ASSIGNMENT, "--format", "csv"),
    "course report": ("course", "report", ASSIGNMENT),
    "nbgrader export": ("nbgrader", "export"),
}


def timed(root: Path, command: tuple[str, ...]) -> float:
    started = time.perf_counter()
    run_tool(root, *command)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--gradebooks", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    arguments = parser.parse_args()
    sizes, gradebooks = sorted(arguments.sizes), arguments.gradebooks
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as servers:
        work = Path(scratch)
        if "postgresql" in gradebooks:
            server = postgres.start_server()
            servers.callback(postgres.remove, server)
        graded = build_graded_course(work / "graded", work / "homes").root
        seconds: dict[tuple[str, str, int, bool], float] = {}
        for gradebook in gradebooks:
            for size in sizes:
                root = copy_course(graded, work / f"{gradebook}{size}")
                grow_class(root, size)
                drop_indexes(db_url(root))  # as stock nbgrader made it (the release may have added them)
                if gradebook == "postgresql":
                    move_gradebook(root, server.new_database())
                for indexed in (False, True):
                    if indexed:
                        init_database(root=root)
                    for name, command in COMMANDS.items():
                        taken = seconds[gradebook, name, size, indexed] = timed(root, command)
                        print(f"{gradebook}, {size} students, {'with' if indexed else 'without'} indexes, {name}: "
                              f"{taken:.2f} s", flush=True)
    print()
    header = " | ".join(f"{size} students" for size in sizes)
    print(f"| gradebook | command | indexes | {header} | {sizes[-1]}/{sizes[0]} |")
    print("| --- | --- | --- | " + " | ".join("---" for _ in sizes) + " | --- |")
    for gradebook in gradebooks:
        for name in COMMANDS:
            for indexed in (False, True):
                row = [seconds[gradebook, name, size, indexed] for size in sizes]
                print(f"| {gradebook} | {name} | {'yes' if indexed else 'no'} | " + " | ".join(f"{s:.2f} s" for s in row)
                      + f" | {row[-1] / row[0]:.1f}x |")


if __name__ == "__main__":
    main()
