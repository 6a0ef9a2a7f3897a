"""``POST /api/v1/push``: a device's batch of journal records."""

from __future__ import annotations

from collections import Counter

import orjson
from aiohttp import web

from feetui.sync.protocol import (
    STATUS_CONFLICT,
    ProtocolError,
    PushRequest,
    loads_fast,
    parse_push_request,
)
from sync_server.errors import forbidden
from sync_server.handlers.common import now, principal, read_json
from sync_server.keys import DB, METRICS, SETTINGS
from sync_server.services.apply_push import apply_push
from sync_server.services.auth import require_device


async def push(request: web.Request) -> web.Response:
    """Apply the batch in one transaction and answer after the commit."""
    device = require_device(principal(request))
    batch = await _read_batch(request)
    if batch.device_id != device.device_id:
        raise forbidden("foreign_device", "a device may push only its own records")
    _check_sites(batch.records, device.site_id)
    app = request.app
    # aiohttp does not cancel a handler when its client hangs up (handler_cancellation is off),
    # so a batch whose transaction started always commits or rolls back whole (R7).
    answer = await apply_push(app[DB], batch, settings=app[SETTINGS], now=now(request))
    metrics = app[METRICS]
    metrics.inc("feetui_pushes_total")
    # One increment per outcome, not per record.
    for status, count in Counter(result.status for result in answer.results).items():
        metrics.inc("feetui_records_applied_total", count, status=status)
        if status == STATUS_CONFLICT:
            metrics.inc("feetui_conflicts_total", count)
    # The answer holds only text and integers: orjson writes what json.dumps would, faster.
    return web.Response(body=orjson.dumps(answer.to_json()), content_type="application/json")


async def _read_batch(request: web.Request) -> PushRequest:
    """The validated batch. The body is parsed by orjson first (the hot path); a body it cannot
    parse, or a batch refused from what it parsed, is read again by the standard parser and
    checks, so every refusal keeps its code and wording (see ``protocol.loads_fast``)."""
    body = await request.read()
    try:
        return parse_push_request(loads_fast(body))
    except (ValueError, ProtocolError):
        return parse_push_request(await read_json(request))


def _check_sites(records: tuple, site_id: str | None) -> None:
    """A record that names a site must name the device's own."""
    for index, record in enumerate(records):
        named = record.payload.get("site_id")
        if named is not None and named != site_id:
            raise forbidden(
                "foreign_site",
                "records[{index}] belongs to another site",
                index=index,
            )


__all__ = ["push"]
