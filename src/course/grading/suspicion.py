"""Code in a submission that tries to game the grader, named for the instructor.

The sandbox and the tests that run in the grader make these tricks earn
nothing; this module only says what a submission attempted, so that the
report can show it. It reads the code the student wrote (every code cell
that is not given code of the release) and never runs it. A finding is a
flag for a human to look at, not a penalty: some patterns (``globals()``,
``exec``) have innocent uses.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from nbformat import NotebookNode

from course.cells import grade_id
from course.grading.verdicts import Problem

CODE = "tampering"

# Method names that make an object answer comparisons, truth tests or conversions its own way.
COMPARISON_DUNDERS = frozenset(
    "__eq__ __ne__ __lt__ __le__ __gt__ __ge__ __bool__ __len__ __hash__ __float__ __int__ __index__ "
    "__array__ __array_ufunc__ __array_function__ __instancecheck__ __subclasscheck__".split()
)
STOPPING_CALLS = frozenset("sys.exit exit quit os._exit os.abort os.kill os.killpg signal.signal signal.alarm".split())
STOPPING_ERRORS = frozenset("SystemExit KeyboardInterrupt GeneratorExit BaseException".split())
PROCESS_CALLS = re.compile(r"^os\.(fork|forkpty|system|popen|exec\w*|spawn\w*|posix_spawn\w*)$")
PROCESS_MODULES = frozenset("subprocess multiprocessing pty concurrent".split())
NETWORK_MODULES = frozenset("socket urllib http requests httpx ftplib smtplib telnetlib xmlrpc ssl aiohttp".split())
GRADER_MODULES = frozenset("course course_bridge nbgrader nbclient jupyter_client ipykernel traitlets sqlalchemy".split())
INTROSPECTION_CALLS = frozenset(
    "globals exec eval compile __import__ importlib.import_module sys._getframe inspect.stack inspect.currentframe "
    "gc.get_objects gc.get_referrers get_ipython".split()
)
INTROSPECTION_MODULES = frozenset("ctypes gc inspect importlib".split())
OUTSIDE_PATH = re.compile(r"(^|/)\.\.(/|$)|^/(proc|sys|work|root|home|etc|tmp|var|srv|mnt|opt|dev)\b|gradebook|nbgrader_config|autograded|exchange/")
# The grader's own names in the kernel (its agent): no student code has a reason to use them.
GRADER_PREFIX = "__course"
PASSED = re.compile(r"(?i)\bpass(ed)?\b|\bok\b|✓|✔")


@dataclass(frozen=True)
class Finding:
    what: str  # a sentence part: "replaces numpy.allclose"
    where: str  # "cell magnitude_prune, line 3"


def student_code(submission: NotebookNode, release: NotebookNode) -> list[tuple[str, str]]:
    """(where, source) of every code cell the student wrote or changed; given code is the release's."""
    given = {cell.source for cell in release.cells if cell.cell_type == "code" and cell.source.strip()}
    cells = []
    for index, cell in enumerate(submission.cells):
        if cell.cell_type == "code" and cell.source.strip() and cell.source not in given:
            cells.append((f"cell {grade_id(cell) or index + 1}", cell.source))
    return cells


