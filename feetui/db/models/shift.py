"""A cashier's shift at one device (班次): its opening float, its close, and its cash movements.

All posted: a shift is closed by writing a :class:`ShiftClose` row, never by updating the shift,
so an open shift is one without a close row. Counts by denomination are JSON objects mapping a
denomination in fen (as text) to a count, e.g. ``{"10000": 3, "50": 4}``.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import money, record_id, ref_id


class Shift(Model):
    """A shift opened by a cashier, with the float counted into the drawer."""

    id = record_id()
    device_id = ref_id()
    cashier = fields.ForeignKeyField(
        "models.User", related_name="shifts", on_delete=fields.RESTRICT
    )
    opened_at = fields.DatetimeField()
    business_date = fields.DateField(db_index=True)
    """The date every record of the shift is booked on (not the PC clock at posting time)."""
    opening_float_fen = money()
    opening_counts_json = fields.TextField(default="{}")

    class Meta:
        table = "shift"
        indexes = (("device_id", "opened_at"),)


class ShiftClose(Model):
    """The close of a shift: counted cash, what was expected, and the difference (长短款)."""

    id = record_id()
    shift = fields.OneToOneField("models.Shift", related_name="close", on_delete=fields.RESTRICT)
    closed_at = fields.DatetimeField()
    counted_fen = money()
    counts_json = fields.TextField(default="{}")
    expected_fen = money()
    over_short_fen = money()
    """Counted minus expected: positive is over (长款), negative short (短款)."""
    note = fields.CharField(max_length=200, default="")
    closed_by = fields.ForeignKeyField(
        "models.User", related_name="shift_closes", on_delete=fields.RESTRICT
    )

    class Meta:
        table = "shift_close"


class CashMovement(Model):
    """Cash into or out of the drawer that is not a payment: pay-in, pay-out, bank deposit."""

    id = record_id()
    shift = fields.ForeignKeyField(
        "models.Shift", related_name="cash_movements", on_delete=fields.RESTRICT
    )
    kind = fields.CharField(max_length=16)
    """``pay_in``, ``pay_out`` or ``deposit`` (:class:`~.base.CashMovementKind`)."""
    amount_fen = money()
    """Always positive: the kind says which way it moved."""
    reason = fields.CharField(max_length=200, default="")
    slip_no = fields.CharField(max_length=64, default="")
    cashier = fields.ForeignKeyField(
        "models.User", related_name="cash_movements", on_delete=fields.RESTRICT
    )
    device_id = ref_id()
    created_at = fields.DatetimeField()

    class Meta:
        table = "cash_movement"
        indexes = (("shift_id",),)


__all__ = ["CashMovement", "Shift", "ShiftClose"]
