"""Recording an arrears follow-up (催缴记录): who was contacted, how, why they have not paid, what
was said and what they promised. One transaction writes the collection note, its detail row, the
journal entry (kind ``collection_note``) and its outbox row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from feetui.clock import business_date
from feetui.core.arrears import FollowUpDraft, check_follow_up
from feetui.core.errors import N_, InputError
from feetui.core.money import Money, total
from feetui.db.models import CollectionNote, CollectionNoteDetail, Unit
from feetui.db.queries.balances import list_charge_balances
from feetui.services.approval import get_active_user
from feetui.services.container import Services
from feetui.services.journal import append_journal
from feetui.services.posting import posting, replay

KIND = "collection_note"


@dataclass(frozen=True, slots=True)
class PostedFollowUp:
    """A follow-up as recorded."""

    note_id: str
    unit_id: str
    unit_code: str
    contacted_on: date
    channel: str
    reason: str
    reason_detail: str
    said: str
    promised_date: date | None
    promised_amount: Money | None
    user_name: str
    created_at: datetime

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> PostedFollowUp:
        """Rebuild from a ``collection_note`` journal payload."""
        amount = p["promised_amount_fen"]
        return cls(
            note_id=p["id"],
            unit_id=p["unit_id"],
            unit_code=p["unit_code"],
            contacted_on=date.fromisoformat(p["contacted_on"]),
            channel=p["channel"],
            reason=p["reason"],
            reason_detail=p["reason_detail"],
            said=p["said"],
            promised_date=date.fromisoformat(p["promised_date"]) if p["promised_date"] else None,
            promised_amount=Money(amount) if amount is not None else None,
            user_name=p["user_name"],
            created_at=datetime.fromisoformat(p["created_at"]),
        )


def today(svc: Services) -> date:
    """The site's business date by the services' clock."""
    return business_date(svc.clock.now(), svc.tz)


async def unit_owes(unit_id: str, as_of: date) -> Money:
    """What the unit owes now: outstanding amounts plus late fees as of ``as_of``."""
    owing = [c for c in await list_charge_balances(unit_id) if c.outstanding.fen > 0]
    return total(c.outstanding + c.late_fee_as_of(as_of) for c in owing)


async def require_unit(unit_id: str) -> Unit:
    """The unit, or ``unit_unknown``."""
    unit = await Unit.get_or_none(id=unit_id)
    if unit is None:
        raise InputError("unit_unknown", N_("This unit is unknown: search for it again."))
    return unit


def _check_contact_date(contacted_on: date, day: date) -> None:
    if contacted_on > day:
        raise InputError("contact_date_future", N_("The contact date cannot be later than today."))


async def record_follow_up(
    svc: Services,
    *,
    note_id: str,
    unit_id: str,
    user_id: str,
    draft: FollowUpDraft,
    contacted_on: date | None = None,
) -> PostedFollowUp:
    """Record a follow-up of a unit's arrears.

    Args:
        svc: the services context.
        note_id: the note's id, made before posting (a retry passes the same id).
        unit_id: the unit followed up.
        user_id: the signed-in collector.
        draft: channel, reason, detail, what was said, and perhaps a promised date and amount.
        contacted_on: the day of the contact (today when omitted; never later).

    Returns:
        The recorded follow-up (the first one when ``note_id`` was posted before).

    Raises:
        InputError: the codes of :func:`feetui.core.arrears.check_follow_up`,
            ``contact_date_future``, ``unit_unknown``.
        PermissionError_: ``user_unknown``.
        StorageError: the disk or database refused.
    """
    day = today(svc)
    contacted = contacted_on or day
    _check_contact_date(contacted, day)
    async with posting() as conn:
        first = await replay(note_id, KIND)
        if first is not None:
            return PostedFollowUp.from_payload(first)
        unit = await require_unit(unit_id)
        user = await get_active_user(user_id)
        checked = check_follow_up(draft, today=day, owed=await unit_owes(unit_id, day))
        now = svc.clock.now().astimezone(UTC)
        payload = _payload(svc, note_id, unit, user.id, user.name, checked, contacted, now)
        await _write(conn, payload, now)
        await append_journal(
            conn,
            entry_id=svc.ids.new_str(),
            device_id=svc.device_id,
            kind=KIND,
            record_id=note_id,
            payload=payload,
            created_at=now,
        )
    return PostedFollowUp.from_payload(payload)


def _payload(
    svc: Services,
    note_id: str,
    unit: Unit,
    user_id: str,
    user_name: str,
    d: FollowUpDraft,
    contacted_on: date,
    now: datetime,
) -> dict[str, Any]:
    return {
        "id": note_id,
        "detail_id": svc.ids.new_str(),
        "device_id": svc.device_id,
        "site_id": unit.site_id,  # type: ignore[attr-defined]
        "unit_id": unit.id,
        "unit_code": unit.code,
        "user_id": user_id,
        "user_name": user_name,
        "created_at": now.isoformat(),
        "contacted_on": contacted_on.isoformat(),
        "channel": d.channel,
        "reason": d.reason,
        "reason_detail": d.reason_detail,
        "said": d.said,
        "promised_date": d.promised_date.isoformat() if d.promised_date else None,
        "promised_amount_fen": d.promised_amount.fen if d.promised_amount else None,
    }


async def _write(conn: Any, p: dict[str, Any], now: datetime) -> None:
    await CollectionNote.create(
        using_db=conn,
        id=p["id"],
        unit_id=p["unit_id"],
        channel=p["channel"],
        reason=p["reason"],
        promised_date=date.fromisoformat(p["promised_date"]) if p["promised_date"] else None,
        note=p["said"],
        user_id=p["user_id"],
        device_id=p["device_id"],
        created_at=now,
    )
    await CollectionNoteDetail.create(
        using_db=conn,
        id=p["detail_id"],
        note_id=p["id"],
        contacted_on=date.fromisoformat(p["contacted_on"]),
        reason_detail=p["reason_detail"],
        promised_amount_fen=p["promised_amount_fen"],
    )


__all__ = ["KIND", "PostedFollowUp", "record_follow_up", "require_unit", "today", "unit_owes"]
