"""How the demo's households pay: when they come to the counter, what they pay and with what.

Every unit gets a habit when the history starts. Most pay every month, quarter or half year; some
come irregularly; a few keep a prepaid balance topped up; and about one in twenty stops paying at
some point (a dispute, a vacant flat, an owner who moved away), which gives the realistic tail of
arrears, some older than six months. Tenders follow today's counters: mostly WeChat and Alipay,
then bank card and cash, a little bank transfer; cash only for amounts in whole jiao, since the
drawer holds no fen coins.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from feetui.demo.billing import month_end

HABITS = (
    ("prompt", 30),
    ("quarterly", 35),
    ("half_yearly", 12),
    ("irregular", 14),
    ("prepaid", 4),
    ("lapsed", 5),
)
"""Payment habits and their shares in percent (shops: prompt, quarterly or lapsed)."""

TENDER_SHARES = (("wechat", 45), ("alipay", 25), ("card", 22), ("bank", 8))
"""How non-cash payments split."""


@dataclass(slots=True)
class Habit:
    """One household's way of paying.

    Attributes:
        kind: one of :data:`HABITS`.
        offset: which month of its cycle the household comes in.
        stop: for ``lapsed``: the first month it no longer pays.
        next_visit: for ``irregular``: the day of its next visit.
    """

    kind: str
    offset: int
    stop: date | None = None
    next_visit: date | None = None


def draw_habit(rng: random.Random, *, shop: bool, vacant: bool, start: date, end: date) -> Habit:
    """A household's habit for a history running from ``start`` to ``end``."""
    if shop:
        kind = rng.choices(("prompt", "quarterly", "lapsed"), (65, 30, 5))[0]
    elif vacant:
        kind = rng.choices(("quarterly", "half_yearly", "irregular", "lapsed"), (30, 30, 25, 15))[0]
    else:
        kind = rng.choices([h for h, _ in HABITS], [w for _, w in HABITS])[0]
    habit = Habit(kind, offset=rng.randrange(6))
    if kind == "lapsed":
        # Stopped between 20 and 7 months before the end: arrears older than six months.
        habit.stop = end - timedelta(days=rng.randint(7 * 30, 20 * 30))
        habit.stop = max(habit.stop, start + timedelta(days=31))
    if kind == "irregular":
        habit.next_visit = start + timedelta(days=rng.randint(5, 90))
    return habit


def visits_in_month(habit: Habit, year: int, month: int, rng: random.Random) -> bool:
    """Whether the household comes to the counter in this month."""
    index = year * 12 + month
    kind = habit.kind
    if kind == "prompt":
        return rng.random() < 0.96  # comes every month a bill arrives
    if kind in ("quarterly", "prepaid"):
        return (index + habit.offset) % 3 == 0
    if kind == "half_yearly":
        return (index + habit.offset) % 6 == 0
    if kind == "lapsed":
        first = date(year, month, 1)
        return first < (habit.stop or first) and (index + habit.offset) % 3 == 0
    return False


HEATING_MONTH = 10
"""Heating is billed in October and everyone wants heat by mid-November: most come that month."""


def heating_visit(habit: Habit, year: int, month: int, rng: random.Random) -> bool:
    """Whether a household that would not come this month comes anyway to pay for heating."""
    if month != HEATING_MONTH:
        return False
    if habit.kind == "lapsed" and date(year, month, 1) >= (habit.stop or date.max):
        return False
    return rng.random() < 0.85


def visit_day(rng: random.Random, year: int, month: int, until: date) -> date | None:
    """A day of the month the visit happens on (before ``until``), most early in the month."""
    last = min(month_end(year, month), until - timedelta(days=1))
    first = date(year, month, 1)
    if last < first:
        return None
    span = (last - first).days
    return first + timedelta(days=min(span, int(rng.triangular(0, span + 1, 2))))


def visit_time(rng: random.Random, day: date, tz: tzinfo) -> datetime:
    """When on ``day`` the household is at the counter: 08:30 to 17:15 local, to the second."""
    seconds = rng.randrange(8 * 3600 + 1800, 17 * 3600 + 900)
    return datetime.combine(day, time(seconds // 3600, seconds // 60 % 60, seconds % 60), tz)


@dataclass(frozen=True, slots=True)
class Choice:
    """What a household decides at the counter, before the ledger plans it.

    Attributes:
        only_codes: pay only the charges of these fee items (``None``: everything owed).
        share: pay this share of what is due, in percent (100: all of it).
        top_up_fen: extra to put to prepaid balance.
    """

    only_codes: tuple[str, ...] | None
    share: int
    top_up_fen: int


def draw_choice(rng: random.Random, habit: Habit, monthly_fen: int, prepaid_fen: int) -> Choice:
    """What to pay this visit: usually everything, sometimes only property fees or a part."""
    top_up = 0
    if habit.kind == "prepaid" and prepaid_fen < 2 * monthly_fen:
        # Tops up about a year of fees, in whole hundreds of yuan.
        top_up = max(50_000, (12 * monthly_fen // 10_000 + 1) * 10_000)
    roll = rng.random()
    if roll < 0.06:
        return Choice(("PM", "SPM", "RENT"), 100, top_up)
    if roll < 0.10 and not top_up:
        return Choice(None, rng.randint(30, 80), 0)
    return Choice(None, 100, top_up)


def draw_method(rng: random.Random, amount_fen: int) -> str:
    """The tender method for ``amount_fen``: cash only for whole jiao."""
    if amount_fen % 10 == 0 and rng.random() < 0.55:
        return "cash"
    return rng.choices([m for m, _ in TENDER_SHARES], [w for _, w in TENDER_SHARES])[0]


def cash_handed(rng: random.Random, amount_fen: int) -> int:
    """What a payer hands over for ``amount_fen``: exact, or up to the next ¥10, ¥50 or ¥100."""
    step = rng.choice((0, 1000, 5000, 10000, 10000))
    if not step:
        return amount_fen
    return -(-amount_fen // step) * step


def reference(rng: random.Random, method: str, day: date) -> str:
    """The terminal or platform reference a tender of ``method`` carries."""
    if method == "wechat":
        return f"4200{rng.randrange(10**4):04d}{day:%Y%m%d}{rng.randrange(10**12):012d}"
    if method == "alipay":
        return f"{day:%Y%m%d}2200{rng.randrange(10**16):016d}"
    if method == "card":
        return f"{rng.randrange(10**6):06d}/{rng.randrange(10**12):012d}"
    if method == "bank":
        return f"转账{day:%Y%m%d}{rng.randrange(10**6):06d}"
    return ""


__all__ = [
    "HABITS",
    "Choice",
    "Habit",
    "cash_handed",
    "draw_choice",
    "draw_habit",
    "draw_method",
    "heating_visit",
    "reference",
    "visit_day",
    "visit_time",
    "visits_in_month",
]
