"""Reminder notices (催缴通知单): what a unit owes as of a date, in the company's wording.

Nothing is written: the notice is built from the ledger's balances and handed to the printer by
the caller (printing never happens inside a service). The wording is ``reminder_wording`` from
the settings, or the translated default of :class:`~feetui.core.receipt.PrintLabels`.
"""

from __future__ import annotations

from datetime import date

from feetui.core.errors import N_, RuleError
from feetui.core.money import total
from feetui.core.receipt import FeeLine, PrintLabels, ReminderNoticeDoc
from feetui.db.models import Site
from feetui.db.queries.balances import list_charge_balances
from feetui.services.container import Services
from feetui.services.followups import require_unit


async def build_reminder(
    svc: Services, *, unit_id: str, as_of: date, labels: PrintLabels
) -> ReminderNoticeDoc:
    """The reminder notice of one unit: one line per charge due by ``as_of`` that still owes,
    and one for its late fee as of that day.

    Args:
        svc: the services context (settings give the company, wording and contact).
        unit_id: the unit.
        as_of: the date the notice counts to.
        labels: the fixed words, already translated.

    Raises:
        InputError: ``unit_unknown``.
        RuleError: ``nothing_owed`` when the unit owes nothing due by then.
    """
    unit = await require_unit(unit_id)
    lines: list[FeeLine] = []
    for charge in await list_charge_balances(unit_id):
        if charge.outstanding.fen <= 0 or charge.due_date > as_of:
            continue
        lines.append(FeeLine(charge.fee_item_name, charge.period, charge.outstanding))
        late = charge.late_fee_as_of(as_of)
        if late:
            lines.append(FeeLine(labels.late_fees, charge.period, late))
    if not lines:
        raise RuleError("nothing_owed", N_("Nothing is owed on the chosen lines."))
    site = await Site.get(id=unit.site_id)  # type: ignore[attr-defined]
    settings = svc.settings
    return ReminderNoticeDoc(
        company=settings.company_name,
        site=site.name,
        unit_code=unit.code,
        owner=unit.owner_name,
        as_of=as_of.isoformat(),
        lines=tuple(lines),
        total=total(line.amount for line in lines),
        printed_at=svc.clock.now().astimezone(svc.tz).strftime("%Y-%m-%d %H:%M"),
        contact=settings.reminder_contact,
        wording=settings.reminder_wording,
        labels=labels,
    )


__all__ = ["build_reminder"]
