"""Arrears follow-ups (催缴): who was contacted about a unit's debt, how, and what they promised."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import record_id, ref_id


class CollectionNote(Model):
    """One follow-up with a unit about its arrears."""

    id = record_id()
    unit = fields.ForeignKeyField(
        "models.Unit", related_name="collection_notes", on_delete=fields.RESTRICT
    )
    channel = fields.CharField(max_length=16)
    """``phone``, ``visit``, ``notice``, ``sms`` ..."""
    reason = fields.CharField(max_length=200, default="")
    promised_date = fields.DateField(null=True)
    note = fields.CharField(max_length=500, default="")
    user = fields.ForeignKeyField(
        "models.User", related_name="collection_notes", on_delete=fields.RESTRICT
    )
    device_id = ref_id()
    created_at = fields.DatetimeField()

    class Meta:
        table = "collection_note"
        indexes = (("unit_id",),)


__all__ = ["CollectionNote"]
