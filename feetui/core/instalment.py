"""Instalment plans (分期): a schedule that pays a debt off, and where a plan stands as of a date.

The rules, in prose: a schedule has between :data:`MIN_LINES` and :data:`MAX_LINES` instalments;
each is above zero; their dates are strictly increasing and none is before the day the plan is
agreed; and the amounts add up to the debt exactly, to the fen. Payments toward the plan fill the
instalments in order, so the first instalment is paid before the second one gets anything. An
instalment whose date has passed and that is not fully paid is *overdue*; the *next* instalment
is the first one not fully paid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from feetui.core.arrears import add_months, parse_date
from feetui.core.errors import N_, InputError
from feetui.core.money import Money, total
from feetui.core.parse import parse_amount

MIN_LINES = 2
MAX_LINES = 36


@dataclass(frozen=True, slots=True)
class Instalment:
    """One instalment of a schedule: pay ``amount`` by ``due_date``."""

    due_date: date
    amount: Money


def parse_schedule(text: str, *, ceiling: Money) -> list[Instalment]:
    """Instalments typed one a line as ``YYYY-MM-DD amount`` (blank lines are skipped).

    Raises:
        InputError: ``plan_line_invalid`` (param ``line``), or the date and amount codes of
            :func:`feetui.core.arrears.parse_date` and :func:`feetui.core.parse.parse_amount`.
    """
    lines = []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        parts = raw.split()
        if not parts:
            continue
        if len(parts) != 2:
            raise InputError(
                "plan_line_invalid",
                N_("Line {line}: type a date and an amount, like 2026-12-31 500.00."),
                line=number,
            )
        lines.append(Instalment(parse_date(parts[0]), parse_amount(parts[1], ceiling=ceiling)))
    return lines


def schedule_text(lines: Sequence[Instalment]) -> str:
    """Instalments as :func:`parse_schedule` reads them, one a line."""
    return "\n".join(f"{x.due_date.isoformat()} {x.amount.yuan_text()}" for x in lines)


def schedule_problems(debt: Money, lines: Sequence[Instalment], *, today: date) -> list[InputError]:
    """Every reason the schedule cannot be agreed, as data (empty when it can).

    Args:
        debt: what the plan must pay off.
        lines: the instalments, in the order typed.
        today: the business date the plan is agreed on.

    Returns:
        Errors with codes ``plan_debt_none``, ``plan_line_count`` (params ``low``, ``high``),
        ``plan_amount_invalid`` (param ``line``), ``plan_date_past`` (params ``line``,
        ``today``), ``plan_dates_not_increasing`` (param ``line``), ``plan_sum_mismatch``
        (params ``total``, ``debt``, ``difference``).
    """
    problems: list[InputError] = []
    if debt.fen <= 0:
        problems.append(InputError("plan_debt_none", N_("There is no debt to pay in instalments.")))
    if not MIN_LINES <= len(lines) <= MAX_LINES:
        problems.append(
            InputError(
                "plan_line_count",
                N_("A plan has between {low} and {high} instalments."),
                low=MIN_LINES,
                high=MAX_LINES,
            )
        )
    problems.extend(_line_problems(lines, today))
    found = total(line.amount for line in lines)
    if lines and found != debt:
        problems.append(
            InputError(
                "plan_sum_mismatch",
                N_("The instalments add up to ¥{total}, not the debt of ¥{debt} ({difference})."),
                total=found.yuan_text(grouping=True),
                debt=debt.yuan_text(grouping=True),
                difference=_signed(found - debt),
            )
        )
    return problems


def _line_problems(lines: Sequence[Instalment], today: date) -> list[InputError]:
    problems: list[InputError] = []
    for number, line in enumerate(lines, start=1):
        if line.amount.fen <= 0:
            problems.append(
                InputError(
                    "plan_amount_invalid",
                    N_("Instalment {line} must be above zero."),
                    line=number,
                )
            )
        if line.due_date < today:
            problems.append(
                InputError(
                    "plan_date_past",
                    N_("Instalment {line} is dated before today ({today})."),
                    line=number,
                    today=today.isoformat(),
                )
            )
        if number > 1 and line.due_date <= lines[number - 2].due_date:
            problems.append(
                InputError(
                    "plan_dates_not_increasing",
                    N_("Instalment {line} must fall after the one before it."),
                    line=number,
                )
            )
    return problems


def _signed(amount: Money) -> str:
    text = amount.yuan_text(grouping=True)
    return text if amount.is_negative else "+" + text


def require_schedule(
    debt: Money, lines: Sequence[Instalment], *, today: date
) -> tuple[Instalment, ...]:
    """The schedule, when it can be agreed.

    Raises:
        InputError: the first of :func:`schedule_problems`.
    """
    problems = schedule_problems(debt, lines, today=today)
    if problems:
        raise problems[0]
    return tuple(lines)


def even_schedule(
    debt: Money, count: int, *, first_due: date, every_months: int = 1
) -> tuple[Instalment, ...]:
    """A proposal: ``count`` equal instalments a month apart; the odd fen go on the first ones.

    Raises:
        InputError: ``plan_line_count`` when ``count`` is out of range, ``plan_debt_none``.
    """
    if not MIN_LINES <= count <= MAX_LINES:
        raise InputError(
            "plan_line_count",
            N_("A plan has between {low} and {high} instalments."),
            low=MIN_LINES,
            high=MAX_LINES,
        )
    if debt.fen < count:
        raise InputError("plan_debt_none", N_("There is no debt to pay in instalments."))
    share, extra = divmod(debt.fen, count)
    return tuple(
        Instalment(add_months(first_due, n * every_months), Money(share + (1 if n < extra else 0)))
        for n in range(count)
    )


class InstalmentStatus:
    """Where one instalment stands."""

    PAID = "paid"
    OPEN = "open"
    """Not fully paid, date not passed."""
    OVERDUE = "overdue"
    """Not fully paid and its date has passed."""


@dataclass(frozen=True, slots=True)
class InstalmentState:
    """One instalment as of a date."""

    number: int
    due_date: date
    amount: Money
    paid: Money
    status: str

    @property
    def remaining(self) -> Money:
        """What is still to pay on it."""
        return self.amount - self.paid


@dataclass(frozen=True, slots=True)
class PlanProgress:
    """A plan as of a date."""

    instalments: tuple[InstalmentState, ...]
    paid: Money
    """Paid toward the plan since it was agreed (may exceed the debt)."""

    @property
    def next(self) -> InstalmentState | None:
        """The first instalment not fully paid; ``None`` once the plan is paid off."""
        return next((i for i in self.instalments if i.status != InstalmentStatus.PAID), None)

    @property
    def overdue(self) -> tuple[InstalmentState, ...]:
        """The instalments that are overdue."""
        return tuple(i for i in self.instalments if i.status == InstalmentStatus.OVERDUE)

    @property
    def overdue_amount(self) -> Money:
        """What the overdue instalments still owe."""
        return total(i.remaining for i in self.overdue)

    @property
    def remaining(self) -> Money:
        """What the plan still owes."""
        return total(i.remaining for i in self.instalments)

    @property
    def complete(self) -> bool:
        """Whether every instalment is paid."""
        return self.next is None


def plan_progress(lines: Sequence[Instalment], *, paid: Money, as_of: date) -> PlanProgress:
    """Fill the instalments in order with ``paid`` and judge each as of ``as_of``.

    Args:
        lines: the plan's instalments in order.
        paid: what the unit has paid toward the plan since it was agreed.
        as_of: the date to judge on (an instalment due that day is not overdue yet).
    """
    left = max(paid.fen, 0)
    states = []
    for number, line in enumerate(lines, start=1):
        part = min(left, line.amount.fen)
        left -= part
        if part == line.amount.fen:
            status = InstalmentStatus.PAID
        elif line.due_date < as_of:
            status = InstalmentStatus.OVERDUE
        else:
            status = InstalmentStatus.OPEN
        states.append(InstalmentState(number, line.due_date, line.amount, Money(part), status))
    return PlanProgress(tuple(states), paid)


__all__ = [
    "MAX_LINES",
    "MIN_LINES",
    "Instalment",
    "InstalmentState",
    "InstalmentStatus",
    "PlanProgress",
    "even_schedule",
    "parse_schedule",
    "plan_progress",
    "require_schedule",
    "schedule_problems",
    "schedule_text",
]
