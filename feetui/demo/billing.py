"""Headquarters' monthly bill run for the demo: the charges (应收) of every unit for one month.

Amounts come from :mod:`feetui.core.fees` with the site's fee items, exactly as a real bill run
computes them. Flats are billed property fee by area, parking per car and rubbish by the quarter
(按季收取, due at the end of the quarter's first month), water and their share of the common
areas' electricity every second month from meter usage, and heating once a season (billed in
October for November to March). Shops pay property fee, rent and their own electricity monthly.
A flat marked vacant uses no water or electricity.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from feetui.core.fees import area_fee, fixed_fee, metered_fee
from feetui.core.parse import centi_text
from feetui.demo.community import Community, FeeItem, Unit
from feetui.demo.ids import SeededIds


@dataclass(slots=True)
class BilledCharge:
    """One charge as the bill run writes it (the ``charge`` table's columns), plus the running
    balance the demo's payment history keeps for it."""

    id: str
    unit_id: str
    item: FeeItem
    period: str
    period_start: date
    period_end: date
    amount_fen: int
    due_date: date
    note: str
    created_at: datetime
    source: str = "bill"
    parent_id: str | None = None
    paid_fen: int = 0
    late_posted_fen: int = 0

    @property
    def outstanding_fen(self) -> int:
        """What it still owes."""
        return self.amount_fen - self.paid_fen


def month_end(year: int, month: int) -> date:
    """The last day of a month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(year: int, month: int, count: int) -> tuple[int, int]:
    """``(year, month)`` moved by ``count`` months."""
    index = year * 12 + month - 1 + count
    return index // 12, index % 12 + 1


QUARTER_MONTHS = (1, 4, 7, 10)
"""Flats are billed property fee, parking and rubbish by the quarter, in its first month."""


class BillRun:
    """Bills a community month by month.

    Args:
        community: the site's units and fee items.
        rng: seeded random source for meter usage.
        ids: id source for the charges (headquarters makes them).
        tz: the site's timezone (bills are run at 02:00 local on the 1st).
    """

    def __init__(
        self, community: Community, rng: random.Random, ids: SeededIds, tz: tzinfo
    ) -> None:
        self._items = community.fee_items
        self._units = community.units
        self._rng = rng
        self._ids = ids
        self._tz = tz

    def run(self, year: int, month: int) -> list[BilledCharge]:
        """Every charge of the month ``year-month``, unit by unit."""
        at = datetime.combine(date(year, month, 1), time(2, 0), self._tz)
        self._ids.set(at)
        charges: list[BilledCharge] = []
        for unit in self._units:
            for item, amount, start, end, note in self._lines(unit, year, month):
                if amount > 0:
                    charges.append(self._charge(unit, item, amount, start, end, note, at))
        return charges

    def _charge(
        self,
        unit: Unit,
        item: FeeItem,
        amount: int,
        start: date,
        end: date,
        note: str,
        at: datetime,
    ) -> BilledCharge:
        if item.code == "HEAT":
            period, due = f"{start.year}-{end.year}采暖季", date(start.year, 11, 15)
        elif (start.year, start.month) == (end.year, end.month):
            period, due = f"{start:%Y-%m}", month_end(at.year, at.month)
        else:
            period, due = f"{start:%Y-%m}~{end:%m}", month_end(at.year, at.month)
        return BilledCharge(
            self._ids.new_str(), unit.id, item, period, start, end, amount, due, note, at
        )

    def _lines(self, unit: Unit, year: int, month: int) -> list[tuple]:
        """(item, amount_fen, period start, period end, note) of one unit for one month."""
        start, end = date(year, month, 1), month_end(year, month)
        lines = self._shop_lines(unit, start, end) if unit.kind == "shop" else []
        if unit.kind != "shop" and month in QUARTER_MONTHS:
            lines += self._quarter_lines(unit, start, month_end(*add_months(year, month, 2)))
        if unit.kind != "shop" and month == 10:
            lines.append(self._heating(unit, year))
        if month % 2 == 0 and "vacant" not in unit.tags:
            two_months = date(*add_months(year, month, -1), 1)
            lines.append(self._water(unit, two_months, end))
            if unit.kind != "shop":
                lines.append(self._metered(self._items["SHARED"], 1000, 3600, two_months, end))
        return lines

    def _quarter_lines(self, unit: Unit, start: date, end: date) -> list[tuple]:
        """A flat's quarterly bill: property fee by area, parking per car, rubbish."""
        items, area = self._items, unit.area_centi_m2
        pm = items["PM"]
        amount = area_fee(area_centi_m2=area, rate_fen_per_m2_month=pm.rate_fen, months=3)
        lines = [(pm, amount.fen, start, end, f"{centi_text(area)} m²")]
        for car in unit.cars:
            item = items["PARKU" if car.space == "underground" else "PARKG"]
            amount = fixed_fee(rate_fen_per_month=item.rate_fen, months=3)
            lines.append((item, amount.fen, start, end, car.plate))
        rubbish = items["RUBBISH"]
        amount = fixed_fee(rate_fen_per_month=rubbish.rate_fen, months=3)
        lines.append((rubbish, amount.fen, start, end, ""))
        return lines

    def _heating(self, unit: Unit, year: int) -> tuple:
        """The heating season's bill (November to March), billed in October."""
        heat, area = self._items["HEAT"], unit.area_centi_m2
        amount = area_fee(area_centi_m2=area, rate_fen_per_m2_month=heat.rate_fen, months=5)
        season = (date(year, 11, 15), date(year + 1, 3, 15))
        return (heat, amount.fen, *season, f"{centi_text(area)} m²")

    def _shop_lines(self, unit: Unit, start: date, end: date) -> list[tuple]:
        items, area = self._items, unit.area_centi_m2
        lines = []
        for code in ("SPM", "RENT"):
            item = items[code]
            amount = area_fee(area_centi_m2=area, rate_fen_per_m2_month=item.rate_fen, months=1)
            lines.append((item, amount.fen, start, end, f"{centi_text(area)} m²"))
        lines.append(self._metered(items["ELEC"], 15000, 250000, start, end))
        return lines

    def _water(self, unit: Unit, start: date, end: date) -> tuple:
        low, high = (500, 6000) if unit.kind == "shop" else (800, 4000)
        return self._metered(self._items["WATER"], low, high, start, end)

    def _metered(self, item: FeeItem, low: int, high: int, start: date, end: date) -> tuple:
        usage = self._rng.randint(low, high)
        amount = metered_fee(usage_centi=usage, unit_price_fen=item.rate_fen).fen
        return (item, amount, start, end, f"用量 {centi_text(usage)} {item.unit_label}")


def months_back(as_of: date, count: int) -> list[tuple[int, int]]:
    """The ``count`` months ending with ``as_of``'s month, oldest first."""
    return [add_months(as_of.year, as_of.month, -k) for k in range(count - 1, -1, -1)]


def days_of(year: int, month: int, until: date) -> list[date]:
    """The days of a month before ``until``."""
    first = date(year, month, 1)
    return [
        first + timedelta(days=d)
        for d in range(calendar.monthrange(year, month)[1])
        if first + timedelta(days=d) < until
    ]


__all__ = ["BillRun", "BilledCharge", "add_months", "days_of", "month_end", "months_back"]
