"""The instructor's main job, end to end on embedded defaults.

At this stage of the project the flow is: build the source notebook from
its text, generate the student version with nbgrader, and validate both
versions (the source must pass; the release must fail only where students
have work to do). Batch grading steps join this flow as they are built.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nbgrader.validator import Validator

from course.content import REPO_ROOT, build
from course.course_config import ASSIGNMENT, load_course_config, open_api

NO_RESPONSE = "You did not provide a response."  # nbgrader's words for an empty answer cell


def validate(path: Path) -> list[dict]:
    """nbgrader's validation failures of a notebook (empty when it passes)."""
    return Validator().validate(str(path)).get("failed", [])


def run(root: Path = REPO_ROOT) -> int:
    source = build(ASSIGNMENT, root)
    print(f"built {source.relative_to(root)}")
    result = open_api(load_course_config(root)).generate_assignment(ASSIGNMENT, force=True)
    if not result["success"]:
        print(result.get("error") or result.get("log"), file=sys.stderr)
        return 1
    release = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    print(f"generated {release.relative_to(root)}")

    source_failures = validate(source)
    print(f"validate source:  {'passes' if not source_failures else f'{len(source_failures)} FAILING cells'}")
    release_failures = validate(release)
    stubs = sum("NotImplementedError" in f["raw_error"] for f in release_failures)
    unanswered = sum(f["raw_error"] == NO_RESPONSE for f in release_failures)
    others = len(release_failures) - stubs - unanswered
    print(f"validate release: {stubs} test cells wait for student code (NotImplementedError), "
          f"{unanswered} written answers to give, {others} other failures")
    return 0 if not source_failures and others == 0 else 1


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
