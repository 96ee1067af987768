"""A throw-away PostgreSQL server for tests: ``initdb`` + ``pg_ctl`` on a loopback port in a temporary folder.

The Debian ``postgresql`` package provides the programs (``make test``
installs it when missing); no system cluster is used or changed. As root the
server runs as the ``postgres`` user, because PostgreSQL refuses to run as
root. Each test gets an empty database of its own.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from tests.network import LOOPBACK, free_port

SUPERUSER = "course"


def server_programs() -> Path:
    """The folder of the newest installed server's ``initdb`` and ``pg_ctl``."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise FileNotFoundError("no PostgreSQL server programs: run `make test`, which installs Debian's postgresql")


@dataclass
class PostgresServer:
    folder: Path
    port: int
    programs: Path

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@{LOOPBACK}:{self.port}/postgres"

    def run(self, program: str, *args: str) -> None:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*as_postgres, str(self.programs / program), *args], check=True, capture_output=True, text=True)

    def start(self) -> None:
        data = self.folder / "data"
        self.run("initdb", "-D", str(data), "-U", SUPERUSER, "--auth=trust", "--no-sync", "-E", "UTF8")
        options = f"-c listen_addresses={LOOPBACK} -p {self.port} -k {self.folder} -c fsync=off -c max_connections=200"
        self.run("pg_ctl", "-D", str(data), "-l", str(self.folder / "server.log"), "-o", options, "-w", "start")

    def stop(self) -> None:
        self.run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")

    def new_database(self) -> str:
        """An empty database; its SQLAlchemy URL."""
        import psycopg

        name = f"gradebook_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(host=LOOPBACK, port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://{SUPERUSER}@{LOOPBACK}:{self.port}/{name}"


def start_server() -> PostgresServer:
    folder = Path(tempfile.mkdtemp(prefix="course-postgres-"))
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(folder, postgres.pw_uid, postgres.pw_gid)
    server = PostgresServer(folder=folder, port=free_port(), programs=server_programs())
    server.start()
    return server


def remove(server: PostgresServer) -> None:
    server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)
