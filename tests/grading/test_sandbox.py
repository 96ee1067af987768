"""The kernel sandbox, with real sandboxed kernels driven by nbclient.

One kernel, shared by most tests, holds a submission folder that sits in a
throw-away course directory beside a gradebook and another student's work;
the tests run cells in it and check what student code can see, change and
use up. The CPU limit, the fork bomb and two concurrent sandboxes need
kernels of their own. Cells print one JSON line that the test reads back.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import tinytorch
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from nbclient.exceptions import DeadKernelError

import course
from course.grading.sandbox import UID_BASE, Limits, SandboxedKernelManager, SandboxUnavailable, check_sandbox, package_folders
from tests.grading.course_settings import PROBE_IMPORTS, SUPPORT

pytestmark = pytest.mark.slow

SECRET_NAME = "GRADER_DATABASE_URL"
SECRET = "postgresql://grader:hunter2@db/grades"
MiB = 1024**2
# Small enough to hit quickly; open_files leaves room for ipykernel's ~65 descriptors.
LIMITS = Limits(
    memory_bytes=1536 * MiB,
    processes=128,
    open_files=128,
    file_size_bytes=2 * MiB,
    cpu_seconds=600,
    scratch_bytes=16 * MiB,
)
REPOSITORY = Path(course.__file__).resolve().parents[2]


@dataclass
class Result:
    stdout: str
    error: str | None  # exception class name raised by the cell

    @property
    def value(self):
        """The JSON the cell printed last."""
        return json.loads(self.stdout.strip().splitlines()[-1])


class Kernel:
    """A started sandboxed kernel that runs one cell at a time."""

    def __init__(self, km: SandboxedKernelManager, timeout: int = 30):
        self.km = km
        self.client = NotebookClient(nbformat.v4.new_notebook(), km=km, timeout=timeout, allow_errors=True)

    def __enter__(self) -> Kernel:
        self._setup = self.client.setup_kernel()
        self._setup.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._setup.__exit__(None, None, None)
        self.shutdown()

    def shutdown(self) -> None:
        if run_sync(self.km.is_alive)():
            run_sync(self.km.shutdown_kernel)()
        else:  # as nbclient does for a kernel that died
            run_sync(self.km.cleanup_resources)()
        self.client.kc.stop_channels()

    def cell(self, source: str) -> nbformat.NotebookNode:
        cell = nbformat.v4.new_code_cell(textwrap.dedent(source))
        self.client.nb.cells.append(cell)
        return cell

    def run(self, source: str) -> Result:
        cell = self.cell(source)
        self.client.execute_cell(cell, len(self.client.nb.cells) - 1)
        return result(cell)


def result(cell: nbformat.NotebookNode) -> Result:
    stdout = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
    errors = [o.ename for o in cell.outputs if o.output_type == "error"]
    return Result(stdout, errors[0] if errors else None)


def processes_of(uid: int) -> list[int]:
    """Host pids of the processes running as ``uid``."""
    pids = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:  # exited meanwhile
            continue
        if any(str(uid) in line.split()[1:] for line in lines if line.startswith("Uid:")):
            pids.append(int(status.parent.name))
    return pids


@pytest.fixture(scope="module")
def course_dir(tmp_path_factory) -> Path:
    """A course directory: a gradebook, two students' submissions; alice's has a data folder and a symlink."""
    root = tmp_path_factory.mktemp("course")
    (root / "gradebook.db").write_text("every student's grades")
    for student in ("alice", "bob"):
        folder = root / "submitted" / student / "compression"
        (folder / "data").mkdir(parents=True)
        (folder / "compression.ipynb").write_text(f"{student}'s notebook")
        (folder / "data" / "weights.csv").write_text("1,2,3\n")
    (root / "submitted" / "alice" / "compression" / "passwords").symlink_to("/etc/passwd")
    return root


@pytest.fixture(scope="module")
def files(course_dir) -> Path:
    return course_dir / "submitted" / "alice" / "compression"


@pytest.fixture(scope="module")
def kernel(files):
    """One sandboxed kernel for alice's folder, started while the grader has a secret in its environment."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(SECRET_NAME, SECRET)
        with Kernel(SandboxedKernelManager(kernel_name="python3", files=files, limits=LIMITS, support=SUPPORT)) as started:
            yield started


