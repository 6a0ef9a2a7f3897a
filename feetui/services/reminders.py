"""Reminder notices (催缴通知单): what a unit owes as of a date, in the company's wording.

Nothing is written: a notice is built from the ledger's balances and handed to the receipt
printer or the PDF writer by the caller (printing never happens inside a service). The wording is
``reminder_wording`` from the settings, or the translated default of
:class:`~feetui.core.receipt.PrintLabels`. A notice itemises every charge due by its date that
still owes (see :mod:`feetui.core.notice`); a list of notices is chosen with the arrears list's
filters, or by room code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from feetui.core.errors import N_, FeeError, InputError, RuleError
from feetui.core.money import total
from feetui.core.notice import ReminderItem, ReminderSheet, notice_number, pay_by
from feetui.core.receipt import PrintLabels, ReminderNoticeDoc
from feetui.core.unitcode import parse_room_code
from feetui.db.guard import storage_errors
from feetui.db.models import Site, Unit
from feetui.db.queries.arrears_list import (
    ArrearsFilter,
    list_arrears,
    list_buildings,
    list_fee_items,
)
from feetui.db.queries.balances import list_charge_balances
from feetui.services.container import Services
from feetui.services.followups import require_unit, today


@dataclass(frozen=True, slots=True)
class SkippedUnit:
    """A unit that got no notice, and why (``nothing_owed`` most often)."""

    unit_code: str
    error: FeeError


@dataclass(frozen=True, slots=True)
class ReminderBatch:
    """The notices of a list of units, the units skipped, and a file name for them."""

    sheets: tuple[ReminderSheet, ...]
    skipped: tuple[SkippedUnit, ...]
    file_name: str
    """``reminder-3-2-1502-20261123.pdf`` for one unit, ``reminders-20261123-093000.pdf``
    for several (made by the services' clock, so two lists of one day do not collide)."""


async def reminder_items(unit_id: str, as_of: date) -> tuple[ReminderItem, ...]:
    """Every charge of the unit due by ``as_of`` that still owes, with its late fee then."""
    items = []
    for charge in await list_charge_balances(unit_id):
        if charge.outstanding.fen <= 0 or charge.due_date > as_of:
            continue
        late = charge.late_fee_as_of(as_of)
        items.append(ReminderItem(charge.fee_item_name, charge.period, charge.outstanding, late))
    return tuple(items)


async def build_reminder_sheet(
    svc: Services, *, unit_id: str, as_of: date, labels: PrintLabels
) -> ReminderSheet:
    """The reminder notice of one unit as of ``as_of``, made today.

    Args:
        svc: the services context (settings give the company, wording, contact, days to pay).
        unit_id: the unit.
        as_of: the date the notice counts to.
        labels: the fixed words, already translated.

    Raises:
        InputError: ``unit_unknown``.
        RuleError: ``nothing_owed`` when the unit owes nothing due by then.
        StorageError: the database could not be read.
    """
    with storage_errors():
        unit = await require_unit(unit_id)
        items = await reminder_items(unit_id, as_of)
        if not items:
            raise RuleError(
                "nothing_owed",
                N_("{unit} owes nothing due by {date}: no notice for it."),
                unit=unit.code,
                date=as_of.isoformat(),
            )
        site = await Site.get(id=unit.site_id)  # type: ignore[attr-defined]
    settings, issued = svc.settings, today(svc)
    deadline = pay_by(issued, as_of, settings.reminder_deadline_days)
    return ReminderSheet(
        company=settings.company_name,
        site=site.name,
        notice_no=notice_number(issued, unit.code),
        issued_on=issued.isoformat(),
        as_of=as_of.isoformat(),
        unit_code=unit.code,
        owner=unit.owner_name,
        items=items,
        total=total(item.subtotal for item in items),
        deadline=deadline.isoformat() if deadline else "",
        wording=settings.reminder_wording,
        contact=settings.reminder_contact,
        labels=labels,
    )


async def build_reminder(
    svc: Services, *, unit_id: str, as_of: date, labels: PrintLabels
) -> ReminderNoticeDoc:
    """The reminder notice of one unit for the receipt printer: one line per charge due by
    ``as_of`` that still owes, and one for its late fee as of that day.

    Raises:
        InputError: ``unit_unknown``.
        RuleError: ``nothing_owed`` when the unit owes nothing due by then.
    """
    sheet = await build_reminder_sheet(svc, unit_id=unit_id, as_of=as_of, labels=labels)
    printed_at = svc.clock.now().astimezone(svc.tz).strftime("%Y-%m-%d %H:%M")
    return sheet.receipt_doc(printed_at=printed_at)


async def build_reminder_sheets(
    svc: Services, *, unit_ids: Iterable[str], as_of: date, labels: PrintLabels
) -> ReminderBatch:
    """The notices of ``unit_ids`` in that order; a unit that owes nothing is skipped, with why.

    Raises:
        StorageError: the database could not be read.
    """
    sheets: list[ReminderSheet] = []
    skipped: list[SkippedUnit] = []
    for unit_id in unit_ids:
        try:
            sheets.append(
                await build_reminder_sheet(svc, unit_id=unit_id, as_of=as_of, labels=labels)
            )
        except (InputError, RuleError) as error:
            code = error.params.get("unit", unit_id)
            skipped.append(SkippedUnit(str(code), error))
    return ReminderBatch(tuple(sheets), tuple(skipped), _file_name(svc, sheets))


async def find_reminder_units(svc: Services, *, as_of: date, flt: ArrearsFilter) -> list[str]:
    """Every unit of the arrears list as of ``as_of`` with these filters (not only the first
    page the screen shows), in the list's order.

    Raises:
        InputError: ``building_unknown`` or ``fee_item_unknown`` for a filter naming nothing.
        StorageError: the database could not be read.
    """
    with storage_errors():
        if flt.building and flt.building not in await list_buildings():
            raise InputError(
                "building_unknown", N_("There is no building {building}."), building=flt.building
            )
        items = [code for code, _name in await list_fee_items()]
        if flt.fee_item and flt.fee_item not in items:
            raise InputError(
                "fee_item_unknown", N_("There is no fee item {item}."), item=flt.fee_item
            )
        found = await list_arrears(as_of, flt, limit=None)
    return [row.unit_id for row in found.rows]


async def find_units_by_code(svc: Services, codes: Iterable[str]) -> list[str]:
    """The ids of the units with these room codes (any form a cashier types: ``3栋2单元1502``),
    in the order given.

    Raises:
        InputError: ``unit_code_unknown`` for a code no unit has.
        StorageError: the database could not be read.
    """
    ids = []
    with storage_errors():
        for typed in codes:
            parsed = parse_room_code(typed)
            code = (parsed.canonical if parsed else None) or typed.strip()
            found = await Unit.filter(code=code).values_list("id", flat=True)
            if len(found) != 1:  # none, or units of two sites sharing the code
                raise InputError(
                    "unit_code_unknown", N_("There is no unit {room}."), room=typed.strip()
                )
            ids.append(str(found[0]))
    return ids


def _file_name(svc: Services, sheets: list[ReminderSheet]) -> str:
    now = svc.clock.now().astimezone(svc.tz)
    if len(sheets) == 1:
        return f"reminder-{_safe(sheets[0].unit_code)}-{now:%Y%m%d}.pdf"
    return f"reminders-{now:%Y%m%d-%H%M%S}.pdf"


def _safe(text: str) -> str:
    """Letters, digits, ``-`` and ``_`` kept; anything a file system may refuse made ``_``."""
    return re.sub(r"[^\w-]", "_", text) or "unit"


__all__ = [
    "ReminderBatch",
    "SkippedUnit",
    "build_reminder",
    "build_reminder_sheet",
    "build_reminder_sheets",
    "find_reminder_units",
    "find_units_by_code",
    "reminder_items",
]
