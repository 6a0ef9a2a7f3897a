"""This counter (one row made with the database) and its sync bookkeeping.

The device id is a UUIDv7 made locally when the database is created, so the journal chain keeps
its device id when the counter later enrols with headquarters.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import record_id


class Device(Model):
    """The counter this database belongs to (exactly one row)."""

    id = record_id()
    name = fields.CharField(max_length=100)
    site = fields.ForeignKeyField(
        "models.Site", related_name="devices", on_delete=fields.RESTRICT, null=True
    )
    created_at = fields.DatetimeField()
    server_url = fields.CharField(max_length=200, default="")
    sync_token = fields.CharField(max_length=200, default="")
    """Token headquarters gave at enrolment (empty while standalone)."""
    enrolled_at = fields.DatetimeField(null=True)

    class Meta:
        table = "device"


class SyncState(Model):
    """Where pulling from headquarters stands (one row, local only)."""

    id = fields.IntField(primary_key=True)
    pull_cursor = fields.BigIntField(default=0)
    epoch = fields.CharField(max_length=64, default="")
    last_push_at = fields.DatetimeField(null=True)
    last_pull_at = fields.DatetimeField(null=True)
    integrity_alarm = fields.CharField(max_length=200, default="")
    """Set when headquarters answered a conflict: pushing stops until resolved."""

    class Meta:
        table = "sync_state"


__all__ = ["Device", "SyncState"]
