"""Run each submission's Jupyter kernel in a bubblewrap (``bwrap``) sandbox.

Student code is untrusted: it runs with the grader's privileges unless it is
confined. Inside the sandbox the kernel sees a private, writable working
directory holding its own submission's files read-only, the Python
environment read-only, and nothing else: not the course folder, the
gradebook, the exchange, other students' work, ``/root`` or the grader's
environment variables. It has no network, and ``prlimit`` bounds its memory,
processes, open files, file size and CPU time so that one submission cannot
starve the machine or the other grading workers.

The kernel talks to the grader over unix sockets (``transport="ipc"``) in a
private scratch directory, the only host path the sandbox may write to.
"""

from __future__ import annotations

import asyncio
import fnmatch
import importlib.util
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import Instance, default
from traitlets import Tuple as TraitTuple

from course.errors import CourseError

HOME = "/home/student"
# Sandbox uids are this plus the pid of the process starting the kernel, so that
# concurrent grading workers get distinct uids (RLIMIT_NPROC counts per uid).
# The base lies above systemd's container range (524288-1879048191) so that no
# real user or container process shares a sandbox's uid.
UID_BASE = 1_879_048_192
# Where Python finds its shared libraries and the time zone; the rest of /etc
# (passwd, shadow, hosts, credentials in config files) stays hidden.
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives")
SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64")
# The capabilities bwrap leaves setpriv to switch uid and empty the bounding set.
SETPRIV_CAPABILITIES = [
    *("--cap-drop", "ALL"),
    *("--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_SETPCAP"),
]
TOOLS = {"bwrap": "bubblewrap", "setpriv": "util-linux", "prlimit": "util-linux"}
# How long a starting kernel may take to bind its sockets (nbclient waits 60 s for it to answer).
SOCKETS_TIMEOUT = 60


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandbox; the defaults fit grading one notebook on a small machine."""

    memory_bytes: int = 2 * 1024**3  # address space (RLIMIT_AS)
    processes: int = 128  # processes and threads of the sandbox's uid (RLIMIT_NPROC)
    open_files: int = 256  # RLIMIT_NOFILE
    file_size_bytes: int = 64 * 1024**2  # largest file it may write (RLIMIT_FSIZE)
    cpu_seconds: int = 600  # CPU time of the kernel process over its life (RLIMIT_CPU)
    scratch_bytes: int = 256 * 1024**2  # size of each tmpfs: the home with the working directory, and /tmp


class SandboxUnavailable(CourseError):
    """The sandbox cannot run here; the message says what to install or change."""


def package_folders(packages: Iterable[str]) -> tuple[str, ...]:
    """The folders of the importable ``packages``, as the grader finds them: what the sandbox lends the kernel.

    The assignment's support library lives outside the interpreter's prefix (an
    editable install, a course folder); the sandbox shows it, and only it.
    """
    folders: list[str] = []
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise SandboxUnavailable(
                f"the support package {name!r} (SandboxedExecute.support_packages) is not an importable package "
                "for the grader: install it, or put its parent folder on PYTHONPATH"
            )
        folders += [str(Path(folder).resolve()) for folder in spec.submodule_search_locations]
    return tuple(folders)


def check_sandbox(limits: Limits = Limits(), support: tuple[str, ...] = (), probe_imports: tuple[str, ...] = ()) -> None:
    """Fail early, before any submission is graded, when kernels could not start in the sandbox.

    Runs this interpreter in the same sandbox that kernels get (with the
    ``support`` folders) and imports what the assignment's notebooks import,
    so a missing tool, a kernel without user namespaces or a library that
    cannot load shows up as one clear message instead of a dead kernel per student.
    """
    what = f"python importing {', '.join(probe_imports)}" if probe_imports else "python"
    probe = "\n".join(f"import {module}" for module in probe_imports) or "pass"
    with tempfile.TemporaryDirectory(prefix="sbx-", dir="/tmp") as scratch:
        files, ipc_dir = Path(scratch, "probe"), Path(scratch, "ipc")
        files.mkdir()
        ipc_dir.mkdir()
        argv = sandboxed([sys.executable, "-c", probe], files=files, ipc_dir=ipc_dir, limits=limits, support=support)
        try:
            result = subprocess.run(argv, env={}, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise SandboxUnavailable(f"the sandbox probe ({what}) did not finish in 60 s")
    if result.returncode != 0:
        tail = "\n".join(result.stderr.strip().splitlines()[-10:])
        raise SandboxUnavailable(
            f"the sandbox does not work here: {what} inside bwrap exited with "
            f"status {result.returncode}:\n{tail}\n(or pass --unsafe to grade without a sandbox)"
        )


def sandboxed(
    command: list[str], *, files: Path, ipc_dir: Path, limits: Limits, hidden: tuple[str, ...] = (),
    support: tuple[str, ...] = (),
) -> list[str]:
    """The argv that runs ``command`` in the sandbox, in a copy of ``files`` as working directory.

    Every regular file under ``files`` is bound read-only at its relative path
    in a size-limited tmpfs, so the code can read its submission and create
    new files that vanish with the sandbox, but changes nothing on the host.
    ``ipc_dir`` is bound read-write at its own path for the kernel's sockets
    and connection file; as root, the caller lends it to the sandbox's uid.
    Files whose name matches a glob of ``hidden`` are left out. The ``support``
    folders (packages, see ``package_folders``) are shown read-only at their own
    paths, with their parents on the kernel's ``PYTHONPATH``.
    """
    workdir = f"{HOME}/{files.name}"
    uid = _sandbox_uid()
    read_only = sorted({sys.base_prefix, sys.prefix, *support})
    import_path = ":".join(dict.fromkeys(str(Path(folder).parent) for folder in support))
    return [
        _tool("bwrap"),
        *("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"),
        *("--die-with-parent", "--new-session"),
        # As root, bwrap makes no user namespace: it keeps only what setpriv needs to switch
        # to the sandbox's uid (below). Otherwise a user namespace confines the kernel.
        *(["--unshare-user"] if uid is None else SETPRIV_CAPABILITIES),
        # Nothing of the grader's environment (database URLs, tokens) reaches the kernel.
        "--clearenv",
        *_setenv(
            # The kernel's parent is bwrap's init, pid 1 in the sandbox. That value tells
            # ipykernel it runs under a manager (no console banner) without starting its
            # parent poller, which would see the grader's pid as gone and shut down.
            JPY_PARENT_PID="1",
            PATH=f"{Path(sys.prefix, 'bin')}:/usr/local/bin:/usr/bin:/bin",
            HOME=HOME,
            LANG="C.UTF-8",
            MPLBACKEND="Agg",
            OPENBLAS_NUM_THREADS="1",
            OMP_NUM_THREADS="1",
            MKL_NUM_THREADS="1",
            PYTHONDONTWRITEBYTECODE="1",
            NBGRADER_EXECUTION="autograde",
            **({"PYTHONPATH": import_path} if import_path else {}),
        ),
        # /tmp first: a tmpfs mounted after binds below /tmp would hide them.
        *_tmpfs("/tmp", limits.scratch_bytes),
        *_system_dirs(),
        *_dirs_above([*ETC_FILES, *read_only, str(ipc_dir)]),
        *(arg for path in ETC_FILES for arg in ("--ro-bind-try", path, path)),
        # The interpreter, the environment and, of a folder of packages, only the support
        # packages: the grader's own package beside them stays hidden.
        *(arg for path in read_only for arg in ("--ro-bind", path, path)),
        *("--proc", "/proc", "--dev", "/dev"),
        *_tmpfs(HOME, limits.scratch_bytes),
        *_copy_of(files, workdir, hidden),
        *("--bind", str(ipc_dir), str(ipc_dir)),
        *("--chdir", workdir),
        *_as_sandbox_uid(uid),
        _tool("prlimit"),
        f"--as={limits.memory_bytes}",
        f"--nproc={limits.processes}",
        f"--nofile={limits.open_files}",
        f"--fsize={limits.file_size_bytes}",
        f"--cpu={limits.cpu_seconds}",
        "--core=0",
        "--",
        *command,
    ]


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the sandbox, for nbclient's ``km=``.

    The kernel process jupyter_client holds is ``bwrap``, which does not pass
    SIGINT on, so interrupts go as ``interrupt_request`` messages and the
    kernel interrupts itself. The host cannot reach a TCP port in the kernel's
    network namespace, so the kernel listens on unix sockets in a private
    scratch directory, lent to the sandbox's uid only while the kernel starts
    and removed when the kernel is cleaned up.
    """

    files = Instance(Path, help="The host folder whose files the kernel sees, read-only, in its working directory.")
    hidden = TraitTuple(help="Globs of file names in that folder the kernel must not see.")
    limits = Instance(Limits, args=(), help="Resource limits of the sandbox.")
    support = TraitTuple(help="Folders of the assignment's support packages, shown read-only (see package_folders).")

    _scratch: Path | None = None

    @default("transport")
    def _transport_default(self) -> str:
        return "ipc"

    @property
    def kernel_spec(self) -> KernelSpec | None:
        spec = super().kernel_spec
        if spec is not None:
            spec.interrupt_mode = "message"
        return spec

    async def _async_pre_start_kernel(self, **kw: Any) -> tuple[list[str], dict[str, Any]]:
        if self._scratch is None:
            # Short: a unix socket path must fit in 107 bytes.
            self._scratch = Path(tempfile.mkdtemp(prefix="sbx-", dir="/tmp"))
            # Once taken back from the kernel, the kernel may still pass through it to
            # connect to sockets there by name, but neither list nor create files.
            self._scratch.chmod(0o711)
            self.connection_file = str(self._scratch / "kernel.json")
            self.ip = str(self._scratch / "k")
        # bwrap needs no environment; without one, the grader's secrets are not even in
        # the memory of bwrap's own processes inside the sandbox.
        kw["env"] = {}
        return await super()._async_pre_start_kernel(**kw)

    pre_start_kernel = _async_pre_start_kernel

    def write_connection_file(self, **kwargs: Any) -> None:
        """Write it, then lend the scratch directory to the sandbox's uid to read it and create its sockets."""
        super().write_connection_file(**kwargs)
        uid = _sandbox_uid()
        if uid is not None:
            self._give_scratch_to(uid)

    async def _async_post_start_kernel(self, **kw: Any) -> None:
        """Take the scratch directory back once the kernel has bound its sockets.

        Student code runs only after that, and the scratch directory is the one
        host folder the sandbox can write to: left writable, it could fill the
        host's disk file by file.
        """
        if _sandbox_uid() is not None:
            sockets = [Path(f"{self.ip}-{port}") for port in self.ports]
            deadline = time.monotonic() + SOCKETS_TIMEOUT
            while not all(map(Path.exists, sockets)) and time.monotonic() < deadline and await self._async_is_alive():
                await asyncio.sleep(0.02)
            # ipykernel reads its connection file once more after binding; it answers only after that.
            client = self.client()
            client.start_channels()
            try:
                await client.wait_for_ready(timeout=max(1.0, deadline - time.monotonic()))
            except RuntimeError:
                pass  # a kernel that died or never answered is the notebook client's to report
            finally:
                client.stop_channels()
            self._give_scratch_to(os.geteuid())
        await super()._async_post_start_kernel(**kw)

    post_start_kernel = _async_post_start_kernel

    def _give_scratch_to(self, uid: int) -> None:
        assert self._scratch is not None
        for path in (self._scratch, Path(self.connection_file)):
            os.chown(path, uid, uid)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        if self.files is None:
            raise ValueError("SandboxedKernelManager needs files=<the submission folder>")
        assert self._scratch is not None
        command = super().format_kernel_cmd(extra_arguments)
        return sandboxed(
            command, files=self.files, ipc_dir=self._scratch, limits=self.limits, hidden=tuple(self.hidden), support=tuple(self.support)
        )

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart and self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    cleanup_resources = _async_cleanup_resources


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        package = TOOLS[name]
        raise SandboxUnavailable(
            f"{name} not found: install the Debian package {package} (apt-get install {package}), "
            "or pass --unsafe to grade without a sandbox"
        )
    return path


