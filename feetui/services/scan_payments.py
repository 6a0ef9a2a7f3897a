"""Scanned-code payments (付款码) through headquarters: start, follow, cancel, post on success.

The counter never talks to WeChat Pay or Alipay: it sends the scanned code, the amount and its own
payment id to headquarters (``POST /api/v1/pay/scan``) and follows HQ's answer. Rules:

* The payment id is made before the request and is the ledger payment's id. A local
  :class:`~feetui.db.models.ScanPayment` row is committed *before* the code leaves the counter,
  so a crash or a lost answer always leaves something to resume; it holds the masked code only,
  never the digits (RELIABILITY R14). The full code lives in memory just long enough to be sent
  (and re-sent with the same payment id while HQ's answer is missing: HQ never charges twice).
* States: ``sending`` until HQ answered, then HQ's ``paying`` / ``cancelling`` (poll again after
  HQ's ``retry_after_ms``) and the final ``success`` / ``failed`` / ``cancelled``.
* Only ``success`` posts, through :func:`~feetui.services.payments.take_payment` with tender
  method ``wechat``/``alipay`` and reference = HQ's transaction id; the ledger payment and the
  row's ``posted`` flag are one transaction, and ``take_payment`` answers a repeated id with the
  first payment, so a success seen twice never posts twice. If the charges were paid meanwhile
  (another window, R13), the money already taken goes to the unit's prepaid balance rather than
  being refused.
* A scan that is not settled (not final, or a success not yet posted) blocks the shift close, and
  is resumed when the app starts. After a restart the code is gone: a row still ``sending`` asks
  HQ, and HQ not knowing the id means the code never reached it (``cancelled``, ``not_sent``).
* Cancelling marks the row first, then asks HQ; while HQ cannot be reached the request is kept
  and sent by the next poll. A ``sending`` row being cancelled is never re-sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from feetui.core.errors import N_, FeeError, InputError, RuleError
from feetui.core.money import Money
from feetui.core.paycode import PaymentCode
from feetui.db.guard import storage_errors
from feetui.db.models import ScanPayment
from feetui.services.container import Services
from feetui.services.payments import take_payment
from feetui.services.posting import posting, require_amount
from feetui.services.results import TenderInput
from feetui.sync.backoff import Backoff
from feetui.sync.protocol import (
    MAX_SCAN_SUBJECT,
    SCAN_FINAL_STATES,
    ScanRequest,
    ScanState,
)
from feetui.sync.status import SyncMode, SyncStatus

if TYPE_CHECKING:
    # aiohttp is imported only when a scan is actually sent: the shift close asks this module
    # whether a scan is open, and must not pay for the HTTP client's import.
    from feetui.sync.client import SyncClient, SyncError

log = logging.getLogger(__name__)

SENDING = "sending"
SUCCESS = "success"
FAILED = "failed"
CANCELLED = "cancelled"
OPEN_STATES = (SENDING, "paying", "cancelling")
"""States that are not final: the scan is followed until it leaves them."""
MIN_POLL_SECONDS = 0.2
"""The shortest wait between two polls, whatever HQ asks for."""
# HQ answered "no" to the request itself: nothing was charged, the scan is over.
_REFUSALS_THAT_END_A_SCAN = frozenset(
    {"bad_auth_code", "bad_amount", "scanpay_not_configured", "payment_id_reused"}
)
# The ledger refuses the checkout as chosen because the charges changed meanwhile: the money is
# taken already, so it is posted to the same charges with the excess as prepaid balance.
_REFIT_CODES = frozenset({"amount_above_due", "overpaid", "nothing_owed", "tender_short"})

STATE_LABELS = {
    SENDING: N_("Sending the payment to headquarters ..."),
    "paying": N_("Waiting for the resident to confirm on their phone ... (Esc cancels)"),
    "cancelling": N_("Cancelling: waiting for the provider to give the payment back ..."),
    SUCCESS: N_("Paid. Transaction {transaction}"),
    FAILED: N_("Payment failed: {reason}. Nothing was charged."),
    CANCELLED: N_("Payment cancelled: {reason}. Nothing was charged."),
}
"""Message ids of what the cashier reads in each state."""

REASON_LABELS = {
    "insufficient_funds": N_("the resident's balance is not enough"),
    "code_expired": N_("the payment code has expired, ask for a fresh one"),
    "code_used": N_("the payment code was already used, ask for a fresh one"),
    "user_cancelled": N_("the resident cancelled on the phone"),
    "timeout": N_("the resident did not confirm in time"),
    "provider_error": N_("the payment provider reported an error"),
    "bad_signature": N_("the provider's answer failed its signature check"),
    "not_sent": N_("headquarters never received it"),
    "cashier_cancelled": N_("cancelled at the counter"),
    "bad_auth_code": N_("this is not a valid payment code"),
    "bad_amount": N_("headquarters does not accept this amount"),
    "scanpay_not_configured": N_("scanned payments are not set up for this site at headquarters"),
    "payment_id_reused": N_("this payment was already sent with another amount"),
    "auth_rejected": N_("headquarters refused this counter's token"),
}
"""Message ids of HQ's reason codes; an unknown code is shown as it is."""


