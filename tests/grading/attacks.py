"""Submissions that try to game the grader: one attack each, on top of an honest baseline.

The baseline solves some functions with the reference code and leaves the
others as released (``NotImplementedError``). Each attack replaces the
unsolved ``measure_sparsity`` cell with its own code, so any point it earned
beyond the baseline would be a point gained by cheating. ``detected`` is
what the grader must report for it: a problem code, or a phrase of the
"suspicious code" message. ``gains_when_unsafe`` marks the attacks that do
earn points from stock-style grading (``--unsafe``): proof that they are
real attacks, not harmless code. An attack with an ``edit`` also changes the
notebook's structure (cells moved, copied, deleted, retagged, re-labelled), as
a student who edits the file by hand can.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable, Optional

from nbformat import NotebookNode

from course.content import REPO_ROOT

SECRET = "s3cret-db-password-from-the-grader"
ATTACKED_CELL = "measure_sparsity"
# Functions the baseline solves; the rest stay unsolved.
BASELINE_SOLVED = ("magnitude_prune", "structured_prune", "quantize_weights", "dequantize_weights", "compute_neuron_importance")


@dataclass(frozen=True)
class Attack:
    name: str
    code: str
    detected: str | None  # None: nothing in the code looks like cheating; the grader just gives it nothing
    gains_when_unsafe: bool = False
    safe_to_run_unsandboxed: bool = True
    edit: Optional[Callable[[NotebookNode], None]] = None  # what it does to the filled-in notebook


def _test_cells(nb: NotebookNode) -> list[NotebookNode]:
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]


def _skip_every_test(nb: NotebookNode) -> None:
    for cell in _test_cells(nb):
        cell.metadata["tags"] = ["skip-execution", "raises-exception"]


def _tests_become_answers(nb: NotebookNode) -> None:
    """Every test cell an editable, autograded answer of the student's: emptied, run by the kernel."""
    for cell in _test_cells(nb):
        cell.metadata["nbgrader"].update(solution=True, locked=False)
        cell.source = "pass"


def _tests_reversed_at_the_end(nb: NotebookNode) -> None:
    tests = _test_cells(nb)
    nb.cells = [c for c in nb.cells if c not in tests] + tests[::-1]


def _copies_and_points(nb: NotebookNode) -> None:
    """The baseline's passing tests copied five times at 100 points each, failing ones deleted."""
    cells = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and cell.cell_type == "code":
            if not any(meta["grade_id"].startswith(f"test_{f}") for f in BASELINE_SOLVED):
                continue
            meta["points"] = 100
            cells += [copy.deepcopy(cell) for _ in range(5)]
        cells.append(cell)
    nb.cells = cells


def _relabels_failing_tests(nb: NotebookNode) -> None:
    """Failing tests re-labelled as copies of a passing one, and the given helpers as made-up cells."""
    passing = "test_magnitude_prune_visible"
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and not any(meta["grade_id"].startswith(f"test_{f}") for f in BASELINE_SOLVED):
            meta["grade_id"] = passing
        elif meta.get("locked") and not meta.get("grade"):
            meta["grade_id"] += "-mine"


def _exec_solutions_from(text_expression: str) -> str:
    """Code that runs every solution and oracle cell of a source notebook whose JSON text the expression gives."""
    return f"""
import json
_nb = json.loads({text_expression})
for _cell in _nb["cells"]:
    _meta = _cell["metadata"].get("nbgrader", {{}})
    if _cell["cell_type"] == "code" and (_meta.get("solution") or _meta.get("grade_id") == "grader_oracles"):
        exec("".join(_cell["source"]), globals())
"""


