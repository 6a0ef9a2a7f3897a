"""The site and fee items of a standalone counter (``feetui sites``, ``feetui fee-items``).

A counter that is never enrolled (a company with one window) makes its own master data: its one
site, then the fee items the bill run (:mod:`feetui.services.billing`) bills from. Every code,
name and figure passes :mod:`feetui.core.master_data`, the checks headquarters' ``sync-server
sites add`` and ``sync-server fee-items add|set`` run, so the data is valid for HQ when the
counter is adopted later (``sync-server adopt-counter``). Each use case is one transaction and a
refusal writes nothing.

A standalone counter holds one site: the device row names it (``Device.site``), as enrolment
does; a second site is refused. On an enrolled counter sites and fee items are headquarters'
master data and arrive by pull; changing them here would be overwritten, so it is refused.
Changing a fee item never touches a charge already made: bills keep their amounts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.core.errors import N_, InputError, RuleError
from feetui.core.master_data import EDITABLE, FeeItemSpec, check_fee_item, check_site
from feetui.db.models import Device, FeeItem, Site
from feetui.services.container import Services
from feetui.services.posting import posting

SITES_BY_HQ = N_(
    "This counter is enrolled: sites are headquarters' master data (sync-server sites)."
)
FEE_ITEMS_BY_HQ = N_(
    "This counter is enrolled: fee items are headquarters' master data (sync-server fee-items)."
)


@dataclass(frozen=True, slots=True)
class SiteRow:
    """A site as the command prints it."""

    site_id: str
    code: str
    name: str
    own: bool
    """True for the counter's own site (the device's)."""


@dataclass(frozen=True, slots=True)
class FeeItemRow:
    """A fee item as the command prints it: its id, its site's code and its fields."""

    item_id: str
    site_code: str
    spec: FeeItemSpec
    active: bool


async def _require_standalone(svc: Services, message: str, code: str) -> Device:
    device = await Device.get(id=svc.device_id)
    if device.sync_token:
        raise RuleError(code, message)
    return device


async def own_site(svc: Services, conn: BaseDBAsyncClient | None = None) -> Site:
    """The counter's one site: the device's, or the only site it holds.

    Raises:
        RuleError: ``own_site_unknown`` when the device names none and the counter holds no
            site or several.
    """
    device = await Device.get(id=svc.device_id).using_db(conn)
    if device.site_id is not None:  # type: ignore[attr-defined]
        return await Site.get(id=device.site_id).using_db(conn)  # type: ignore[attr-defined]
    sites = await Site.all().using_db(conn).limit(2)
    if len(sites) != 1:
        raise RuleError(
            "own_site_unknown",
            N_(
                "This counter holds no site of its own (it has {count}): add it first with "
                "feetui sites add CODE NAME."
            ),
            count=await Site.all().using_db(conn).count(),
        )
    return sites[0]


async def add_site(svc: Services, *, code: str, name: str) -> SiteRow:
    """Create the counter's one site and make it the device's.

    Raises:
        InputError: ``site_code_invalid``, ``site_name_invalid``.
        RuleError: ``sites_by_hq`` on an enrolled counter, ``site_exists`` when the counter
            holds a site already.
    """
    code, name = check_site(code, name)
    await _require_standalone(svc, SITES_BY_HQ, "sites_by_hq")
    async with posting() as conn:
        held = await Site.all().using_db(conn).order_by("code").first()
        if held is not None:
            raise RuleError(
                "site_exists",
                N_(
                    "This counter holds site {site_code} ({site_name}) already: a counter that "
                    "is not enrolled has one site."
                ),
                site_code=held.code,
                site_name=held.name,
            )
        site = await Site.create(using_db=conn, id=svc.ids.new_str(), code=code, name=name)
        await Device.filter(id=svc.device_id).using_db(conn).update(site_id=site.id)
    return SiteRow(site.id, code, name, True)


async def list_sites(svc: Services) -> list[SiteRow]:
    """Every site the counter holds, by code (read only; an enrolled counter may list too)."""
    device = await Device.get(id=svc.device_id)
    own = device.site_id  # type: ignore[attr-defined]
    sites = await Site.all().order_by("code")
    return [SiteRow(s.id, s.code, s.name, s.id == own or len(sites) == 1) for s in sites]