def test_numpy_and_tinytorch_work(kernel):
    out = kernel.run("""
        import json, numpy as np
        from tinytorch.core.tensor import Tensor
        print(json.dumps([float(np.ones(4) @ np.arange(4)), Tensor(np.eye(2)).data.tolist()]))
    """)
    assert out.value == [6.0, [[1.0, 0.0], [0.0, 1.0]]]


def test_working_directory_holds_the_regular_files_of_the_folder(kernel, files):
    out = kernel.run("""
        import json, os
        print(json.dumps([os.getcwd(), os.environ["HOME"], sorted(os.listdir(".")), sorted(os.listdir("data")),
                          open("compression.ipynb").read(), open("data/weights.csv").read()]))
    """)
    cwd, home, listing, data, notebook, weights = out.value
    assert cwd == f"/home/student/{files.name}" and home == "/home/student"
    assert listing == ["compression.ipynb", "data"], "the symlink is left out"
    assert data == ["weights.csv"]
    assert (notebook, weights) == ("alice's notebook", "1,2,3\n")


def test_new_files_stay_in_the_sandbox_and_originals_cannot_change(kernel, files):
    before = sorted(str(p.relative_to(files)) for p in files.rglob("*"))
    out = kernel.run("""
        import json, os
        for path in ("new.txt", "data/new.csv", "/tmp/sandbox-test-file"):
            with open(path, "w") as f:
                f.write("written inside")
        errors = []
        for attempt in (lambda: open("compression.ipynb", "a"), lambda: os.remove("compression.ipynb"),
                        lambda: os.rename("data/weights.csv", "data/moved.csv")):
            try:
                attempt()
                errors.append(None)
            except OSError as error:
                errors.append(type(error).__name__)
        print(json.dumps([open("new.txt").read(), open("/tmp/sandbox-test-file").read(), errors]))
        for path in ("new.txt", "data/new.csv", "/tmp/sandbox-test-file"):
            os.remove(path)
    """)
    new, in_tmp, errors = out.value
    assert new == in_tmp == "written inside"
    assert None not in errors, errors
    assert sorted(str(p.relative_to(files)) for p in files.rglob("*")) == before
    assert (files / "compression.ipynb").read_text() == "alice's notebook"
    assert not Path("/tmp/sandbox-test-file").exists()


def test_kernel_cannot_write_or_read_in_its_scratch_directory(kernel):
    """The socket directory is the one host folder bound writable; once the kernel is up it is off limits.

    The kernel can still connect to a socket the grader puts there for it.
    """
    scratch = Path(kernel.km.ip).parent
    before = sorted(os.listdir(scratch))
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(scratch / "grader.sock"))
        os.chmod(scratch / "grader.sock", 0o777)
        listener.listen(1)
        out = kernel.run(f"""
            import json, os, socket
            errors = []
            for attempt in (lambda: open({str(scratch / "filler")!r}, "w"),
                            lambda: open({kernel.km.connection_file!r}),
                            lambda: os.listdir({str(scratch)!r})):
                try:
                    attempt()
                    errors.append(None)
                except OSError as error:
                    errors.append(type(error).__name__)
            with socket.socket(socket.AF_UNIX) as grader:
                grader.connect({str(scratch / "grader.sock")!r})
                grader.sendall(b"hello")
            print(json.dumps(errors))
        """)
        connection, _ = listener.accept()
        with connection:
            assert connection.recv(5) == b"hello"
        os.unlink(scratch / "grader.sock")
    assert out.value == ["PermissionError"] * 3
    assert sorted(os.listdir(scratch)) == before


def hidden_paths(course_dir: Path, files: Path) -> list[str]:
    """Host paths the kernel must not see: the repository, the course directory, homes, the folder itself.

    Entries on the way to what is exposed on purpose (the Python installation
    under /root/.pyenv, the venv and src/tinytorch in the repository) are left out.
    """
    exposed = [Path(p).resolve() for p in (sys.base_prefix, sys.prefix, Path(tinytorch.__file__).parent)]
    candidates = [*REPOSITORY.iterdir(), REPOSITORY / "src" / "course", *Path("/root").iterdir()]
    candidates += [*Path("/home").iterdir(), course_dir, course_dir / "gradebook.db", course_dir / "submitted" / "bob"]
    candidates += [files.parent, files]
    return [str(p) for p in candidates if not any(p == e or p in e.parents for e in exposed)]


