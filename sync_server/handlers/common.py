"""What every handler needs: the JSON body, the caller, the clock and JSON answers."""

from __future__ import annotations

import json
import re
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
        value = json.loads(text, parse_constant=_no_constants)
    except ValueError as error:
        raise bad_request(
            "bad_json", "the body is not valid JSON: {detail}", detail=str(error)
        ) from None
    except RecursionError:
        raise bad_request(
            "bad_json", "the body is not valid JSON: {detail}", detail="nested too deeply"
        ) from None
    # An escaped half of a surrogate pair without its other half parses into text no database
    # and no hash can encode: refused here, for every route. Only a body with such an escape
    # is walked.
    if _SURROGATE_ESCAPE.search(text) and _holds_lone_surrogate(value):
        raise bad_request(
            "bad_json", "the body is not valid JSON: {detail}",
            detail="a \\u escape is half of a surrogate pair",
        )  # fmt: skip
    return value


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _holds_lone_surrogate(value: Any) -> bool:
    """True when some text (a key or a value) of ``value`` is not encodable (a walk without
    recursion: the body may nest as deep as the parser allows)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


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
