"""``POST /api/v1/login``: an HQ user's code and password become a short-lived token."""

from __future__ import annotations

from aiohttp import web

from feetui.sync.protocol import parse_login_request
from sync_server.handlers.common import json_response, now, read_json
from sync_server.keys import DB, SETTINGS
from sync_server.services.auth import login as login_user


async def login(request: web.Request) -> web.Response:
    """Sign an HQ user in."""
    credentials = parse_login_request(await read_json(request))
    minutes = request.app[SETTINGS].user_token_minutes
    answer = await login_user(request.app[DB], credentials, now=now(request), minutes=minutes)
    return json_response(answer)


__all__ = ["login"]
