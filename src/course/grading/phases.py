"""Where a submission's grading time goes, phase by phase, for its verdict.

A grading process grades one submission at a time, and the phases happen in
different layers (the worker stages and scores, nbgrader's converter runs
the preprocessors, the executor starts the kernel and runs cells), none of
which hands a result object to the next. So the clock is the process's
current one: ``recording()`` starts it for a submission, and each layer adds
its seconds with ``timing(phase)``; outside a recording, ``timing`` costs a
clock read and records nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

# In the order they happen; "nbgrader" is what nbgrader's autograde spends
# around the kernel: sanitizing, copying files, gradebook reads and writes.
PHASES = ("staging", "kernel start", "kernel cells", "grader tests", "kernel stop", "nbgrader", "scoring")
KERNEL_PHASES = PHASES[1:5]  # the executor's, inside nbgrader's autograde

_current: dict[str, float] | None = None


@contextmanager
def recording() -> Iterator[dict[str, float]]:
    """A fresh clock for one submission's grading: the yielded dict fills in as its phases end."""
    global _current
    outer, _current = _current, {}
    try:
        yield _current
    finally:
        _current = outer


def add(phase: str, seconds: float) -> None:
    """Count ``seconds`` to ``phase`` of the submission being graded, if one is."""
    if _current is not None:
        _current[phase] = _current.get(phase, 0.0) + seconds


@contextmanager
def timing(phase: str, excluding: tuple[str, ...] = ()) -> Iterator[None]:
    """Count the block's wall time to ``phase``, also when it raises.

    Time the block's inner layers count to the ``excluding`` phases is left
    out, so that nested phases are not counted twice.
    """
    started = time.perf_counter()
    inner = _inner_seconds(excluding)
    try:
        yield
    finally:
        add(phase, time.perf_counter() - started - (_inner_seconds(excluding) - inner))


def _inner_seconds(phases: tuple[str, ...]) -> float:
    return sum(_current.get(phase, 0.0) for phase in phases) if _current is not None else 0.0


def rounded(clock: dict[str, float]) -> dict[str, float]:
    """The clock to the millisecond, for a verdict file."""
    return {phase: round(clock[phase], 3) for phase in PHASES if phase in clock}


def averaged(clocks: list[dict[str, float]]) -> dict[str, float]:
    """Each phase's mean over ``clocks`` (a phase missing from a clock counts 0 there)."""
    if not clocks:
        return {}
    seen = [phase for phase in PHASES if any(phase in clock for clock in clocks)]
    return {phase: sum(clock.get(phase, 0.0) for clock in clocks) / len(clocks) for phase in seen}
