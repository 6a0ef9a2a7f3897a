"""``create_app(settings)``: the one factory used by ``sync-server serve`` and the tests."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web

from sync_server.clock import Clock, utc_now
from sync_server.db.connection import connect
from sync_server.db.migrate import migrate
from sync_server.keys import CLOCK, DB, METRICS, SCAN_HTTP, SETTINGS
from sync_server.metrics import Metrics
from sync_server.middlewares import auth_middleware, error_middleware
from sync_server.routes import setup_routes
from sync_server.settings import Settings

GC_THRESHOLDS = (20_000, 20, 50)
"""The serving process's collector thresholds (Python's defaults are 700, 10, 10)."""


def tune_collector() -> None:
    """Set the garbage collector for a serving process (``sync-server serve``, not the tests).

    A push allocates some 40 containers a record (its parsed JSON, records, rows) and frees them
    by reference counting when it answers; with Python's default thresholds the collector runs
    dozens of times a batch, each time scanning the young objects of the request in flight,
    which cost a push about a sixth of its time (BENCHMARKS.md, "The collector"). What is
    loaded at start-up (modules, routes, the OpenAPI document) is frozen out of every
    collection, and the young generation is collected every 20,000 net allocations instead of
    700. Cycles are still collected; they just wait a little longer.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


async def database_context(app: web.Application) -> AsyncIterator[None]:
    """Open (and migrate) the database for the app's life; close it at shutdown."""
    db = await connect(app[SETTINGS].db)
    try:
        await migrate(db, now=app[CLOCK]())
        app[DB] = db
        yield
    finally:
        await db.close()


async def provider_http_context(app: web.Application) -> AsyncIterator[None]:
    """One HTTP client session for the scanned-code providers, closed at shutdown."""
    session = aiohttp.ClientSession()
    app[SCAN_HTTP] = session
    try:
        yield
    finally:
        await session.close()


def create_app(settings: Settings, *, clock: Clock = utc_now) -> web.Application:
    """Build the server application.

    Args:
        settings: database URL, limits and thresholds.
        clock: the time source (tests pass a fixed one).

    Returns:
        The ``web.Application``; the database opens when it starts.
    """
    app = web.Application(
        client_max_size=settings.max_body_bytes,
        middlewares=[error_middleware, auth_middleware],
    )
    app[SETTINGS] = settings
    app[CLOCK] = clock
    app[METRICS] = Metrics()
    app.cleanup_ctx.append(database_context)
    app.cleanup_ctx.append(provider_http_context)
    setup_routes(app)
    return app


__all__ = ["GC_THRESHOLDS", "create_app", "tune_collector"]
