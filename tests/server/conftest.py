"""Server fixtures: every test runs on SQLite and on PostgreSQL (``db_url``, from
``tests/conftest.py``), through the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from sync_server.app import create_app
from sync_server.settings import Settings
from tests.server.helpers import Hq, MutableClock


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
