"""Arrears work beyond the collection note: its details, instalment plans, resident-tag changes.

All are posted records (migration ``0006_arrears`` adds the triggers that refuse UPDATE and
DELETE). A changed instalment plan is a new plan whose ``supersedes`` names the old one. A tag
change is recorded here and also written to the unit's ``tags`` (master data), so the lookup list
shows it at once and headquarters learns of it through the journal.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import money, record_id, ref_id


class CollectionNoteDetail(Model):
    """What a follow-up says beyond its collection note: the day, the reason's detail, the sum
    promised (the note holds the channel, the reason code, what was said and the promised date).
    """

    id = record_id()
    note = fields.OneToOneField(
        "models.CollectionNote", related_name="detail", on_delete=fields.RESTRICT
    )
    contacted_on = fields.DateField()
    """The business date of the contact."""
    reason_detail = fields.CharField(max_length=100, default="")
    """For "unhappy with the service": with what; for "other": which reason."""
    promised_amount_fen = money(null=True)

    class Meta:
        table = "collection_note_detail"


class InstalmentPlan(Model):
    """A schedule agreed by a supervisor to pay a unit's debt off (分期)."""

    id = record_id()
    unit = fields.ForeignKeyField(
        "models.Unit", related_name="instalment_plans", on_delete=fields.RESTRICT
    )
    debt_fen = money()
    """What the plan pays off: the covered charges' outstanding amounts when it was agreed."""
    supersedes = fields.ForeignKeyField(
        "models.InstalmentPlan", related_name="superseded_by", on_delete=fields.RESTRICT, null=True
    )
    note = fields.CharField(max_length=200, default="")
    approver = fields.ForeignKeyField(
        "models.User", related_name="approved_plans", on_delete=fields.RESTRICT
    )
    requested_by = fields.ForeignKeyField(
        "models.User", related_name="requested_plans", on_delete=fields.RESTRICT
    )
    device_id = ref_id()
    business_date = fields.DateField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "instalment_plan"
        indexes = (("unit_id", "created_at"),)


class InstalmentLine(Model):
    """One instalment of a plan: pay ``amount_fen`` by ``due_date``."""

    id = record_id()
    plan = fields.ForeignKeyField(
        "models.InstalmentPlan", related_name="lines", on_delete=fields.RESTRICT
    )
    number = fields.IntField()
    due_date = fields.DateField()
    amount_fen = money()

    class Meta:
        table = "instalment_line"
        unique_together = (("plan", "number"),)


class InstalmentCharge(Model):
    """A charge a plan covers, with what it owed when the plan was agreed."""

    id = record_id()
    plan = fields.ForeignKeyField(
        "models.InstalmentPlan", related_name="charges", on_delete=fields.RESTRICT
    )
    charge = fields.ForeignKeyField(
        "models.Charge", related_name="instalment_charges", on_delete=fields.RESTRICT
    )
    outstanding_fen = money()

    class Meta:
        table = "instalment_charge"
        indexes = (("charge_id",),)


class UnitTagChange(Model):
    """The counter set a unit's resident tags (needs a home visit, elderly ...)."""

    id = record_id()
    unit = fields.ForeignKeyField(
        "models.Unit", related_name="tag_changes", on_delete=fields.RESTRICT
    )
    tags_before = fields.CharField(max_length=200, default="")
    tags_after = fields.CharField(max_length=200, default="")
    user = fields.ForeignKeyField(
        "models.User", related_name="tag_changes", on_delete=fields.RESTRICT
    )
    device_id = ref_id()
    created_at = fields.DatetimeField()

    class Meta:
        table = "unit_tag_change"
        indexes = (("unit_id",),)


__all__ = [
    "CollectionNoteDetail",
    "InstalmentCharge",
    "InstalmentLine",
    "InstalmentPlan",
    "UnitTagChange",
]