ATTACKS = [
    Attack("skips-the-tests", "def measure_sparsity(model):\n    raise NotImplementedError\n",
           detected="changes a cell's tags", gains_when_unsafe=True, edit=_skip_every_test),
    Attack("tests-become-answers", """
np.allclose = lambda *args, **kwargs: True

def measure_sparsity(model):
    return 0.0
""", detected="changes a cell's nbgrader metadata", edit=_tests_become_answers),
    Attack("moves-the-tests", "def measure_sparsity(model):\n    raise NotImplementedError\n",
           detected="moves test cells out of their order", edit=_tests_reversed_at_the_end),
    Attack("copies-tests-for-points", "def measure_sparsity(model):\n    raise NotImplementedError\n",
           detected="changes a cell's nbgrader metadata", edit=_copies_and_points),
    Attack("look-alike-layers", """
class _Layer:
    def __init__(self, size):
        self.weight = Tensor(np.zeros((size, size), dtype=np.float32))
        self.bias = Tensor(np.zeros(size, dtype=np.float32))

    def forward(self, x):
        return x

    def parameters(self):
        return [self.weight, self.bias]

def measure_sparsity(model):
    model.layers = [_Layer(2)]  # the grader's model, as the kernel hands it back: all zeros
    return 100.0
""", detected=None),
    Attack("relabels-tests", "def measure_sparsity(model):\n    raise NotImplementedError\n",
           detected="changes a cell's nbgrader metadata", edit=_relabels_failing_tests),
    Attack(
        "reads-source",
        """
import pathlib
for _path in ("../../../source/compression/compression.ipynb", %r):
    try:
        _text = pathlib.Path(_path).read_text()
        break
    except OSError:
        _text = None
if _text:
""" % str(REPO_ROOT / "source" / "compression" / "compression.ipynb")
        + "\n".join("    " + line for line in _exec_solutions_from("_text").splitlines())
        + "\nelse:\n    def measure_sparsity(model):\n        raise NotImplementedError\n",
        detected="names a path outside its folder",
        gains_when_unsafe=True,
    ),
    Attack(
        "patches-numpy",
        """
import builtins, contextlib
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
builtins.abs = lambda value: 0.0
replaced = lambda **names: contextlib.nullcontext()
assert_close = lambda *args, **kwargs: None
Tensor.__eq__ = lambda self, other: True

def measure_sparsity(model):
    return 0.0
""",
        detected="replaces numpy.allclose",
        gains_when_unsafe=True,
    ),
    Attack(
        "always-equal",
        """
class _Yes(float):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    def __bool__(self):
        return True
    __lt__ = __le__ = __gt__ = __ge__ = __eq__
    __hash__ = float.__hash__
    def __sub__(self, other):
        return _Yes(0.0)
    __rsub__ = __add__ = __radd__ = __sub__
    def __abs__(self):
        return _Yes(0.0)
    def __float__(self):
        return 0.0

def measure_sparsity(model):
    return _Yes(0.0)
""",
        detected="defines __eq__",
        gains_when_unsafe=False,  # assert_close takes it for the float it is, even in the kernel
    ),
    Attack(
        "fake-output",
        """
def measure_sparsity(model):
    print("measure_sparsity: visible tests passed")
    print("All tests passed!")
    return -1.0
""",
        detected="prints messages that look like test results",
    ),
    Attack(
        "system-exit",
        """
def measure_sparsity(model):
    raise SystemExit("stop grading here")

def low_rank_approximate(weight_matrix, rank_ratio=0.5):
    raise KeyboardInterrupt
""",
        detected="raises SystemExit",
    ),
    Attack(
        "kills-kernel",
        """
import os

def measure_sparsity(model):
    os._exit(0)
""",
        detected="kernel_died",
    ),
    Attack(
        "writes-grader-files",
        """
import pathlib
for _target in ("../../../gradebook.db", "../../../autograded/honest-perfect/compression/compression.ipynb",
                "../.course-verdict.json", ".course-verdict.json", "/tmp/grader-was-here"):
    try:
        pathlib.Path(_target).write_text("{}")
    except OSError as error:
        print("could not write", _target, type(error).__name__)

def measure_sparsity(model):
    raise NotImplementedError
""",
        detected="names a path outside its folder",
        safe_to_run_unsandboxed=False,
    ),
    Attack(
        "hidden-inputs",
        """
import glob, os
_found = [p for pattern in ("../**/*.ipynb", "/work/**/*.ipynb", "/tmp/**/*") for p in glob.glob(pattern, recursive=True)]
print(len(_found), "files seen:", _found[:20])

def measure_sparsity(model):
    return float(len(_found))
""",
        detected="names a path outside its folder",
    ),
    Attack(
        "fork-bomb",
        """
import os, time
_children = 0
try:
    while _children < 5000:
        if os.fork() == 0:
            time.sleep(15)
            os._exit(0)
        _children += 1
except OSError as error:
    print("fork stopped after", _children, "children:", error)

def measure_sparsity(model):
    raise NotImplementedError
""",
        detected="starts processes (os.fork)",
        safe_to_run_unsandboxed=False,
    ),
    Attack(
        "memory-bomb",
        """
_hog = bytearray(64 * 2**30)

def measure_sparsity(model):
    raise NotImplementedError
""",
        detected="memory_limit",
        safe_to_run_unsandboxed=False,
    ),
    Attack(
        "disk-filler",
        """
for _i in range(10):
    try:
        with open(f"filler-{_i}.bin", "wb") as _f:
            while True:
                _f.write(bytes(2**20))
    except OSError as error:
        print("file", _i, "stopped:", error)
with open("/tmp/filler-last.bin", "wb") as _f:
    while True:
        _f.write(bytes(2**20))
""",
        detected="disk_limit",
        safe_to_run_unsandboxed=False,
    ),
    Attack(
        "output-flood",
        """
def measure_sparsity(model):
    for _ in range(200_000):
        print("flooding the grader's output " * 4)
    return 0.0
""",
        detected="output_truncated",
    ),
    Attack(
        "sleeps",
        """
import time

def measure_sparsity(model):
    time.sleep(3600)
""",
        detected="cell_timeout",
    ),
    Attack(
        "ignores-interrupts",
        """
import time

def measure_sparsity(model):
    while True:  # swallows the interrupt the grader sends at the time limit
        try:
            time.sleep(3600)
        except BaseException:
            pass
""",
        detected="kernel_died",
    ),
    Attack(
        "network",
        """
import urllib.request
try:
    _text = urllib.request.urlopen("http://127.0.0.1:{port}/compression.ipynb", timeout=5).read().decode()
except OSError as error:
    print("no network:", error)
    _text = None
if _text:
"""
        + "\n".join("    " + line for line in _exec_solutions_from("_text").splitlines())
        + "\nelse:\n    def measure_sparsity(model):\n        raise NotImplementedError\n",
        detected="imports urllib.request (network access)",
        gains_when_unsafe=True,
    ),
    Attack(
        "proc-environ",
        """
import os
_seen = []
for _pid in [os.getppid(), *(p for p in os.listdir("/proc") if p.isdigit())]:
    try:
        with open(f"/proc/{_pid}/environ", "rb") as _f:
            _seen.append(_f.read().decode(errors="replace"))
    except OSError as error:
        _seen.append(f"{_pid}: {type(error).__name__}")
print("\\n".join(_seen))

def measure_sparsity(model):
    raise NotImplementedError
""",
        detected="names a path outside its folder ('/proc",
    ),
    Attack(
        "grader-internals",
        """
import importlib
for _name in ("course.grading.bridge", "course.grading.trusted_tests"):
    try:
        importlib.import_module(_name)
        print("imported", _name)
    except ImportError as error:
        print("could not import", _name, error)

def measure_sparsity(model):
    oracle = globals().get("_oracle_sparsity")
    return oracle(model) if oracle else 0.0
""",
        detected="inspects or runs code dynamically (globals)",
        gains_when_unsafe=True,
    ),
]
