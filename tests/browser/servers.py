"""Real JupyterLab servers for browser tests, started with the README's ``course lab`` commands.

Each server writes its log into the test's output folder, so a failing test
leaves the logs next to its screenshots. A server is stopped with its whole
process group (kernels included) when the test ends.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from tests.coursedir import tool_env
from tests.network import LOOPBACK, free_port

@dataclass
class Lab:
    """A running server: where it is and how to log in."""

    port: int
    token: str
    log: Path

    def url(self, path: str) -> str:
        return f"http://{LOOPBACK}:{self.port}/{path.lstrip('/')}?token={self.token}"


@contextmanager
def lab_server(command: list[str], cwd: Path, log: Path, timeout: float = 90) -> Iterator[Lab]:
    """Run ``course lab ... --port P -- --IdentityProvider.token=T`` until the block ends."""
    port, token = free_port(), secrets.token_hex(16)
    argv = [*command, "--port", str(port), "--", f"--IdentityProvider.token={token}"]
    with running(argv, cwd, tool_env(), Lab(port=port, token=token, log=log), timeout) as lab:
        yield lab


@contextmanager
def shell_lab_server(command: str, cwd: Path, log: Path, env: dict[str, str], timeout: float = 90) -> Iterator[Lab]:
    """Run a shell command line that starts JupyterLab (``make student-lab ...``), as written, in ``env``.

    Port and token reach the server through Jupyter's own variables,
    ``JUPYTER_PORT`` (which ``course lab`` honours) and ``JUPYTER_TOKEN``.
    """
    port, token = free_port(), secrets.token_hex(16)
    env = {**env, "JUPYTER_PORT": str(port), "JUPYTER_TOKEN": token}
    with running(["bash", "-c", command], cwd, env, Lab(port=port, token=token, log=log), timeout) as lab:
        yield lab


@contextmanager
def running(argv: list[str], cwd: Path, env: dict[str, str], lab: Lab, timeout: float) -> Iterator[Lab]:
    """Start ``argv`` in a session of its own, logging to ``lab.log``; stop the whole group when the block ends."""
    with lab.log.open("w") as sink:
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_up(lab, process, timeout)
        yield lab
    finally:
        _stop(process)


def _wait_until_up(lab: Lab, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with status {process.returncode}; see {lab.log}")
        try:
            with urllib.request.urlopen(lab.url("api/status"), timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the server did not answer within {timeout:.0f} s; see {lab.log}")


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
