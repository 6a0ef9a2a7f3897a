"""Scanned-code payments not yet settled: the counter's own working record (local only).

A row is written before the scanned code is sent to headquarters and follows the payment through
HQ's states until it is final and, on success, posted to the ledger under the same id. It is what
lets a restart or a lost connection resume polling with nothing lost or posted twice. It is not a
posted record (its state changes), it never syncs, and it never holds the full code: only the
masked form (RELIABILITY R14).
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import money, record_id, ref_id


class ScanPayment(Model):
    """One scanned payment of this counter, from the scan to its final state."""

    id = record_id()
    """The payment id made before the request: HQ's payment id and the ledger payment's id."""
    device_id = ref_id()
    unit_id = ref_id()
    cashier_id = ref_id(index=False)
    provider = fields.CharField(max_length=16)
    """``wechat`` or ``alipay``."""
    amount_fen = money()
    code_masked = fields.CharField(max_length=32)
    """The code with its middle hidden; the full code is never written anywhere."""
    intent_json = fields.TextField()
    """What the checkout asked for: charges in paying order, amount to them, the other tenders."""
    state = fields.CharField(max_length=16, db_index=True)
    """``sending`` until HQ answered, then HQ's state: paying, cancelling, success, failed or
    cancelled."""
    reason = fields.CharField(max_length=64, default="")
    transaction_id = fields.CharField(max_length=64, default="")
    cancel_requested = fields.BooleanField(default=False)
    posted = fields.BooleanField(default=False)
    """True once the ledger payment of a success is written (in the same transaction)."""
    error = fields.CharField(max_length=200, default="")
    """The last problem seen while following it (a code, never the scanned digits)."""
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "scan_payment"


__all__ = ["ScanPayment"]
