"""Handing the drawer over (交接班, 当面点清): the next cashier counts what was left and owns it.

Rules:

* A shift that closed and has not been handed over is *pending*: the next shift of this counter
  opens by accepting it. The incoming cashier types their PIN and counts the drawer by
  denomination; what they count is the new shift's float.
* The difference between their count and what the outgoing cashier counted at close is recorded
  against the *outgoing* shift (it happened in that cashier's care); a difference needs a note.
* The acceptance, the new shift and their journal entries are one transaction: from acceptance
  on, the incoming cashier owns the drawer. Cash brought from the safe to top the float up is a
  pay-in of the new shift, never part of the acceptance.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.core.errors import N_, RuleError
from feetui.core.money import Money
from feetui.core.shift import count_total
from feetui.db.models import Handover, Shift, ShiftClose
from feetui.db.queries.reports import get_latest_shift_id
from feetui.services.auth import sign_in
from feetui.services.container import Services
from feetui.services.journal import append_journal
from feetui.services.posting import posting, replay
from feetui.services.shifts import MAX_NOTE, OpenedShift, check_text, open_shift

KIND = "handover"


@dataclass(frozen=True, slots=True)
class PendingHandover:
    """A closed shift whose drawer waits for the next cashier."""

    shift_id: str
    cashier_name: str
    business_date: date
    closed_at: datetime
    left: Money
    """What the outgoing cashier counted at close."""


@dataclass(frozen=True, slots=True)
class AcceptedHandover:
    """A drawer accepted by the next cashier, and the shift they opened with it."""

    handover_id: str
    from_shift_id: str
    next_shift: OpenedShift
    accepted_by_name: str
    left: Money
    counted: Money
    note: str
    created_at: datetime

    @property
    def difference(self) -> Money:
        """Counted minus left: below zero, money went missing in the outgoing cashier's care."""
        return self.counted - self.left


async def get_pending_handover(svc: Services) -> PendingHandover | None:
    """This counter's latest shift, if it is closed and not yet handed over."""
    latest_id = await get_latest_shift_id(svc.device_id)
    if latest_id is None:
        return None
    latest = await Shift.get(id=latest_id).prefetch_related("cashier")
    close = await ShiftClose.get_or_none(shift_id=latest.id)
    if close is None or await Handover.exists(shift_id=latest.id):
        return None
    return PendingHandover(
        shift_id=latest.id,
        cashier_name=latest.cashier.name,
        business_date=latest.business_date,
        closed_at=close.closed_at,
        left=Money(close.counted_fen),
    )


@dataclass(frozen=True, slots=True)
class HandoverPreview:
    """What the acceptance screen shows once the drawer is counted (nothing is written)."""

    left: Money
    counted: Money

    @property
    def difference(self) -> Money:
        """Counted minus left."""
        return self.counted - self.left


async def preview_handover(
    svc: Services, *, from_shift_id: str, counts: Mapping[str, int]
) -> HandoverPreview:
    """What was left in the drawer beside what the incoming cashier counted.

    Raises:
        InputError: ``count_invalid``.
        RuleError: ``handover_not_pending``.
    """
    counted = count_total(counts)
    pending = await _require_pending(svc, from_shift_id)
    return HandoverPreview(left=pending.left, counted=counted)


async def accept_handover(
    svc: Services,
    *,
    handover_id: str,
    next_shift_id: str,
    from_shift_id: str,
    code: str,
    pin: str,
    counts: Mapping[str, int],
    note: str = "",
) -> AcceptedHandover:
    """Accept a closed shift's drawer and open the next shift with the cash counted in it.

    Args:
        svc: the services context.
        handover_id: the acceptance's id, made before posting (a retry passes the same id).
        next_shift_id: the id of the shift it opens.
        from_shift_id: the closed shift whose drawer is accepted (as the screen showed it).
        code: the incoming cashier's code.
        pin: their PIN, checked like a sign-in (wrong PINs count towards the lockout).
        counts: the drawer counted by denomination (pieces per code).
        note: why the count differs from what was left (required when it does).

    Returns:
        The acceptance and the opened shift (the first ones when ``handover_id`` was posted).

    Raises:
        InputError: ``count_invalid``, ``text_too_long``, ``code_empty``, ``pin_empty``.
        PermissionError_: ``user_unknown``, ``pin_wrong``, ``code_locked``.
        RuleError: ``handover_not_pending``, ``handover_note_required``.
        StorageError: the database refused.
    """
    counted = count_total(counts)
    text = check_text(note, limit=MAX_NOTE)
    first = await replay(handover_id, KIND)
    if first is not None:
        return _from_payload(first, await _opened(first["shift_id"]))
    # The drawer and the note are checked before the PIN, so a missing note costs no PIN try.
    _require_note(counted - (await _require_pending(svc, from_shift_id)).left, text)
    incoming = await sign_in(svc, code=code, pin=pin)
    async with posting() as conn:
        first = await replay(handover_id, KIND)
        if first is not None:
            return _from_payload(first, await _opened(first["shift_id"]))
        pending = await _require_pending(svc, from_shift_id)
        _require_note(counted - pending.left, text)
        # open_shift's own transaction nests as a savepoint of this one: all or nothing.
        opened = await open_shift(
            svc, shift_id=next_shift_id, cashier_id=incoming.id, opening_counts=counts
        )
        payload = _payload(svc, handover_id, pending, opened, incoming.name, text)
        await _write(conn, svc, payload, incoming.id)
    return _from_payload(payload, opened)


