"""``GET /api/v1/reports/...``: HQ users' reports, as JSON or ``format=csv|xlsx``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from zoneinfo import ZoneInfo

from aiohttp import web

from sync_server.errors import ApiError, bad_request, forbidden
from sync_server.handlers.common import now, principal
from sync_server.handlers.exports import FORMATS, render
from sync_server.keys import DB, SETTINGS
from sync_server.services import reconcile, reports
from sync_server.services.auth import require_user

PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _check_query(query: Mapping[str, str], allowed: tuple[str, ...]) -> None:
    for key in query:
        if key not in (*allowed, "site", "format"):
            raise bad_request("unknown_field", "unknown field {field}", field=key)
    if query.get("format", "json") not in FORMATS:
        raise bad_request(
            "bad_value", "format must be one of {formats}", formats=", ".join(FORMATS)
        )


def _date(query: Mapping[str, str], key: str) -> date:
    raw = query.get(key)
    if raw is None:
        raise bad_request("missing_field", "missing field {field}", field=key)
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise bad_request("bad_value", "{field} must be a date YYYY-MM-DD", field=key) from None


async def _site_ids(request: web.Request) -> list[str]:
    """The sites the caller asked for and may see (403 for a site of someone else)."""
    caller = require_user(principal(request))
    code = request.query.get("site")
    found = await reports.site_ids_for(request.app[DB], [code] if code else None)
    if code and code not in found:
        raise ApiError(404, "unknown_site", "no site with code {site}", site=code)
    allowed = sorted(site_id for site_id in found.values() if caller.may_see(site_id))
    if code and not allowed:
        raise forbidden("forbidden_site", "you may not see site {site}", site=code)
    return allowed


async def daily(request: web.Request) -> web.StreamResponse:
    """Takings of one business date per site, device and method."""
    _check_query(request.query, ("date",))
    site_ids = await _site_ids(request)
    day = _date(request.query, "date")
    return await render(request, await reports.daily(request.app[DB], day=day, site_ids=site_ids))


async def collection_rate(request: web.Request) -> web.StreamResponse:
    """收缴率 of one billing month per site, building or fee item, as the counter computes it."""
    _check_query(request.query, ("period", "as_of", "by"))
    site_ids = await _site_ids(request)
    period = request.query.get("period", "")
    if not PERIOD.match(period):
        raise bad_request("bad_value", "{field} must be a month YYYY-MM", field="period")
    as_of = _date(request.query, "as_of") if "as_of" in request.query else _today(request)
    by = request.query.get("by", "building")
    if by not in reports.RATE_GROUPINGS:
        raise bad_request(
            "bad_value", "by must be one of {values}", values=", ".join(reports.RATE_GROUPINGS)
        )
    report = await reports.collection_rate(
        request.app[DB], period=period, as_of=as_of, site_ids=site_ids, by=by
    )
    return await render(request, report)


def _today(request: web.Request) -> date:
    """The business date at HQ now (the server's clock, in its time zone)."""
    return now(request).astimezone(ZoneInfo(request.app[SETTINGS].timezone)).date()


async def arrears(request: web.Request) -> web.StreamResponse:
    """What each unit owes as of a date, aged."""
    _check_query(request.query, ("as_of",))
    site_ids = await _site_ids(request)
    as_of = _date(request.query, "as_of")
    report = await reports.arrears(request.app[DB], as_of=as_of, site_ids=site_ids)
    return await render(request, report)


async def exceptions(request: web.Request) -> web.StreamResponse:
    """Open exceptions (``resolved=true`` includes closed ones)."""
    _check_query(request.query, ("resolved",))
    site_ids = await _site_ids(request)
    resolved = request.query.get("resolved", "false")
    if resolved not in ("true", "false"):
        raise bad_request("bad_value", "{field} must be true or false", field="resolved")
    report = await reports.exceptions(
        request.app[DB], site_ids=site_ids, include_resolved=resolved == "true"
    )
    return await render(request, report)


async def shifts(request: web.Request) -> web.StreamResponse:
    """The shifts of one business date with their cash: expected, counted, movements."""
    _check_query(request.query, ("date",))
    site_ids = await _site_ids(request)
    day = _date(request.query, "date")
    return await render(request, await reports.shifts(request.app[DB], day=day, site_ids=site_ids))


async def scanpay(request: web.Request) -> web.StreamResponse:
    """Scanned-code payments of a day against the providers' imported bills."""
    _check_query(request.query, ("date",))
    site_ids = await _site_ids(request)
    day = _date(request.query, "date")
    report = await reconcile.scanpay_report(request.app[DB], day=day, site_ids=site_ids)
    return await render(request, report)


__all__ = ["arrears", "collection_rate", "daily", "exceptions", "scanpay", "shifts"]
