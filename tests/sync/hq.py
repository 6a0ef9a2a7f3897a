"""A real headquarters server on 127.0.0.1 for the counter's sync tests (no mocks).

``LiveHq`` runs ``sync_server.app.create_app`` behind aiohttp's ``AppRunner``/``TCPSite`` on a
free port, and can stop and start again on the same port and database (a restart). Master data
is published the way HQ's own services do it: a row in its change log, in one transaction.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from sync_server.app import create_app
from sync_server.clock import iso
from sync_server.keys import DB
from sync_server.services.auth import create_enrollment_code
from sync_server.services.changes import append_change
from sync_server.services.master import add_site
from sync_server.services.pull import bump_epoch
from sync_server.settings import Settings


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class HqClock:
    """The server's clock: fixed until moved."""

    def __init__(self, current: datetime | None = None) -> None:
        self.current = current or datetime(2026, 11, 23, 1, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.current


class LiveHq:
    """The sync server listening on 127.0.0.1.

    Args:
        db_url: its database (``sqlite:///PATH``).
        clock: its clock.
    """

    def __init__(self, db_url: str, clock: HqClock | None = None) -> None:
        self.db_url = db_url
        self.clock = clock or HqClock()
        self.port = free_port()
        self.runner: web.AppRunner | None = None
        self.sites: dict[str, str] = {}

    @property
    def url(self) -> str:
        """The base URL counters use."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def db(self) -> Any:
        """The running app's database."""
        assert self.runner is not None, "HQ is not running"
        return self.runner.app[DB]

    async def start(self) -> None:
        """Listen (again) on the same port and database."""
        app = create_app(Settings(db=self.db_url), clock=self.clock)
        self.runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        """Stop listening and close the database (idempotent)."""
        if self.runner is not None:
            runner, self.runner = self.runner, None
            await runner.cleanup()

    async def add_site(self, code: str = "S1", name: str = "绿景苑") -> str:
        """A site, through HQ's service."""
        self.sites[code] = await add_site(self.db, code=code, name=name, now=self.clock())
        return self.sites[code]

    async def enrollment_code(self, site: str = "S1", name: str = "window-1") -> str:
        """A one-time enrolment code for a counter of ``site``."""
        code, _ = await create_enrollment_code(
            self.db, site_code=site, name=name, now=self.clock(), hours=24
        )
        return code

    async def publish(self, entity: str, data: dict[str, Any], site: str = "S1") -> None:
        """Put one master-data record in the change log of ``site`` (a charge also in HQ's own
        charges, as its bill run does)."""
        async with self.db.transaction() as tx:
            if entity == "charge":
                await tx.execute(
                    "INSERT INTO charges (id, site_id, unit_id, fee_item_id, period, amount_fen,"
                    " due_date, source, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'bill', ?)",
                    data["id"],
                    self.sites[site],
                    data["unit_id"],
                    data["fee_item_id"],
                    data["period"],
                    data["amount_fen"],
                    data["due_date"],
                    iso(self.clock()),
                )
            await append_change(
                tx,
                site_id=self.sites[site],
                entity=entity,
                entity_id=data["id"],
                data=data,
                at=iso(self.clock()),
            )

    async def bump_epoch(self) -> str:
        """HQ restored from a backup: a new epoch."""
        return await bump_epoch(self.db)

    async def login(self, code: str, password: str) -> str:
        """An HQ user's token, through ``POST /api/v1/login``."""
        import aiohttp

        body = {"code": code, "password": password}
        async with (
            aiohttp.ClientSession() as http,
            http.post(self.url + "/api/v1/login", json=body) as response,
        ):
            assert response.status == 200, await response.text()
            return str((await response.json())["token"])

    async def get_json(self, path: str, token: str) -> Any:
        """``GET path`` as the holder of ``token`` (a report ...), asserting 200."""
        import aiohttp

        headers = {"Authorization": f"Bearer {token}"}
        async with (
            aiohttp.ClientSession() as http,
            http.get(self.url + path, headers=headers) as response,
        ):
            assert response.status == 200, await response.text()
            return await response.json()

    async def scalar(self, sql: str, *args: Any) -> Any:
        """One value from HQ's database."""
        async with self.db.transaction() as tx:
            return await tx.fetchval(sql, *args)

    async def rows(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        """Rows from HQ's database."""
        async with self.db.transaction() as tx:
            return [dict(row) for row in await tx.fetch(sql, *args)]