@dataclass(frozen=True, slots=True)
class ScanIntent:
    """What the pay screen's checkout asked for, kept so a resumed success posts the same.

    Attributes:
        unit_id: the paying unit.
        cashier_id: the cashier who scanned.
        charge_ids: the charges to pay, in paying order.
        amount_to_charges: how much goes to them, or ``None`` for all they owe.
        overpay_to_prepaid: the rest becomes prepaid balance.
        other_tenders: tenders added before the scan (a split: cash, then the code for the rest).
        subject: the short text the payer sees in their wallet.
    """

    unit_id: str
    cashier_id: str
    charge_ids: tuple[str, ...]
    amount_to_charges: Money | None = None
    overpay_to_prepaid: bool = False
    other_tenders: tuple[TenderInput, ...] = ()
    subject: str = ""

    def to_json(self) -> str:
        """The intent as stored in ``scan_payment.intent_json``."""
        return json.dumps(
            {
                "charge_ids": list(self.charge_ids),
                "amount_to_charges_fen": None
                if self.amount_to_charges is None
                else self.amount_to_charges.fen,
                "overpay_to_prepaid": self.overpay_to_prepaid,
                "subject": self.subject,
                "other_tenders": [
                    {
                        "method": t.method,
                        "amount_fen": t.amount.fen,
                        "tendered_fen": None if t.tendered is None else t.tendered.fen,
                        "reference": t.reference,
                    }
                    for t in self.other_tenders
                ],
            },
            ensure_ascii=False,
            sort_keys=True,
        )

    @classmethod
    def from_row(cls, row: ScanPayment) -> ScanIntent:
        """The intent of a stored scan."""
        data = json.loads(row.intent_json)
        to_charges = data["amount_to_charges_fen"]
        return cls(
            unit_id=row.unit_id,
            cashier_id=row.cashier_id,
            charge_ids=tuple(data["charge_ids"]),
            amount_to_charges=None if to_charges is None else Money(to_charges),
            overpay_to_prepaid=bool(data["overpay_to_prepaid"]),
            subject=data["subject"],
            other_tenders=tuple(
                TenderInput(
                    t["method"],
                    Money(t["amount_fen"]),
                    None if t["tendered_fen"] is None else Money(t["tendered_fen"]),
                    t["reference"],
                )
                for t in data["other_tenders"]
            ),
        )


@dataclass(frozen=True, slots=True)
class ScanProgress:
    """Where one scanned payment stands, as the pay screen shows it.

    Attributes:
        payment_id: the scan's (and the ledger payment's) id.
        provider: ``wechat`` or ``alipay``.
        amount: the amount asked for.
        code_masked: the code with its middle hidden.
        state: ``sending``, ``paying``, ``cancelling``, ``success``, ``failed`` or ``cancelled``.
        reason: HQ's reason code, empty when none.
        transaction_id: the provider's transaction id (set on success).
        cancel_requested: the cashier asked to cancel.
        posted: the ledger payment is written (only ever for ``success``).
        retry_after_ms: how long HQ asked us to wait before polling again.
        error: the last problem while following it (HQ unreachable, posting refused ...).
    """

    payment_id: str
    provider: str
    amount: Money
    code_masked: str
    state: str
    reason: str = ""
    transaction_id: str = ""
    cancel_requested: bool = False
    posted: bool = False
    retry_after_ms: int = 0
    error: FeeError | None = None

    @property
    def settled(self) -> bool:
        """True when nothing more will happen: failed, cancelled, or a success posted."""
        if self.state == SUCCESS:
            return self.posted
        return self.state in SCAN_FINAL_STATES

    @property
    def charged(self) -> bool:
        """True when the provider took the money."""
        return self.state == SUCCESS


