"""A private PostgreSQL cluster for the server tests: initdb into a temporary folder, 127.0.0.1.

Started once per test session. When running as root, the cluster runs as the ``postgres`` user
(PostgreSQL refuses root). ``FEETUI_TEST_PG_DSN`` names an existing server instead.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path


def find_binary(name: str) -> str | None:
    """``initdb``/``pg_ctl`` on PATH or under Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_user() -> list[str]:
    """The prefix that runs a command as the ``postgres`` user when we are root.

    Raises:
        FileNotFoundError: root without ``runuser`` (util-linux), or no ``postgres`` user.
    """
    if os.geteuid() != 0:
        return []
    runner = shutil.which("runuser")
    if runner is None:
        raise FileNotFoundError("running as root needs runuser to start PostgreSQL as postgres")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise FileNotFoundError("running as root needs a postgres user") from None
    return [runner, "-u", "postgres", "--"]


def _run(prefix: list[str], args: list[str]) -> None:
    subprocess.run([*prefix, *args], check=True, capture_output=True, timeout=120)


@contextlib.contextmanager
def private_cluster(folder: Path) -> Iterator[str]:
    """Start a throw-away cluster in ``folder``; yields its admin DSN; stops it at the end.

    Raises:
        FileNotFoundError: no PostgreSQL binaries on this machine.
    """
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    if not initdb or not pg_ctl:
        raise FileNotFoundError("initdb/pg_ctl not found")
    prefix = _as_user()
    folder.mkdir(parents=True, exist_ok=True)
    if prefix:
        shutil.chown(folder, user="postgres")
    data, port = folder / "data", _free_port()
    _run(prefix, [initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--locale=C"])  # fmt: skip
    # Durability is not under test here; fsync off keeps the suite fast.
    options = (
        f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        " -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    )
    log = str(folder / "log")
    _run(prefix, [pg_ctl, "-D", str(data), "-o", options, "-l", log, "-w", "start"])  # fmt: skip
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        _run(prefix, [pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"])


__all__ = ["find_binary", "private_cluster"]
