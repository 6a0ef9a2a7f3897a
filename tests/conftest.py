"""Shared fixtures: settings on a temporary database, a fixed clock, the language reset, and HQ
databases on SQLite and PostgreSQL (``db_url``).

PostgreSQL comes from ``FEETUI_TEST_PG_DSN`` or a private cluster started once per session
(``tests/server/postgres.py``). When neither is possible the PostgreSQL runs are skipped, unless
``FEETUI_REQUIRE_PG=1`` (CI), which makes them fail instead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feetui import i18n
from feetui.clock import FixedClock, IdSource
from feetui.config import Settings
from sync_server import i18n as server_i18n


@pytest.fixture(autouse=True)
def _keep_developer_config_out(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads the developer's own config or data folder, and every test starts in zh_CN."""
    for key in list(__import__("os").environ):
        if key.startswith("FEETUI_") and key not in {"FEETUI_TEST_PG_DSN", "FEETUI_REQUIRE_PG"}:
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("SYNC_SERVER_LANGUAGE", raising=False)
    i18n.set_language("zh_CN")
    server_i18n.set_language("zh_CN")
    # A command line routes argparse's messages to our catalogs; each test gets argparse back.
    monkeypatch.setattr(argparse, "_", argparse._)
    monkeypatch.setattr(argparse, "ngettext", argparse.ngettext)


@pytest.fixture
def clock() -> FixedClock:
    """A clock fixed at 2026-11-23 09:30 Asia/Shanghai (01:30 UTC)."""
    return FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))


@pytest.fixture
def ids(clock: FixedClock) -> IdSource:
    """UUIDv7 ids driven by the fixed clock."""
    return IdSource(clock)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on a fresh database file in the test's temporary folder."""
    return Settings(db_path=str(tmp_path / "counter.sqlite3"), printer="none")


@pytest.fixture(scope="session")
def db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database file made once per session (migrating from scratch takes ~1 s)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from feetui.db.connection import close_db, open_db

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    fixed = FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))

    async def build() -> None:
        await close_db(await open_db(path, clock=fixed))

    # A thread of its own, so its event loop never meets the test's loop.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, build()).result()
    return path


@pytest.fixture
async def db(settings: Settings, clock: FixedClock, db_template: Path):
    """The counter database on a fresh file (a copy of the migrated template), opened as the app
    opens it: PRAGMAs checked, migrations (a no-op here), instance lock. Closed after the test."""
    import shutil

    from feetui.db.connection import close_db, open_db

    path = settings.resolved_db_path()
    shutil.copyfile(db_template, path)
    database = await open_db(path, clock=clock)
    try:
        yield database
    finally:
        await close_db(database)


@pytest.fixture
def svc(settings: Settings, clock: FixedClock, db):
    """Use-case services over the ``db`` fixture, with the fixed clock."""
    from feetui.services.container import Services

    return Services.build(settings, db, clock=clock)


@pytest.fixture
async def ledger(svc):
    """A site with fee items, cashier 1001/1234, supervisor 9001/9999 and an open shift."""
    from tests.builders import make_ledger

    return await make_ledger(svc)


@pytest.fixture(scope="session")
def postgres_admin_dsn() -> Iterator[str | None]:
    """An admin DSN of a PostgreSQL server, or ``None`` when there is none."""
    given = os.environ.get("FEETUI_TEST_PG_DSN")
    if given:
        yield given
        return
    folder = Path(tempfile.mkdtemp(prefix="feetui-pg-"))
    try:
        from tests.server.postgres import private_cluster

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
