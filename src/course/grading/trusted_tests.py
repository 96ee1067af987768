"""Test cells run by the grader, never by the student's kernel.

A hidden test that runs in the student's kernel can be defeated from inside
it: monkeypatch ``np.allclose``, return an object equal to everything, read
the grader's oracles out of ``globals()``. Here the kernel runs only the
student's and the given cells. Each test cell's code is taken from the
instructor's source notebook and executed in this process, in a namespace
built from the source's given cells and the grader's oracles; the student's
names in it are ``Handle`` objects whose calls run in the kernel and bring back
plain data only (see ``course.grading.bridge``). The kernel can make a test
fail, never pass: whatever it returns is judged here.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import json
import os
import queue
import socket
import struct
import time
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import nbformat
import zmq
from jupyter_client.blocking import BlockingKernelClient
from jupyter_core.utils import run_sync
from nbformat import NotebookNode

from course.cells import CellKind, cell_kind, grade_id as grade_id_of
from course.course_config import notebook_file
from course.grading import bridge
from course.grading.bridge import Bridge, Handle, ProtocolError, resolve_classes
from course.grading.grader_limits import time_limit

# A given cell with this tag defines helpers that read the student's variables: the grader calls them in the kernel.
READS_STUDENT_STATE = "reads-student-state"
OUTPUT_LIMIT = 100_000
# What an error may always say, even after the output cap is used up.
ERROR_ROOM = 2_000
TRUNCATED = "\n... Output truncated ...\n"
# Seconds past a test cell's limit that the grader's own work may run: the kernel's interrupt
# (and its 10 s to answer it) comes first.
GRADER_GRACE = 15.0
AGENT = "__course_agent__"


class CellTimeout(BaseException):
    """The test cell ran past its time limit; the kernel was interrupted."""


class GraderOverran(CellTimeout):
    """The grader's own work on a test (not the kernel's) ran past the cell's limit."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(args or ("the grader's work on what the kernel returned ran past the time limit",)))


class KernelGone(BaseException):
    """The kernel died or stopped answering; nothing more can run in it."""


@dataclass(frozen=True)
class SourceTests:
    """What the grader takes from the instructor's source notebook, and never from a submission."""

    given: tuple[tuple[str, str], ...]  # (grade_id, code) of the given cells, in order
    kernel_names: tuple[str, ...]  # names the tests find in the student's kernel
    tests: dict[str, str]  # grade_id -> code of each test cell
    notebook: NotebookNode  # the whole source, for the layout the submission is graded in


@functools.lru_cache(maxsize=8)
def _read_source(path: str, mtime: float) -> SourceTests:
    nb = nbformat.read(path, as_version=4)
    given, names, tests = [], set(), {}
    for cell in nb.cells:
        kind, tags = cell_kind(cell), set(cell.metadata.get("tags", []))
        if kind is CellKind.TESTS:
            tests[grade_id_of(cell)] = cell.source
        elif kind is CellKind.SOLUTION or READS_STUDENT_STATE in tags:
            names |= defined_names(cell.source)
        elif kind is CellKind.GIVEN:
            given.append((grade_id_of(cell), cell.source))
    return SourceTests(tuple(given), tuple(sorted(names)), tests, nb)


def read_source(path: Path) -> SourceTests:
    return _read_source(str(path), path.stat().st_mtime)


def source_path(configured: str, config: Any, resources: dict) -> Path:
    """``configured``, or else the source of the notebook nbgrader is grading (stock autograde, the Formgrader)."""
    if configured:
        return Path(configured)
    graded = resources["nbgrader"]
    return notebook_file(config, "source", graded["notebook"], assignment=graded["assignment"])


def defined_names(code: str) -> set[str]:
    """Top-level names a cell defines (functions, classes, assignments)."""
    names = set()
    for node in ast.parse(code).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def clip(text: str, room: int) -> str:
    """``text`` if it fits in ``room`` characters, else its start and the truncation mark ("" when full)."""
    if room <= 0:
        return ""
    return text if len(text) <= room else text[:room] + TRUNCATED


