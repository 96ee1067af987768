"""What happened to each submission, kept beside its autograded notebook.

The gradebook holds scores; it has no place for "this notebook was not valid
JSON" or "the kernel died in cell 12". A verdict records that per student,
together with a fingerprint of the submitted files, so that a re-run can
tell new or changed submissions from ones already graded, and so that an
interrupted run (a verdict is written last, atomically) is finished rather
than double counted.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

VERDICT_FILE = ".course-verdict.json"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submission, and what the grader did about it.

    ``code`` is a stable identifier for reports (e.g. ``duplicate_grade_cell``);
    ``message`` is the sentence shown to the instructor and the student.
    """

    code: str
    message: str


@dataclass
class Verdict:
    student: str
    assignment: str
    fingerprint: str
    status: str  # "graded" or "failed" (nothing could be graded)
    score: float = 0.0
    max_score: float = 0.0
    seconds: float = 0.0
    attempts: int = 1
    grader: str = ""  # the executor that graded it: a grade from --unsafe is not kept by a safe run
    problems: list[Problem] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per grading phase (course.grading.phases)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "Verdict":
        data = json.loads(text)
        data["problems"] = [Problem(**p) for p in data.get("problems", [])]
        return cls(**data)


def fingerprint(folder: Path) -> str:
    """A hash of every file name and content under ``folder`` (order-independent)."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def write_verdict(folder: Path, verdict: Verdict) -> None:
    """Write atomically: a verdict that exists is complete."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (VERDICT_FILE + ".tmp")
    tmp.write_text(verdict.to_json(), encoding="utf-8")
    os.replace(tmp, folder / VERDICT_FILE)


def read_verdict(folder: Path) -> Verdict | None:
    path = folder / VERDICT_FILE
    if not path.is_file():
        return None
    try:
        return Verdict.from_json(path.read_text(encoding="utf-8"))
    except (ValueError, TypeError, KeyError):
        return None  # a damaged verdict means "not graded yet"
