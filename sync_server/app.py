"""``create_app(settings)``: the one factory used by ``sync-server serve`` and the tests."""

from __future__ import annotations

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


__all__ = ["create_app"]
