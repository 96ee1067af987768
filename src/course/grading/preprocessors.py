"""nbgrader pipeline steps that ``course autograde`` swaps in.

Stock ``Execute`` lets a dying kernel (``os._exit``, a segfault, the OOM
killer) fail the whole notebook: every grade is lost, including those of the
cells that ran before. ``ResilientExecute`` keeps them and scores the cells
from the death onwards as failed. A kernel that dies before running any cell
is an infrastructure failure, not the student's: it is re-raised so that the
caller can retry.
"""

from __future__ import annotations

from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute

KERNEL_DIED = "DeadKernelError"


def _error(message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=KERNEL_DIED, evalue=message, traceback=[f"{KERNEL_DIED}: {message}"])


class ResilientExecute(Execute):
    """Execute that keeps the grades of the cells run before the kernel died."""

    def preprocess(self, nb, resources=None, km=None):
        self._running_index = None
        try:
            return super().preprocess(nb, resources, km=km)
        except DeadKernelError:
            if self._running_index is None:
                raise
            self._fail_from(nb, self._running_index)
            return nb, resources

    def preprocess_cell(self, cell, resources, index):
        self._running_index = index
        return super().preprocess_cell(cell, resources, index)

    @staticmethod
    def _fail_from(nb: NotebookNode, index: int) -> None:
        died = True
        for cell in nb.cells[index:]:
            if cell.cell_type != "code":
                continue
            message = "the kernel died while running this cell" if died else "not run: the kernel died in an earlier cell"
            cell.outputs = list(cell.get("outputs", [])) + [_error(message)]
            died = False
