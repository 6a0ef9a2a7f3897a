"""Reprinting a receipt: each copy is a record of its own, numbered, so none goes unaccounted.

A reprint is a ``receipt_reprint`` entry of the device journal (hash-chained and pushed like every
posted record), so headquarters sees every copy that left the counter. Its number is one more than
the copies of the same payment before it; the printed copy carries 重打 and that number
(RELIABILITY R3). The id is made before posting, so a key pressed twice records one copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from feetui.core.errors import N_, InputError
from feetui.db.models import Payment
from feetui.services.approval import get_active_user
from feetui.services.container import Services
from feetui.services.journal import append_journal
from feetui.services.posting import posting, replay

KIND = "receipt_reprint"

_COPIES = (
    "SELECT COUNT(*) FROM journal_entry WHERE kind = ? "
    "AND json_extract(payload_json, '$.payment_id') = ?"
)


@dataclass(frozen=True, slots=True)
class RecordedReprint:
    """A reprint as recorded: which receipt, and which copy it is (1 for the first reprint)."""

    reprint_id: str
    payment_id: str
    receipt_no: str
    copy_count: int


async def record_reprint(
    svc: Services, *, reprint_id: str, payment_id: str, cashier_id: str
) -> RecordedReprint:
    """Record one more printed copy of a payment's receipt.

    Args:
        svc: the services context.
        reprint_id: the reprint's id, made before posting (a retry passes the same id).
        payment_id: the payment whose receipt is printed again.
        cashier_id: who reprints it.

    Returns:
        The recorded reprint (the first answer again when ``reprint_id`` was recorded before).

    Raises:
        InputError: ``payment_unknown``.
        PermissionError_: ``user_unknown``.
        StorageError: the database refused.
    """
    async with posting() as conn:
        first = await replay(reprint_id, KIND)
        if first is not None:
            return _from_payload(first)
        payment = await Payment.get_or_none(id=payment_id)
        if payment is None:
            raise InputError("payment_unknown", N_("This payment is not on this counter."))
        cashier = await get_active_user(cashier_id)
        _, rows = await conn.execute_query(_COPIES, [KIND, payment_id])
        now = svc.clock.now().astimezone(UTC)
        payload = {
            "id": reprint_id,
            "device_id": svc.device_id,
            "payment_id": payment_id,
            "receipt_no": payment.receipt_no,
            "copy_count": int(rows[0][0]) + 1,
            "cashier_id": cashier.id,
            "created_at": now.isoformat(),
        }
        await append_journal(
            conn,
            entry_id=svc.ids.new_str(),
            device_id=svc.device_id,
            kind=KIND,
            record_id=reprint_id,
            payload=payload,
            created_at=now,
        )
    return _from_payload(payload)


def _from_payload(payload: dict) -> RecordedReprint:
    return RecordedReprint(
        reprint_id=payload["id"],
        payment_id=payload["payment_id"],
        receipt_no=payload["receipt_no"],
        copy_count=payload["copy_count"],
    )


__all__ = ["KIND", "RecordedReprint", "record_reprint"]
