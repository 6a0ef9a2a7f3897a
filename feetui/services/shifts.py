"""Opening a shift (开班): one open shift per device, its float counted by denomination.

Closing, cash movements and handover belong to the shift work (issue 5); they write their own
rows (ShiftClose, CashMovement) and never update the shift.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from feetui.clock import business_date
from feetui.core.errors import N_, RuleError
from feetui.core.money import Money
from feetui.core.shift import count_total
from feetui.db.models import Shift
from feetui.db.queries.posting import get_open_shift
from feetui.services.approval import get_active_user
from feetui.services.container import Services
from feetui.services.journal import append_journal
from feetui.services.posting import posting, replay

KIND = "shift_open"


@dataclass(frozen=True, slots=True)
class OpenedShift:
    """A shift as opened."""

    shift_id: str
    cashier_id: str
    cashier_name: str
    business_date: date
    opened_at: datetime
    opening_float: Money
    opening_counts: Mapping[str, int]


async def open_shift(
    svc: Services, *, shift_id: str, cashier_id: str, opening_counts: Mapping[str, int]
) -> OpenedShift:
    """Open a shift on this device with its counted float.

    The business date is the site's calendar date now; every record of the shift is booked on
    it, whatever the PC clock says later (R19).

    Args:
        svc: the services context.
        shift_id: the new shift's id (made before posting: a retry passes the same id).
        cashier_id: who opens it.
        opening_counts: pieces per denomination code (``{"n100": 3, "c05": 2}``).

    Returns:
        The opened shift (the first one when ``shift_id`` was opened before).

    Raises:
        InputError: ``count_invalid`` for an unknown denomination or a bad count.
        RuleError: ``shift_already_open`` when this device already has an open shift.
        PermissionError_: ``user_unknown``.
        StorageError: the database refused.
    """
    counts = {code: pieces for code, pieces in opening_counts.items() if pieces}
    opening_float = count_total(counts)
    async with posting() as conn:
        first = await replay(shift_id, KIND)
        if first is not None:
            return _from_payload(first)
        if await get_open_shift(svc.device_id) is not None:
            raise RuleError(
                "shift_already_open",
                N_("A shift is already open on this counter: close it before opening another."),
            )
        cashier = await get_active_user(cashier_id)
        now = svc.clock.now().astimezone(UTC)
        payload = {
            "id": shift_id,
            "device_id": svc.device_id,
            "cashier_id": cashier.id,
            "cashier_name": cashier.name,
            "opened_at": now.isoformat(),
            "business_date": business_date(now, svc.tz).isoformat(),
            "opening_float_fen": opening_float.fen,
            "opening_counts": counts,
        }
        await Shift.create(
            using_db=conn,
            id=shift_id,
            device_id=svc.device_id,
            cashier_id=cashier.id,
            opened_at=now,
            business_date=payload["business_date"],
            opening_float_fen=opening_float.fen,
            opening_counts_json=json.dumps(counts, sort_keys=True),
        )
        await append_journal(
            conn,
            entry_id=svc.ids.new_str(),
            device_id=svc.device_id,
            kind=KIND,
            record_id=shift_id,
            payload=payload,
            created_at=now,
        )
    return _from_payload(payload)


def _from_payload(payload: dict) -> OpenedShift:
    return OpenedShift(
        shift_id=payload["id"],
        cashier_id=payload["cashier_id"],
        cashier_name=payload["cashier_name"],
        business_date=date.fromisoformat(payload["business_date"]),
        opened_at=datetime.fromisoformat(payload["opened_at"]),
        opening_float=Money(payload["opening_float_fen"]),
        opening_counts=dict(payload["opening_counts"]),
    )


__all__ = ["KIND", "OpenedShift", "open_shift"]
