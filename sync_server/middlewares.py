"""Middlewares: every error as JSON ``{"error", "message", "params"}``, and bearer-token auth."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from aiohttp import web

from feetui.core.errors import FeeError
from feetui.sync.protocol import error_body
from sync_server.errors import ApiError, unauthorized
from sync_server.handlers.common import json_response
from sync_server.keys import CLOCK, DB, METRICS, PRINCIPAL
from sync_server.services.auth import authenticate

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

PUBLIC_ROUTES = frozenset({"health", "metrics", "openapi", "enroll", "login"})
"""Route names answered without a token; every other route needs one."""
# Protocol errors that are about size, not shape.
TOO_LARGE = frozenset({"batch_too_large", "payload_too_large"})
HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
}


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every failure into a JSON error answer and count every request."""
    try:
        response = await handler(request)
    except ApiError as error:
        response = json_response(error_body(error.code, str(error), error.params), error.status)
    except FeeError as error:
        status = 413 if error.code in TOO_LARGE else 400
        response = json_response(error_body(error.code, str(error), error.params), status)
    except web.HTTPException as error:
        response = _http_error(error)
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        response = json_response(error_body("internal_error", "unexpected server error"), 500)
    route = request.match_info.route.name or "unknown"
    request.app[METRICS].inc("feetui_http_requests_total", route=route, status=str(response.status))
    return response


def _http_error(error: web.HTTPException) -> web.StreamResponse:
    if error.status < 400:
        raise error
    code = HTTP_CODES.get(error.status, "http_error")
    response = json_response(error_body(code, error.reason), error.status)
    if "Allow" in error.headers:
        response.headers["Allow"] = error.headers["Allow"]
    return response


@web.middleware
async def auth_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Resolve the bearer token before any non-public handler runs (401 otherwise)."""
    route = request.match_info.route
    if route.name in PUBLIC_ROUTES or request.match_info.http_exception is not None:
        return await handler(request)
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthorized("missing_token", "send Authorization: Bearer <token>")
    found = await authenticate(request.app[DB], token.strip(), now=request.app[CLOCK]())
    if found is None:
        raise unauthorized("bad_token", "the token is unknown, expired or revoked")
    request[PRINCIPAL] = found
    return await handler(request)


__all__ = ["PUBLIC_ROUTES", "auth_middleware", "error_middleware"]
