"""Liveness (no auth), Prometheus metrics (no auth) and the OpenAPI document."""

from __future__ import annotations

from aiohttp import web

from sync_server import __version__
from sync_server.handlers.common import json_response
from sync_server.keys import DB, METRICS
from sync_server.openapi import openapi_document


async def health(request: web.Request) -> web.Response:
    """``GET /api/v1/health``: the server answers and its database does too."""
    async with request.app[DB].transaction() as tx:
        await tx.fetchval("SELECT 1")
    return json_response({"status": "ok", "version": __version__})


async def metrics(request: web.Request) -> web.Response:
    """``GET /metrics``: counters in the Prometheus text format."""
    return web.Response(
        text=request.app[METRICS].render(), content_type="text/plain", charset="utf-8"
    )


async def openapi(request: web.Request) -> web.Response:
    """``GET /api/v1/openapi.json``: the API as an OpenAPI 3.1 document."""
    return json_response(openapi_document())


__all__ = ["health", "metrics", "openapi"]
