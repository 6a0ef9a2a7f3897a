"""Parsing what a cashier types (amounts, counts, areas) into whole fen and integers, never floats.

Text first goes through :func:`normalise_digits`, so full-width digits and punctuation typed with a
Chinese input method (１２．５０, ￥, 。) read the same as ASCII. Numbers are then matched against a
strict grammar and built from their digit strings with ``int``: a decimal point never passes
through a float. Every refusal is an :class:`~feetui.core.errors.InputError` with a stable code and
an English message id a cashier understands.
"""

from __future__ import annotations

import re

from feetui.core.errors import N_, InputError
from feetui.core.money import Money

# Full-width forms (U+FF01..U+FF5E) are ASCII + 0xFEE0; only digits and the punctuation a number
# can hold are mapped, so a full-width letter stays a letter and is refused as one.
_FULLWIDTH = {chr(0xFF10 + d): str(d) for d in range(10)}
_FULLWIDTH.update(
    {
        "．": ".",  # full-width full stop
        "。": ".",  # ideographic full stop: what "." types in a Chinese input method
        "，": ",",  # full-width comma
        "－": "-",  # full-width hyphen-minus
        "−": "-",  # minus sign
        "﹣": "-",  # small hyphen-minus
        "＋": "+",  # full-width plus
        "￥": "¥",  # full-width yen/yuan sign
    }
)
# Spaces of every width become one ASCII space; zero-width characters (pasted text, some scanners)
# are removed.
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
_SPACES += "\u202f\u205f\u3000"
_FULLWIDTH.update(dict.fromkeys(_SPACES, " "))
_TRANSLATION = str.maketrans({**_FULLWIDTH, "\u200b": None, "\u200c": None, "\u200d": None})
_TRANSLATION[0xFEFF] = None

_DIGITS = frozenset("0123456789")
# A plain number: digits, or digits grouped by commas in threes; an optional fraction. Either side
# of the point may be empty ("12." and ".5"), but not both.
_NUMBER = re.compile(
    r"(?P<whole>[0-9]+|[1-9][0-9]{0,2}(?:,[0-9]{3})+)?(?:\.(?P<frac>[0-9]*))?", re.ASCII
)
# An amount's optional minus sign and yuan sign, in either order, around the number.
_AMOUNT = re.compile(r"(?P<s1>-)? *(?P<cur>¥)? *(?P<s2>-)? *(?P<body>.*)", re.DOTALL)
_AMOUNT_CHARS = _DIGITS | frozenset(".,-¥ ")

DEFAULT_CEILING = Money(100_000_000)
"""The largest amount a cashier may type by default: ¥1,000,000.00."""
DEFAULT_COUNT_MAXIMUM = 100_000
"""The largest count of one denomination by default."""
DEFAULT_AREA_MAXIMUM_CENTI = 100_000_000
"""The largest area by default: 1,000,000.00 m² in hundredths of a square metre."""


def normalise_digits(text: str) -> str:
    """Turn full-width digits, punctuation and spaces into ASCII, and strip surrounding spaces.

    Args:
        text: what was typed or scanned.

    Returns:
        The same text with ０-９ ． 。 ， － ＋ ￥ and every kind of space mapped to ASCII
        (``¥`` for the yuan sign), zero-width characters removed, and no whitespace at either
        end.
    """
    return text.translate(_TRANSLATION).strip()


def _split_number(body: str) -> tuple[str, str] | None:
    """The whole digits (commas removed) and fraction digits of ``body``, or None if malformed."""
    match = _NUMBER.fullmatch(body)
    if match is None:
        return None
    whole = (match.group("whole") or "").replace(",", "")
    frac = match.group("frac") or ""
    if not whole and not frac:
        return None
    return whole, frac


def _hundredths(whole: str, frac: str) -> int:
    """``whole.frac`` (at most two fraction digits) as an int of hundredths."""
    return int(whole or "0") * 100 + int(frac.ljust(2, "0"))


def _longer_than(digits: str, limit: int) -> bool:
    """True when the number ``digits`` is certainly above ``limit`` by its length alone.

    Guards ``int()`` against absurdly long input. It holds whenever one unit of ``digits`` is worth
    at least one unit of ``limit`` (yuan against a limit in fen, a count against a count).
    """
    return len(digits.lstrip("0")) > len(str(max(limit, 0)))


_HAS_LETTERS = N_("Amount has letters or symbols in it: type digits only, like 12.50")
_MALFORMED = N_("Amount is not a number we can read: type it like 1234.50")


def _amount_sign(text: str) -> tuple[bool, str]:
    """Refuse letters and stray symbols; split off the minus and yuan signs of an amount.

    Returns:
        Whether a minus sign was typed, and the number text that follows the signs.
    """
    if any(ch.isalpha() for ch in text) or not set(text) <= _AMOUNT_CHARS:
        raise InputError("amount_has_letters", _HAS_LETTERS)
    match = _AMOUNT.fullmatch(text)
    assert match is not None  # every group of the pattern is optional: it matches any text
    body = match.group("body")
    if "¥" in body:
        raise InputError("amount_has_letters", _HAS_LETTERS)
    signs = (match.group("s1") is not None) + (match.group("s2") is not None)
    if signs > 1:
        raise InputError("amount_malformed", _MALFORMED)
    if not signs and not body:
        raise InputError("amount_empty", N_("Type an amount, like 12.50"))
    return signs == 1, body


