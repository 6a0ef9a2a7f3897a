"""The bill cycle of a fee item: which months bill it, what months a bill covers, when it is due.

A fee item bills every ``months_per_bill`` months (1 monthly, 3 quarterly, 12 yearly). The months
that bill it are those whose count of months since January of year 0 is a multiple of
``months_per_bill``: for a divisor of 12 that is January and every ``months_per_bill`` months after
it (a quarterly item bills in January, April, July and October), the same every year. A bill made
in such a month covers that month and the ``months_per_bill - 1`` after it, and its amount is
``months_per_bill`` months of the rate (rounded once, :mod:`feetui.core.fees`). A charge falls due
on the item's ``due_day`` of the billing month, or on the month's last day when it is shorter.

:func:`plan_bill` is the whole bill run as a pure function, used by headquarters' ``sync-server
bill`` and a standalone counter's ``feetui bill`` alike, so the same master data bills the same
charges on both: for each by-area or fixed item that bills in the period (in item code order) and
each unit (in unit code order), by-area items charge area × rate × months, fixed items rate ×
months once per unit (``scope`` ``unit``) or once per car of the unit (``scope`` ``vehicle``,
parking); a charge of 0 is not made. Metered items are billed with their reading and one-off
items at the counter, never by a bill run.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from feetui.core.errors import N_, InputError
from feetui.core.fees import FeeKind, area_fee, fixed_fee

MAX_MONTHS_PER_BILL = 12
"""The longest bill cycle: a year."""


@dataclass(frozen=True, slots=True)
class BillPeriod:
    """A month a bill run is made for (``YYYY-MM``)."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> BillPeriod:
        """The period of ``YYYY-MM``.

        Raises:
            InputError: ``period_invalid``.
        """
        raw = (text or "").strip()
        parts = raw.split("-")
        if len(parts) != 2 or len(parts[0]) != 4 or len(parts[1]) != 2:
            raise _bad_period(text)
        if not (parts[0].isascii() and parts[0].isdigit() and parts[1].isdigit()):
            raise _bad_period(text)
        year, month = int(parts[0]), int(parts[1])
        if not 1 <= month <= 12 or year < 1:
            raise _bad_period(text)
        return cls(year, month)

    @property
    def text(self) -> str:
        """``YYYY-MM``."""
        return f"{self.year:04d}-{self.month:02d}"

    def plus(self, months: int) -> BillPeriod:
        """The period ``months`` later."""
        index = self.year * 12 + self.month - 1 + months
        return BillPeriod(index // 12, index % 12 + 1)

    @property
    def first_day(self) -> date:
        """The period's first day."""
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        """The period's last day."""
        return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])


def _bad_period(text: str) -> InputError:
    return InputError(
        "period_invalid", N_("A period is written YYYY-MM, e.g. 2026-11."), period=str(text)
    )


def check_months_per_bill(months: int) -> None:
    """Refuse a bill cycle outside 1 to 12 months.

    Raises:
        InputError: ``months_per_bill_invalid``.
    """
    if isinstance(months, bool) or not isinstance(months, int):
        raise TypeError(f"months_per_bill must be an int, got {type(months).__name__}")
    if not 1 <= months <= MAX_MONTHS_PER_BILL:
        raise InputError(
            "months_per_bill_invalid",
            N_("Months per bill is a whole number from 1 to 12."),
            months=str(months),
        )


def bills_in(period: BillPeriod, months_per_bill: int) -> bool:
    """True when an item billed every ``months_per_bill`` months bills in ``period``."""
    check_months_per_bill(months_per_bill)
    return (period.year * 12 + period.month - 1) % months_per_bill == 0


def covered(period: BillPeriod, months_per_bill: int) -> tuple[date, date]:
    """The first and last day a bill of ``period`` covers."""
    check_months_per_bill(months_per_bill)
    return period.first_day, period.plus(months_per_bill - 1).last_day


def check_due_day(due_day: int) -> None:
    """Refuse a due day outside 1 to 31.

    Raises:
        InputError: ``due_day_invalid``.
    """
    if isinstance(due_day, bool) or not isinstance(due_day, int) or not 1 <= due_day <= 31:
        raise InputError(
            "due_day_invalid", N_("The due day is a day of the month, 1 to 31."), day=str(due_day)
        )


def due_date(period: BillPeriod, due_day: int) -> date:
    """The due date of a period's charge: ``due_day`` of that month, or its last day.

    Raises:
        InputError: ``due_day_invalid`` outside 1 to 31.
    """
    check_due_day(due_day)
    return date(period.year, period.month, min(due_day, period.last_day.day))


SCOPES = ("unit", "vehicle")
"""Whom a fixed item bills: each unit once, or each car of the unit."""


@dataclass(frozen=True, slots=True)
class PlanItem:
    """A fee item as the bill run sees it (rates in fen, see :mod:`feetui.core.fees`)."""

    id: str
    code: str
    kind: str
    rate_fen: int
    months_per_bill: int = 1
    due_day: int = 28
    scope: str = "unit"


@dataclass(frozen=True, slots=True)
class PlanUnit:
    """A unit as the bill run sees it: its area and how many cars it has."""

    id: str
    code: str
    area_centi_m2: int
    vehicles: int = 0


@dataclass(frozen=True, slots=True)
class PlannedCharge:
    """One charge a bill run makes."""

    unit_id: str
    fee_item_id: str
    period: str
    amount_fen: int
    due_date: date
    period_start: date
    period_end: date


def plan_bill(
    period: BillPeriod, items: Sequence[PlanItem], units: Sequence[PlanUnit]
) -> list[PlannedCharge]:
    """The charges of one site's bill run for ``period`` (see the module's rule).

    Raises:
        InputError: ``months_per_bill_invalid`` or ``due_day_invalid`` for an item with such a
            figure, ``fee_input_invalid`` for a negative rate or area.
    """
    out: list[PlannedCharge] = []
    billed = [i for i in items if i.kind in (FeeKind.AREA, FeeKind.FIXED)]
    ordered_units = sorted(units, key=lambda u: (u.code, u.id))
    for item in sorted(billed, key=lambda i: (i.code, i.id)):
        if not bills_in(period, item.months_per_bill):
            continue
        start, end = covered(period, item.months_per_bill)
        due = due_date(period, item.due_day)
        for unit in ordered_units:
            amount = _amount(item, unit)
            if amount > 0:
                out.append(PlannedCharge(unit.id, item.id, period.text, amount, due, start, end))
    return out


def _amount(item: PlanItem, unit: PlanUnit) -> int:
    months = item.months_per_bill
    if item.kind == FeeKind.AREA:
        return area_fee(
            area_centi_m2=unit.area_centi_m2, rate_fen_per_m2_month=item.rate_fen, months=months
        ).fen
    count = unit.vehicles if item.scope == "vehicle" else 1
    return fixed_fee(rate_fen_per_month=item.rate_fen, months=months).fen * count


__all__ = [
    "MAX_MONTHS_PER_BILL",
    "SCOPES",
    "BillPeriod",
    "PlanItem",
    "PlanUnit",
    "PlannedCharge",
    "bills_in",
    "check_due_day",
    "check_months_per_bill",
    "covered",
    "due_date",
    "plan_bill",
]
