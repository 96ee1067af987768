"""nbgrader pipeline steps that ``course autograde`` swaps in.

Stock ``Execute`` lets a dying kernel (``os._exit``, a segfault, the OOM
killer) fail the whole notebook: every grade is lost, including those of the
cells that ran before. ``ResilientExecute`` keeps them and scores the cells
from the death onwards as failed. A kernel that dies before running any cell
is an infrastructure failure, not the student's: it is re-raised so that the
caller can retry.

``TrustedExecute`` runs the test cells in the grader's process instead of the
kernel (``course.grading.trusted_tests``), and ``SandboxedExecute`` also puts
the kernel in a bubblewrap sandbox: together, the tamper-proof grading.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Dict, Float, Int, List, Unicode

from course.cells import CellKind, cell_kind, grade_id
from course.grading import bridge, phases
from course.grading.grader_limits import bounded_memory
from course.grading.pipeline import UNSAFE_VARIABLE
from course.grading.sandbox import Limits, SandboxedKernelManager, SandboxUnavailable, check_sandbox, package_folders
from course.grading.trusted_tests import OUTPUT_LIMIT, KernelGone, KernelLink, TrustedTests, clip, read_source, source_path

KERNEL_DIED = "DeadKernelError"
WALL_LIMIT = "WallLimitExceeded"


class NotebookStopped(Exception):
    """Grading of this notebook ends here: this cell and the ones after it score 0."""

    def __init__(self, name: str, here: str, later: str) -> None:
        super().__init__(here)
        self.name, self.here, self.later = name, here, later


def _error(name: str, message: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=name, evalue=message, traceback=[f"{name}: {message}"])


class ResilientExecute(Execute):
    """Execute that keeps the grades of the cells run before the kernel died."""

    def preprocess(self, nb, resources=None, km=None):
        self._running_index = None
        self._kernel_since: float | None = time.perf_counter()  # until the first cell, the kernel is starting
        self._last_cell_end = self._kernel_since
        try:
            return super().preprocess(nb, resources, km=km)
        except DeadKernelError:
            if self._running_index is None:
                raise
            self._fail_from(nb, self._running_index, NotebookStopped(
                KERNEL_DIED, "the kernel died while running this cell", "not run: the kernel died in an earlier cell"))
            return nb, resources
        except NotebookStopped as stop:
            self._fail_from(nb, self._running_index or 0, stop)
            return nb, resources
        finally:
            phases.add("kernel stop" if self._kernel_since is None else "kernel start",
                       time.perf_counter() - self._last_cell_end)

    def preprocess_cell(self, cell, resources, index):
        self._running_index = index
        if self._kernel_since is not None:
            phases.add("kernel start", time.perf_counter() - self._kernel_since)
            self._kernel_since = None
        try:
            with phases.timing("grader tests" if cell_kind(cell) is CellKind.TESTS else "kernel cells"):
                return self._run_cell(cell, resources, index)
        finally:
            self._last_cell_end = time.perf_counter()

    def _run_cell(self, cell, resources, index):
        """One cell, in the kernel; an executor that runs some cells elsewhere overrides this."""
        return super().preprocess_cell(cell, resources, index)

    @staticmethod
    def _fail_from(nb: NotebookNode, index: int, stop: NotebookStopped) -> None:
        first = True
        for cell in nb.cells[index:]:
            if cell.cell_type != "code":
                continue
            cell.outputs = list(cell.get("outputs", [])) + [_error(stop.name, stop.here if first else stop.later)]
            first = False


class TrustedExecute(ResilientExecute):
    """Execute the student's cells in the kernel and the test cells in the grader (see trusted_tests)."""

    source_notebook = Unicode("", help="The instructor's source notebook, where the test cells' code is taken from.").tag(config=True)
    wall_limit = Float(600.0, help="Seconds the whole notebook may take; cells after that score 0.").tag(config=True)
    max_message_mb = Float(bridge.MAX_MESSAGE / 2**20, help="Largest message the grader accepts from the kernel, in MiB: set it just above the largest legitimate answer of the assignment.").tag(config=True)
    grader_memory_mb = Int(1024, help="MiB the grading process may grow by while it grades one notebook.").tag(config=True)
    # What the engine needs to know of an assignment's own code (nbgrader_config.py sets it per course).
    shared_classes = Dict(
        key_trait=Unicode(), value_trait=Unicode(),
        help="Classes both sides build from their own definitions when an object crosses between kernel and grader: "
        "name -> 'module:attribute', or 'notebook:Name' for a class of a given cell (see course.grading.bridge).",
    ).tag(config=True)
    swap_helper = Unicode(
        "", help="Name of the given helper that swaps notebook names for stand-ins in a test (a context manager "
        "taking name=object); the grader swaps them in the kernel too. Empty: the assignment has none.",
    ).tag(config=True)
    grader_name_prefixes = List(
        Unicode(), help="Prefixes of names only the grader's hidden cells use (its oracles): a submission that "
        "uses one is flagged for tampering, as one using the grader's own ``__course`` names is.",
    ).tag(config=True)

    def preprocess(self, nb, resources=None, km=None):
        self._source = read_source(source_path(self.source_notebook, self.config, resources))
        self._trusted: TrustedTests | None = None
        self._started = time.monotonic()
        self._cleanups: list = []
        self._printed: dict[int, int] = {}
        try:
            with bounded_memory(self.grader_memory_mb * 2**20):
                return super().preprocess(nb, resources, km=km)
        finally:
            if self._trusted is not None:
                self._trusted.link.close()
            for cleanup in self._cleanups:
                cleanup()

    def _run_cell(self, cell, resources, index):
        if time.monotonic() - self._started > self.wall_limit:
            raise NotebookStopped(WALL_LIMIT, f"the notebook ran past its {self.wall_limit:g} s limit",
                                  f"not run: the notebook ran past its {self.wall_limit:g} s limit")
        if cell.cell_type != "code" or cell_kind(cell) is not CellKind.TESTS:
            return super()._run_cell(cell, resources, index)
        try:
            cell.outputs = self._tests().run(grade_id(cell))
        except KernelGone as gone:
            raise DeadKernelError(str(gone)) from None
        cell.execution_count = None
        return cell, resources

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most ``OUTPUT_LIMIT`` characters of a cell's printed text: a flood must not fill the grader's memory."""
        if msg["msg_type"] == "stream":
            used = self._printed.get(cell_index, 0)
            self._printed[cell_index] = used + len(msg["content"]["text"])
            msg["content"]["text"] = clip(msg["content"]["text"], OUTPUT_LIMIT - used)
            if not msg["content"]["text"]:
                return None
        return super().output(outs, msg, display_id, cell_index)

    def _tests(self) -> TrustedTests:
        if self._trusted is None:
            link = KernelLink(self.km, float(self.timeout or 30), self._kernel_alive, self._link_folder(),
                              max_message=int(self.max_message_mb * 2**20), shared_classes=dict(self.shared_classes))
            self._trusted = TrustedTests(self._source, link, swap_helper=self.swap_helper)
        return self._trusted

    def _link_folder(self) -> Path:
        """Where the grader's socket goes: beside the kernel's own sockets, or a private folder."""
        if self.km.transport == "ipc":
            return Path(self.km.ip).parent
        folder = Path(tempfile.mkdtemp(prefix="course-link-"))
        self._cleanups.append(lambda: shutil.rmtree(folder, ignore_errors=True))
        return folder

    def _kernel_alive(self) -> bool:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return process is not None and process.poll() is None


class SandboxedExecute(TrustedExecute):
    """TrustedExecute whose kernel runs in a bubblewrap sandbox (see course.grading.sandbox)."""

    memory_mb = Int(Limits.memory_bytes // 2**20, help="Address-space limit of the student's kernel, in MiB.").tag(config=True)
    # By the time the kernel starts, nbgrader has written into the folder the notebooks it
    # restored from the source (hidden tests and oracles included); the course keeps its
    # bookkeeping there too. The kernel sees the rest: the student's files and the released ones.
    hidden_files = List(Unicode(), ["*.ipynb", ".course-*"], help="Globs of file names in the graded folder the kernel must not see.").tag(config=True)
    support_packages = List(
        Unicode(), help="Importable packages the student's code uses besides the interpreter's own (the assignment's "
        "support library): each one's folder is shown read-only in the sandbox, and nothing else beside it.",
    ).tag(config=True)
    probe_imports = List(
        Unicode(), help="Modules the sandbox's start-up probe imports, so that a library that cannot load in the "
        "sandbox is one clear message before grading, not a dead kernel per student.",
    ).tag(config=True)

    def create_kernel_manager(self):
        self.km = SandboxedKernelManager(
            kernel_name=self.kernel_name or "python3", config=self.config,
            files=Path(self.resources["metadata"]["path"]), limits=Limits(memory_bytes=self.memory_mb * 2**20),
            hidden=tuple(self.hidden_files), support=package_folders(self.support_packages),
        )
        return self.km


def check_sandbox_for(config) -> None:
    """``check_sandbox`` with the course's support packages and probe, as ``config`` sets them for ``SandboxedExecute``."""
    settings = SandboxedExecute(config=config)
    check_sandbox(support=package_folders(settings.support_packages), probe_imports=tuple(settings.probe_imports))


class RequireSandbox(NbGraderPreprocessor):
    """A pipeline step: stop before the kernel starts when the sandbox cannot run here (checked once per process)."""

    _works = False

    def preprocess(self, nb, resources):
        if not RequireSandbox._works:
            try:
                check_sandbox_for(self.config)
            except SandboxUnavailable as error:
                raise SandboxUnavailable(
                    f"not graded: {error}\nWith stock `nbgrader autograde` or the Formgrader, {UNSAFE_VARIABLE}=1 "
                    "grades without the sandbox, the stock nbgrader way (for comparison only)."
                ) from None
            RequireSandbox._works = True
        return nb, resources
