"""Fixtures of the counter's sync tests: a live HQ on 127.0.0.1 and an enrolled counter (``hq`` and
``enrolled`` on SQLite; ``site`` on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from feetui.clock import FixedClock, IdSource
from tests.sync.counters import Counter, Site, publish_community
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


@pytest.fixture
async def site(
    db_url: str, tmp_path: Path, clock: FixedClock, db_template: Path
) -> AsyncIterator[Site]:
    """A live HQ on ``db_url`` (SQLite, then PostgreSQL) with five units of three monthly charges
    and an admin ``boss``, and a counter (its own file and context) enrolled as ``window-1`` that
    has pulled them. Call ``site.login()`` before reading reports."""
    from sync_server.services.master import NewUser, add_user

    hq = LiveHq(db_url)
    await hq.start()
    counter = Counter(tmp_path / "counter.sqlite3", clock, "window-1", template=db_template)
    try:
        await hq.add_site("S1", "绿景苑")
        community = await publish_community(hq, IdSource(clock), units=5, charges_per_unit=3)
        await add_user(
            hq.db, NewUser("boss", "boss", "admin", (), password="pw-boss"), now=hq.clock()
        )
        await counter.open()
        await counter.enroll(hq)
        await counter.sync()
        yield Site(hq, "", counter, community)
    finally:
        await counter.close()
        await hq.stop()
