"""Autograde throughput on a Dask cluster: 1 and 2 Dask workers against the local pool and stock nbgrader, in one run.

All grade the same N submissions (see autograde_throughput.py) in fresh
course directories: stock serial ``nbgrader autograde``, ``course autograde
--workers 2`` (the local process pool), and ``course autograde --scheduler``
sent to a ``dask.distributed.LocalCluster`` of 1 and then 2 single-threaded
worker processes on this machine. The cluster's start-up is not timed (a
real cluster is already running); its scheduler round trips are.

Usage: .venv/bin/python benchmarks/dask_throughput.py [--submissions 16]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from dask.distributed import LocalCluster

sys.path.insert(0, str(Path(__file__).resolve().parent))

from autograde_throughput import ASSIGNMENT, ROOT, example_class, prepare_course, stock_seconds, timed  # noqa: E402

from course.release import ensure_exchange  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=16)
    args = parser.parse_args()
    class_ = example_class(args.submissions)
    grade = ("course", "autograde", ASSIGNMENT, "--no-progress")
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        roots = {name: Path(tmp) / name for name in ("stock", "pool", "dask1", "dask2")}
        for root in roots.values():
            prepare_course(root, class_)
            ensure_exchange(root / "exchange")  # nbgrader's API reports a missing exchange from every worker
        times["stock nbgrader autograde (serial)"] = stock_seconds(roots["stock"])
        times["course autograde --workers 2 (local pool)"] = timed(roots["pool"], *grade, "--workers", "2")
        for workers in (1, 2):
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                              dashboard_address=None) as cluster:
                label = f"course autograde --scheduler, {workers} Dask worker{'s' if workers > 1 else ''}"
                times[label] = timed(roots[f"dask{workers}"], *grade, "--scheduler", cluster.scheduler_address)
    n = args.submissions
    pool = times["course autograde --workers 2 (local pool)"]
    print(f"machine: {os.cpu_count()} cores; {n} submissions")
    for label, seconds in times.items():
        print(f"{label:46s} {seconds:7.1f} s  {60 * n / seconds:6.1f} submissions/min  "
              f"{seconds / n:5.2f} s each  {pool / seconds:5.2f}x the local pool")
    stock = times["stock nbgrader autograde (serial)"]
    dask2 = times["course autograde --scheduler, 2 Dask workers"]
    print(f"2 Dask workers over stock: {stock / dask2:.2f}x; over 1 Dask worker: "
          f"{times['course autograde --scheduler, 1 Dask worker'] / dask2:.2f}x")


if __name__ == "__main__":
    main()