def test_grader_files_are_not_visible(kernel, course_dir, files):
    paths = hidden_paths(course_dir, files)
    assert str(REPOSITORY / "source") in paths and str(course_dir / "gradebook.db") in paths
    out = kernel.run(f"""
        import json, os
        print(json.dumps([p for p in {paths!r} if os.path.lexists(p)]))
    """)
    assert out.value == []


def test_grader_package_cannot_be_imported(kernel):
    assert kernel.run("import course").error == "ModuleNotFoundError"


def test_only_the_sandbox_processes_are_visible(kernel):
    out = kernel.run("""
        import json, os
        print(json.dumps([os.getpid(), os.getuid(), sorted(int(p) for p in os.listdir("/proc") if p.isdigit())]))
    """)
    pid, uid, pids = out.value
    assert pids == [1, pid], "bwrap's init and the kernel"
    assert uid == UID_BASE + os.getpid()


def test_grader_environment_does_not_reach_the_kernel(kernel):
    out = kernel.run("""
        import json, os
        readable = []
        for pid in (p for p in os.listdir("/proc") if p.isdigit()):
            try:
                readable.append(open(f"/proc/{pid}/environ", "rb").read().decode())
            except OSError:
                pass
        print(json.dumps([dict(os.environ), readable]))
    """)
    environ, readable = out.value
    assert SECRET_NAME not in environ and environ["NBGRADER_EXECUTION"] == "autograde"
    assert readable and not any(SECRET in text for text in readable)
    bwrap = kernel.km.provisioner.pid
    assert SECRET not in Path(f"/proc/{bwrap}/environ").read_text(), "not even bwrap gets it"


def test_network_is_unreachable(kernel):
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        out = kernel.run(f"""
            import json, socket
            errors = []
            for connect in (lambda: socket.create_connection(("127.0.0.1", {port}), timeout=2),
                            lambda: socket.getaddrinfo("pypi.org", 443),
                            lambda: socket.create_connection(("1.1.1.1", 53), timeout=2)):
                try:
                    connect()
                    errors.append(None)
                except OSError as error:
                    errors.append(type(error).__name__)
            print(json.dumps(errors))
        """)
        server.setblocking(False)
        with pytest.raises(BlockingIOError):
            server.accept()
    assert None not in out.value, out.value


def test_memory_limit_raises_memory_error_and_kernel_survives(kernel):
    out = kernel.run(f"block = bytearray({LIMITS.memory_bytes})")
    assert out.error == "MemoryError"
    assert kernel.run("print(sum(range(10)))").stdout == "45\n"


def test_file_size_limit(kernel):
    out = kernel.run(f"""
        import errno, os
        try:
            with open("big.bin", "wb") as f:
                f.write(b"x" * {2 * LIMITS.file_size_bytes})
        except OSError as error:
            print(errno.errorcode[error.errno])
        finally:
            os.remove("big.bin")
    """)
    assert out.stdout == "EFBIG\n"


def test_scratch_space_is_bounded(kernel):
    out = kernel.run(f"""
        import errno, os, shutil
        os.mkdir("fill")
        try:
            for i in range({2 * LIMITS.scratch_bytes // MiB}):
                with open(f"fill/{{i}}", "wb") as f:
                    f.write(bytes({MiB}))
        except OSError as error:
            print(errno.errorcode[error.errno])
        finally:
            shutil.rmtree("fill")
    """)
    assert out.stdout == "ENOSPC\n"


def test_open_files_limit(kernel):
    out = kernel.run(f"""
        import errno
        handles = []
        try:
            for _ in range({LIMITS.open_files + 1}):
                handles.append(open("compression.ipynb"))
        except OSError as error:
            print(errno.errorcode[error.errno])
        finally:
            for handle in handles:
                handle.close()
    """)
    assert out.stdout == "EMFILE\n"


def test_interrupt_stops_a_busy_cell(kernel):
    loop = kernel.cell("print('looping', flush=True)\nwhile True:\n    pass")

    async def run_and_interrupt() -> None:
        running = asyncio.ensure_future(kernel.client.async_execute_cell(loop, len(kernel.client.nb.cells) - 1))
        deadline = time.monotonic() + 20
        while not result(loop).stdout and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await kernel.km.interrupt_kernel()
        await asyncio.wait_for(running, timeout=10)

    run_sync(run_and_interrupt)()
    assert result(loop) == Result("looping\n", "KeyboardInterrupt")
    assert kernel.run("print('next')").stdout == "next\n"


