"""Instalment plans (分期): a supervisor agrees a schedule for a unit's debt; paying the next
instalment is a payment of the covered charges, oldest first, through the ledger's take_payment.

A plan is posted once and never changed: a new plan for the same unit supersedes the current one
(``supersedes`` names it), again with a supervisor's code and PIN. The plan's debt is what its
covered charges owe when it is agreed, late fees as of that day included: the charges due today or
earlier that still owe something.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from feetui.core.errors import N_, InputError, PermissionError_, RuleError
from feetui.core.instalment import Instalment, require_schedule
from feetui.core.money import Money, total
from feetui.db.models import InstalmentCharge, InstalmentLine, InstalmentPlan
from feetui.db.queries.balances import ChargeBalance, list_charge_balances
from feetui.db.queries.instalments import PlanView, get_current_plan
from feetui.services.approval import check_supervisor, get_active_user
from feetui.services.container import Services
from feetui.services.followups import require_unit, today
from feetui.services.journal import append_journal
from feetui.services.payments import take_payment
from feetui.services.posting import posting, replay
from feetui.services.results import PostedPayment, TenderInput

KIND = "instalment_plan"
MAX_NOTE = 200


@dataclass(frozen=True, slots=True)
class PostedPlan:
    """An instalment plan as agreed."""

    plan_id: str
    unit_id: str
    debt: Money
    lines: tuple[Instalment, ...]
    supersedes_id: str | None
    approver_name: str
    agreed_on: date

    @classmethod
    def from_payload(cls, p: dict[str, Any]) -> PostedPlan:
        """Rebuild from an ``instalment_plan`` journal payload."""
        return cls(
            plan_id=p["id"],
            unit_id=p["unit_id"],
            debt=Money(p["debt_fen"]),
            lines=tuple(
                Instalment(date.fromisoformat(x["due_date"]), Money(x["amount_fen"]))
                for x in p["lines"]
            ),
            supersedes_id=p["supersedes_id"],
            approver_name=p["approver_name"],
            agreed_on=date.fromisoformat(p["business_date"]),
        )


async def plan_debt(unit_id: str, as_of: date) -> tuple[Money, list[tuple[ChargeBalance, Money]]]:
    """What a plan agreed on ``as_of`` would cover: charges due by then that still owe, each with
    its outstanding amount plus its late fee as of that day, and their total."""
    covered = [
        (c, c.outstanding + c.late_fee_as_of(as_of))
        for c in await list_charge_balances(unit_id)
        if c.outstanding.fen > 0 and c.due_date <= as_of
    ]
    return total(owed for _, owed in covered), covered


async def agree_instalment_plan(
    svc: Services,
    *,
    plan_id: str,
    unit_id: str,
    requested_by_id: str,
    lines: Sequence[Instalment],
    supervisor_code: str,
    supervisor_pin: str,
    note: str = "",
) -> PostedPlan:
    """Agree a schedule for the unit's debt, with a supervisor's code and PIN.

    Returns:
        The plan (the first one when ``plan_id`` was posted before).

    Raises:
        PermissionError_: ``plan_needs_supervisor`` when no code or PIN is given, ``pin_wrong``,
            ``supervisor_required``, ``user_unknown``.
        InputError: the codes of :func:`feetui.core.instalment.schedule_problems`,
            ``unit_unknown``, ``text_too_long``.
    """
    if not (supervisor_code or "").strip() or not (supervisor_pin or "").strip():
        raise PermissionError_(
            "plan_needs_supervisor",
            N_("A supervisor must agree an instalment plan: enter their code and PIN."),
        )
    text = _note(note)
    supervisor = await check_supervisor(code=supervisor_code, pin=supervisor_pin)
    day = today(svc)
    async with posting() as conn:
        first = await replay(plan_id, KIND)
        if first is not None:
            return PostedPlan.from_payload(first)
        unit = await require_unit(unit_id)
        requester = await get_active_user(requested_by_id)
        debt, covered = await plan_debt(unit_id, day)
        schedule = require_schedule(debt, lines, today=day)
        current = await get_current_plan(unit_id, day)
        payload = {
            "id": plan_id,
            "device_id": svc.device_id,
            "site_id": unit.site_id,  # type: ignore[attr-defined]
            "unit_id": unit.id,
            "unit_code": unit.code,
            "business_date": day.isoformat(),
            "created_at": svc.clock.now().astimezone(UTC).isoformat(),
            "debt_fen": debt.fen,
            "supersedes_id": current.plan_id if current else None,
            "note": text,
            "requested_by_id": requester.id,
            "approver_id": supervisor.id,
            "approver_name": supervisor.name,
            "lines": [_line(svc, n, x) for n, x in enumerate(schedule, start=1)],
            "charges": [_covered(svc, c, owed) for c, owed in covered],
        }
        await _write(conn, svc, payload)
    return PostedPlan.from_payload(payload)


def _note(note: str) -> str:
    text = (note or "").strip()
    if len(text) > MAX_NOTE:
        raise InputError(
            "text_too_long",
            N_("That text is too long: at most {limit} characters."),
            limit=MAX_NOTE,
        )
    return text


def _line(svc: Services, number: int, line: Instalment) -> dict[str, Any]:
    return {
        "id": svc.ids.new_str(),
        "number": number,
        "due_date": line.due_date.isoformat(),
        "amount_fen": line.amount.fen,
    }


def _covered(svc: Services, charge: ChargeBalance, owed: Money) -> dict[str, Any]:
    return {"id": svc.ids.new_str(), "charge_id": charge.charge_id, "outstanding_fen": owed.fen}


async def _write(conn: Any, svc: Services, p: dict[str, Any]) -> None:
    created_at = datetime.fromisoformat(p["created_at"])
    await InstalmentPlan.create(
        using_db=conn,
        id=p["id"],
        unit_id=p["unit_id"],
        debt_fen=p["debt_fen"],
        supersedes_id=p["supersedes_id"],
        note=p["note"],
        approver_id=p["approver_id"],
        requested_by_id=p["requested_by_id"],
        device_id=p["device_id"],
        business_date=date.fromisoformat(p["business_date"]),
        created_at=created_at,
    )
    await InstalmentLine.bulk_create(
        [
            InstalmentLine(
                id=x["id"],
                plan_id=p["id"],
                number=x["number"],
                due_date=date.fromisoformat(x["due_date"]),
                amount_fen=x["amount_fen"],
            )
            for x in p["lines"]
        ],
        using_db=conn,
    )
    await InstalmentCharge.bulk_create(
        [InstalmentCharge(plan_id=p["id"], **x) for x in p["charges"]], using_db=conn
    )
    await append_journal(
        conn,
        entry_id=svc.ids.new_str(),
        device_id=svc.device_id,
        kind=KIND,
        record_id=p["id"],
        payload=p,
        created_at=created_at,
    )


async def get_plan(svc: Services, unit_id: str) -> PlanView | None:
    """The unit's current plan as of today, or ``None``."""
    return await get_current_plan(unit_id, today(svc))


