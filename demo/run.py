"""The instructor's main job, end to end, on a bundled class of example students.

``make demo`` runs it: a fresh course in ``demo-course/`` (this repository's
grading options, SQLite gradebook, local exchange, local worker processes),
then release with a due date, 19 example students handing in through the
exchange or an LMS download (a perfect one, partial, blank, late, every
kind of broken submission, and a planted copied pair), collect, parallel
autograde, the similarity report (the copied pair on top), feedback (marked
provisional: no one grades the written answers here), export and report.
It ends with the summary table and the paths of the CSV and the report.
Every step is the same function the ``course`` command calls, and prints
the same lines (``course.messages``).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from pathlib import Path

from assignments.compression import ASSIGNMENT
from assignments.compression.examples import DUE_DATE, make_examples, submit_to_exchange, write_lms_download
from course import messages
from course.collect import collect
from course.content import REPO_ROOT
from course.export import export
from course.feedback import feedback
from course.grading.autograde import autograde
from course.release import release
from course.report import report
from course.similarity.report import similarity, similarity_lines
from demo.course_folder import create_course

DEMO_ROOT = REPO_ROOT / "demo-course"
# The first students hand in through the exchange (nbgrader submit); the rest arrive as an LMS download.
THROUGH_EXCHANGE = 5


def run(root: Path = DEMO_ROOT, workers: int | None = None) -> int:
    if root.exists():
        shutil.rmtree(root)
    create_course(root)
    released = release(root=root, assignment=ASSIGNMENT, due=f"{DUE_DATE:%Y-%m-%d %H:%M:%S} UTC")
    step("release", messages.release_line(released))

    examples = make_examples(root=root)
    for example in examples[:THROUGH_EXCHANGE]:
        submit_to_exchange(root, ASSIGNMENT, example)
    download = write_lms_download(examples[THROUGH_EXCHANGE:], root / "lms-download.zip")
    step("collect", messages.collect_line(collect(root=root, assignment=ASSIGNMENT)))
    step("collect --zip", messages.collect_line(collect(root=root, assignment=ASSIGNMENT, zip_source=download)))

    batch = autograde(root=root, assignment=ASSIGNMENT, workers=workers, progress=True)
    step("autograde", messages.autograde_summary(batch))
    # The class holds one planted copied pair (assignments.compression.examples: own-style and copier).
    compared = similarity(root=root, assignment=ASSIGNMENT, json_path=root / f"similarity-{ASSIGNMENT}.json", top=5)
    step("similarity", similarity_lines(compared))
    # Nobody grades the written answers in a demo: the feedback goes out marked provisional.
    given = feedback(root=root, assignment=ASSIGNMENT, release=True, partial=True)
    step("feedback --partial", messages.feedback_lines(given))
    csv = export(root=root, assignment=ASSIGNMENT)
    html = report(root=root, assignment=ASSIGNMENT)
    print()
    print(messages.report_summary(html))
    print(f"grades CSV: {csv.path}")
    print(f"report:     {html.path}")
    return 0


def step(name: str, summary: str) -> None:
    print(f"[{name}] {summary}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEMO_ROOT, help="where to build the demo course (replaced)")
    parser.add_argument("--workers", type=int, help="parallel workers (default: one per core)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    sys.exit(run(args.root, args.workers))


if __name__ == "__main__":
    main()
