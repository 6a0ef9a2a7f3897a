"""``POST /api/v1/enroll``: a one-time code becomes a device token."""

from __future__ import annotations

from aiohttp import web

from feetui.sync.protocol import parse_enroll_request
from sync_server.handlers.common import json_response, now, read_json
from sync_server.keys import DB
from sync_server.services.auth import enroll_device


async def enroll(request: web.Request) -> web.Response:
    """Enrol the calling counter under its own id at the code's site."""
    enrollment = parse_enroll_request(await read_json(request))
    answer = await enroll_device(request.app[DB], enrollment, now=now(request))
    return json_response(answer.to_json())


__all__ = ["enroll"]
