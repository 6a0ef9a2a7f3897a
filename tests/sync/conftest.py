"""Fixtures of the counter's sync tests: a live HQ on 127.0.0.1 and an enrolled counter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.sync.hq import LiveHq


@pytest.fixture
async def hq(tmp_path: Path) -> AsyncIterator[LiveHq]:
    """A running HQ on a fresh SQLite database, with site ``S1``."""
    server = LiveHq(f"sqlite:///{tmp_path / 'hq.sqlite3'}")
    await server.start()
    try:
        await server.add_site("S1", "绿景苑")
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def enrolled(db, hq: LiveHq, clock):
    """The ``db`` counter, enrolled at ``S1`` (its target: server, token, device id)."""
    from feetui.sync.enrolment import enroll_device
    from feetui.sync.service import find_target

    code = await hq.enrollment_code("S1", "window-1")
    await enroll_device(server=hq.url, code=code, now=clock.now())
    target = await find_target("")
    assert target is not None
    return target
