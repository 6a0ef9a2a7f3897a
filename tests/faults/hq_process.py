"""Headquarters as a real ``sync-server serve`` process on 127.0.0.1, to kill with SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

READY_SECONDS = 30.0
ROOT = Path(__file__).resolve().parents[2]


class HqProcess:
    """One ``python -m sync_server serve`` child; ``start`` again after ``kill`` to restart.

    Args:
        db_url: its database.
        port: its port on 127.0.0.1.
        log_path: where its output goes (read it when a test fails).
    """

    def __init__(self, db_url: str, port: int, log_path: Path) -> None:
        self.db_url = db_url
        self.port = port
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.kills = 0

    async def start(self) -> None:
        """Start the server and wait until its health route answers."""
        self.process = self._spawn()
        await self._wait_ready()

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        command = [
            sys.executable,
            "-m",
            "sync_server",
            "serve",
            "--db",
            self.db_url,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        with self.log_path.open("ab") as log:
            return subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT
            )

    async def _wait_ready(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + READY_SECONDS
        while loop.time() < deadline:
            assert self.process is not None and self.process.poll() is None, self.log_tail()
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.write(b"GET /api/v1/health HTTP/1.1\r\nHost: hq\r\nConnection: close\r\n\r\n")
            await writer.drain()
            try:
                answer = await asyncio.wait_for(reader.read(), 5)
            except TimeoutError:
                answer = b""
            writer.close()
            if answer.startswith(b"HTTP/1.1 200"):
                return
            await asyncio.sleep(0.05)
        raise AssertionError("HQ did not start:\n" + self.log_tail())

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flushing, whatever it was doing."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
            self.kills += 1
        self.process = None

    def log_tail(self) -> str:
        """The end of its output."""
        if not self.log_path.exists():
            return ""
        return self.log_path.read_text(errors="replace")[-3000:]
