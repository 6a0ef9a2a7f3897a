"""Server fixtures: every test runs on SQLite and on PostgreSQL, through the real app.

PostgreSQL comes from ``FEETUI_TEST_PG_DSN`` or a private cluster started once per session. When
neither is possible the PostgreSQL runs are skipped, unless ``FEETUI_REQUIRE_PG=1`` (CI), which
makes them fail instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sync_server.app import create_app
from sync_server.settings import Settings
from tests.server.helpers import Hq, MutableClock
from tests.server.postgres import private_cluster


@pytest.fixture(scope="session")
def postgres_admin_dsn() -> Iterator[str | None]:
    """An admin DSN of a PostgreSQL server, or ``None`` when there is none."""
    given = os.environ.get("FEETUI_TEST_PG_DSN")
    if given:
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix="feetui-pg-"))
    try:
        with private_cluster(folder) as dsn:
            yield dsn
    except (FileNotFoundError, OSError) as error:
        if os.environ.get("FEETUI_REQUIRE_PG") == "1":
            raise
        print(f"PostgreSQL unavailable: {error}")
        yield None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def _fresh_postgres_db(admin_dsn: str) -> str:
    import asyncpg

    name = f"t_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return admin_dsn.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, postgres_admin_dsn: str | None
) -> str:
    """A fresh, empty server database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hq.sqlite3'}"
    if postgres_admin_dsn is None:
        if os.environ.get("FEETUI_REQUIRE_PG") == "1":
            pytest.fail("FEETUI_REQUIRE_PG=1 but no PostgreSQL could be started")
        pytest.skip("PostgreSQL unavailable (set FEETUI_REQUIRE_PG=1 to make this fail)")
    return await _fresh_postgres_db(postgres_admin_dsn)


@pytest.fixture
def hq_clock() -> MutableClock:
    """The server's clock, fixed at 2026-11-23 09:30 Asia/Shanghai."""
    return MutableClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))


@pytest.fixture
def server_settings(db_url: str) -> Settings:
    """Server settings on the fresh database."""
    return Settings(db=db_url)


@pytest.fixture
async def hq(
    aiohttp_client, server_settings: Settings, hq_clock: MutableClock
) -> AsyncIterator[Hq]:
    """The real server app behind a test client, with one site ``S1`` (and ``S2``) ready."""
    client = await aiohttp_client(create_app(server_settings, clock=hq_clock))
    helper = Hq(client, hq_clock)
    await helper.add_site("S1", "绿景苑")
    await helper.add_site("S2", "翠湖居")
    yield helper


@pytest.fixture
async def scan(hq: Hq, tmp_path: Path) -> AsyncIterator[Any]:
    """Scanned-code payments at ``S1``: both provider simulators configured, a device enrolled
    (``tests.scanpay.kit.ScanKit``)."""
    from tests.scanpay.kit import ScanKit

    kit = ScanKit(hq, tmp_path)
    try:
        await kit.open()
        yield kit
    finally:
        await kit.close()