def _sandbox_uid() -> int | None:
    """The uid the kernel runs as when we are root; ``None`` when bwrap runs unprivileged."""
    return UID_BASE + os.getpid() if os.geteuid() == 0 else None


def _setenv(**variables: str) -> list[str]:
    return [arg for name, value in variables.items() for arg in ("--setenv", name, value)]


def _tmpfs(path: str, size: int) -> list[str]:
    return ["--size", str(size), "--perms", "01777", "--tmpfs", path]


def _system_dirs() -> list[str]:
    """The system directories, read-only; on merged-/usr systems /bin and /lib are symlinks."""
    args = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def _dirs_above(paths: list[str]) -> list[str]:
    """Create the parents of bind mounts as 0755: bwrap creates missing parents 0700, unusable by the sandbox's uid."""
    parents = {str(parent) for path in paths for parent in Path(path).parents if parent != Path("/")}
    return [arg for parent in sorted(parents) for arg in ("--dir", parent)]


def _copy_of(files: Path, workdir: str, hidden: tuple[str, ...] = ()) -> list[str]:
    """Bind every regular file of ``files`` read-only below ``workdir``, in writable directories.

    Symlinks and special files are left out: a symlink could point anywhere on the host.
    """
    args = ["--perms", "01777", "--dir", workdir]
    for folder, subfolders, names in os.walk(files):
        relative = Path(folder).relative_to(files)
        subfolders[:] = sorted(d for d in subfolders if not os.path.islink(os.path.join(folder, d)))
        for name in subfolders:
            args += ["--perms", "01777", "--dir", f"{workdir}/{relative / name}"]
        for name in sorted(names):
            path = os.path.join(folder, name)
            if stat.S_ISREG(os.lstat(path).st_mode) and not any(fnmatch.fnmatch(name, glob) for glob in hidden):
                args += ["--ro-bind", path, f"{workdir}/{relative / name}"]
    return args


def _as_sandbox_uid(uid: int | None) -> list[str]:
    """As root, switch to the sandbox's own uid without capabilities; nothing to do in a user namespace.

    RLIMIT_NPROC does not apply to root, and a uid of its own per sandbox keeps
    one sandbox's processes from counting against another's limit.
    """
    if uid is None:
        return []
    return [
        _tool("setpriv"),
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
    ]
