"""Autograde throughput: stock serial ``nbgrader autograde`` against ``course autograde``, in one run.

All grade the same N submissions (copies of a complete and a half-done
student, built from the release notebook) in fresh course directories with
the repository's grading options: stock nbgrader (``COURSE_UNSAFE_GRADING=1``:
without it the repository's config grades in the sandbox too), ``course autograde`` with
the sandbox and the grader-side tests (the default), and ``course autograde
--unsafe`` (no sandbox, hidden tests in the student's kernel), so that the
cost of the protection shows as one ratio. Also prints the floor: executing
the same notebook once with nbclient, kernel start included.

Usage: .venv/bin/python benchmarks/autograde_throughput.py [--submissions 24] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course.cells import CellKind  # noqa: E402
from course.grading import phases  # noqa: E402
from course.grading.pipeline import UNSAFE_VARIABLE  # noqa: E402
from course.grading.verdicts import read_verdict  # noqa: E402
from demo.submissions import fill_solutions, reference_solutions  # noqa: E402
from tests.coursedir import make_course, run_tool  # noqa: E402

ASSIGNMENT = "compression"


def students(release: nbformat.NotebookNode, source: nbformat.NotebookNode, count: int) -> dict[str, nbformat.NotebookNode]:
    """Alternately a complete student and one who did the first half of the functions."""
    solutions = reference_solutions(source, kinds=(CellKind.SOLUTION,))
    half = dict(list(solutions.items())[: len(solutions) // 2])
    complete, partial = fill_solutions(release, solutions), fill_solutions(release, half)
    return {f"student{i:03d}": complete if i % 2 == 0 else partial for i in range(count)}


def example_class(count: int) -> dict[str, nbformat.NotebookNode]:
    """``students`` of the repository's source and release notebooks: what every grading benchmark hands in."""
    source = nbformat.read(ROOT / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    release = nbformat.read(ROOT / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    return students(release, source, count)


def prepare_course(root: Path, class_: dict[str, nbformat.NotebookNode]) -> None:
    make_course(root)
    run_tool(root, "nbgrader", "generate_assignment", ASSIGNMENT)
    release = root / "release" / ASSIGNMENT
    for student, nb in class_.items():
        folder = root / "submitted" / student / ASSIGNMENT
        shutil.copytree(release, folder)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")


def timed(root: Path, *command: str) -> float:
    start = time.perf_counter()
    run_tool(root, *command)
    return time.perf_counter() - start


def stock_seconds(root: Path) -> float:
    """Serial ``nbgrader autograde`` the stock way: the repository's config grades in the sandbox unless told."""
    os.environ[UNSAFE_VARIABLE] = "1"
    try:
        return timed(root, "nbgrader", "autograde", ASSIGNMENT)
    finally:
        del os.environ[UNSAFE_VARIABLE]


def floor_seconds(nb: nbformat.NotebookNode, cwd: Path, repeats: int = 3) -> float:
    """One nbclient execution of the notebook, kernel start included (median)."""
    times = []
    os.environ["NBGRADER_EXECUTION"] = "autograde"
    for _ in range(repeats):
        start = time.perf_counter()
        NotebookClient(nbformat.from_dict(nb), timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}).execute()
        times.append(time.perf_counter() - start)
    del os.environ["NBGRADER_EXECUTION"]
    return statistics.median(times)


def mean_phases(root: Path, class_: dict) -> dict[str, float]:
    """Each grading phase's mean over the class, as ``course autograde`` recorded it in the verdicts."""
    verdicts = [read_verdict(root / "autograded" / student / ASSIGNMENT) for student in class_]
    return phases.averaged([v.phases for v in verdicts if v is not None])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    class_ = example_class(args.submissions)
    with tempfile.TemporaryDirectory() as tmp:
        stock_root, course_root, unsafe_root = Path(tmp) / "stock", Path(tmp) / "course", Path(tmp) / "unsafe"
        for root in (stock_root, course_root, unsafe_root):
            prepare_course(root, class_)
        stock = stock_seconds(stock_root)
        ours = timed(course_root, "course", "autograde", ASSIGNMENT, "--workers", str(args.workers), "--no-progress")
        unsafe = timed(unsafe_root, "course", "autograde", ASSIGNMENT, "--workers", str(args.workers), "--no-progress", "--unsafe")
        floor = floor_seconds(class_["student000"], course_root / "release" / ASSIGNMENT)
        profiles = {label: mean_phases(root, class_) for label, root in (("sandboxed", course_root), ("--unsafe", unsafe_root))}
    n = args.submissions
    print(f"machine: {os.cpu_count()} cores; {n} submissions")
    print(f"stock nbgrader autograde (serial):      {stock:7.1f} s  {60 * n / stock:6.1f} submissions/min  {stock / n:5.2f} s each")
    print(f"course autograde --workers {args.workers}:          {ours:7.1f} s  {60 * n / ours:6.1f} submissions/min  {ours / n:5.2f} s each")
    print(f"course autograde --workers {args.workers} --unsafe: {unsafe:7.1f} s  {60 * n / unsafe:6.1f} submissions/min  {unsafe / n:5.2f} s each")
    print(f"speed-up over stock:                    {stock / ours:7.2f}x")
    print(f"cost of sandbox + grader-side tests:    {ours / unsafe:7.2f}x --unsafe ({100 * (ours / unsafe - 1):+.0f}%)")
    print(f"floor, one nbclient execution:          {floor:7.2f} s per submission (stock pays {stock / n / floor:.2f}x that)")
    print("where a submission's grading time goes (mean seconds per phase, from the verdicts):")
    for label, means in profiles.items():
        print(f"  {label:10s} " + ", ".join(f"{phase} {seconds:.2f}" for phase, seconds in means.items()))


if __name__ == "__main__":
    main()