def scanned_tender_refusal(status: SyncStatus | None) -> FeeError | None:
    """Why the scanned tender cannot be used now, or ``None`` when it can.

    Scanned payments go through headquarters, so they need an enrolled counter whose last sync
    round reached HQ; typed-reference tenders and cash work regardless.
    """
    mode = status.mode if status is not None else SyncMode.STARTING
    if mode is SyncMode.ONLINE:
        return None
    reasons = {
        SyncMode.STANDALONE: N_(
            "Scanned payment is off: this counter does not sync with headquarters. "
            "Type the reference (W/Z) or take cash."
        ),
        SyncMode.NOT_ENROLLED: N_(
            "Scanned payment is off: this counter is not enrolled with headquarters. "
            "Type the reference (W/Z) or take cash."
        ),
        SyncMode.STARTING: N_(
            "Scanned payment is not ready: still connecting to headquarters. "
            "Scan again in a moment, or type the reference (W/Z)."
        ),
        SyncMode.OFFLINE: N_(
            "Scanned payment is off: headquarters cannot be reached. "
            "Type the reference (W/Z) or take cash."
        ),
        SyncMode.ALARM: N_(
            "Scanned payment is off: the sync integrity alarm is raised. "
            "Type the reference (W/Z) or take cash."
        ),
    }
    return RuleError(f"scan_unavailable_{mode.value}", reasons[mode])


def scan_subject(text: str) -> str:
    """``text`` cut to what the provider shows (at most ``MAX_SCAN_SUBJECT`` characters)."""
    return " ".join(text.split())[:MAX_SCAN_SUBJECT] or "-"


# --------------------------------------------------------------------------- use cases


async def start_scan(
    svc: Services,
    client: SyncClient,
    *,
    payment_id: str,
    code: PaymentCode,
    amount: Money,
    intent: ScanIntent,
) -> ScanProgress:
    """Record a scanned payment (masked), then ask headquarters to charge it.

    Args:
        svc: the services context.
        client: the counter's HQ client.
        payment_id: made before the request; the ledger payment's id on success.
        code: the scanned code (sent, never stored).
        amount: what the code pays: what is still to pay after ``intent.other_tenders``.
        intent: what the checkout asked for.

    Returns:
        The progress after HQ's first answer (or with ``error`` when HQ did not answer).

    Raises:
        InputError: ``amount_zero`` / ``amount_above_ceiling`` (nothing recorded or sent).
        RuleError: ``scan_id_reused`` when ``payment_id`` is already a scan of another amount.
        StorageError: the database refused.
    """
    require_amount(amount, ceiling=Money(svc.settings.amount_ceiling_fen))
    now = svc.clock.now()
    with storage_errors():
        row, created = await ScanPayment.get_or_create(
            id=payment_id,
            defaults={
                "device_id": svc.device_id,
                "unit_id": intent.unit_id,
                "cashier_id": intent.cashier_id,
                "provider": code.provider,
                "amount_fen": amount.fen,
                "code_masked": code.masked,
                "intent_json": intent.to_json(),
                "state": SENDING,
                "created_at": now,
                "updated_at": now,
            },
        )
    if not created and (row.amount_fen != amount.fen or row.provider != code.provider):
        raise RuleError(
            "scan_id_reused", N_("This payment was already scanned for another amount.")
        )
    log.info("scan %s started: %s %s fen", payment_id, code.provider, amount.fen)
    return await poll_scan(svc, client, payment_id, code=code)


async def poll_scan(
    svc: Services, client: SyncClient, payment_id: str, *, code: PaymentCode | None = None
) -> ScanProgress:
    """Take the scan one step further: send, poll or cancel at HQ; post a success.

    Args:
        svc: the services context.
        client: the counter's HQ client.
        payment_id: the scan.
        code: the scanned code while it is still in memory (re-sends a scan HQ never answered).

    Returns:
        The progress; ``error`` says why it did not move (HQ unreachable, posting refused).

    Raises:
        InputError: ``scan_unknown``.
        StorageError: the database refused.
    """
    row = await _get(payment_id)
    progress = _progress(row)
    if progress.settled:
        return progress
    if row.state == SUCCESS:
        return await _post(svc, row)
    from feetui.sync.client import SyncError

    try:
        state = await _ask_hq(client, row, code)
    except SyncError as error:
        return await _hq_failed(svc, row, error)
    return await _apply(svc, row, state)


