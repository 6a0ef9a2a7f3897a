"""``POST /api/v1/pay/scan`` (+ ``/{payment_id}/poll``, ``/{payment_id}/cancel``): scanned-code
payments charged by HQ for a counter (device token)."""

from __future__ import annotations

from aiohttp import web

from feetui.sync.protocol import UUID_TEXT, parse_scan_request
from sync_server.handlers.common import json_response, principal, read_json
from sync_server.keys import CLOCK, DB, METRICS, SCAN_HTTP, SETTINGS
from sync_server.services.auth import require_device
from sync_server.services.scanpay import (
    ScanContext,
    cancel_scan,
    poll_scan,
    provider_factory,
    start_scan,
    unknown_payment,
)


def _context(request: web.Request) -> ScanContext:
    app = request.app
    return ScanContext(
        db=app[DB],
        clock=app[CLOCK],
        providers=provider_factory(app[SCAN_HTTP]),
        timezone=app[SETTINGS].timezone,
        metrics=app[METRICS],
    )


def _payment_id(request: web.Request) -> str:
    payment_id = request.match_info["payment_id"]
    if not UUID_TEXT.match(payment_id):
        raise unknown_payment()
    return payment_id


async def scan(request: web.Request) -> web.Response:
    """Charge a scanned code once for the payment id; answer the payment's state."""
    device = require_device(principal(request))
    body = parse_scan_request(await read_json(request))
    # Not cancelled when the counter hangs up (aiohttp's default): the row always gets the
    # provider's answer, and the counter's retry finds it.
    state = await start_scan(_context(request), body, device=device)
    return json_response(state.to_json())


async def poll(request: web.Request) -> web.Response:
    """Where a scanned payment stands, asking the provider if it is not final."""
    device = require_device(principal(request))
    state = await poll_scan(_context(request), _payment_id(request), device=device)
    return json_response(state.to_json())


async def cancel(request: web.Request) -> web.Response:
    """Cancel a scanned payment that is not final (reversed as soon as the provider allows)."""
    device = require_device(principal(request))
    state = await cancel_scan(_context(request), _payment_id(request), device=device)
    return json_response(state.to_json())


__all__ = ["cancel", "poll", "scan"]
