"""``GET /api/v1/pull``: the next page of changes for the calling device."""

from __future__ import annotations

from aiohttp import web

from feetui.sync.protocol import parse_pull_query
from sync_server.handlers.common import json_response, principal
from sync_server.keys import DB, METRICS
from sync_server.services.auth import require_device
from sync_server.services.pull import pull_changes


async def pull(request: web.Request) -> web.Response:
    """Changes after ``cursor`` (master data, other devices' records of the same site)."""
    device = require_device(principal(request))
    cursor, limit = parse_pull_query(request.query)
    assert device.device_id is not None and device.site_id is not None
    page = await pull_changes(
        request.app[DB],
        device_id=device.device_id,
        site_id=device.site_id,
        cursor=cursor,
        limit=limit,
    )
    request.app[METRICS].inc("feetui_pull_changes_total", len(page.changes))
    return json_response(page.to_json())


__all__ = ["pull"]
