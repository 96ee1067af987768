"""Similarity on a synthetic class: how long ``course similarity`` takes for N students, and whether the planted copies come first.

The class is built from the release notebook: for each solution cell, every
student starts from one of ten correct implementations (the reference and the
mutation check's nine alternatives), made their own by lines of their own
between its statements (a random half of them), and writes the model
answers in their own words (a random third of the words replaced). Then
``--copies`` students hand in a classmate's notebook, renamed, reordered,
commented and reformatted (``demo.disguise``). All of it is written into
``submitted/`` of a fresh course folder, and the timed run is
``course.similarity.report.compare_class``, as ``course similarity`` runs it:
reading the notebooks, fingerprinting, indexing and scoring every pair.

Usage: .venv/bin/python benchmarks/similarity_speed.py [--students 300] [--copies 5] [--seed 0]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
import tokenize
from math import comb
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from course.similarity import report as similarity  # noqa: E402
from demo.course_folder import create_course  # noqa: E402
from demo.disguise import disguised  # noqa: E402
from tests.similarity.planted import (  # noqa: E402
    RELEASE_PATH, alternative_code, handed_in, model_answers, reference_code,
)
from tests.grading.mutants import load_alternatives  # noqa: E402

ASSIGNMENT = "compression"
FILLER = ("checked = True", "step += 1", "print(step)", "assert True", "note = 'ok'", "count = count + 0")


def own_lines(code: str, rng: random.Random) -> str:
    """``code`` with a line of the student's own after a random half of the statements inside its functions."""
    lines = code.splitlines()
    after: dict[int, str] = {}  # last row of a statement -> its indentation
    first_row, first, last = None, None, None
    for tok in tokenize.generate_tokens(io.StringIO(code).readline):
        if tok.type in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
            continue
        if tok.type == tokenize.NEWLINE:
            indent = lines[first_row - 1][: len(lines[first_row - 1]) - len(lines[first_row - 1].lstrip())]
            if indent and last != ":" and first != "@" and rng.random() < 0.5:
                after[tok.start[0]] = indent
            first_row = None
            continue
        if first_row is None:
            first_row, first = tok.start[0], tok.string
        last = tok.string
    out = []
    for row, line in enumerate(lines, start=1):
        out.append(line)
        if row in after:
            out.append(f"{after[row]}{rng.choice(FILLER)}  # {rng.randrange(10**6)}")
    return "\n".join(out)


def own_words(text: str, rng: random.Random, vocabulary: list[str]) -> str:
    return " ".join(rng.choice(vocabulary) if rng.random() < 1 / 3 else word for word in text.split())


def synthetic_class(students: int, copies: int, seed: int) -> tuple[dict[str, nbformat.NotebookNode], list[tuple[str, str]]]:
    rng = random.Random(seed)
    implementations = [reference_code(), *(alternative_code(a.name) for a in load_alternatives())]
    answers = model_answers()
    vocabulary = sorted({w for text in answers.values() for w in text.split()})
    cells: dict[str, tuple[dict[str, str], dict[str, str]]] = {}
    for index in range(students - copies):
        code = {gid: own_lines(rng.choice(implementations)[gid], rng) for gid in implementations[0]}
        cells[f"student{index:03d}"] = (code, {gid: own_words(text, rng, vocabulary) for gid, text in answers.items()})
    planted = []
    for index, original in enumerate(rng.sample(sorted(cells), copies)):
        code, written = cells[original]
        copier = f"copier{index:02d}"
        cells[copier] = ({gid: disguised(text, rng.randrange(10**6)) for gid, text in code.items()}, written)
        planted.append((original, copier))
    return {student: handed_in(code, written) for student, (code, written) in cells.items()}, planted


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--copies", type=int, default=5, help="students among them who hand in a disguised copy")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    notebooks, planted = synthetic_class(args.students, args.copies, args.seed)
    with tempfile.TemporaryDirectory() as folder:
        root = create_course(Path(folder) / "course")
        release = root / "release" / ASSIGNMENT
        release.mkdir(parents=True)
        (release / RELEASE_PATH.name).write_bytes(RELEASE_PATH.read_bytes())
        for student, nb in notebooks.items():
            target = root / "submitted" / student / ASSIGNMENT
            target.mkdir(parents=True)
            nbformat.write(nb, target / RELEASE_PATH.name)
        started = time.perf_counter()
        report = similarity.compare_class(root=root, assignment=ASSIGNMENT)
        seconds = time.perf_counter() - started
    ranks = {frozenset((p.a, p.b)): rank for rank, p in enumerate(report.pairs, start=1)}
    planted_ranks = sorted(ranks.get(frozenset(pair), 0) for pair in planted)
    print(f"{len(notebooks)} students, {comb(len(notebooks), 2)} pairs: compared in {seconds:.1f} s "
          f"({1000 * seconds / len(notebooks):.0f} ms per student); {len(report.pairs)} pairs share something; "
          f"{sum(map(len, report.index.common.values()))} fingerprints held by more than {report.max_holders} students not counted")
    print(f"planted copies ranked {planted_ranks} (scores {[round(report.pairs[r - 1].score, 2) for r in planted_ranks]}); "
          f"next pair {report.pairs[len(planted)].score:.2f}")


if __name__ == "__main__":
    main()