def parse_amount(text: str, *, ceiling: Money = DEFAULT_CEILING, allow_zero: bool = False) -> Money:
    """Read an amount in yuan as typed by a cashier ("12", "12.5", "¥1,234.50", "１２３").

    Args:
        text: the typed text; surrounding spaces and full-width characters are fine.
        ceiling: the largest amount accepted (inclusive).
        allow_zero: accept an amount of zero (refused by default).

    Returns:
        The amount in whole fen.

    Raises:
        InputError: ``amount_empty``, ``amount_has_letters``, ``amount_negative``,
            ``amount_malformed``, ``amount_too_many_decimals``, ``amount_zero`` or
            ``amount_above_ceiling`` (param ``ceiling``, yuan text like ``1,000,000.00``).
    """
    normal = normalise_digits(text)
    if not normal:
        raise InputError("amount_empty", N_("Type an amount, like 12.50"))
    negative, body = _amount_sign(normal)
    parts = _split_number(body)
    if parts is None:
        raise InputError("amount_malformed", _MALFORMED)
    if negative:
        raise InputError(
            "amount_negative", N_("Amount cannot be negative: type it without the minus sign")
        )
    whole, frac = parts
    if len(frac) > 2:
        raise InputError(
            "amount_too_many_decimals",
            N_("Amount has more than two decimals: the smallest unit is one fen, like 12.50"),
        )
    fen = None if _longer_than(whole, ceiling.fen) else _hundredths(whole, frac)
    if fen == 0 and not allow_zero:
        raise InputError("amount_zero", N_("Amount must be more than zero"))
    if fen is None or fen > ceiling.fen:
        raise InputError(
            "amount_above_ceiling",
            N_("Amount is above the limit of ¥{ceiling}: check the figure"),
            ceiling=ceiling.yuan_text(grouping=True),
        )
    return Money(fen)


def parse_count(text: str, *, maximum: int = DEFAULT_COUNT_MAXIMUM) -> int:
    """Read a count of notes or coins typed in a denomination grid (empty means none).

    Args:
        text: the typed text; surrounding spaces and full-width digits are fine.
        maximum: the largest count accepted (inclusive).

    Returns:
        The count, zero or more.

    Raises:
        InputError: ``count_has_letters``, ``count_negative``, ``count_not_whole`` or
            ``count_too_large`` (param ``maximum``).
    """
    normal = normalise_digits(text)
    if not normal:
        return 0
    digits = normal.removeprefix("-")
    if digits and set(digits) <= _DIGITS:
        if digits != normal:
            raise InputError("count_negative", N_("Count cannot be negative"))
        if _longer_than(digits, maximum) or int(digits) > maximum:
            raise InputError(
                "count_too_large",
                N_("Count is above {maximum}: check the figure"),
                maximum=str(maximum),
            )
        return int(digits)
    parts = _split_number(normal)
    if parts is not None and parts[1] and "," not in normal:
        raise InputError("count_not_whole", N_("Count must be a whole number, like 12"))
    raise InputError(
        "count_has_letters", N_("Count has letters or symbols in it: type digits only, like 12")
    )


def parse_area(text: str, *, maximum_centi: int = DEFAULT_AREA_MAXIMUM_CENTI) -> int:
    """Read an area in square metres with up to two decimals ("89.5" is 8950).

    Args:
        text: the typed text; surrounding spaces and full-width digits are fine.
        maximum_centi: the largest area accepted, in hundredths of a square metre (inclusive).

    Returns:
        The area in hundredths of a square metre, above zero.

    Raises:
        InputError: ``area_empty``, ``area_malformed``, ``area_too_many_decimals``,
            ``area_not_positive`` or ``area_too_large`` (param ``maximum``, in m²).
    """
    normal = normalise_digits(text)
    if not normal:
        raise InputError("area_empty", N_("Type an area in square metres, like 89.50"))
    negative = normal.startswith("-")
    parts = _split_number(normal.removeprefix("-").lstrip(" ") if negative else normal)
    if parts is None:
        raise InputError(
            "area_malformed", N_("Area is not a number we can read: type it like 89.50")
        )
    whole, frac = parts
    if len(frac) > 2:
        raise InputError(
            "area_too_many_decimals", N_("Area has more than two decimals: type it like 89.50")
        )
    centi = None if _longer_than(whole, maximum_centi) else _hundredths(whole, frac)
    if negative or centi == 0:
        raise InputError("area_not_positive", N_("Area must be more than zero"))
    if centi is None or centi > maximum_centi:
        raise InputError(
            "area_too_large",
            N_("Area is above {maximum} m²: check the figure"),
            maximum=centi_text(maximum_centi, grouping=True),
        )
    return centi


def format_yuan(amount: Money) -> str:
    """Plain machine text of ``amount`` in yuan, two decimals, no grouping: ``1234.50``.

    :func:`parse_amount` reads it back to the same amount (for amounts within the ceiling).
    """
    return amount.yuan_text()


def centi_text(value: int, *, grouping: bool = False) -> str:
    """Plain text of a quantity held in hundredths (area, meter reading): ``8950`` is ``89.50``.

    Args:
        value: the quantity in hundredths.
        grouping: separate thousands with commas (``1,000,000.00``).
    """
    sign = "-" if value < 0 else ""
    whole, hundredths = divmod(abs(value), 100)
    whole_text = f"{whole:,}" if grouping else str(whole)
    return f"{sign}{whole_text}.{hundredths:02d}"


__all__ = [
    "DEFAULT_AREA_MAXIMUM_CENTI",
    "DEFAULT_CEILING",
    "DEFAULT_COUNT_MAXIMUM",
    "centi_text",
    "format_yuan",
    "normalise_digits",
    "parse_amount",
    "parse_area",
    "parse_count",
]
