"""How long the Compression notebook takes to run, measured three ways in one run.

1. top to bottom with every analysis and plot, as a student runs it;
2. in grading mode (NBGRADER_EXECUTION set: analyses skipped), as the
   autograder runs it, with the time spent in hidden-test cells alone;
3. stock `nbgrader validate` on the same notebook, for scale.

Usage: .venv/bin/python benchmarks/notebook_runtime.py [--repeats N]
Budgets from the course requirements: full run < 30 s, hidden tests < 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "source" / "compression" / "compression.ipynb"
HIDDEN = "### BEGIN HIDDEN TESTS"


def cell_seconds(cell) -> float:
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    return (datetime.fromisoformat(end.replace("Z", "+00:00")) - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()


def execute(grading: bool) -> tuple[float, float]:
    """Wall seconds for the whole notebook (kernel start included) and seconds in hidden-test cells."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    env = {"MPLBACKEND": "Agg"} | ({"NBGRADER_EXECUTION": "autograde"} if grading else {})
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        start = time.perf_counter()
        NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
        wall = time.perf_counter() - start
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    hidden = sum(cell_seconds(c) for c in nb.cells if c.cell_type == "code" and HIDDEN in c.source)
    return wall, hidden


def stock_validate() -> float:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", MPLBACKEND="Agg")
    start = time.perf_counter()
    subprocess.run(["nbgrader", "validate", str(NOTEBOOK)], cwd=ROOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    full = [execute(grading=False)[0] for _ in range(args.repeats)]
    graded = [execute(grading=True) for _ in range(args.repeats)]
    validate = [stock_validate() for _ in range(args.repeats)]
    med = statistics.median
    full_s, graded_s, hidden_s, validate_s = med(full), med(g[0] for g in graded), med(g[1] for g in graded), med(validate)
    print(f"machine: {os.cpu_count()} cores; median of {args.repeats} runs")
    print(f"full run with analyses (nbclient):   {full_s:6.2f} s   budget 30 s  ({full_s / 30:.0%} of budget)")
    print(f"grading mode, whole notebook:        {graded_s:6.2f} s")
    print(f"  of which hidden-test cells:        {hidden_s:6.2f} s   budget 5 s   ({hidden_s / 5:.0%} of budget)")
    print(f"stock `nbgrader validate` (source):  {validate_s:6.2f} s   ratio to grading-mode run: {validate_s / graded_s:.2f}x")


if __name__ == "__main__":
    main()
