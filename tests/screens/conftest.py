"""Screen-test fixtures: a seeded counter database per test (a copy of a session template)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feetui.clock import FixedClock, IdSource
from feetui.config import Settings
from tests.screens.community import Community, build_community, open_counter


def _in_own_loop(job: Callable[[], Awaitable[object]]) -> object:
    """Run ``job`` on an event loop of its own thread, away from the test's loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, job()).result()


def _template(db_template: Path, folder: Path, *, with_shift: bool) -> tuple[Path, Community]:
    """Copy the migrated template and write the community (and the open counter) into it."""
    from feetui.db.connection import close_db, open_db
    from feetui.services.container import Services

    path = folder / "community.sqlite3"
    shutil.copyfile(db_template, path)
    clock = FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))

    async def build() -> Community:
        database = await open_db(path, clock=clock)
        try:
            community = await build_community(IdSource(clock))
            if with_shift:
                svc = Services.build(Settings(db_path=str(path)), database, clock=clock)
                community = await open_counter(community, svc)
            return community
        finally:
            await close_db(database)

    return path, _in_own_loop(build)  # type: ignore[return-value]


@pytest.fixture(scope="session")
def community_template(db_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """The community without an open shift, made once per session."""
    return _template(db_template, tmp_path_factory.mktemp("community"), with_shift=False)


@pytest.fixture(scope="session")
def counter_template(db_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """The community with the cashier's shift open and a unit holding prepaid balance."""
    return _template(db_template, tmp_path_factory.mktemp("counter"), with_shift=True)


@pytest.fixture
def community(settings: Settings, community_template) -> Community:
    """A fresh copy of the community (no shift open) at ``settings``' database path."""
    template, ids = community_template
    shutil.copyfile(template, settings.resolved_db_path())
    return ids


@pytest.fixture
def counter(settings: Settings, counter_template) -> Community:
    """A fresh copy of the open counter at ``settings``' database path."""
    template, ids = counter_template
    shutil.copyfile(template, settings.resolved_db_path())
    return ids
