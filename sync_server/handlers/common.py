"""What every handler needs: the JSON body, the caller, the clock and JSON answers."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from aiohttp import web

from sync_server.errors import bad_request
from sync_server.keys import CLOCK, PRINCIPAL
from sync_server.services.auth import Principal


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def read_json(request: web.Request) -> Any:
    """The request body as JSON (413 past the size limit, 400 when it is not JSON).

    Raises:
        ApiError: 400 ``bad_json`` or ``bad_encoding``.
        web.HTTPRequestEntityTooLarge: the body is larger than ``client_max_size``.
    """
    body = await request.read()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("bad_encoding", "the body must be UTF-8 JSON") from None
    try:
        return json.loads(text, parse_constant=_no_constants)
    except ValueError as error:
        raise bad_request(
            "bad_json", "the body is not valid JSON: {detail}", detail=str(error)
        ) from None


def principal(request: web.Request) -> Principal:
    """The authenticated caller (set by the auth middleware)."""
    return request[PRINCIPAL]


def now(request: web.Request) -> datetime:
    """The server's current time."""
    return request.app[CLOCK]()


def dumps(data: Any) -> str:
    """Response JSON: compact, Chinese kept readable."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON answer."""
    return web.json_response(data, status=status, dumps=dumps)


__all__ = ["dumps", "json_response", "now", "principal", "read_json"]
