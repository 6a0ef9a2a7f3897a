"""Receipt number series (收据号段) per device, and the numbers issued from them.

Only issued numbers are stored; the next number of a series is ``max(number) + 1`` read inside the
posting transaction (never a mutable counter), so a crash can neither skip nor repeat a number.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import record_id, ref_id


class ReceiptSeries(Model):
    """A range of receipt numbers this device may issue, printed as ``prefix`` + number."""

    id = record_id()
    device_id = ref_id()
    prefix = fields.CharField(max_length=16)
    first_no = fields.IntField()
    last_no = fields.IntField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "receipt_series"


class ReceiptNumber(Model):
    """One issued number: for a payment's receipt or a void slip."""

    id = record_id()
    series = fields.ForeignKeyField(
        "models.ReceiptSeries", related_name="numbers", on_delete=fields.RESTRICT
    )
    number = fields.IntField()
    text = fields.CharField(max_length=32)
    """As printed: prefix + zero-padded number."""
    payment = fields.OneToOneField(
        "models.Payment", related_name="receipt_number", on_delete=fields.RESTRICT, null=True
    )
    void = fields.OneToOneField(
        "models.Void", related_name="receipt_number", on_delete=fields.RESTRICT, null=True
    )

    class Meta:
        table = "receipt_number"
        unique_together = (("series", "number"),)


__all__ = ["ReceiptNumber", "ReceiptSeries"]
