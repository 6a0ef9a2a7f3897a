"""What a site and a fee item may be: the checks headquarters and a standalone counter share.

Every site and fee item a person creates or changes, whether at headquarters (``sync-server sites
add``, ``sync-server fee-items add|set``) or on a counter that is never enrolled (``feetui sites
add``, ``feetui fee-items add|set``), passes :func:`check_site` or :func:`check_fee_item`, so one
set of master data is valid in both places. The rules:

* A code is 1 to 32 letters, digits, ``-``, ``_`` or ``.`` (spaces around it are dropped); a name
  is 1 to 100 characters.
* A fee item's kind is one of :class:`~feetui.core.fees.FeeKind`; its scope ``unit`` or
  ``vehicle`` (:data:`~feetui.core.billing.SCOPES`).
* Its rate is whole fen from 0 to :data:`MAX_RATE_FEN`; its due day 1 to 31; its bill cycle 1 to
  12 months (:func:`~feetui.core.billing.check_months_per_bill`).
* Its late-fee rule (:class:`~feetui.core.late_fees.LateFeeRule`) has no negative figure, a daily
  rate of at most a million parts per million, at most :data:`MAX_GRACE_DAYS` grace days and a cap
  of 0 to 100 percent.

Figures typed on a command line are read with :func:`parse_figure` (whole numbers only, full-width
digits accepted), which names the option in its refusal. Every refusal is an
:class:`~feetui.core.errors.InputError` with a stable code and an English message id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from feetui.core.billing import SCOPES, check_due_day, check_months_per_bill
from feetui.core.errors import N_, InputError
from feetui.core.fees import FeeKind
from feetui.core.late_fees import PPM, LateFeeRule
from feetui.core.parse import normalise_digits

MAX_CODE = 32
"""The longest site or fee item code."""
MAX_NAME = 100
"""The longest site or fee item name."""
MAX_RATE_FEN = 100_000_000
"""The highest rate a fee item may have: ¥1,000,000 (per m² per month, per month or per unit)."""
MAX_GRACE_DAYS = 3650
"""The longest grace before a late fee starts: ten years."""
KINDS = tuple(kind.value for kind in FeeKind)
"""The kinds of fee item, as stored: ``area``, ``fixed``, ``metered``, ``one_off``."""
EDITABLE = (
    "name", "rate_fen", "due_day", "scope", "months_per_bill", "late_fee_daily_ppm",
    "late_fee_grace_days", "late_fee_cap_percent",
)  # fmt: skip
"""The fields ``fee-items set`` may change (the code and the kind name what the item is)."""
FIGURES = (
    "rate_fen", "due_day", "months_per_bill", "late_fee_daily_ppm", "late_fee_grace_days",
    "late_fee_cap_percent",
)  # fmt: skip
"""The whole-number fields of a fee item."""

_CODE = re.compile(r"[\w.\-]+")


@dataclass(frozen=True, slots=True)
class FeeItemSpec:
    """A fee item as a person describes it (the site it belongs to is the caller's business).

    ``rate_fen`` is fen per m² per month (``area``), per month (``fixed``), per unit of usage
    (``metered``) or the price (``one_off``).
    """

    code: str
    name: str
    kind: str
    rate_fen: int
    due_day: int = 28
    scope: str = "unit"
    months_per_bill: int = 1
    """Bill every this many months (1 to 12), that many months' worth each time."""
    late_fee_daily_ppm: int = 0
    """Late fee per day in parts per million of what is overdue (0.5‰ a day is 500; 0: none)."""
    late_fee_grace_days: int = 0
    """Days after the due date before the late fee starts."""
    late_fee_cap_percent: int = 0
    """The late fee never exceeds this percentage of the charge (0 to 100)."""

    def late_fee_rule(self) -> LateFeeRule:
        """The item's late-fee rule."""
        return LateFeeRule(
            self.late_fee_daily_ppm, self.late_fee_grace_days, self.late_fee_cap_percent
        )


def check_code(code: str, *, what: str) -> str:
    """``code`` without the spaces around it, when it is a valid site or fee item code.

    Args:
        code: the code as typed.
        what: ``site`` or ``fee_item`` (the error code's prefix).

    Raises:
        InputError: ``site_code_invalid`` / ``fee_item_code_invalid``.
    """
    text = (code or "").strip() if isinstance(code, str) else ""
    if not text or len(text) > MAX_CODE or not _CODE.fullmatch(text):
        raise InputError(
            f"{what}_code_invalid",
            N_("A code is 1 to {limit} letters, digits, '-', '_' or '.', without spaces."),
            limit=MAX_CODE,
            value=str(code),
        )
    return text


def check_name(name: str, *, what: str) -> str:
    """``name`` without the spaces around it, when it is 1 to 100 characters.

    Raises:
        InputError: ``site_name_invalid`` / ``fee_item_name_invalid``.
    """
    text = (name or "").strip() if isinstance(name, str) else ""
    if not text or len(text) > MAX_NAME or not text.isprintable():
        raise InputError(
            f"{what}_name_invalid",
            N_("A name is 1 to {limit} characters."),
            limit=MAX_NAME,
        )
    return text


def check_site(code: str, name: str) -> tuple[str, str]:
    """A site's code and name, checked and without the spaces around them.

    Raises:
        InputError: ``site_code_invalid``, ``site_name_invalid``.
    """
    return check_code(code, what="site"), check_name(name, what="site")


def check_fee_item(spec: FeeItemSpec) -> FeeItemSpec:
    """``spec`` with its code and name trimmed, when every field is valid (see the module's rules).

    Raises:
        InputError: ``fee_item_code_invalid``, ``fee_item_name_invalid``, ``fee_kind_invalid``,
            ``fee_scope_invalid``, ``fee_figure_invalid`` (not a whole number),
            ``fee_rate_invalid``, ``due_day_invalid``, ``months_per_bill_invalid``,
            ``late_fee_rule_invalid``, ``late_fee_rate_invalid``, ``late_fee_grace_invalid``,
            ``late_fee_cap_invalid``; the first problem found, in that order.
    """
    code = check_code(spec.code, what="fee_item")
    name = check_name(spec.name, what="fee_item")
    if spec.kind not in KINDS:
        raise InputError(
            "fee_kind_invalid",
            N_("The kind must be one of: {kinds}."),
            kinds=", ".join(KINDS),
            value=str(spec.kind),
        )
    if spec.scope not in SCOPES:
        raise InputError(
            "fee_scope_invalid",
            N_("The scope must be one of: {scopes}."),
            scopes=", ".join(SCOPES),
            value=str(spec.scope),
        )
    for key in FIGURES:
        value = getattr(spec, key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(
                "fee_figure_invalid",
                N_("Rates, days, months and late-fee figures are whole numbers."),
                field=key,
            )
    _check_figures(spec)
    return replace(spec, code=code, name=name)


def _check_figures(spec: FeeItemSpec) -> None:
    if not 0 <= spec.rate_fen <= MAX_RATE_FEN:
        raise InputError(
            "fee_rate_invalid",
            N_("The rate is whole fen from 0 to {limit}."),
            limit=MAX_RATE_FEN,
            value=str(spec.rate_fen),
        )
    check_due_day(spec.due_day)
    check_months_per_bill(spec.months_per_bill)
    spec.late_fee_rule()
    if spec.late_fee_daily_ppm > PPM:
        raise InputError(
            "late_fee_rate_invalid",
            N_("The daily late fee is 0 to {limit} parts per million."),
            limit=PPM,
        )
    if spec.late_fee_grace_days > MAX_GRACE_DAYS:
        raise InputError(
            "late_fee_grace_invalid",
            N_("The late fee's grace is 0 to {limit} days."),
            limit=MAX_GRACE_DAYS,
        )
    if spec.late_fee_cap_percent > 100:
        raise InputError(
            "late_fee_cap_invalid", N_("The late-fee cap is a percentage from 0 to 100.")
        )


def parse_figure(text: str, *, option: str) -> int:
    """A whole number typed for ``option`` (``--rate-fen`` ...); full-width digits are fine.

    A minus sign is read (the range check refuses it with the field's own message), so that
    ``-5`` is told "cannot be negative" by the rule, not "has letters".

    Raises:
        InputError: ``figure_not_whole`` for ``2.5``, ``figure_invalid`` for letters, symbols or
            nothing at all.
    """
    normal = normalise_digits(text or "")
    digits = normal.removeprefix("-")
    if digits.isascii() and digits.isdigit():
        # Past 18 digits every field refuses it anyway; the rule's own message says the range.
        value = int(digits) if len(digits) <= 18 else 10**18
        return -value if normal.startswith("-") else value
    if re.fullmatch(r"-?\d*\.\d+", normal) and normal.isascii():
        raise InputError(
            "figure_not_whole",
            N_("{option} takes a whole number, not '{value}'."),
            option=option,
            value=str(text),
        )
    raise InputError(
        "figure_invalid",
        N_("{option} takes a whole number like 250, not '{value}'."),
        option=option,
        value=str(text),
    )


__all__ = [
    "EDITABLE",
    "FIGURES",
    "KINDS",
    "MAX_CODE",
    "MAX_GRACE_DAYS",
    "MAX_NAME",
    "MAX_RATE_FEN",
    "FeeItemSpec",
    "check_code",
    "check_fee_item",
    "check_name",
    "check_site",
    "parse_figure",
]
