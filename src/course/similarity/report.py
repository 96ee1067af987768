"""``course similarity``: which pairs of students share code or written answers, ranked.

``compare_notebooks`` works on notebooks in memory (the release and each
student's submission) and ``compare_class`` reads them from a course folder
first; both return every pair that shares anything. ``similarity`` is the
command: it picks the pairs to show (a minimum score, a number of pairs)
and writes them as an HTML page and, if asked, as JSON; the terminal table
(``similarity_lines``) shows the same pairs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from math import comb
from pathlib import Path

from nbformat import NotebookNode

from course.similarity.collected import load_collected
from course.similarity.html_report import write_html
from course.similarity.index import MAX_HOLDERS, FingerprintIndex, PairScore, build_index, score_pairs
from course.similarity.parts import Part, Release, submission_parts
from course.tables import render_table
from course.wording import plural

DEFAULT_TOP = 10
MATCHES_IN_TABLE = 3


@dataclass(frozen=True)
class SimilarityReport:
    """Every pair of compared students that shares something, highest score first, and what was compared."""

    pairs: tuple[PairScore, ...]
    parts: dict[str, dict[str, Part]]  # student -> part name -> part, for showing what matched
    index: FingerprintIndex
    max_holders: int
    skipped: dict[str, str] = field(default_factory=dict)  # student -> why not compared

    @property
    def students(self) -> list[str]:
        return sorted(self.parts)

    def shown(self, *, min_score: float = 0.0, top: int | None = DEFAULT_TOP) -> list[PairScore]:
        """The ``top`` highest pairs (all with ``None`` or 0) that score at least ``min_score``."""
        pairs = [pair for pair in self.pairs if pair.score >= min_score]
        return pairs[:top] if top else pairs


def compare_notebooks(release: NotebookNode, notebooks: dict[str, NotebookNode], *,
                      max_holders: int = MAX_HOLDERS, skipped: dict[str, str] | None = None) -> SimilarityReport:
    """Fingerprint each student's notebook once, index the fingerprints, score the pairs that share any."""
    baseline = Release.of(release)
    parts = {student: submission_parts(nb, baseline) for student, nb in notebooks.items()}
    index = build_index(parts, max_holders)
    return SimilarityReport(tuple(score_pairs(index)), parts, index, max_holders, dict(skipped or {}))


def compare_class(*, root: Path, assignment: str, max_holders: int = MAX_HOLDERS) -> SimilarityReport:
    """Compare every collected submission of ``assignment`` in the course at ``root`` with every other."""
    collected = load_collected(root, assignment)
    return compare_notebooks(collected.release, collected.notebooks, max_holders=max_holders, skipped=collected.skipped)


@dataclass(frozen=True)
class SimilarityResult:
    """What ``similarity`` did: the comparison, the pairs it shows, and the files it wrote."""

    assignment: str
    report: SimilarityReport
    shown: list[PairScore]
    html: Path
    json: Path | None


def similarity(*, root: Path, assignment: str, output: Path | None = None, json_path: Path | None = None,
               min_score: float = 0.0, top: int | None = DEFAULT_TOP, max_holders: int = MAX_HOLDERS) -> SimilarityResult:
    """Rank the pairs of ``assignment``'s collected submissions; write the page (and the JSON, if a path is given).

    The page goes to ``output``, by default ``<root>/similarity-<assignment>.html``.
    """
    report = compare_class(root=root, assignment=assignment, max_holders=max_holders)
    shown = report.shown(min_score=min_score, top=top)
    html = write_html(report, shown, output or root / f"similarity-{assignment}.html", assignment)
    return SimilarityResult(assignment, report, shown, html, write_json(shown, json_path) if json_path else None)


def pair_record(pair: PairScore) -> dict:
    """A pair as plain data: the students, the scores (0-1) and what they share most."""
    return {
        "a": pair.a, "b": pair.b, "score": round(pair.score, 4), "code": round(pair.code, 4), "text": round(pair.text, 4),
        "matches": [{"part": m.part, "kind": m.kind.value, "score": round(m.score, 4), "shared": m.shared}
                    for m in pair.matches],
    }


def write_json(pairs: list[PairScore], path: Path) -> Path:
    """The pairs, highest first, as a JSON list of ``pair_record`` objects."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([pair_record(pair) for pair in pairs], indent=2) + "\n", encoding="utf-8")
    return path


def similarity_lines(result: SimilarityResult) -> str:
    """The table of the pairs shown, then the paths of the page and the JSON."""
    paths = [f"page: {result.html}", *([f"JSON: {result.json}"] * bool(result.json))]
    return summary_table(result.report, result.shown, result.assignment) + "\n".join(paths)


def summary_table(report: SimilarityReport, pairs: list[PairScore], assignment: str, width: int | None = None) -> str:
    """The pairs shown, ranked, with their scores and the parts they share most; then who was not compared."""
    compared = len(report.students)
    title = (f"Similarity, {assignment}: {plural(compared, 'submission')} compared, "
             f"{len(report.pairs)} of {plural(comb(compared, 2), 'pair')} share something "
             f"(passages more than {report.max_holders} students have are not counted)")
    rows = [
        (rank, pair.a, pair.b, f"{pair.score:.2f}", f"{pair.code:.2f}", f"{pair.text:.2f}",
         ", ".join(f"{m.part} {m.score:.2f}" for m in pair.matches[:MATCHES_IN_TABLE]))
        for rank, pair in enumerate(pairs, start=1)
    ]
    text = render_table(title, rows, ("#", "a", "b", "score", "code", "text", "shares most"), width=width)
    if not pairs:
        text += "no pair to show\n"
    if report.skipped:
        text += "not compared: " + "; ".join(f"{s} ({why})" for s, why in sorted(report.skipped.items())) + "\n"
    return text
