"""The similarity page: the ranked pairs, then each pair's matching parts side by side, shared regions highlighted.

A score says that two students share something; the instructor has to see
what before acting on it. For every pair shown, each part they share (a
function, a written answer) is printed in both students' versions, as they
typed them, with the regions their shared fingerprints cover marked. The
page is one self-contained file (no scripts, no external styles), so it can
be archived or mailed with a case.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from course.similarity.index import PairScore, Region

if TYPE_CHECKING:
    from course.similarity.report import SimilarityReport

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; }
table.pairs { border-collapse: collapse; } table.pairs td, table.pairs th { padding: 0.2rem 0.8rem; text-align: left; }
table.pairs tr:nth-child(even) { background: #f4f4f4; }
.side-by-side { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.side pre { background: #fafafa; border: 1px solid #ddd; padding: 0.5rem; overflow-x: auto; font-size: 0.85rem; }
mark { background: #ffd54f; }
"""


def highlighted(text: str, regions: list[Region]) -> str:
    """``text`` as HTML, each region wrapped in ``<mark>``."""
    out, position = [], 0
    for start, end in regions:
        out += [html.escape(text[position:start]), "<mark>", html.escape(text[start:end]), "</mark>"]
        position = end
    return "".join(out) + html.escape(text[position:])


def _pair_section(report: SimilarityReport, rank: int, pair: PairScore) -> str:
    e = html.escape
    blocks = []
    for match in pair.matches:
        part_a, part_b = report.parts[pair.a][match.part], report.parts[pair.b][match.part]
        regions_a, regions_b = report.index.regions(part_a, part_b)
        sides = "".join(
            f'<div class="side" data-student="{e(student)}"><h4>{e(student)}</h4>'
            f"<pre><code>{highlighted(part.text, regions)}</code></pre></div>"
            for student, part, regions in ((pair.a, part_a, regions_a), (pair.b, part_b, regions_b))
        )
        blocks.append(f'<h3>{e(match.part)} ({match.kind.value}): {match.score:.2f}, {match.shared} shared fingerprints</h3>'
                      f'<div class="side-by-side" data-part="{e(match.part)}">{sides}</div>')
    return (f'<section class="pair" id="pair-{rank}" data-a="{e(pair.a)}" data-b="{e(pair.b)}">'
            f"<h2>{rank}. {e(pair.a)} and {e(pair.b)}: {pair.score:.2f} "
            f"(code {pair.code:.2f}, written answers {pair.text:.2f})</h2>{''.join(blocks)}</section>")


def render_html(report: SimilarityReport, pairs: list[PairScore], assignment: str) -> str:
    e = html.escape
    rows = "".join(
        f'<tr><td>{rank}</td><td><a href="#pair-{rank}">{e(p.a)} and {e(p.b)}</a></td>'
        f"<td>{p.score:.2f}</td><td>{p.code:.2f}</td><td>{p.text:.2f}</td></tr>"
        for rank, p in enumerate(pairs, start=1)
    )
    skipped = "".join(f"<li>{e(s)}: {e(why)}</li>" for s, why in sorted(report.skipped.items()))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Similarity: {e(assignment)}</title>'
        f"<style>{STYLE}</style></head><body><h1>Similarity: {e(assignment)}</h1>"
        f"<p>{len(report.students)} submissions compared; {len(report.pairs)} pairs share something. "
        f"What the release gave everyone is never counted, nor passages more than {report.max_holders} "
        f"students have. Highlighted: the regions the two students share.</p>"
        f'<table class="pairs"><tr><th>#</th><th>pair</th><th>score</th><th>code</th><th>written answers</th></tr>'
        f"{rows}</table>"
        + (f"<h2>Not compared</h2><ul>{skipped}</ul>" if skipped else "")
        + "".join(_pair_section(report, rank, pair) for rank, pair in enumerate(pairs, start=1))
        + "</body></html>\n"
    )


def write_html(report: SimilarityReport, pairs: list[PairScore], path: Path, assignment: str) -> Path:
    """Write the page for ``pairs`` (as ``SimilarityReport.shown`` picks them) to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report, pairs, assignment), encoding="utf-8")
    return path
