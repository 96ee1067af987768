"""Score every pair of students from an inverted index of their fingerprints, not from pairwise comparisons.

Each student's fingerprints are indexed once, fingerprint -> the students who
have it (per part: a function, a cell's other code, a written answer). Pairs
are then counted from the index's lists alone: a pair that shares nothing
costs nothing, so a class of 300 (44 850 pairs) takes the time of reading
its fingerprints, not of 44 850 comparisons.

A passage that more than ``max_holders`` students have is common knowledge
(an idiom everyone writes, a snippet from the lectures), not a sign that two
of them copied: it counts for nobody, as in MOSS (its ``-m`` option, 10 by
default).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from course.similarity.fingerprints import Kind
from course.similarity.parts import Part

MAX_HOLDERS = 10

Key = tuple[str, int]  # (part name, fingerprint hash)
Region = tuple[int, int]  # characters [start, end) of a part's text


@dataclass(frozen=True)
class PartMatch:
    """How much of one part two students share: ``score`` is shared / fingerprints of either (Jaccard)."""

    part: str
    kind: Kind
    score: float
    shared: int


@dataclass(frozen=True)
class PairScore:
    """Two students and what they share; ``score`` (0-1) is the higher of ``code`` and ``text``.

    ``code`` and ``text`` are Jaccard similarities of the two students'
    fingerprints of that kind, over all parts: 1 when everything either of
    them wrote is in the other's work too. The higher of the two ranks the
    pair, so that copied written answers stand out as much as copied code.
    ``matches`` lists the parts they share, most shared fingerprints first.
    """

    a: str
    b: str
    score: float
    code: float
    text: float
    matches: tuple[PartMatch, ...]


@dataclass(frozen=True)
class FingerprintIndex:
    """For each fingerprint the students who have it, and how many fingerprints each student has per part."""

    holders: dict[Key, tuple[str, ...]]  # fingerprints held by 2 to max_holders students
    sizes: dict[str, Counter[str]]  # student -> part -> fingerprints that count (common ones left out)
    kinds: dict[str, Kind]  # part -> code or text
    common: dict[str, np.ndarray]  # part -> hashes held by more than max_holders students: counted for nobody

    def total(self, student: str, kind: Kind) -> int:
        return sum(n for part, n in self.sizes[student].items() if self.kinds[part] == kind)

    def regions(self, a: Part, b: Part) -> tuple[list[Region], list[Region]]:
        """Where in each of two students' versions of a part their shared fingerprints are, merged."""
        shared = np.setdiff1d(np.intersect1d(a.fingerprints.hashes, b.fingerprints.hashes),
                              self.common.get(a.name, np.array([], dtype=np.int64)))
        return a.fingerprints.regions(shared), b.fingerprints.regions(shared)


def build_index(parts: dict[str, dict[str, Part]], max_holders: int = MAX_HOLDERS) -> FingerprintIndex:
    """Index every student's parts (student -> part name -> part) once: one sort of all their fingerprints."""
    students = sorted(parts)
    kinds = {part.name: part.kind for by_name in parts.values() for part in by_name.values()}
    names = sorted(kinds)
    number = {name: i for i, name in enumerate(names)}
    rows = [(s, number[part.name], np.unique(part.fingerprints.hashes))
            for s, student in enumerate(students) for part in parts[student].values()]
    student_of = np.concatenate([np.full(len(h), s) for s, _, h in rows] + [np.array([], dtype=int)])
    part_of = np.concatenate([np.full(len(h), p) for _, p, h in rows] + [np.array([], dtype=int)])
    hash_of = np.concatenate([h for _, _, h in rows] + [np.array([], dtype=np.int64)])
    order = np.lexsort((student_of, hash_of, part_of))  # grouped by (part, hash), students in order
    student_of, part_of, hash_of = student_of[order], part_of[order], hash_of[order]
    first = np.r_[True, (part_of[1:] != part_of[:-1]) | (hash_of[1:] != hash_of[:-1])][: len(order)]
    starts = np.flatnonzero(first)
    held_by = np.diff(np.r_[starts, len(order)])  # how many students have each fingerprint
    counted = np.repeat(held_by <= max_holders, held_by)
    sizes: dict[str, Counter[str]] = {student: Counter() for student in students}
    pairs, counts = np.unique(np.stack([student_of[counted], part_of[counted]]), axis=1, return_counts=True)
    for s, p, n in zip(*pairs.tolist(), counts.tolist()):
        sizes[students[s]][names[p]] = n
    common: dict[str, list[int]] = defaultdict(list)
    for start in starts[held_by > max_holders].tolist():
        common[names[part_of[start]]].append(int(hash_of[start]))
    holders = {
        (names[part_of[start]], int(hash_of[start])): tuple(students[s] for s in student_of[start:start + n].tolist())
        for start, n in zip(starts.tolist(), held_by.tolist()) if 2 <= n <= max_holders
    }
    return FingerprintIndex(holders, sizes, kinds, {part: np.array(sorted(h), dtype=np.int64) for part, h in common.items()})


def score_pairs(index: FingerprintIndex) -> list[PairScore]:
    """Every pair that shares at least one fingerprint, highest score first (ties by student ids)."""
    shared: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for (part, _), who in index.holders.items():
        for pair in combinations(who, 2):
            shared[pair][part] += 1
    totals = {(s, kind): index.total(s, kind) for s in index.sizes for kind in Kind}
    pairs = [_pair_score(index, totals, a, b, counts) for (a, b), counts in shared.items()]
    return sorted(pairs, key=lambda p: (-p.score, p.a, p.b))


def _pair_score(index: FingerprintIndex, totals: dict[tuple[str, Kind], int], a: str, b: str,
                counts: Counter[str]) -> PairScore:
    matches = tuple(sorted(
        (PartMatch(part, index.kinds[part], n / (index.sizes[a][part] + index.sizes[b][part] - n), n)
         for part, n in counts.items()),
        key=lambda m: (-m.shared, m.part),
    ))
    by_kind = {}
    for kind in Kind:
        n = sum(m.shared for m in matches if m.kind == kind)
        union = totals[(a, kind)] + totals[(b, kind)] - n
        by_kind[kind] = n / union if union else 0.0
    return PairScore(a, b, max(by_kind.values()), by_kind[Kind.CODE], by_kind[Kind.TEXT], matches)
