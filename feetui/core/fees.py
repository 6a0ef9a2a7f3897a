"""Fee calculation for the four kinds of fee item: by area, fixed, metered and one-off.

Units, all integers: areas in hundredths of a square metre (``area_centi_m2``: 89.50 m² is 8950),
meter readings and usage in hundredths of a unit (``*_centi``: 12.34 m³ is 1234), rates and prices
in fen. A charge line's exact value is a fraction of fen; it is rounded once, with
:data:`~feetui.core.rounding.ROUND_HALF_UP_TO_FEN`, never per month or per step.
"""

from __future__ import annotations

from enum import StrEnum

from feetui.core.errors import N_, InputError, RuleError
from feetui.core.money import Money
from feetui.core.parse import centi_text
from feetui.core.rounding import ROUND_HALF_UP_TO_FEN

CENTI = 100
"""Hundredths per whole unit (of m², m³, kWh)."""


class FeeKind(StrEnum):
    """How a fee item computes its charge."""

    AREA = "area"
    """Area × rate per m² per month × months (property fee, heating)."""
    FIXED = "fixed"
    """Rate per month × months (parking, rubbish, rent)."""
    METERED = "metered"
    """Usage between two meter readings × unit price (water, electricity)."""
    ONE_OFF = "one_off"
    """A single amount (a service call, a key card)."""


def _check_figures(**figures: int) -> None:
    """Refuse a non-integer or negative fee figure (named, for the logs, in ``params``)."""
    for name, value in figures.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"fee figure {name} must be an int, got {type(value).__name__}")
        if value < 0:
            raise InputError(
                "fee_input_invalid",
                N_("A fee rate, area, usage or number of months is negative: check the fee item"),
                field=name,
                value=str(value),
            )


def area_fee(*, area_centi_m2: int, rate_fen_per_m2_month: int, months: int) -> Money:
    """The charge of a fee by area: area × rate per m² per month × months, rounded once.

    Args:
        area_centi_m2: area in hundredths of a square metre (89.50 m² is 8950).
        rate_fen_per_m2_month: rate in fen per square metre per month.
        months: number of months billed.

    Returns:
        ``round_half_up(area_centi_m2 * rate * months, 100)`` fen.

    Raises:
        InputError: ``fee_input_invalid`` when a figure is negative.
    """
    _check_figures(
        area_centi_m2=area_centi_m2, rate_fen_per_m2_month=rate_fen_per_m2_month, months=months
    )
    return Money(ROUND_HALF_UP_TO_FEN(area_centi_m2 * rate_fen_per_m2_month * months, CENTI))


def fixed_fee(*, rate_fen_per_month: int, months: int) -> Money:
    """The charge of a fixed monthly fee: rate × months (exact, nothing to round).

    Raises:
        InputError: ``fee_input_invalid`` when a figure is negative.
    """
    _check_figures(rate_fen_per_month=rate_fen_per_month, months=months)
    return Money(rate_fen_per_month * months)


def _check_reading(reading: int, rollover_centi: int | None) -> None:
    if isinstance(reading, bool) or not isinstance(reading, int):
        raise TypeError(f"a meter reading must be an int, got {type(reading).__name__}")
    if reading < 0 or (rollover_centi is not None and reading >= rollover_centi):
        raise InputError(
            "meter_reading_invalid",
            N_("Meter reading {reading} is not possible for this meter: check the reading"),
            reading=centi_text(reading),
        )


def meter_usage(
    *, previous_centi: int, current_centi: int, rollover_centi: int | None = None
) -> int:
    """Usage between two readings of one meter, allowing for the meter wrapping round to zero.

    Args:
        previous_centi: the earlier reading, in hundredths of a unit.
        current_centi: the later reading, in hundredths of a unit.
        rollover_centi: the value at which the meter wraps to zero (10_000_000 for a meter that
            shows at most 99999.99), or None if it is not known to wrap.

    Returns:
        The usage in hundredths of a unit: ``current - previous``, or
        ``rollover - previous + current`` when the meter wrapped.

    Raises:
        InputError: ``meter_reading_invalid`` for a negative reading, a reading at or above the
            roll-over value, or a roll-over value that is not positive.
        RuleError: ``meter_went_backwards`` when the new reading is lower and the meter does not
            wrap.
    """
    if rollover_centi is not None:
        _check_figures(rollover_centi=rollover_centi)
        if rollover_centi == 0:
            raise InputError(
                "meter_reading_invalid",
                N_("The meter's roll-over value must be above zero: check the meter settings"),
            )
    _check_reading(previous_centi, rollover_centi)
    _check_reading(current_centi, rollover_centi)
    if current_centi >= previous_centi:
        return current_centi - previous_centi
    if rollover_centi is None:
        raise RuleError(
            "meter_went_backwards",
            N_(
                "The new meter reading {current} is below the previous one {previous}: "
                "check the reading, or set the meter's roll-over value"
            ),
            current=centi_text(current_centi),
            previous=centi_text(previous_centi),
        )
    return rollover_centi - previous_centi + current_centi


def metered_fee(*, usage_centi: int, unit_price_fen: int) -> Money:
    """The charge of a metered fee: usage × unit price, rounded once.

    Args:
        usage_centi: usage in hundredths of a unit (from :func:`meter_usage`).
        unit_price_fen: price of one whole unit in fen.

    Returns:
        ``round_half_up(usage_centi * unit_price_fen, 100)`` fen.

    Raises:
        InputError: ``fee_input_invalid`` when a figure is negative.
    """
    _check_figures(usage_centi=usage_centi, unit_price_fen=unit_price_fen)
    return Money(ROUND_HALF_UP_TO_FEN(usage_centi * unit_price_fen, CENTI))


def _one_off(amount: Money | None) -> Money:
    if amount is None or not isinstance(amount, Money) or amount.fen <= 0:
        raise InputError(
            "fee_input_invalid", N_("A one-off charge needs an amount above zero"), field="amount"
        )
    return amount


def charge_amount(
    kind: FeeKind,
    *,
    area_centi_m2: int = 0,
    rate_fen: int = 0,
    months: int = 1,
    usage_centi: int = 0,
    amount: Money | None = None,
) -> Money:
    """The charge of one line of any kind of fee item.

    Args:
        kind: the fee item's kind (a :class:`FeeKind` or its value, e.g. ``"area"``).
        area_centi_m2: the unit's area (AREA).
        rate_fen: fen per m² per month (AREA), per month (FIXED) or per unit (METERED).
        months: months billed (AREA, FIXED).
        usage_centi: metered usage in hundredths of a unit (METERED).
        amount: the amount of a ONE_OFF charge, above zero.

    Returns:
        The charge in fen, rounded once with the named rule.

    Raises:
        InputError: ``fee_input_invalid`` for a negative figure, a missing or non-positive
            one-off amount, or an unknown kind.
    """
    try:
        kind = FeeKind(kind)
    except ValueError:
        raise InputError(
            "fee_input_invalid", N_("Unknown kind of fee item: check the fee item"), field="kind"
        ) from None
    if kind is FeeKind.AREA:
        return area_fee(area_centi_m2=area_centi_m2, rate_fen_per_m2_month=rate_fen, months=months)
    if kind is FeeKind.FIXED:
        return fixed_fee(rate_fen_per_month=rate_fen, months=months)
    if kind is FeeKind.METERED:
        return metered_fee(usage_centi=usage_centi, unit_price_fen=rate_fen)
    return _one_off(amount)


__all__ = [
    "CENTI",
    "FeeKind",
    "area_fee",
    "charge_amount",
    "fixed_fee",
    "meter_usage",
    "metered_fee",
]
