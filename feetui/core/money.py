"""Money as a whole number of fen (分).

Every amount in feetui, from the first keystroke to the database and the wire, is an ``int`` of fen
wrapped in :class:`Money`. There is never a float. Conversions to yuan text happen only at the
edges (:meth:`Money.yuan_text` here for machines; ``feetui.i18n`` formats for people). Rounding of
fractional results is done by the named rules in :mod:`feetui.core.rounding`, never here.
"""

from __future__ import annotations

from dataclasses import dataclass

FEN_PER_YUAN = 100


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount in whole fen. May be negative (a reversal); arithmetic stays in integers."""

    fen: int

    def __post_init__(self) -> None:
        if isinstance(self.fen, bool) or not isinstance(self.fen, int):
            raise TypeError(f"Money needs an int of fen, got {type(self.fen).__name__}")

    @classmethod
    def zero(cls) -> Money:
        """The amount nothing."""
        return cls(0)

    @classmethod
    def yuan(cls, yuan: int, jiao_fen: int = 0) -> Money:
        """Build from whole yuan plus fen, e.g. ``Money.yuan(12, 50)`` is ¥12.50."""
        return cls(yuan * FEN_PER_YUAN + jiao_fen)

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.fen + other.fen)

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        return Money(self.fen - other.fen)

    def __neg__(self) -> Money:
        return Money(-self.fen)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            return NotImplemented
        return Money(self.fen * factor)

    __rmul__ = __mul__

    def __bool__(self) -> bool:
        return self.fen != 0

    @property
    def is_negative(self) -> bool:
        """True below zero."""
        return self.fen < 0

    def yuan_text(self, *, grouping: bool = False) -> str:
        """Plain machine text in yuan with two decimals: ``-1234.50`` or ``1,234.50``."""
        sign = "-" if self.fen < 0 else ""
        whole, cents = divmod(abs(self.fen), FEN_PER_YUAN)
        whole_text = f"{whole:,}" if grouping else str(whole)
        return f"{sign}{whole_text}.{cents:02d}"

    def __str__(self) -> str:
        return self.yuan_text()


def total(amounts: object) -> Money:
    """Sum an iterable of :class:`Money` (an empty one sums to zero)."""
    result = 0
    for item in amounts:  # type: ignore[attr-defined]
        if not isinstance(item, Money):
            raise TypeError("total() sums Money only")
        result += item.fen
    return Money(result)


__all__ = ["FEN_PER_YUAN", "Money", "total"]
