"""A real PostgreSQL server for the test session: Debian's binaries, `initdb` into a temporary folder, `pg_ctl`
start on a free loopback port, stopped at the end. `initdb` refuses to run as root (CI runs as root), so the
server then runs as the unprivileged user `nobody`, owner of its folder."""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

BIN_ENV = "ARCHIVE_TEST_PG_BIN"  # a folder holding initdb and pg_ctl, if not Debian's


def pg_bin() -> Path | None:
    """The folder of initdb and pg_ctl: $ARCHIVE_TEST_PG_BIN, the PATH, or Debian's newest version."""
    if os.environ.get(BIN_ENV):
        return Path(os.environ[BIN_ENV])
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(versions[-1]).parent if versions else None


def require_postgres() -> Path:
    """The PostgreSQL binaries, or skip, except under CI where their absence is a failure."""
    found = pg_bin()
    if found and (found / "pg_ctl").exists():
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("PostgreSQL is required under CI=true; .ci/run should install the postgresql package")
    pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    """One server for the session; `new_database()` gives each test an empty database of its own."""

    USER = "archive"

    def __init__(self, bin_dir: Path, durable: bool = False) -> None:
        self.bin = bin_dir
        self.durable = durable  # the tests need no crash safety; a benchmark measures with it
        self.folder = Path(tempfile.mkdtemp(prefix="archive-test-pg-"))
        self.port = _free_port()
        self.run_as = "nobody" if os.geteuid() == 0 else None
        self._numbers = itertools.count(1)

    def _run(self, *args: str) -> None:
        subprocess.run([str(self.bin / args[0]), *args[1:]], check=True, capture_output=True, user=self.run_as,
                       cwd=self.folder)

    def start(self) -> "PostgresServer":
        if self.run_as:
            owner = pwd.getpwnam(self.run_as)
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        data = self.folder / "data"
        self._run("initdb", "-D", str(data), "-U", self.USER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8",
                  *(() if self.durable else ("--no-sync",)))
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(data), "-l", str(self.folder / "server.log"),
                  "-o", self._options())
        return self

    def _options(self) -> str:
        fast = "" if self.durable else " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        return f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c max_connections=200" + fast

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{self.USER}@127.0.0.1:{self.port}/{database}"

    def new_database(self, template: str | None = None) -> str:
        """An empty database's URL, new for each call; or, given a `template` database's URL, a copy of it (the
        server copies its files: faster than loading again; nothing may be connected to the template)."""
        import psycopg

        name = f"archive_test_{next(self._numbers)}"
        copy = f" TEMPLATE {template.rsplit('/', 1)[1]}" if template else ""
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f"CREATE DATABASE {name}{copy}")
        return self.url(name)

    def pause(self) -> None:
        """Stop the server but keep its data (a database lost while the archive serves). A fast shutdown, not
        an immediate one: with synchronous_commit off, a crash would lose the last commits."""
        self._run("pg_ctl", "stop", "-m", "fast", "-w", "-D", str(self.folder / "data"))

    def resume(self) -> None:
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.folder / "data"), "-l",
                  str(self.folder / "server.log"), "-o", self._options())

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.folder / "data"))
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)