class Outputs:
    """A test cell's outputs as they come: the grader's prints and the kernel's streams, capped."""

    def __init__(self, limit: int = OUTPUT_LIMIT) -> None:
        self.items: list[NotebookNode] = []
        self.left = limit

    def stream(self, name: str, text: str) -> None:
        text = clip(text, self.left)
        if not text:
            return
        self.left -= len(text)
        if self.items and self.items[-1].output_type == "stream" and self.items[-1].name == name:
            self.items[-1].text += text
        else:
            self.items.append(nbformat.v4.new_output("stream", name=name, text=text))

    def error(self, error: BaseException, test_name: str) -> None:
        lines = [line.rstrip("\n") for line in traceback.format_exception(error) if f"<{test_name}>" in line or not line.startswith("  File")]
        remote = getattr(error, "remote_traceback", "")
        if remote:
            lines += ["", "In the student's kernel:", *remote.rstrip().splitlines()]
        name = "CellTimeoutError" if isinstance(error, CellTimeout) else type(error).__name__
        # An assertion message may quote whatever the kernel returned: it shares the cell's output cap.
        evalue = clip(str(error), max(self.left, ERROR_ROOM))
        self.left -= len(evalue)
        shown = clip("\n".join(lines), max(self.left, ERROR_ROOM)).split("\n")
        self.left -= sum(map(len, shown))
        self.items.append(nbformat.v4.new_output("error", ename=name, evalue=evalue, traceback=shown))


class _Writer(io.TextIOBase):
    def __init__(self, outputs: Outputs, name: str) -> None:
        self.outputs, self.name = outputs, name

    def write(self, text: str) -> int:
        self.outputs.stream(self.name, text)
        return len(text)


