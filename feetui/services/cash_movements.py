"""Cash into and out of the drawer outside payments: pay-in, pay-out and bank deposit (存行).

Each movement is a posted record of its own, with its journal entry and outbox row, in one
transaction. It books into the drawer of an open shift of this counter; a closed shift refuses it
(R16). A pay-in or pay-out needs a reason, a deposit the number on the bank's slip. Money can only
leave the drawer up to the cash it should hold, so expected cash never goes below zero by a
movement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.core.errors import N_, InputError, RuleError
from feetui.core.money import Money
from feetui.db.models import CashMovement
from feetui.db.models.base import CashMovementKind
from feetui.services.container import Services
from feetui.services.journal import append_journal
from feetui.services.posting import posting, replay, require_amount, require_reason
from feetui.services.shifts import (
    MAX_NOTE,
    MAX_SLIP_NO,
    check_text,
    drawer_cash,
    require_drawer_owner,
    require_postable_shift,
)

KIND = "cash_movement"


@dataclass(frozen=True, slots=True)
class PostedCashMovement:
    """A pay-in, pay-out or bank deposit as posted."""

    movement_id: str
    shift_id: str
    kind: str
    amount: Money
    reason: str
    slip_no: str
    cashier_id: str
    cashier_name: str
    created_at: datetime

    @classmethod
    def from_payload(cls, payload: dict) -> PostedCashMovement:
        """Rebuild the result from the movement's journal payload."""
        return cls(
            movement_id=payload["id"],
            shift_id=payload["shift_id"],
            kind=payload["kind"],
            amount=Money(payload["amount_fen"]),
            reason=payload["reason"],
            slip_no=payload["slip_no"],
            cashier_id=payload["cashier_id"],
            cashier_name=payload["cashier_name"],
            created_at=datetime.fromisoformat(payload["created_at"]),
        )


async def record_cash_movement(
    svc: Services,
    *,
    movement_id: str,
    shift_id: str,
    cashier_id: str,
    kind: str,
    amount: Money,
    reason: str = "",
    slip_no: str = "",
) -> PostedCashMovement:
    """Post cash put into (pay-in) or taken out of (pay-out, bank deposit 存行) the drawer.

    Args:
        svc: the services context.
        movement_id: the movement's id, made before posting (a retry passes the same id).
        shift_id: the open shift whose drawer it moves.
        cashier_id: who moves it (the drawer's owner or a supervisor).
        kind: ``pay_in``, ``pay_out`` or ``deposit``.
        amount: how much, above zero.
        reason: why (required for pay-ins and pay-outs; the bank for a deposit).
        slip_no: the bank's deposit slip number (required for a deposit).

    Returns:
        The posted movement (the first one when ``movement_id`` was posted before).

    Raises:
        InputError: ``cash_movement_kind_unknown``, ``amount_*``, ``reason_required``,
            ``deposit_slip_required``, ``text_too_long``, ``shift_unknown``.
        RuleError: ``shift_closed``; ``cash_not_in_drawer`` when more would leave than the
            drawer should hold.
        PermissionError_: ``user_unknown``, ``notrequire_drawer_owner``.
        StorageError: the database refused.
    """
    checked = _check_movement(svc, kind, amount, reason, slip_no)
    async with posting() as conn:
        first = await replay(movement_id, KIND)
        if first is not None:
            return PostedCashMovement.from_payload(first)
        shift = await require_postable_shift(svc, shift_id)
        user = await require_drawer_owner(shift, cashier_id)
        if kind != CashMovementKind.PAY_IN:
            _refuse_overdraw((await drawer_cash(shift_id)).expected, amount)
        payload = {
            "id": movement_id,
            "device_id": svc.device_id,
            "shift_id": shift.id,
            "business_date": shift.business_date.isoformat(),
            "created_at": svc.clock.now().astimezone(UTC).isoformat(),
            "kind": kind,
            "amount_fen": amount.fen,
            "reason": checked[0],
            "slip_no": checked[1],
            "cashier_id": user.id,
            "cashier_name": user.name,
        }
        await _write_movement(conn, svc, payload)
    return PostedCashMovement.from_payload(payload)


def _check_movement(
    svc: Services, kind: str, amount: Money, reason: str, slip_no: str
) -> tuple[str, str]:
    """The reason and slip number, checked before any transaction starts."""
    if kind not in CashMovementKind.ALL:
        raise InputError(
            "cash_movement_kind_unknown", N_("Choose pay-in, pay-out or bank deposit.")
        )
    require_amount(amount, ceiling=Money(svc.settings.amount_ceiling_fen))
    text = check_text(reason, limit=MAX_NOTE)
    slip = check_text(slip_no, limit=MAX_SLIP_NO)
    if kind == CashMovementKind.DEPOSIT:
        if not slip:
            raise InputError(
                "deposit_slip_required", N_("Enter the number on the bank's deposit slip.")
            )
    else:
        text = require_reason(text)
    return text, slip


def _refuse_overdraw(expected: Money, amount: Money) -> None:
    if amount > expected:
        raise RuleError(
            "cash_not_in_drawer",
            N_("The drawer should hold only ¥{expected}: ¥{amount} cannot be taken out of it."),
            expected=expected.yuan_text(grouping=True),
            amount=amount.yuan_text(grouping=True),
        )


async def _write_movement(conn: BaseDBAsyncClient, svc: Services, p: dict) -> None:
    created_at = datetime.fromisoformat(p["created_at"])
    await CashMovement.create(
        using_db=conn,
        id=p["id"],
        shift_id=p["shift_id"],
        kind=p["kind"],
        amount_fen=p["amount_fen"],
        reason=p["reason"],
        slip_no=p["slip_no"],
        cashier_id=p["cashier_id"],
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


__all__ = ["KIND", "PostedCashMovement", "record_cash_movement"]
