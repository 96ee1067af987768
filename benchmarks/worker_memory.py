"""Grading workers' memory over a long batch: does a pool process grow with every submission it grades?

A pool process grades one submission after another for the whole batch
(its kernels are separate processes, one per submission, that end with it),
so anything it keeps per submission (caches, gradebook sessions, notebooks,
traitlets configs) would show as resident memory growing with the class.
This grades N submissions (copies of a complete and a half-done student, as
``autograde_throughput.py``) with ``course autograde --workers W`` and,
from outside, samples every pool process's resident set size (RSS) and
unique set size (USS: the pages no other process shares) while counting the
verdicts written, then prints each process's memory at points of the batch.

Usage: .venv/bin/python benchmarks/worker_memory.py [--submissions 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.autograde_throughput import ASSIGNMENT, example_class, prepare_course  # noqa: E402
from course.grading.verdicts import VERDICT_FILE  # noqa: E402
from tests.coursedir import tool_env  # noqa: E402

FORKSERVER = "multiprocessing.forkserver"
SAMPLE_SECONDS = 0.5
MIB = 1024**2


@dataclass
class Worker:
    """One pool process: its memory at each sample, with the number of verdicts written by then."""

    pid: int
    samples: list[tuple[int, int, int]] = field(default_factory=list)  # (verdicts, rss, uss)

    def at(self, verdicts: int) -> tuple[int, int] | None:
        """(RSS, USS) at the last sample taken with at most ``verdicts`` written, if it was alive then."""
        before = [(rss, uss) for done, rss, uss in self.samples if done <= verdicts]
        return before[-1] if before else None


def pool_processes(command: psutil.Process) -> list[psutil.Process]:
    """The grading processes: forked by the pool's fork server, itself a descendant of ``command``."""
    found = []
    for process in command.children(recursive=True):
        try:
            parent = process.parent()
            if parent is not None and FORKSERVER in " ".join(process.cmdline()) and FORKSERVER in " ".join(parent.cmdline()):
                found.append(process)
        except psutil.Error:
            continue  # ended between the listing and the look
    return found


def verdicts_written(root: Path) -> int:
    return sum(1 for _ in root.glob(f"autograded/*/{ASSIGNMENT}/{VERDICT_FILE}"))


def sample(root: Path, command: subprocess.Popen) -> dict[int, Worker]:
    """Sample the batch's pool processes until ``command`` ends."""
    workers: dict[int, Worker] = {}
    parent = psutil.Process(command.pid)
    while command.poll() is None:
        done = verdicts_written(root)
        for process in pool_processes(parent):
            try:
                memory = process.memory_full_info()
            except psutil.Error:
                continue
            workers.setdefault(process.pid, Worker(process.pid)).samples.append((done, memory.rss, memory.uss))
        time.sleep(SAMPLE_SECONDS)
    return workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        prepare_course(root, example_class(args.submissions))
        started = time.perf_counter()
        command = subprocess.Popen(
            ["course", "autograde", ASSIGNMENT, "--workers", str(args.workers), "--no-progress"],
            cwd=root, env=tool_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        # A process forked as the pool shuts down, after the last verdict, graded nothing.
        workers = {pid: w for pid, w in sample(root, command).items() if any(done < args.submissions for done, _, _ in w.samples)}
        seconds = time.perf_counter() - started
        graded = verdicts_written(root)
        if command.returncode != 0:
            print(command.stderr.read()[-3000:], file=sys.stderr)
    print(f"{graded} of {args.submissions} submissions graded by {len(workers)} pool processes in {seconds:.0f} s "
          f"(exit status {command.returncode}); memory in MiB, RSS / USS, when so many verdicts were written:")
    points = sorted({max(1, args.submissions // 20), *(args.submissions * k // 4 for k in range(1, 5))})
    print("| pool process | " + " | ".join(f"{n} graded" for n in points) + " | growth from the first point |")
    print("| --- | " + " | ".join("---" for _ in points) + " | --- |")
    for worker in workers.values():
        memory = [worker.at(n) for n in points]
        cells = [f"{m[0] / MIB:.0f} / {m[1] / MIB:.0f}" if m else "-" for m in memory]
        seen = [m for m in memory if m]
        growth = f"{(seen[-1][0] - seen[0][0]) / MIB:+.0f} MiB RSS, {(seen[-1][1] - seen[0][1]) / MIB:+.0f} MiB USS" if seen else "-"
        print(f"| {worker.pid} | " + " | ".join(cells) + f" | {growth} |")


if __name__ == "__main__":
    main()