class KernelLink:
    """The grader's wire to one kernel: runs the agent, trades messages with it over a unix socket.

    Each test cell is one execution in the kernel (``__course_agent__.serve(path)``)
    that connects to this side's socket, in a folder the sandbox shares, and
    trades length-prefixed messages until told it is done. (The kernel's own
    input channel would do, at 40 times the cost per message.) A separate
    client with its own session runs the execution and collects its output,
    so the notebook client's messages never mix with these.
    """

    def __init__(
        self, km: Any, timeout: float, alive: Callable[[], bool], folder: Path, max_message: int = bridge.MAX_MESSAGE,
        shared_classes: dict[str, str] | None = None,
    ) -> None:
        self.km = km
        self.shared_classes = dict(shared_classes or {})  # see TrustedExecute.shared_classes
        self.timeout = timeout
        self.max_message = max_message
        self.alive = alive
        self.path = folder / "grader.sock"
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(self.path))
        os.chmod(self.path, 0o777)  # the sandbox's own uid connects to it
        self.listener.listen(1)
        self.client = BlockingKernelClient()
        self.client.load_connection_info(km.get_connection_info())
        self.client.start_channels(hb=False, control=False)
        self.installed = False
        self.idle = False
        self.conn: socket.socket | None = None
        self.poller = self._poller()
        self.begin(Outputs())

    def close(self) -> None:
        self._hang_up()
        self.listener.close()
        self.path.unlink(missing_ok=True)
        self.client.stop_channels()

    def begin(self, outputs: Outputs) -> None:
        self.outputs, self.msg_id, self.awaiting, self.timed_out = outputs, None, False, False
        self.deadline = time.monotonic() + self.timeout

    def exchange(self, text: str) -> str:
        if self.msg_id is None:
            self._start()
            try:
                ready = json.loads(self._receive())
            except ValueError:
                ready = None
            if not isinstance(ready, dict) or ready.get("op") != "ready":
                raise ProtocolError("the kernel did not start the grader's agent")
        self._send(text)
        return self._receive()

    def end(self) -> None:
        """Let the agent return (also from nested calls after an error), then collect the last output."""
        if self.msg_id is None:
            return
        self.deadline = max(self.deadline, time.monotonic() + 5)
        try:
            for _ in range(100):
                if self.awaiting:
                    self._send(json.dumps({"op": "done", "state": []}))
                self._receive(finishing=True)
            raise KernelGone("the kernel would not finish the test cell")
        except _Finished:
            self.msg_id = None
        finally:
            self._hang_up()

    def _start(self) -> None:
        code = f"{AGENT}.serve({str(self.path)!r})"
        if not self.installed:
            source = Path(bridge.__file__).read_text(encoding="utf-8")
            code = (
                "import types as _t\n_b = _t.ModuleType('course_bridge')\n"
                f"exec(compile({source!r}, 'course_bridge', 'exec'), _b.__dict__)\n"
                f"{AGENT} = _b.KernelAgent(globals(), {self.shared_classes!r})\ndel _t, _b\n" + code
            )
            self.installed = True
        self.msg_id = self.client.execute(code, silent=False, store_history=False)
        self.idle = False

    def _hang_up(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None
            self.poller = self._poller()

    def _send(self, text: str) -> None:
        data = text.encode("utf-8")
        self.awaiting = False
        assert self.conn is not None
        self.conn.settimeout(max(1.0, self.deadline - time.monotonic()))
        try:
            self.conn.sendall(struct.pack("!Q", len(data)) + data)
        except OSError as error:
            raise ProtocolError(f"the kernel stopped listening to the grader ({error})") from None

    def _receive(self, finishing: bool = False) -> str:
        """Wait for the agent's next message, collecting the cell's output meanwhile."""
        checked = time.monotonic()
        while True:
            now = time.monotonic()
            if now > self.deadline:
                self._interrupt()
            if now - checked > 0.5:
                checked = now
                if not self.alive():
                    raise KernelGone("the kernel died")
            events = dict(self.poller.poll(200))
            if self.client.iopub_channel.socket in events:
                self._drain_iopub()
            if self.client.shell_channel.socket in events:
                self._execution_reply(finishing)
            ready = {key.fileno() if hasattr(key, "fileno") else key for key in events}
            if self.conn is None and self.listener.fileno() in ready:
                self.conn, _ = self.listener.accept()
                self.poller = self._poller()
            elif self.conn is not None and self.conn.fileno() in ready:
                text = self._read_frame()
                if text is None:  # the agent returned and hung up; its execution is ending
                    self._hang_up()
                    continue
                self.awaiting = True
                if self.timed_out and not finishing:
                    raise CellTimeout(self._late)
                return text

    def _poller(self) -> zmq.Poller:
        """The kernel's output and reply channels, and the agent's connection (or the socket it will connect to)."""
        poller = zmq.Poller()
        for channel in (self.client.iopub_channel, self.client.shell_channel):
            poller.register(channel.socket, zmq.POLLIN)
        poller.register(self.conn or self.listener, zmq.POLLIN)
        return poller

    def _read_frame(self) -> str | None:
        assert self.conn is not None
        self.conn.settimeout(max(1.0, self.deadline - time.monotonic()))
        try:
            if not (first := self.conn.recv(1)):
                return None
            header = first + self._read_exactly(7)
            size = struct.unpack("!Q", header)[0]
            if size > self.max_message:
                self._hang_up()  # unread, the rest of it would be taken for the next message
                raise ProtocolError(
                    f"the kernel sent {size / 2**20:.1f} MiB at once; no answer of this assignment needs more than "
                    f"{self.max_message / 2**20:g} MiB"
                )
            return self._read_exactly(size).decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ProtocolError(f"the kernel's message could not be read ({error})") from None

    def _read_exactly(self, size: int) -> bytes:
        chunks, left = [], size
        while left:
            chunk = self.conn.recv(min(left, 1 << 20))  # type: ignore[union-attr]
            if not chunk:
                raise ProtocolError("the kernel hung up on the grader")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _execution_reply(self, finishing: bool) -> None:
        reply = self.client.get_shell_msg(timeout=0)
        if reply["parent_header"].get("msg_id") != self.msg_id:
            return
        self._drain_iopub(until_idle=True)
        if finishing:
            raise _Finished
        self.msg_id = None
        if self.timed_out:
            raise CellTimeout(self._late)
        content = reply["content"]
        raise ProtocolError(
            "the kernel stopped answering the grader"
            + (f" ({content.get('ename')}: {content.get('evalue')})" if content.get("status") == "error" else "")
        )

    @property
    def _late(self) -> str:
        return f"the test ran past its {self.timeout:g} s limit and was interrupted"

    def _drain_iopub(self, until_idle: bool = False) -> None:
        """Collect the execution's output; ``until_idle``: all of it.

        The reply on the shell channel can overtake the last output on the
        iopub channel (a large print under load): only the kernel's ``idle``
        status for the execution says that its output is complete.
        """
        give_up = time.monotonic() + 10
        while self.client.iopub_channel.msg_ready() or (
            until_idle and not self.idle and time.monotonic() < give_up and self.alive()
        ):
            try:
                message = self.client.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                continue
            if message["parent_header"].get("msg_id") != self.msg_id:
                continue
            if message["msg_type"] == "stream":
                self.outputs.stream(message["content"]["name"], message["content"]["text"])
            elif message["msg_type"] == "status" and message["content"].get("execution_state") == "idle":
                self.idle = True  # may come before the reply: remembered for the wait above

    def _interrupt(self) -> None:
        """Interrupt a kernel that ran past the deadline; one that ignores it is of no more use."""
        if self.timed_out:
            raise KernelGone("the kernel did not respond to an interrupt")
        self.timed_out = True
        run_sync(self.km.interrupt_kernel)()
        self.deadline = time.monotonic() + 10


class _Finished(Exception):
    """The agent's execution ended."""


class TrustedTests:
    """The grader's namespace for one submission, and the runner of its test cells.

    ``swap_helper`` names the given helper that swaps notebook names for a test
    (``TrustedExecute.swap_helper``): here it must swap them on both sides.
    """

    def __init__(self, source: SourceTests, link: KernelLink, swap_helper: str = "") -> None:
        self.source = source
        self.link = link
        self.namespace: dict[str, Any] = {"__name__": "__main__"}
        self._swaps: list[dict[str, Any]] = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for grade_id, code in source.given:
                exec(compile(code, f"<{grade_id}>", "exec"), self.namespace)
        self.bridge = Bridge("t", link.exchange, lambda: resolve_classes(link.shared_classes, self.namespace))
        for name in source.kernel_names:
            self.namespace[name] = Handle(self.bridge, f"g:{name}")
        if swap_helper and swap_helper in self.namespace:
            self.namespace[swap_helper] = self.swap

    @contextlib.contextmanager
    def swap(self, **functions: Any):
        """The given swap helper, on both sides: the kernel's names are swapped too."""
        self._swaps.append({name: self.namespace.get(name, _MISSING) for name in functions})
        depth = len(self._swaps)
        try:
            self.namespace.update(functions)
            # A kernel that refuses the bind fails the test; the grader's names are put back all the same.
            self.bridge.request({"op": "bind", "names": functions})
            yield
        finally:
            self._undo_swaps(depth - 1)
            self.bridge.request({"op": "unbind"})

    def _undo_swaps(self, keep: int = 0) -> None:
        """Put back the grader's names of every swap above the first ``keep`` (the innermost first)."""
        while len(self._swaps) > keep:
            for name, value in self._swaps.pop().items():
                if value is _MISSING:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = value

    def run(self, grade_id: str) -> list[NotebookNode]:
        """Run one test cell of the source; its outputs say pass (no error) or fail."""
        outputs = Outputs()
        code = self.source.tests.get(grade_id)
        if code is None:
            return [nbformat.v4.new_output("error", ename="UnknownTest", evalue=grade_id, traceback=[f"no test {grade_id!r} in the source"])]
        self.bridge.reset()
        self.link.begin(outputs)
        try:
            # The kernel is interrupted at the cell's limit; the grader's own work (oracles on what
            # the kernel returned, answers to its calls) is stopped a little later if still running.
            with time_limit(self.link.timeout + GRADER_GRACE, GraderOverran), contextlib.redirect_stdout(
                _Writer(outputs, "stdout")
            ), contextlib.redirect_stderr(io.StringIO()), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                exec(compile(code, f"<{grade_id}>", "exec"), self.namespace)
        except (KernelGone, KeyboardInterrupt):
            raise
        except BaseException as error:  # noqa: BLE001 - any failure of a test is the student's 0 for it
            outputs.error(error, grade_id)
        finally:
            self._undo_swaps()  # also those a time-out cut short inside their own clean-up
            self.bridge.reset()
        try:
            self.link.end()
        except ProtocolError as error:
            if not any(o.output_type == "error" for o in outputs.items):
                outputs.error(error, grade_id)
        return outputs.items


_MISSING = object()
