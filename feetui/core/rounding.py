"""The one named rounding rule of feetui: half up (away from zero) to the fen, in exact integers.

Every money result that is not already a whole number of fen goes through
:func:`round_half_up`, and nothing else rounds money. A fractional amount is always kept as an exact
fraction ``numerator / denominator`` of integers until this single step turns it into whole fen:
an area fee is ``area_centi_m2 * rate * months / 100``, a metered fee ``usage_centi * price /
100``, a late fee ``outstanding * ppm * days / 1_000_000``. There is no float and no ``Decimal``
anywhere on the way, so the same inputs give the same fen on every machine.

The rule, named :data:`ROUND_HALF_UP_TO_FEN`, is the one finance staff do by hand (四舍五入): a
remainder of exactly one half or more goes up, less than one half goes down. For negative amounts
(reversals) the rule is mirrored, so halves go away from zero and ``round(-x) == -round(x)``: a
reversal always cancels its original to the fen. Rounding happens once per charge line, on the
line's full exact value, never on intermediate steps (so 3 months are rounded once, not 3 times).
"""

from __future__ import annotations

from dataclasses import dataclass


def round_half_up(numerator: int, denominator: int) -> int:
    """Round ``numerator / denominator`` to a whole number, halves away from zero.

    Exact integer arithmetic: ``round_half_up(5, 10) == 1``, ``round_half_up(4999, 10000) == 0``,
    ``round_half_up(-5, 10) == -1``.

    Args:
        numerator: any integer (negative for reversals).
        denominator: a positive integer.

    Returns:
        The nearest integer to the fraction; an exact half goes away from zero.

    Raises:
        TypeError: an argument is not an int (a float or a bool is refused: no floats in money).
        ValueError: the denominator is zero or negative.
    """
    for name, value in (("numerator", numerator), ("denominator", denominator)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"round_half_up needs an int {name}, got {type(value).__name__}")
    if denominator <= 0:
        raise ValueError("round_half_up needs a positive denominator")
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return -magnitude if numerator < 0 else magnitude


@dataclass(frozen=True, slots=True)
class RoundingRule:
    """A named rounding rule that can be cited in docs, tests and reports and applied directly.

    Attributes:
        name: stable snake_case name of the rule.
        summary: one sentence saying what the rule does.
    """

    name: str
    summary: str

    def __call__(self, numerator: int, denominator: int) -> int:
        """Apply the rule to the exact fraction ``numerator / denominator``."""
        return round_half_up(numerator, denominator)


ROUND_HALF_UP_TO_FEN = RoundingRule(
    name="round_half_up_to_fen",
    summary="Exact fraction of fen to whole fen; halves away from zero; once per charge line.",
)
"""The rounding rule of every money amount in feetui (see the module docstring)."""


__all__ = ["ROUND_HALF_UP_TO_FEN", "RoundingRule", "round_half_up"]
