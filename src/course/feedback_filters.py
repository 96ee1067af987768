"""Keep hidden-test source out of the feedback students receive (nbgrader #917, #1363).

Autograding puts the hidden tests back into every test cell (``OverwriteCells``
restores them from the gradebook), and stock ``generate_feedback`` renders
those cells as they are: every student would read the hidden tests, and the
model values some of them check, in their own feedback. IPython tracebacks
quote the failing source lines, so the hidden source leaks through error
outputs as well. ``HideHiddenTests`` is one more step of the feedback
pipeline (``GenerateFeedback.preprocessors``) that removes both; scores are
untouched, since ``GetGrades`` reads them from the gradebook, not the cells.

Two more steps make the feedback say what a student needs to know.
``ExplainFailedTests`` names, for a test cell that lost points, what its
hidden tests check, in the words the source gives them (the comment above the
hidden region, ``# Hidden tests: ...``), never their code. ``MarkProvisional``
marks the score heading and puts a banner on top when written answers are
still waiting for a human grader, so that a score sent early
(``course feedback --partial``) is read as provisional, not final.
"""

from __future__ import annotations

import html
import re

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbformat.v4 import new_markdown_cell, new_output
from nbgrader import utils
from nbgrader.api import Gradebook, Grade
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor
from traitlets import List, Unicode

from course.gradebook_rows import submission_rows
from course.wording import plural

# An IPython traceback line: colour codes, then an optional "---->" marker and
# a line number in front of the quoted source.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
LINE_NUMBER = re.compile(r"^\s*-*>?\s*\d+\s")


def hidden_regions(source: str, begin_delimiter: str, end_delimiter: str) -> list[tuple[int, int]]:
    """Line spans ``[begin, end]`` (delimiters included) of the hidden-test regions of ``source``."""
    regions, begin = [], None
    for number, line in enumerate(source.split("\n")):
        if begin_delimiter in line:
            begin = number
        elif end_delimiter in line and begin is not None:
            regions.append((begin, number))
            begin = None
    if begin is not None:  # no END (generate_assignment refuses that): hide the rest, to be safe
        regions.append((begin, len(source.split("\n")) - 1))
    return regions


