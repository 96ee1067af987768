"""nbgrader configuration for the Compression course, read from the repository root.

Every default is embedded so that a fresh clone grades with no set-up:
the gradebook is SQLite in this directory and the exchange is a folder in
this directory (override with COMPRESSION_EXCHANGE, e.g. a shared mount).
"""

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent

c = get_config()  # noqa: F821  (injected by traitlets when nbgrader loads this file)

c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.course_id = "compression"
# The gradebook. A shared deployment (e.g. PostgreSQL) puts its URL here, for every
# command and the Formgrader; one command can use another database with
# `course ... --db-url URL` or stock `nbgrader ... --CourseDirectory.db_url=URL`.
c.CourseDirectory.db_url = f"sqlite:///{ROOT / 'gradebook.db'}"

# A local exchange that needs no root: release/fetch/submit/collect all work in it.
c.Exchange.root = os.environ.get("COMPRESSION_EXCHANGE", str(ROOT / "exchange"))
c.Exchange.path_includes_course = True

# Execution: one kernel spec, a per-cell time limit and capped output floods.
c.Execute.kernel_name = "python3"
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60

# Tamper-proof grading on every path that grades: stock `nbgrader autograde`
# and the Formgrader's Autograde button run nbgrader's autograde steps with its
# Execute replaced by the course's SandboxedExecute (the kernel in the sandbox,
# the test cells in the grader, each test's code from the source notebook), as
# `course autograde` does; before that, the submission is put back in the
# source's cell layout (moved, copied, deleted, retagged or re-labelled cells
# change nothing: src/course/grading/layout.py). Without a working sandbox
# nothing is graded. The lists are
# in src/course/grading/pipeline.py, read here by path: it imports nothing,
# and the steps are dotted names imported only when a notebook is graded.
# COURSE_UNSAFE_GRADING=1 asks for nbgrader's stock steps instead (no
# sandbox, hidden tests in the student's kernel), with a warning per notebook.
_spec = importlib.util.spec_from_file_location("_course_pipeline", ROOT / "src" / "course" / "grading" / "pipeline.py")
_pipeline = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_pipeline)
c.Autograde.autograde_preprocessors = _pipeline.nbgrader_steps()
c.Autograde.sanitize_preprocessors = _pipeline.nbgrader_sanitize_steps()
if _pipeline.unsafe_requested():
    print(_pipeline.UNSAFE_WARNING, file=sys.stderr, flush=True)

# What the grader needs to know of this assignment's own code. Objects of these
# classes cross between the student's kernel and the grader as data, rebuilt on
# each side from its own class ("module:name", or "notebook:Name" for a class of
# a given cell); `replaced` is the given helper whose swaps the grader makes in
# the kernel too; `_oracle...` names belong to the grader's hidden cells only.
c.TrustedExecute.shared_classes = {
    "Tensor": "tinytorch.core.tensor:Tensor",
    "Linear": "tinytorch.core.layers:Linear",
    "LowRankLinear": "tinytorch.core.layers:LowRankLinear",
    "ReLU": "tinytorch.core.activations:ReLU",
    "SimpleModel": "notebook:SimpleModel",
}
c.TrustedExecute.swap_helper = "replaced"
c.TrustedExecute.grader_name_prefixes = ["_oracle"]
# The support library students install is the one package the sandbox shows
# besides the interpreter's own; the start-up probe imports what the notebook does.
c.SandboxedExecute.support_packages = ["tinytorch"]
c.SandboxedExecute.probe_imports = ["numpy", "tinytorch.core.tensor", "tinytorch.core.layers"]

# Each student kernel runs in the sandbox with this address-space limit, and
# the whole notebook within this wall time. The per-cell limit above also
# bounds each test cell the grader runs.
c.SandboxedExecute.memory_mb = 2048
c.TrustedExecute.wall_limit = 600
# The grading process itself: it may grow by this much while it grades one
# notebook, and it refuses any single message from the kernel above this size.
# This assignment's largest legitimate answer is a few KiB (the largest input the
# grader sends is 0.7 MiB); a student's 64 MiB "answer" is refused, not decoded.
c.TrustedExecute.grader_memory_mb = 1024
c.TrustedExecute.max_message_mb = 4

# A deleted grade cell is put back from the source and graded, never left as
# "needs manual grading" (nbgrader #1682).
c.OverwriteCells.add_missing_cells = True

# Output costs nothing: what honest code prints while a test calls it (print,
# a tqdm progress bar, logging, warnings) never costs points; only an error (a
# failing assertion, an exception, a limit) does. Stock nbgrader scores a test
# cell 0 for any text on stderr, so every stderr output of a graded notebook is
# dropped here, for stock `nbgrader autograde` and `course autograde` alike.
# Tracebacks are error outputs, never stderr streams, so they still count.
# (nbgrader's Validate does not run this step: it still reports stderr text in a
# test cell as a failure; the notebook and the README say so.)
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = r"[\s\S]*"

# Released notebooks keep the source's nbformat (4.5, with cell ids) and kernel.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Feedback without hidden-test source (nbgrader #917/#1363): nbgrader's default
# feedback pipeline plus the course's steps, for stock `nbgrader generate_feedback`
# and the Formgrader as for `course feedback`: a test cell that lost points says
# in words what its hidden tests check, the hidden tests' source is removed, and
# feedback sent while written answers are ungraded is marked provisional. Named
# as strings so that this file loads without importing anything.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
    "course.feedback_filters.ExplainFailedTests",
    "course.feedback_filters.HideHiddenTests",
    "course.feedback_filters.MarkProvisional",
]
# The grader's verdict beside each autograded notebook (problems, tampering
# flags) is the instructor's: never copied into a feedback folder, and a file of
# that name handed in by a student is not copied into the autograded folder.
# (The first four are nbgrader's defaults.)
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".course-verdict.json*"]

# Late submissions lose 10% of the earned score per started day past the due date.
c.AssignLatePenalties.plugin_class = "course.late_penalty.PerDayLatePenalty"