async def cancel_scan(svc: Services, client: SyncClient, payment_id: str) -> ScanProgress:
    """The cashier cancels: remember it, then ask HQ (again at every poll until it answers).

    Raises:
        InputError: ``scan_unknown``.
        StorageError: the database refused.
    """
    row = await _get(payment_id)
    if row.state in OPEN_STATES and not row.cancel_requested:
        with storage_errors():
            await ScanPayment.filter(id=payment_id).update(
                cancel_requested=True, updated_at=svc.clock.now()
            )
        log.info("scan %s: cancel requested", payment_id)
    return await poll_scan(svc, client, payment_id)


async def follow_scan(
    svc: Services,
    client: SyncClient,
    progress: ScanProgress,
    *,
    code: PaymentCode | None = None,
    report: Callable[[ScanProgress], None] | None = None,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    backoff: Backoff | None = None,
) -> ScanProgress:
    """Poll until the scan is settled, waiting what HQ asks between polls (longer after errors).

    Args:
        svc: the services context.
        client: the counter's HQ client.
        progress: where the scan stands now (from :func:`start_scan` or :func:`list_open_scans`).
        code: the scanned code while it is in memory.
        report: hears every new progress (the pay screen shows it).
        sleep: how to wait (tests may pass a faster one).
        backoff: waits after failures (capped at 5 s: a resident is standing there).

    Returns:
        The settled progress.
    """
    backoff = backoff or Backoff(base=0.5, cap=5.0)
    while not progress.settled:
        if progress.error is None:
            backoff.reset()
            delay = max(progress.retry_after_ms / 1000, MIN_POLL_SECONDS)
        else:
            delay = backoff.next_delay()
        await sleep(delay)
        progress = await poll_scan(svc, client, progress.payment_id, code=code)
        if report is not None:
            report(progress)
    return progress


async def list_open_scans(svc: Services) -> list[ScanProgress]:
    """This counter's scans not settled yet (not final, or a success not yet posted), oldest
    first."""
    with storage_errors():
        rows = await ScanPayment.filter(
            device_id=svc.device_id, posted=False, state__in=(*OPEN_STATES, SUCCESS)
        ).order_by("created_at", "id")
    return [p for p in map(_progress, rows) if not p.settled]


async def get_scan(svc: Services, payment_id: str) -> ScanProgress:
    """One scan as stored.

    Raises:
        InputError: ``scan_unknown``.
    """
    return _progress(await _get(payment_id))


async def require_no_open_scan(svc: Services) -> None:
    """Refuse while a scanned payment of this counter is not settled (the shift close asks).

    Raises:
        RuleError: ``scan_pending``, naming the amount and the masked code.
    """
    open_scans = await list_open_scans(svc)
    if open_scans:
        first = open_scans[0]
        raise RuleError(
            "scan_pending",
            N_(
                "A scanned payment of ¥{amount} (code {masked}) is still waiting for its result: "
                "finish or cancel it before closing the shift."
            ),
            amount=first.amount.yuan_text(grouping=True),
            masked=first.code_masked,
        )


# --------------------------------------------------------------------------- steps


async def _get(payment_id: str) -> ScanPayment:
    with storage_errors():
        row = await ScanPayment.get_or_none(id=payment_id)
    if row is None:
        raise InputError("scan_unknown", N_("This scanned payment is not on this counter."))
    return row


def _progress(row: ScanPayment) -> ScanProgress:
    return ScanProgress(
        payment_id=row.id,
        provider=row.provider,
        amount=Money(row.amount_fen),
        code_masked=row.code_masked,
        state=row.state,
        reason=row.reason,
        transaction_id=row.transaction_id,
        cancel_requested=row.cancel_requested,
        posted=row.posted,
    )


async def _ask_hq(client: SyncClient, row: ScanPayment, code: PaymentCode | None) -> ScanState:
    """The one request this step needs: send the scan, cancel it, or poll it."""
    if row.state == SENDING and code is not None and not row.cancel_requested:
        intent = ScanIntent.from_row(row)
        request = ScanRequest(row.id, code.digits, row.amount_fen, row.unit_id, intent.subject)
        return await client.scan_pay(request)
    if row.cancel_requested and row.state != SENDING:
        return await client.scan_cancel(row.id)
    return await client.scan_poll(row.id)