def is_test_cell(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


class FeedbackStep(NbGraderPreprocessor):
    """A step of the course's feedback pipeline.

    The HTML exporter configures every preprocessor's display_data_priority;
    each step accepts it (as nbgrader's GetGrades does) rather than log a warning.
    """

    display_data_priority = List().tag(config=True)


class HideHiddenTests(FeedbackStep, ClearHiddenTests):
    """Replace hidden-test regions with a placeholder and scrub outputs that quote them.

    A subclass of ``ClearHiddenTests`` so that it reads the same configured
    delimiters (``c.ClearHiddenTests.begin_test_delimeter``...). Each hidden
    region becomes one placeholder line, and every error output of a test
    cell is cut down to ``ExceptionName: message``. In every cell, an output
    line that quotes a hidden source line is dropped, and a traceback that
    quotes one is cut down too: a student's own cell can print or raise
    through code the grader defined in a hidden region.
    """

    _hidden: frozenset[str] = frozenset()  # the hidden lines of the notebook being processed

    placeholder = Unicode(
        "# (hidden tests: not shown)",
        help="The line that stands in for each hidden-test region in feedback.",
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        self._hidden = self._hidden_lines(nb)
        return super().preprocess(nb, resources)

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        if cell.cell_type != "code":
            return cell, resources
        is_test = is_test_cell(cell)
        cell.source = self._with_placeholders(cell.source)
        cell.outputs = [self._scrubbed(output, collapse_errors=is_test) for output in cell.get("outputs", [])]
        return cell, resources

    def _regions(self, source: str) -> list[tuple[int, int]]:
        return hidden_regions(source, self.begin_test_delimeter, self.end_test_delimeter)

    def _hidden_lines(self, nb: NotebookNode) -> frozenset[str]:
        """Every non-blank line (stripped) inside a hidden region of any code cell of ``nb``."""
        hidden: set[str] = set()
        for cell in nb.cells:
            if cell.cell_type == "code":
                lines = cell.source.split("\n")
                for begin, end in self._regions(cell.source):
                    hidden.update(line.strip() for line in lines[begin + 1 : end] if line.strip())
        return frozenset(hidden)

    def _with_placeholders(self, source: str) -> str:
        lines = source.split("\n")
        kept, start = [], 0
        for begin, end in self._regions(source):
            indent = lines[begin][: len(lines[begin]) - len(lines[begin].lstrip())]
            kept += [*lines[start:begin], indent + self.placeholder]
            start = end + 1
        return "\n".join(kept + lines[start:])

    def _reveals(self, line: str) -> bool:
        """Whether an output line quotes hidden source (as printed, or as a traceback shows it)."""
        plain = ANSI_ESCAPE.sub("", line)
        return plain.strip() in self._hidden or LINE_NUMBER.sub("", plain).strip() in self._hidden

    def _keep(self, text: str) -> str:
        return "".join(line for line in text.splitlines(keepends=True) if not self._reveals(line))

    def _scrubbed(self, output: NotebookNode, collapse_errors: bool) -> NotebookNode:
        if output.output_type == "error":
            evalue = self._keep(output.evalue)
            traceback_lines = [line for frame in output.traceback for line in frame.split("\n")]
            if collapse_errors or any(self._reveals(line) for line in traceback_lines):
                output.traceback = [f"{output.ename}: {evalue}" if evalue else output.ename]
            output.evalue = evalue
        elif output.output_type == "stream":
            output.text = self._keep(output.text)
        elif output.output_type in ("execute_result", "display_data"):
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") and isinstance(value, str):
                    output.data[mime] = self._keep(value)
        return output


def lost_points(cell: NotebookNode) -> bool:
    """Whether a grade cell scored less than its points (as ``GetGrades`` put them in its metadata)."""
    meta = cell.metadata.get("nbgrader", {})
    score, points = meta.get("score"), meta.get("points")
    return score is not None and points is not None and score < points


class ExplainFailedTests(FeedbackStep, ClearHiddenTests):
    """Say in words what the hidden tests of a test cell that lost points check, never their code.

    Each hidden region is written with its description right above it, as a
    comment outside the region (``# Hidden tests: biases never count, ...``),
    so the description is already part of what students read. When the cell
    scored less than its points, the description is repeated as the cell's
    first output, next to the failure: a bare ``AssertionError`` then still
    tells the student which property their code lacks. It runs before
    ``HideHiddenTests``, which scrubs every output, this one included.
    """

    description_prefix = Unicode(
        "Hidden tests:", help="Taken off the start of a description comment (the source's convention)."
    ).tag(config=True)

    heading = Unicode("Hidden tests not passed", help="What precedes each description in the feedback.").tag(config=True)

    def preprocess_cell(
        self, cell: NotebookNode, resources: ResourcesDict, cell_index: int
    ) -> tuple[NotebookNode, ResourcesDict]:
        if is_test_cell(cell) and lost_points(cell):
            described = self.descriptions(cell.source)
            if described:
                cell.outputs = [self._explanation(described), *cell.get("outputs", [])]
        return cell, resources

    def descriptions(self, source: str) -> list[str]:
        """The comment block right above each hidden region of ``source``, as one sentence each."""
        lines = source.split("\n")
        found = []
        for begin, _ in hidden_regions(source, self.begin_test_delimeter, self.end_test_delimeter):
            comment: list[str] = []
            for line in reversed(lines[:begin]):
                if not line.lstrip().startswith("#") or self.end_test_delimeter in line:
                    break
                comment.insert(0, line.strip().lstrip("#").strip())
            text = " ".join(comment).removeprefix(self.description_prefix).strip()
            if text:
                found.append(text)
        return found

    def _explanation(self, descriptions: list[str]) -> NotebookNode:
        plain = "\n".join(f"{self.heading}: {text}" for text in descriptions)
        rich = "".join(
            f'<div class="alert alert-danger hidden-test-failed"><strong>{html.escape(self.heading)}:</strong> '
            f"{html.escape(text)}</div>"
            for text in descriptions
        )
        return new_output("display_data", data={"text/plain": plain, "text/html": rich})


def awaits_grader(grade: Grade) -> bool:
    """A written answer (not code) that neither autograde nor a person has scored: points still open."""
    return grade.cell_type != "code" and grade.auto_score is None and grade.manual_score is None


class MarkProvisional(FeedbackStep):
    """Put a banner on top of the feedback while written answers of the notebook are still ungraded.

    Until a person grades them, such answers count 0 in every score nbgrader
    shows, so feedback sent before then (``course feedback --partial``) would
    read as a final grade. nbgrader's feedback template titles the page and
    its score heading with ``resources["nbgrader"]["notebook"]``: that title
    gets "(provisional: N written answers not graded yet)", so the mark is
    beside the score; and a banner at the top of the notebook links to each
    open answer. It reads the gradebook as ``GetGrades`` does, so stock
    ``nbgrader generate_feedback`` shows it too when this step is configured.
    """

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            notebook = gradebook.find_submission_notebook(info["notebook"], info["assignment"], info["student"])
            open_ids = {name for name, grade in submission_rows(gradebook, Grade, notebook).items() if awaits_grader(grade)}
        order = [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells]
        pending = sorted(open_ids, key=lambda name: order.index(name) if name in order else len(order))
        if pending:
            headline = f"provisional: {plural(len(pending), 'written answer')} not graded yet"
            info["notebook"] = f"{info['notebook']} ({headline})"
            nb.cells.insert(0, new_markdown_cell(self.banner(headline, pending)))
        return nb, resources

    @staticmethod
    def banner(headline: str, pending: list[str]) -> str:
        links = ", ".join(f'<a href="#{html.escape(name)}">{html.escape(name)}</a>' for name in pending)
        return (
            f'<div class="alert alert-warning provisional-feedback" role="alert"><strong>{headline}</strong> ({links}). '
            "Answers not graded yet count 0 in the score above, which is not final.</div>"
        )
