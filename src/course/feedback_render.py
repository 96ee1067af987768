"""Feedback pages rendered as nbgrader renders them, with what every student shares rendered once per process.

Measured on the demo class, nbgrader's ``generate_feedback`` spends about
1.2 s of CPU per student, and little of it on what differs between students:

* nbconvert's ``HTMLExporter`` parses each finished page with BeautifulSoup
  and writes it out again, to give images without alternative text one and
  to make JupyterLab-template cells focusable (about 40%). The feedback
  template is the classic one: it has no such cells, and a page without an
  image lacking ``alt`` comes out of that pass with the same document tree;
* pygments highlights every code cell (about 18%) and mistune renders every
  markdown cell (about 10%), though nearly all cells are the released ones,
  the same for every student;
* ``GetGrades`` asks the gradebook for each cell's grade and comment, a
  query per cell (about 17%);
* jinja compiles the feedback templates for every student's new exporter.

Here the page is the same document (``tests/commands/test_feedback_render.py``
compares it with stock's, tree for tree): the BeautifulSoup pass runs only
on a page it would change; highlighted code, rendered markdown and compiled
templates are kept for the process's next student; and a submission's grades
and comments are read in one query each.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any, Callable

from jinja2 import BytecodeCache, pass_context
from jinja2.bccache import Bucket
from jinja2.runtime import Context
from nbconvert.exporters import HTMLExporter, TemplateExporter
from nbconvert.exporters.html import WidgetsDataTypeFilter
from nbconvert.filters.highlight import Highlight2HTML
from nbformat import NotebookNode
from nbgrader.api import Comment, Grade
from nbgrader.preprocessors import GetGrades

from course.gradebook_rows import submission_rows

# What HTMLExporter's BeautifulSoup pass changes: an <img> with no alt, and JupyterLab's cell wrappers.
NEEDS_SOUP = re.compile(r"<img(?![^>]*\salt=)|jp-Cell-inputWrapper|jp-OutputArea-output", re.IGNORECASE)


class _MemoryBytecode(BytecodeCache):
    """Compiled templates kept in memory for the process: each student's exporter has a new jinja Environment."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])  # jinja discards it if the source's checksum changed

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _MemoryBytecode()
# Rendered cells kept per process, the least recently used dropped first: the
# released cells, met on every page, stay; each student's own answers, met
# once, go, so a long run's memory stays bounded (cells of a few KB each).
KEPT_CELLS = 2000
_HIGHLIGHTED: OrderedDict[tuple, str] = OrderedDict()
_MARKDOWN: OrderedDict[tuple, str] = OrderedDict()


def _kept(cache: OrderedDict[tuple, str], key: tuple, render: Callable[[], str]) -> str:
    """``render()``'s result, from ``cache`` when it has it; the cache keeps the ``KEPT_CELLS`` most recently used."""
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    cache[key] = rendered = render()
    while len(cache) > KEPT_CELLS:
        cache.popitem(last=False)
    return rendered


class SharedHighlight(Highlight2HTML):
    """nbconvert's highlighting, each distinct source highlighted once per process."""

    def __call__(self, source: str, language: str | None = None, metadata: Any = None) -> str:
        options = tuple(sorted((k, repr(v)) for k, v in self.extra_formatter_options.items()))
        key = (self.pygments_lexer, language, (metadata or {}).get("magics_language"), options, source)
        return _kept(_HIGHLIGHTED, key, lambda: super(SharedHighlight, self).__call__(source, language, metadata))


class FeedbackExporter(HTMLExporter):
    """``HTMLExporter`` (nbgrader's feedback exporter) with the shared work done once; see the module's docstring."""

    def _create_environment(self):  # noqa: ANN202 - nbconvert's signature
        environment = super()._create_environment()
        environment.bytecode_cache = _COMPILED
        return environment

    @pass_context
    def markdown2html(self, context: Context, source: str) -> str:
        """nbconvert's markdown rendering, once per process for a cell whose page does not depend on its files.

        Embedded images are read from the student's folder and attachments
        are the cell's own; a cell with either is rendered every time.
        """
        if self.embed_images or context.get("cell", {}).get("attachments"):
            return super().markdown2html(context, source)
        key = (source, self.anchor_link_text, self.exclude_anchor_links, repr(sorted(self.lexer_options.items())))
        return _kept(_MARKDOWN, key, lambda: super(FeedbackExporter, self).markdown2html(context, source))

    def from_notebook_node(self, nb: NotebookNode, resources: dict | None = None, **kw: Any) -> tuple[str, dict]:
        # As HTMLExporter.from_notebook_node registers its two per-notebook filters, up to its BeautifulSoup pass.
        language = nb.metadata.get("language_info", {})
        lexer = language.get("pygments_lexer", language.get("name", None))
        self.register_filter("highlight_code", self.filters.get("highlight_code", SharedHighlight(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter(
            "filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources)
        )
        html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        if NEEDS_SOUP.search(html):
            return super().from_notebook_node(nb, resources, **kw)
        return html, resources


class GetGradesAtOnce(GetGrades):
    """nbgrader's ``GetGrades``, reading a submission's grades and comments in one query each rather than one per cell.

    A cell the gradebook has no row for goes to stock's lookup, which fails
    as stock does (``MissingEntry``).
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        self._rows: dict[type, dict[str, Any]] = {}
        return super().preprocess(nb, resources)

    def _submission_rows(self, table: type) -> dict[str, Any]:
        if table not in self._rows:
            notebook = self.gradebook.find_submission_notebook(self.notebook_id, self.assignment_id, self.student_id)
            self._rows[table] = submission_rows(self.gradebook, table, notebook)
        return self._rows[table]

    def _get_score(self, cell: NotebookNode, resources: dict) -> None:
        grade = self._submission_rows(Grade).get(cell.metadata["nbgrader"]["grade_id"])
        if grade is None:
            return super()._get_score(cell, resources)
        cell.metadata.nbgrader["score"] = grade.score
        cell.metadata.nbgrader["points"] = grade.max_score
        return None

    def _get_comment(self, cell: NotebookNode, resources: dict) -> None:
        comment = self._submission_rows(Comment).get(cell.metadata["nbgrader"]["grade_id"])
        if comment is None:
            return super()._get_comment(cell, resources)
        cell.metadata.nbgrader["comment"] = comment.comment
        return None
