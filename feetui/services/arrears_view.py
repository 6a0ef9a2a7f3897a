"""What the arrears screens ask for, in the shapes they show (screens never see queries or rows).

"Today" is the site's calendar date by the services' clock: promises and instalments fall due on
calendar days, whether or not a shift is open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from feetui.core.arrears import CollectionRate
from feetui.core.money import Money
from feetui.core.tags import split_tags
from feetui.db.guard import storage_errors
from feetui.db.queries.arrears_list import (
    ArrearsFilter,
    ArrearsList,
    LastFollowUp,
    get_last_follow_up,
    list_arrears,
    list_buildings,
    list_fee_items,
)
from feetui.db.queries.collection_rate import list_collection_rates
from feetui.db.queries.instalments import PlanView, get_current_plan
from feetui.services.container import Services
from feetui.services.followups import require_unit, today, unit_owes
from feetui.services.instalments import plan_debt


@dataclass(frozen=True, slots=True)
class UnitArrears:
    """The arrears side of one unit: what it owes, its last follow-up, its instalment plan."""

    unit_id: str
    unit_code: str
    owner_name: str
    tags: tuple[str, ...]
    today: date
    owed: Money
    """Everything it owes now, late fees as of today included."""
    plan_debt: Money
    """What a plan agreed today would cover (charges due by today)."""
    last: LastFollowUp | None
    plan: PlanView | None


@dataclass(frozen=True, slots=True)
class FilterChoices:
    """What the arrears list can be filtered by."""

    buildings: tuple[str, ...]
    fee_items: tuple[tuple[str, str], ...]
    """``(code, name)``."""


async def load_unit_arrears(svc: Services, unit_id: str) -> UnitArrears:
    """The unit's arrears as of today.

    Raises:
        InputError: ``unit_unknown``.
        StorageError: the database could not be read.
    """
    day = today(svc)
    with storage_errors():
        unit = await require_unit(unit_id)
        debt, _ = await plan_debt(unit_id, day)
        return UnitArrears(
            unit.id,
            unit.code,
            unit.owner_name,
            split_tags(unit.tags),
            day,
            await unit_owes(unit_id, day),
            debt,
            await get_last_follow_up(unit_id, day),
            await get_current_plan(unit_id, day),
        )


async def load_arrears(svc: Services, flt: ArrearsFilter) -> ArrearsList:
    """The arrears list as of today, filtered."""
    with storage_errors():
        return await list_arrears(today(svc), flt)


async def load_rates(svc: Services, *, months: int = 12) -> list[CollectionRate]:
    """The site's collection rate for each of the last ``months`` months."""
    with storage_errors():
        return await list_collection_rates(today(svc), months=months)


async def load_filter_choices(svc: Services) -> FilterChoices:
    """Buildings and fee items to filter by."""
    with storage_errors():
        return FilterChoices(tuple(await list_buildings()), tuple(await list_fee_items()))


__all__ = [
    "ArrearsFilter",
    "FilterChoices",
    "UnitArrears",
    "load_arrears",
    "load_filter_choices",
    "load_rates",
    "load_unit_arrears",
]