async def pay_instalment(
    svc: Services,
    *,
    payment_id: str,
    unit_id: str,
    cashier_id: str,
    tenders: Sequence[TenderInput],
) -> PostedPayment:
    """Pay the unit's next instalment: the covered charges, oldest first, through take_payment.

    The amount is what the next instalment still needs (never more than the covered charges
    still owe); ``tenders`` must add up to it (cash may be more: change).

    Raises:
        RuleError: ``no_plan``, ``plan_complete``, and the codes of ``take_payment``.
    """
    plan = await get_plan(svc, unit_id)
    if plan is None:
        raise RuleError("no_plan", N_("This unit has no instalment plan."))
    nxt = plan.progress.next
    if nxt is None:
        raise RuleError("plan_complete", N_("Every instalment of this plan is paid."))
    owing = {
        c.charge_id: c
        for c in await list_charge_balances(unit_id, charge_ids=list(plan.covered_charge_ids))
        if c.outstanding.fen > 0
    }
    order = [c.charge_id for c in sorted(owing.values(), key=lambda c: (c.due_date, c.charge_id))]
    return await take_payment(
        svc,
        payment_id=payment_id,
        unit_id=unit_id,
        cashier_id=cashier_id,
        tenders=tenders,
        charge_ids=order,
        amount_to_charges=nxt.remaining,
    )


__all__ = ["KIND", "PostedPlan", "agree_instalment_plan", "get_plan", "pay_instalment", "plan_debt"]
