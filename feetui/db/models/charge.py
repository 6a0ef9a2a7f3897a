"""What a unit owes: charges (应收), the meter readings that bill usage, approved adjustments.

All three are posted records: triggers refuse UPDATE and DELETE. A charge's outstanding amount is
derived, never stored: ``amount_fen − Σ allocations − Σ adjustments`` (late-fee waivers excepted,
they stop late fees instead of reducing the charge).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import money, record_id, ref_id


class Charge(Model):
    """One bill line of a unit for one fee item and period. Immutable once written."""

    id = record_id()
    unit = fields.ForeignKeyField("models.Unit", related_name="charges", on_delete=fields.RESTRICT)
    fee_item = fields.ForeignKeyField(
        "models.FeeItem", related_name="charges", on_delete=fields.RESTRICT
    )
    period = fields.CharField(max_length=32)
    """``YYYY-MM`` for monthly bills, or a label (``2026 heating``, ``card replacement``)."""
    period_start = fields.DateField(null=True)
    period_end = fields.DateField(null=True)
    amount_fen = money()
    due_date = fields.DateField()
    source = fields.CharField(max_length=16)
    """``bill``, ``one_off``, ``meter`` or ``late_fee`` (:class:`~.base.ChargeSource`)."""
    parent = fields.ForeignKeyField(
        "models.Charge", related_name="late_fees", on_delete=fields.RESTRICT, null=True
    )
    """For a late-fee charge: the charge it is the late fee of."""
    note = fields.CharField(max_length=200, default="")
    origin_device_id = ref_id(null=True)
    """The counter that made it, ``None`` for headquarters' bill run."""
    created_at = fields.DatetimeField()

    class Meta:
        table = "charge"
        indexes = (
            ("unit_id", "due_date"),
            ("parent_id",),
        )


class MeterReading(Model):
    """A reading of a unit's meter and the usage charge it produced."""

    id = record_id()
    unit = fields.ForeignKeyField(
        "models.Unit", related_name="meter_readings", on_delete=fields.RESTRICT
    )
    fee_item = fields.ForeignKeyField(
        "models.FeeItem", related_name="meter_readings", on_delete=fields.RESTRICT
    )
    meter_no = fields.CharField(max_length=32, default="")
    read_on = fields.DateField()
    previous_centi = fields.BigIntField()
    current_centi = fields.BigIntField()
    rollover_centi = fields.BigIntField(default=0)
    """The meter's wrap-around value in hundredths (0: the meter never rolls over)."""
    usage_centi = fields.BigIntField()
    charge = fields.OneToOneField(
        "models.Charge", related_name="meter_reading", on_delete=fields.RESTRICT
    )
    recorded_by = fields.ForeignKeyField(
        "models.User", related_name="meter_readings", on_delete=fields.RESTRICT
    )
    device_id = ref_id()
    created_at = fields.DatetimeField()

    class Meta:
        table = "meter_reading"
        indexes = (("unit_id", "fee_item_id", "read_on"),)


class Adjustment(Model):
    """An approved reduction of a charge: waiver, discount, or waiver of its late fees."""

    id = record_id()
    charge = fields.ForeignKeyField(
        "models.Charge", related_name="adjustments", on_delete=fields.RESTRICT
    )
    kind = fields.CharField(max_length=16)
    """``waiver``, ``discount`` or ``late_fee_waiver`` (:class:`~.base.AdjustmentKind`)."""
    amount_fen = money()
    reason = fields.CharField(max_length=200)
    approver = fields.ForeignKeyField(
        "models.User", related_name="approved_adjustments", on_delete=fields.RESTRICT
    )
    requested_by = fields.ForeignKeyField(
        "models.User", related_name="requested_adjustments", on_delete=fields.RESTRICT
    )
    device_id = ref_id()
    shift_id = ref_id(null=True)
    business_date = fields.DateField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "adjustment"
        indexes = (("charge_id",),)


__all__ = ["Adjustment", "Charge", "MeterReading"]