def findings(code: str, where: str, grader_names: tuple[str, ...] = ()) -> list[Finding]:
    """What one cell's code attempts; a cell that does not parse attempts nothing we can name.

    ``grader_names`` are the prefixes of the names only the grader's hidden
    cells use (``TrustedExecute.grader_name_prefixes``); the grader's own
    ``__course`` names are always among them.
    """
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    modules = _module_aliases(tree)
    found: list[Finding] = []

    def flag(node: ast.AST, what: str) -> None:
        found.append(Finding(what, f"{where}, line {getattr(node, 'lineno', '?')}"))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            for target in targets:
                name = _dotted(target)
                root = name.split(".")[0] if name else ""
                if isinstance(target, ast.Attribute) and (root in modules or root in ("builtins", "__builtins__")):
                    flag(node, f"replaces {_module_path(name)}")
                elif isinstance(target, ast.Subscript) and _dotted(target.value) in ("sys.modules", "__builtins__", "globals"):
                    flag(node, f"rewrites {_dotted(target.value)}[...]")
        elif isinstance(node, ast.Call):
            name = _dotted(node.func)
            if name == "setattr" and node.args and _dotted(node.args[0]).split(".")[0] in modules | {"builtins"}:
                flag(node, f"replaces an attribute of {_module_path(_dotted(node.args[0]))}")
            elif name in STOPPING_CALLS:
                flag(node, f"stops or signals the interpreter ({name})")
            elif PROCESS_CALLS.match(name):
                flag(node, f"starts processes ({name})")
            elif name in INTROSPECTION_CALLS:
                flag(node, f"inspects or runs code dynamically ({name})")
            elif name in ("print", "display") and any(PASSED.search(s) for s in _strings(node)):
                flag(node, "prints messages that look like test results")
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in COMPARISON_DUNDERS:
                    flag(item, f"defines {item.name} in class {node.name} (an object that answers comparisons its own way)")
        elif isinstance(node, ast.Raise) and node.exc is not None:
            raised = _dotted(node.exc.func if isinstance(node.exc, ast.Call) else node.exc)
            if raised in STOPPING_ERRORS:
                flag(node, f"raises {raised}")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for module in _imported(node):
                top = module.split(".")[0]
                if top in PROCESS_MODULES:
                    flag(node, f"imports {module} (starts processes)")
                elif top in NETWORK_MODULES:
                    flag(node, f"imports {module} (network access)")
                elif top in GRADER_MODULES:
                    flag(node, f"imports the grader's own code ({module})")
                elif top in INTROSPECTION_MODULES:
                    flag(node, f"imports {module} (introspection)")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and OUTSIDE_PATH.search(node.value):
            flag(node, f"names a path outside its folder ({node.value[:60]!r})")
        elif isinstance(node, ast.Name) and node.id.startswith((GRADER_PREFIX, *grader_names)):
            flag(node, f"uses the grader's name {node.id}")
    return found


def layout_findings(submission: NotebookNode, release: NotebookNode) -> list[Finding]:
    """Edits to the assignment's own cells that only a hand-edited file makes: the grader undoes them.

    JupyterLab lets a student add cells, copy and move them, never change a
    cell's nbgrader metadata or tags; so those edits, and test cells out of
    their order, are named. Copies are not (a student may paste a visible test
    to run it again), nor what the editor keeps of its own (collapsed,
    scrolled); deleted cells are reported by staging (``inspect``).
    """
    found: list[Finding] = []
    submitted = [(grade_id(cell) or cell.get("id"), cell) for cell in submission.cells]
    for cell in release.cells:
        key = grade_id(cell)
        if key is None:
            continue
        copies = [c for k, c in submitted if k == key]  # none: a deleted cell, which staging reports
        if any(_role(c) != _role(cell) for c in copies):
            found.append(Finding("changes a cell's nbgrader metadata", f"cell {key}"))
        if any(c.get("metadata", {}).get("tags", []) != cell.get("metadata", {}).get("tags", []) for c in copies):
            found.append(Finding("changes a cell's tags", f"cell {key}"))
    tests = [grade_id(c) for c in release.cells if _role(c)["grade"]]
    order = list(dict.fromkeys(k for k, _ in submitted if k in tests))
    if order != [t for t in tests if t in order]:
        found.append(Finding("moves test cells out of their order", "the notebook"))
    return found


def _role(cell: NotebookNode) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return {key: meta.get(key) for key in ("grade", "solution", "locked", "task", "points", "grade_id")}


def tampering(submission: NotebookNode, release: NotebookNode, grader_names: tuple[str, ...] = ()) -> list[Problem]:
    """One problem per kind of attempt, with where it was seen (at most three places each); ``grader_names`` as for ``findings``."""
    by_what: dict[str, list[str]] = {}
    found = [f for where, code in student_code(submission, release) for f in findings(code, where, grader_names)]
    for finding in found + layout_findings(submission, release):
        by_what.setdefault(finding.what, []).append(finding.where)
    return [
        Problem(CODE, f"suspicious code: {what} ({'; '.join(places[:3])}{' ...' if len(places) > 3 else ''})")
        for what, places in by_what.items()
    ]


def _module_aliases(tree: ast.AST) -> set[str]:
    """Names bound to modules by this cell's imports, plus the usual ones of the given code."""
    names = {"np", "numpy", "math", "os", "sys", "time", "copy", "contextlib", "random", "builtins"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
    return names


def _module_path(name: str) -> str:
    return "numpy" + name[2:] if name.startswith("np.") else name


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    return ""


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return [node.module or ""]


def _strings(node: ast.AST) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
