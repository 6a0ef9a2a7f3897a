"""Fee items (收费项目): what is billed, how it is priced, and its late-fee rule.

A fee item is master data from headquarters. ``rate_fen`` means, by kind: fen per m² per month
(``area``), fen per month (``fixed``), fen per unit of usage (``metered``, usage in hundredths) or
the default price (``one_off``). Late fees accrue ``late_fee_daily_ppm`` parts per million of the
overdue amount per day, from ``late_fee_grace_days`` after the due date, capped at
``late_fee_cap_percent`` of the principal; a daily ppm of 0 means no late fee.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import money, record_id


class FeeItem(Model):
    """One thing a site charges for (property fee, parking, water, ...)."""

    id = record_id()
    site = fields.ForeignKeyField(
        "models.Site", related_name="fee_items", on_delete=fields.RESTRICT
    )
    code = fields.CharField(max_length=32)
    name = fields.CharField(max_length=100)
    kind = fields.CharField(max_length=16)
    """``area``, ``fixed``, ``metered`` or ``one_off`` (``feetui.core.fees.FeeKind``)."""
    rate_fen = money(default=0)
    months_per_bill = fields.IntField(default=1)
    """Bill every this many months, that many months' worth each time (``feetui.core.billing``)."""
    due_day = fields.IntField(default=28, db_default=28)
    """Day of the billing month a bill charge falls due (its last day when shorter)."""
    scope = fields.CharField(max_length=16, default="unit", db_default="unit")
    """``unit``: a fixed fee bills every unit once; ``vehicle``: once per car of the unit."""
    unit_label = fields.CharField(max_length=16, default="")
    """What the rate is per, for people: m², 月, m³, kWh."""
    late_fee_daily_ppm = fields.IntField(default=0)
    late_fee_grace_days = fields.IntField(default=0)
    late_fee_cap_percent = fields.IntField(default=0)
    active = fields.BooleanField(default=True)

    class Meta:
        table = "fee_item"
        unique_together = (("site", "code"),)


__all__ = ["FeeItem"]
