"""Reads the posting use cases make inside their transaction: the open shift, the next receipt
number, and the journal payload of a record already posted (for idempotent replays)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from tortoise import connections

from feetui.db.queries.balances import PREPAID_SQL


@dataclass(frozen=True, slots=True)
class OpenShift:
    """The shift open on this device now."""

    shift_id: str
    cashier_id: str
    business_date: date


@dataclass(frozen=True, slots=True)
class NextReceipt:
    """The number a new receipt of this device gets: the series' highest issued number + 1."""

    series_id: str
    number: int
    text: str
    last_no: int

    @property
    def exhausted(self) -> bool:
        """True when the series has no number left."""
        return self.number > self.last_no


_OPEN_SHIFT = """
SELECT s.id, s.cashier_id, s.business_date FROM shift s
WHERE s.device_id = ? AND NOT EXISTS (SELECT 1 FROM shift_close c WHERE c.shift_id = s.id)
ORDER BY s.opened_at DESC, s.id DESC LIMIT 1
"""

_NEXT_RECEIPT = """
SELECT s.id, s.prefix, s.first_no, s.last_no,
       (SELECT MAX(r.number) FROM receipt_number r WHERE r.series_id = s.id)
FROM receipt_series s WHERE s.device_id = ? ORDER BY s.created_at DESC, s.id DESC LIMIT 1
"""


async def get_open_shift(device_id: str) -> OpenShift | None:
    """The shift open on ``device_id`` (one without a close row), or ``None``."""
    _, rows = await connections.get("default").execute_query(_OPEN_SHIFT, [device_id])
    if not rows:
        return None
    return OpenShift(rows[0][0], rows[0][1], date.fromisoformat(rows[0][2]))


def receipt_text(prefix: str, number: int) -> str:
    """A receipt number as printed: the series prefix and eight digits (``DB40-00000123``)."""
    return f"{prefix}-{number:08d}"


async def get_next_receipt(device_id: str) -> NextReceipt | None:
    """The next number of the device's current series (``None`` when it has no series)."""
    _, rows = await connections.get("default").execute_query(_NEXT_RECEIPT, [device_id])
    if not rows:
        return None
    series_id, prefix, first_no, last_no, highest = tuple(rows[0])
    number = first_no if highest is None else highest + 1
    return NextReceipt(series_id, number, receipt_text(prefix, number), last_no)


@dataclass(frozen=True, slots=True)
class UnitCard:
    """What a posting needs to know about the unit."""

    unit_id: str
    site_id: str
    code: str
    owner_name: str


# The reads of a payment in one round trip: each part is the query above, for this device.
_SHIFT_PART = _OPEN_SHIFT.replace("device_id = ?", "device_id = :device")
_RECEIPT_PART = _NEXT_RECEIPT.replace("device_id = ?", "device_id = :device")
_CONTEXT = f"""
WITH sh AS ({_SHIFT_PART}), rs AS ({_RECEIPT_PART}),
     un AS (SELECT id, site_id, code, owner_name FROM unit WHERE id = :unit),
     us AS (SELECT name FROM "user" WHERE id = :user AND active = 1)
SELECT sh.*, rs.*, un.*, us.name,
       ({PREPAID_SQL})
FROM (SELECT 1) LEFT JOIN sh LEFT JOIN rs LEFT JOIN un LEFT JOIN us
"""


@dataclass(frozen=True, slots=True)
class PostingContext:
    """Everything a payment reads before deciding, fetched in one round trip."""

    shift: OpenShift | None
    receipt: NextReceipt | None
    unit: UnitCard | None
    user_name: str | None
    """The acting user's name, ``None`` when unknown or disabled."""
    prepaid_fen: int
    """The unit's prepaid balance (:func:`~feetui.db.queries.balances.get_prepaid_balance`)."""


async def get_posting_context(*, device_id: str, unit_id: str, user_id: str) -> PostingContext:
    """The open shift, next receipt number, unit card, user name and prepaid balance at once."""
    values = {"device": device_id, "unit": unit_id, "user": user_id}
    _, rows = await connections.get("default").execute_query(_CONTEXT, values)  # type: ignore[arg-type]
    r = tuple(rows[0])
    shift = None if r[0] is None else OpenShift(r[0], r[1], date.fromisoformat(r[2]))
    receipt = None
    if r[3] is not None:
        number = r[5] if r[7] is None else r[7] + 1
        receipt = NextReceipt(r[3], number, receipt_text(r[4], number), r[6])
    unit = None if r[8] is None else UnitCard(r[8], r[9], r[10], r[11])
    return PostingContext(shift, receipt, unit, r[12], int(r[13]))


async def get_journal_payload(record_id: str) -> tuple[str, dict[str, Any]] | None:
    """The kind and payload of the journal entry of ``record_id``, or ``None`` if not posted."""
    _, rows = await connections.get("default").execute_query(
        "SELECT kind, payload_json FROM journal_entry WHERE record_id = ?", [record_id]
    )
    if not rows:
        return None
    return rows[0][0], json.loads(rows[0][1])


__all__ = [
    "NextReceipt",
    "OpenShift",
    "PostingContext",
    "UnitCard",
    "get_journal_payload",
    "get_next_receipt",
    "get_open_shift",
    "get_posting_context",
    "receipt_text",
]