async def _require_pending(svc: Services, from_shift_id: str) -> PendingHandover:
    pending = await get_pending_handover(svc)
    if pending is None or pending.shift_id != from_shift_id:
        raise RuleError(
            "handover_not_pending",
            N_("This drawer is not waiting to be handed over: it was taken over already."),
        )
    return pending


def _require_note(difference: Money, note: str) -> None:
    if difference and not note:
        raise RuleError(
            "handover_note_required",
            N_("The count differs from what was left by {difference} yuan: enter a note."),
            difference=difference.yuan_text(grouping=True),
        )


def _payload(
    svc: Services,
    handover_id: str,
    pending: PendingHandover,
    opened: OpenedShift,
    accepted_by_name: str,
    note: str,
) -> dict:
    # shift_id is the new shift: the record is posted in it. The outgoing one is from_shift_id.
    return {
        "id": handover_id,
        "device_id": svc.device_id,
        "shift_id": opened.shift_id,
        "from_shift_id": pending.shift_id,
        "business_date": opened.business_date.isoformat(),
        "created_at": svc.clock.now().astimezone(UTC).isoformat(),
        "accepted_by_id": opened.cashier_id,
        "accepted_by_name": accepted_by_name,
        "left_fen": pending.left.fen,
        "counted_fen": opened.opening_float.fen,
        "counts": dict(opened.opening_counts),
        "difference_fen": (opened.opening_float - pending.left).fen,
        "note": note,
    }


async def _write(conn: BaseDBAsyncClient, svc: Services, p: dict, accepted_by_id: str) -> None:
    created_at = datetime.fromisoformat(p["created_at"])
    await Handover.create(
        using_db=conn,
        id=p["id"],
        shift_id=p["from_shift_id"],
        next_shift_id=p["shift_id"],
        accepted_by_id=accepted_by_id,
        left_fen=p["left_fen"],
        counted_fen=p["counted_fen"],
        counts_json=json.dumps(p["counts"], sort_keys=True),
        difference_fen=p["difference_fen"],
        note=p["note"],
        device_id=p["device_id"],
        created_at=created_at,
    )
    await append_journal(
        conn,
        entry_id=svc.ids.new_str(),
        device_id=p["device_id"],
        kind=KIND,
        record_id=p["id"],
        payload=p,
        created_at=created_at,
    )


async def _opened(shift_id: str) -> OpenedShift:
    shift = await Shift.get(id=shift_id).prefetch_related("cashier")
    return OpenedShift(
        shift_id=shift.id,
        cashier_id=shift.cashier.id,
        cashier_name=shift.cashier.name,
        business_date=shift.business_date,
        opened_at=shift.opened_at,
        opening_float=Money(shift.opening_float_fen),
        opening_counts=json.loads(shift.opening_counts_json),
    )


def _from_payload(p: dict, opened: OpenedShift) -> AcceptedHandover:
    return AcceptedHandover(
        handover_id=p["id"],
        from_shift_id=p["from_shift_id"],
        next_shift=opened,
        accepted_by_name=p["accepted_by_name"],
        left=Money(p["left_fen"]),
        counted=Money(p["counted_fen"]),
        note=p["note"],
        created_at=datetime.fromisoformat(p["created_at"]),
    )


__all__ = [
    "KIND",
    "AcceptedHandover",
    "HandoverPreview",
    "PendingHandover",
    "accept_handover",
    "get_pending_handover",
    "preview_handover",
]