async def _hq_failed(svc: Services, row: ScanPayment, error: SyncError) -> ScanProgress:
    """HQ did not answer, or refused: end the scan when nothing can have been charged."""
    server_code = error.server_code
    log.info("scan %s: HQ %s %s", row.id, error.code, server_code)
    if row.state == SENDING and error.status == 404 and server_code == "unknown_payment":
        # HQ never received the code (lost before it arrived, or never sent after a restart).
        return await _save(svc, row, state=CANCELLED, reason="not_sent")
    if row.state == SENDING and server_code in _REFUSALS_THAT_END_A_SCAN:
        return await _save(svc, row, state=FAILED, reason=server_code)
    if row.state == SENDING and error.code == "auth_rejected":
        return await _save(svc, row, state=FAILED, reason="auth_rejected")
    await _save(svc, row, error=error.code)
    return replace(_progress(row), error=error)


async def _apply(svc: Services, row: ScanPayment, state: ScanState) -> ScanProgress:
    """Store HQ's answer; post it when it is a success."""
    if state.payment_id != row.id or state.amount_fen != row.amount_fen:
        from feetui.sync.client import SyncError

        log.error("scan %s: HQ answered for another payment or amount", row.id)
        error = SyncError(
            "bad_response",
            N_("Headquarters sent an answer this counter cannot read ({what})."),
            what="pay/scan",
        )
        await _save(svc, row, error=error.code)
        return replace(_progress(row), error=error)
    saved = await _save(
        svc,
        row,
        state=state.state,
        reason=state.reason or "",
        transaction_id=state.transaction_id or "",
        error="",
    )
    if state.state == SUCCESS:
        return await _post(svc, row)
    return replace(saved, retry_after_ms=state.retry_after_ms)


async def _save(svc: Services, row: ScanPayment, **fields: Any) -> ScanProgress:
    """Write changed fields of a scan row (never a posted one) and return its progress."""
    for name, value in fields.items():
        setattr(row, name, value)
    row.updated_at = svc.clock.now()
    with storage_errors():
        await ScanPayment.filter(id=row.id, posted=False).update(
            **fields, updated_at=row.updated_at
        )
    if "state" in fields:
        log.info("scan %s: %s %s", row.id, row.state, row.reason)
    return _progress(row)


async def _post(svc: Services, row: ScanPayment) -> ScanProgress:
    """Post a success to the ledger (once), with the provider's transaction id as reference."""
    intent = ScanIntent.from_row(row)
    try:
        try:
            await _post_once(svc, row, intent, refit=False)
        except RuleError as error:
            if error.code not in _REFIT_CODES:
                raise
            log.warning(
                "scan %s: checkout refused (%s), posting the excess to prepaid", row.id, error.code
            )
            await _post_once(svc, row, intent, refit=True)
    except FeeError as error:
        log.error("scan %s: paid at the provider but not posted: %s", row.id, error.code)
        await _save(svc, row, error=error.code)
        return replace(_progress(row), error=error)
    row.posted = True
    return _progress(row)


async def _post_once(svc: Services, row: ScanPayment, intent: ScanIntent, *, refit: bool) -> None:
    tender = TenderInput(row.provider, Money(row.amount_fen), None, row.transaction_id)
    async with posting():
        await take_payment(
            svc,
            payment_id=row.id,
            unit_id=intent.unit_id,
            cashier_id=intent.cashier_id,
            tenders=[*intent.other_tenders, tender],
            charge_ids=list(intent.charge_ids),
            amount_to_charges=None if refit else intent.amount_to_charges,
            overpay_to_prepaid=True if refit else intent.overpay_to_prepaid,
        )
        await ScanPayment.filter(id=row.id).update(
            posted=True, error="", updated_at=svc.clock.now()
        )


__all__ = [
    "OPEN_STATES",
    "REASON_LABELS",
    "STATE_LABELS",
    "ScanIntent",
    "ScanProgress",
    "cancel_scan",
    "follow_scan",
    "get_scan",
    "list_open_scans",
    "poll_scan",
    "require_no_open_scan",
    "scan_subject",
    "scanned_tender_refusal",
    "start_scan",
]