def test_cpu_limit_kills_the_kernel(tmp_path):
    limits = Limits(cpu_seconds=2)
    with Kernel(SandboxedKernelManager(kernel_name="python3", files=tmp_path, limits=limits), timeout=20) as k:
        started = time.monotonic()
        with pytest.raises(DeadKernelError):
            k.run("while True:\n    pass")
        assert time.monotonic() - started < 15


# Forks (bounded, in case the limit failed) until fork fails; the children sleep, holding their pids.
FORK_BOMB = """
import errno, json, os, time
children, failure = [], None
try:
    for _ in range(1000):
        pid = os.fork()
        if pid == 0:
            time.sleep(600)
            os._exit(0)
        children.append(pid)
except OSError as error:
    failure = errno.errorcode[error.errno]
print(json.dumps([len(children), failure, os.getuid()]))
"""

# Another grading worker: runs FORK_BOMB in its own sandboxed kernel, reports, and
# shuts the kernel down when the test writes a line.
FORK_BOMB_WORKER = """
import json, sys
from pathlib import Path
import nbformat
from jupyter_core.utils import run_sync
from nbclient import NotebookClient
from course.grading.sandbox import Limits, SandboxedKernelManager

files, processes, source = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
km = SandboxedKernelManager(kernel_name="python3", files=files, limits=Limits(processes=processes))
NotebookClient(nb, km=km, timeout=30).execute()
forked, failure, uid = json.loads(nb.cells[0].outputs[-1].text)
scratch = str(Path(km.connection_file).parent)
print(json.dumps({"forked": forked, "failure": failure, "uid": uid, "scratch": scratch}), flush=True)
sys.stdin.readline()
run_sync(km.shutdown_kernel)()
"""


def test_fork_bomb_is_bounded_per_sandbox_and_dies_with_its_kernel(kernel, tmp_path):
    """A fork bomb in another grading worker's sandbox hits that sandbox's process limit only."""
    processes = 48
    worker = subprocess.Popen(
        [sys.executable, "-c", FORK_BOMB_WORKER, str(tmp_path), str(processes), FORK_BOMB],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = worker.stdout.readline()
        assert line, worker.communicate(timeout=30)[1]
        bomb = json.loads(line)
        assert bomb["failure"] == "EAGAIN" and 0 < bomb["forked"] < processes
        assert bomb["uid"] == UID_BASE + worker.pid
        assert len(processes_of(bomb["uid"])) > bomb["forked"], "the children are alive, at the limit"

        # Meanwhile this process's sandbox, under another uid, still starts threads and processes.
        out = kernel.run("""
            import json, os, subprocess, threading
            thread = threading.Thread(target=print)
            thread.start()
            thread.join()
            subprocess.run(["true"], check=True)
            print(json.dumps(os.getuid()))
        """)
        assert out.error is None and out.value not in (bomb["uid"], 0)
    finally:
        worker.communicate("shut down\n", timeout=30)
    assert worker.returncode == 0
    deadline = time.monotonic() + 5
    while processes_of(bomb["uid"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_of(bomb["uid"]) == []
    assert not Path(bomb["scratch"]).exists()


def test_check_sandbox_passes_with_the_courses_support_packages():
    check_sandbox(support=SUPPORT, probe_imports=PROBE_IMPORTS)


def test_the_sandbox_shows_no_package_folder_it_was_not_given():
    """The support library is importable only because the course names it: nothing beside the interpreter leaks in."""
    with pytest.raises(SandboxUnavailable, match=r"(?s)python importing tinytorch inside bwrap exited .*ModuleNotFoundError"):
        check_sandbox(probe_imports=("tinytorch",))


def test_an_unimportable_support_package_is_named():
    with pytest.raises(SandboxUnavailable, match=r"support package 'no_such_package_here'"):
        package_folders(["no_such_package_here"])


def test_check_sandbox_names_the_package_when_bwrap_is_missing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SandboxUnavailable, match=r"bwrap not found: install the Debian package bubblewrap"):
        check_sandbox()


def test_check_sandbox_reports_why_the_probe_failed():
    with pytest.raises(SandboxUnavailable, match=r"(?si)exited with status \d+:\n.*memory"):
        check_sandbox(Limits(memory_bytes=64 * MiB), support=SUPPORT, probe_imports=PROBE_IMPORTS)
