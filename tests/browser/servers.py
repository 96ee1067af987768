"""Real JupyterLab servers for browser tests, started with the README's ``course lab`` commands.

Each server writes its log into the test's output folder, so a failing test
leaves the logs next to its screenshots. A server is stopped with its whole
process group (kernels included) when the test ends.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from tests.coursedir import tool_env

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return probe.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a listening TCP socket on ``port``, read from the kernel's tables.

    Reading /proc/net/tcp{,6} answers "which interfaces is the server bound
    to" exactly, whatever network this machine has.
    """
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                # the kernel prints each 32-bit word in host (little-endian) order
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                found.add(socket.inet_ntop(socket.AF_INET if width == 8 else socket.AF_INET6, words))
    return found


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
    with log.open("w") as sink:
        process = subprocess.Popen(argv, cwd=cwd, env=tool_env(), stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(port=port, token=token, log=log)
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
