"""Feedback speed: stock ``nbgrader generate_feedback`` against ``course feedback``, CPU per student, in one run.

A small class is handed in and graded once by stock nbgrader (the command
tests' ``graded_course``), then grown to each size (``synthetic_class``).
Each command runs as an instructor runs it, a process of its own, on its own
copy of the class; its CPU time is the child's user and system time. The
course's config gives stock the course's feedback steps (hidden tests hidden),
so both make the same pages; stock's with nbconvert's exporter and
``GetGrades``, the course's with ``course.feedback_render``. The per-student
figure is the marginal one, between the two sizes, so that interpreter start
and imports (paid once per run) are left out. With ``--workers 2`` the pages
are made by processes of a fork server that the command does not wait for,
so their CPU is not the command's: only wall time is compared for those, at
the larger size.

Usage: .venv/bin/python benchmarks/feedback_speed.py [--sizes 20 100]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.commands.graded_course import ASSIGNMENT, build_graded_course  # noqa: E402
from tests.commands.synthetic_class import copy_course, grow_class  # noqa: E402
from tests.coursedir import run_tool  # noqa: E402

COMMANDS = {
    "nbgrader generate_feedback": ("nbgrader", "generate_feedback", ASSIGNMENT),
    "course feedback --no-release --workers 1": ("course", "feedback", ASSIGNMENT, "--partial", "--no-release", "--workers", "1"),
    "course feedback --no-release --workers 2": ("course", "feedback", ASSIGNMENT, "--partial", "--no-release", "--workers", "2"),
    "course feedback --workers 2 (and release)": ("course", "feedback", ASSIGNMENT, "--partial", "--workers", "2"),
}


def measured(root: Path, command: tuple[str, ...]) -> tuple[float, float]:
    """Wall and CPU seconds of ``command`` run in ``root``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    run_tool(root, *command)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[20, 100])
    small, large = sorted(parser.parse_args().sizes)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        graded = build_graded_course(work / "graded", work / "homes").root
        cpu: dict[tuple[str, int], float] = {}
        wall: dict[tuple[str, int], float] = {}
        for size in (small, large):
            for number, (name, command) in enumerate(COMMANDS.items()):
                root = copy_course(graded, work / f"class{size}-{number}")
                grow_class(root, size)
                wall[name, size], cpu[name, size] = measured(root, command)
                print(f"{size} students, {name}: {wall[name, size]:.2f} s wall, {cpu[name, size]:.2f} s CPU", flush=True)
    print()
    print(f"| command | CPU, {small} students | CPU, {large} students | CPU per student | against stock "
          f"| wall, {large} students | against stock |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    stock = (cpu["nbgrader generate_feedback", large] - cpu["nbgrader generate_feedback", small]) / (large - small)
    for name in COMMANDS:
        marginal = (cpu[name, large] - cpu[name, small]) / (large - small)
        speed_up = wall["nbgrader generate_feedback", large] / wall[name, large]
        counted = "--workers 2" not in name
        cpu_cells = (f"{cpu[name, small]:.2f} s | {cpu[name, large]:.2f} s | {marginal:.3f} s | {marginal / stock:.2f}x"
                     if counted else "not counted | not counted | not counted | -")
        print(f"| `{name}` | {cpu_cells} | {wall[name, large]:.2f} s | {speed_up:.1f}x faster |")


if __name__ == "__main__":
    main()
