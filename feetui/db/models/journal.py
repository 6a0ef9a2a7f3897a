"""The device's hash-chained journal of posted records, and the outbox that pushes it to HQ.

Each posting use case appends exactly one :class:`JournalEntry` (``seq`` = last + 1 for the device,
``hash`` over the canonical payload and the previous hash) and one :class:`Outbox` row in the same
transaction. Journal entries are immutable; ``Outbox.acked_at`` is the only sync bookkeeping that
changes.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import record_id, ref_id


class JournalEntry(Model):
    """One posted record, in the device's order, chained to the one before by its hash."""

    id = record_id()
    device_id = ref_id()
    seq = fields.BigIntField()
    record_id = fields.CharField(max_length=36, unique=True)
    """The id of the posted record (payment, void ...): one journal entry per record."""
    kind = fields.CharField(max_length=32)
    payload_json = fields.TextField()
    """Canonical JSON (``feetui.core.journal.canonical_json``) of everything HQ needs."""
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)
    created_at = fields.DatetimeField()

    class Meta:
        table = "journal_entry"
        unique_together = (("device_id", "seq"),)


class Outbox(Model):
    """A journal entry waiting for headquarters' acknowledgement."""

    id = fields.IntField(primary_key=True)
    entry = fields.OneToOneField(
        "models.JournalEntry", related_name="outbox", on_delete=fields.RESTRICT
    )
    acked_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        table = "outbox"


__all__ = ["JournalEntry", "Outbox"]
