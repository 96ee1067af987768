"""Keep hidden-test source out of the feedback students receive (nbgrader #917, #1363).

Autograding puts the hidden tests back into every test cell (``OverwriteCells``
restores them from the gradebook), and stock ``generate_feedback`` renders
those cells as they are: every student would read the hidden tests, and the
model values some of them check, in their own feedback. IPython tracebacks
quote the failing source lines, so the hidden source leaks through error
outputs as well. ``HideHiddenTests`` is one more step of the feedback
pipeline (``GenerateFeedback.preprocessors``) that removes both; scores are
untouched, since ``GetGrades`` reads them from the gradebook, not the cells.
"""

from __future__ import annotations

import re

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import ClearHiddenTests
from traitlets import List, Unicode

# An IPython traceback line: colour codes, then an optional "---->" marker and
# a line number in front of the quoted source.
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
LINE_NUMBER = re.compile(r"^\s*-*>?\s*\d+\s")


class HideHiddenTests(ClearHiddenTests):
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

    # The HTML exporter configures every preprocessor's display_data_priority;
    # accept it (as nbgrader's GetGrades does) rather than log a warning.
    display_data_priority = List().tag(config=True)

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
        is_test = utils.is_grade(cell) and not utils.is_solution(cell)
        cell.source = self._with_placeholders(cell.source)
        cell.outputs = [self._scrubbed(output, collapse_errors=is_test) for output in cell.get("outputs", [])]
        return cell, resources

    def _regions(self, source: str) -> list[tuple[int, int]]:
        """Line spans ``[begin, end]`` (delimiters included) of the hidden-test regions of ``source``."""
        regions, begin = [], None
        for number, line in enumerate(source.split("\n")):
            if self.begin_test_delimeter in line:
                begin = number
            elif self.end_test_delimeter in line and begin is not None:
                regions.append((begin, number))
                begin = None
        if begin is not None:  # no END (generate_assignment refuses that): hide the rest, to be safe
            regions.append((begin, len(source.split("\n")) - 1))
        return regions

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