async def add_fee_item(svc: Services, spec: FeeItemSpec) -> FeeItemRow:
    """Add a fee item to the counter's site.

    Raises:
        InputError: the refusals of :func:`feetui.core.master_data.check_fee_item`.
        RuleError: ``fee_items_by_hq`` on an enrolled counter, ``own_site_unknown``,
            ``fee_item_exists``.
    """
    spec = check_fee_item(spec)
    await _require_standalone(svc, FEE_ITEMS_BY_HQ, "fee_items_by_hq")
    async with posting() as conn:
        site = await own_site(svc, conn)
        if await FeeItem.filter(site_id=site.id, code=spec.code).using_db(conn).exists():
            raise RuleError(
                "fee_item_exists",
                N_("Site {site_code} has a fee item {item_code} already."),
                site_code=site.code,
                item_code=spec.code,
            )
        item = await FeeItem.create(
            using_db=conn, id=svc.ids.new_str(), site_id=site.id, code=spec.code,
            name=spec.name, kind=spec.kind, **_figures(spec),
        )  # fmt: skip
    return FeeItemRow(item.id, site.code, spec, True)


async def update_fee_item(svc: Services, *, code: str, changes: Mapping[str, Any]) -> FeeItemRow:
    """Change the given fields of one of the site's fee items (charges made keep their amounts).

    Args:
        svc: the services context.
        code: the fee item's code.
        changes: some of :data:`feetui.core.master_data.EDITABLE` and their new values.

    Raises:
        InputError: ``fee_item_nothing_to_change``, or a refusal of
            :func:`feetui.core.master_data.check_fee_item` for the item as it would become.
        RuleError: ``fee_items_by_hq``, ``own_site_unknown``, ``fee_item_unknown``.
    """
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown or not changes:
        raise InputError(
            "fee_item_nothing_to_change",
            N_("Nothing to change: give at least one of the fee item's fields."),
        )
    await _require_standalone(svc, FEE_ITEMS_BY_HQ, "fee_items_by_hq")
    async with posting() as conn:
        site = await own_site(svc, conn)
        item = await FeeItem.get_or_none(site_id=site.id, code=(code or "").strip()).using_db(conn)
        if item is None:
            raise RuleError(
                "fee_item_unknown",
                N_("Site {site_code} has no fee item {item_code}."),
                site_code=site.code,
                item_code=code,
            )
        spec = check_fee_item(replace(_spec(item), **changes))
        await FeeItem.filter(id=item.id).using_db(conn).update(name=spec.name, **_figures(spec))
    return FeeItemRow(item.id, site.code, spec, item.active)


async def list_fee_items(svc: Services) -> list[FeeItemRow]:
    """The fee items of the counter's sites, by site and code (read only)."""
    sites = {site.id: site.code for site in await Site.all()}
    items = await FeeItem.all().order_by("code")
    rows = [
        FeeItemRow(i.id, sites.get(i.site_id, ""), _spec(i), i.active)  # type: ignore[attr-defined]
        for i in items
    ]
    return sorted(rows, key=lambda row: (row.site_code, row.spec.code))


def _spec(item: FeeItem) -> FeeItemSpec:
    return FeeItemSpec(
        item.code, item.name, item.kind, item.rate_fen, item.due_day, item.scope,
        item.months_per_bill, item.late_fee_daily_ppm, item.late_fee_grace_days,
        item.late_fee_cap_percent,
    )  # fmt: skip


def _figures(spec: FeeItemSpec) -> dict[str, Any]:
    return {
        "rate_fen": spec.rate_fen, "due_day": spec.due_day, "scope": spec.scope,
        "months_per_bill": spec.months_per_bill, "late_fee_daily_ppm": spec.late_fee_daily_ppm,
        "late_fee_grace_days": spec.late_fee_grace_days,
        "late_fee_cap_percent": spec.late_fee_cap_percent,
    }  # fmt: skip


__all__ = [
    "FeeItemRow",
    "SiteRow",
    "add_fee_item",
    "add_site",
    "list_fee_items",
    "list_sites",
    "own_site",
    "update_fee_item",
]
