"""Field helpers shared by every model: record ids, money columns and the choice vocabularies.

Every record that syncs has a ``CharField(36)`` primary key holding a UUIDv7 made on the counter by
:class:`feetui.clock.IdSource`; the primary key makes it unique from the first migration. Money
columns are whole fen in an ``IntField`` whose name ends in ``_fen``. Instants are aware UTC
``DatetimeField`` values; business dates are ``DateField`` values taken from the shift.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields

ID_LENGTH = 36


def record_id() -> Any:
    """The primary key of a synced record: a UUIDv7 string made on the counter (never generated)."""
    return fields.CharField(max_length=ID_LENGTH, primary_key=True, generated=False)


def ref_id(*, null: bool = False, index: bool = True) -> Any:
    """A plain id of a record that may live on another device (no foreign-key constraint).

    Records pulled from headquarters (another counter's payment, say) name devices and shifts this
    counter never holds, so those links are ids, not constraints.
    """
    return fields.CharField(max_length=ID_LENGTH, null=null, db_index=index)


def money(**kwargs: Any) -> Any:
    """A money column: an ``int`` of fen (the column name must end in ``_fen``)."""
    return fields.IntField(**kwargs)


class UnitKind:
    """What a unit is used for."""

    RESIDENTIAL = "residential"
    SHOP = "shop"
    PARKING = "parking"
    ALL = (RESIDENTIAL, SHOP, PARKING)


class PartyKind:
    """Who a party is to the unit."""

    OWNER = "owner"
    TENANT = "tenant"
    SHOP = "shop"
    ALL = (OWNER, TENANT, SHOP)


class ChargeSource:
    """Where a charge came from."""

    BILL = "bill"
    ONE_OFF = "one_off"
    METER = "meter"
    LATE_FEE = "late_fee"
    ALL = (BILL, ONE_OFF, METER, LATE_FEE)


class TenderMethod:
    """How money was handed over."""

    CASH = "cash"
    CARD = "card"
    WECHAT = "wechat"
    ALIPAY = "alipay"
    BANK = "bank"
    CHEQUE = "cheque"
    PREPAID = "prepaid"
    ALL = (CASH, CARD, WECHAT, ALIPAY, BANK, CHEQUE, PREPAID)


class AdjustmentKind:
    """Kinds of approved reductions of a charge."""

    WAIVER = "waiver"
    DISCOUNT = "discount"
    LATE_FEE_WAIVER = "late_fee_waiver"
    ALL = (WAIVER, DISCOUNT, LATE_FEE_WAIVER)


class PrepaidKind:
    """Why a unit's prepaid balance moved."""

    CREDIT = "credit"
    """Overpayment of a payment kept as balance (+)."""
    SPEND = "spend"
    """Balance used as a tender of a payment (−)."""
    REFUND = "refund"
    """Balance paid back to the payer (−)."""
    VOID = "void"
    """Reversal of a voided payment's credit or spend (±)."""
    ALL = (CREDIT, SPEND, REFUND, VOID)


class CashMovementKind:
    """Cash that enters or leaves the drawer outside payments."""

    PAY_IN = "pay_in"
    PAY_OUT = "pay_out"
    DEPOSIT = "deposit"
    ALL = (PAY_IN, PAY_OUT, DEPOSIT)


class Role:
    """What a user may do."""

    CASHIER = "cashier"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    ALL = (CASHIER, SUPERVISOR, ADMIN)


__all__ = [
    "ID_LENGTH",
    "AdjustmentKind",
    "CashMovementKind",
    "ChargeSource",
    "PartyKind",
    "PrepaidKind",
    "Role",
    "TenderMethod",
    "UnitKind",
    "money",
    "record_id",
    "ref_id",
]
