"""Scanned-code payments: the provider's state machine, driven by the counter's requests.

HQ keeps no task running between requests: each scanned payment is a row of ``scan_payments``
(keyed by the counter's payment id) and every scan, poll or cancel request moves it on by what the
provider answers. The rules are the ones WeChat Pay and Alipay document for payment codes:

* ``pay`` answers success → ``success``; a definite failure → ``failed`` with its reason.
* "the payer is confirming" → ``paying``; each poll queries the order until it is paid, fails, or
  the merchant's time limit passes; then the order is reversed (``cancelling`` → ``cancelled``).
* a system error, a timeout, a dropped connection or an answer that does not verify → query
  before anything else. If the provider has no such order, the charge is sent again once, within
  the same request, with the same order number (the provider refuses a second charge of one
  order number: "already paid"). A later request cannot resend it: the code is never stored.
* two untrusted answers in a row (bad signature, refused call) → reverse; such a payment ends
  ``failed`` with the reason, never ``success``.
* a reversal is never sent before ``reverse_after`` (the provider's forbidden window after the
  charge); until then the state is ``cancelling`` and ``retry_after_ms`` says when to come back.

Never charge twice: the order number is derived from the payment id, the row is inserted before
the charge (a second request for the same id finds it and never charges), and only the request
holding the row's lease talks to the provider (a conditional UPDATE takes it; it expires, so a
crashed request does not block the payment forever).

The full code lives only in the request's memory (R14): the row keeps ``code_masked``; logs name
the payment id and the provider's codes.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp

from feetui.core.parse import DEFAULT_CEILING
from feetui.sync.protocol import MAX_SCAN_RETRY_MS, ProtocolError, ScanRequest, ScanState
from sync_server.clock import iso
from sync_server.db.connection import Database, Row
from sync_server.errors import ApiError
from sync_server.metrics import Metrics
from sync_server.providers import base
from sync_server.providers.base import PayOrder, ProviderAnswer, ScanProvider
from sync_server.services.auth import Principal
from sync_server.services.exceptions import Exception_, record_exceptions
from sync_server.services.merchants import Merchant, find_merchant, get_merchant, load_provider

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
ProviderFactory = Callable[[Merchant], ScanProvider]

MAX_REVERSE_ATTEMPTS = 3
"""Reversals sent without a trustworthy "done" before the payment is given up as ``failed``."""
UNTRUSTED_LIMIT = 2
"""Untrusted answers in a row after which the order is reversed."""
PHASE_SUBMIT, PHASE_QUERY, PHASE_REVERSE, PHASE_DONE = "submit", "query", "reverse", "done"


@dataclass(frozen=True, slots=True)
class ScanContext:
    """What a scan request needs besides its body: the database, the clock, the adapters."""

    db: Database
    clock: Clock
    providers: ProviderFactory
    timezone: str = "Asia/Shanghai"
    metrics: Metrics | None = None
    """Counts provider calls by provider, call and outcome (``/metrics``), when given."""


def provider_factory(session: aiohttp.ClientSession) -> ProviderFactory:
    """Adapters on one HTTP session, with each merchant's keys read when a request needs them."""
    return lambda merchant: load_provider(merchant, session)


def out_trade_no(payment_id: str) -> str:
    """Our order number at the provider: the payment id's 32 hex digits (both providers' limits)."""
    return payment_id.replace("-", "")


def unknown_payment() -> ApiError:
    """404 for a payment id this device never sent (another device's is unknown too)."""
    return ApiError(404, "unknown_payment", "no scanned payment with this id from this device")


def _ms(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() * 1000))


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


# --- the row and its answer ---------------------------------------------------------------------


@dataclass(slots=True)
class _Scan:
    """A ``scan_payments`` row being moved on by one request."""

    row: dict[str, Any]
    merchant: Merchant
    changed: set[str]
    metrics: Metrics | None = None
    unresolved: bool = False
    """The reversal was given up: HQ's exceptions report gets an alarm with the row."""

    def __getitem__(self, key: str) -> Any:
        return self.row[key]

    def set(self, **values: Any) -> None:
        for key, value in values.items():
            if self.row[key] != value:
                self.row[key] = value
                self.changed.add(key)

    @property
    def final(self) -> bool:
        return self.row["phase"] == PHASE_DONE


def to_state(row: Row | dict[str, Any], merchant_poll_ms: int, now: datetime) -> ScanState:
    """The wire state of a row: ``retry_after_ms`` is when the next poll can change something."""
    state, retry = row["state"], 0
    if row["phase"] != PHASE_DONE:
        retry = merchant_poll_ms
        if row["phase"] == PHASE_REVERSE:
            retry = max(retry, _ms(_at(row["reverse_after"]) - now))
        retry = min(retry, MAX_SCAN_RETRY_MS)
    return ScanState(
        payment_id=row["payment_id"],
        provider=row["provider"],
        state=state,
        amount_fen=int(row["amount_fen"]),
        code_masked=row["code_masked"],
        transaction_id=row["transaction_id"],
        reason=row["reason"],
        retry_after_ms=retry,
        paid_at=row["paid_at"],
    )


# --- requests -----------------------------------------------------------------------------------


async def start_scan(ctx: ScanContext, request: ScanRequest, *, device: Principal) -> ScanState:
    """``POST /pay/scan``: charge the code once for this payment id, and answer its state.

    A payment id seen before answers its current state (moved on like a poll) and never charges
    again; with another amount, or from another device, it is ``payment_id_reused``.

    Raises:
        ProtocolError: ``bad_amount`` above the ceiling.
        ApiError: 409 ``payment_id_reused`` or ``scanpay_not_configured``.
    """
    if request.amount_fen > DEFAULT_CEILING.fen:
        raise ProtocolError(
            "bad_amount",
            "amount_fen must be at most {maximum}",
            field="amount_fen",
            maximum=DEFAULT_CEILING.fen,
        )
    async with ctx.db.transaction() as tx:
        existing = await tx.fetchrow(
            "SELECT device_id, amount_fen FROM scan_payments WHERE payment_id = ?",
            request.payment_id,
        )
        merchant = None
        if existing is None:
            merchant = await find_merchant(
                tx, site_id=str(device.site_id), provider=request.provider
            )
    if existing is not None:
        return await _repeat(ctx, request, existing, device)
    if merchant is None:
        raise ApiError(
            409,
            "scanpay_not_configured",
            "this site has no {provider} merchant account",
            provider=request.provider,
        )
    provider = ctx.providers(merchant)
    lease = await _insert(ctx, request, merchant, device)
    if lease is None:  # another request inserted the same id a moment ago
        return await _repeat(ctx, request, None, device)
    scan = await _load(ctx, request.payment_id)
    order = PayOrder(out_trade_no(request.payment_id), request.auth_code, request.amount_fen,
                     request.subject)  # fmt: skip
    try:
        answer = await _charge(provider, order, scan)
        _apply(scan, answer, ctx)
        await _maybe_reverse(ctx, scan, provider)
    finally:
        await _store(ctx, scan, lease)
    return to_state(scan.row, merchant.poll_ms, ctx.clock())


async def _repeat(
    ctx: ScanContext, request: ScanRequest, existing: Row | None, device: Principal
) -> ScanState:
    if existing is None:
        async with ctx.db.transaction() as tx:
            existing = await tx.fetchrow(
                "SELECT device_id, amount_fen FROM scan_payments WHERE payment_id = ?",
                request.payment_id,
            )
    assert existing is not None
    if existing["device_id"] != device.device_id or int(existing["amount_fen"]) != (
        request.amount_fen
    ):
        raise ApiError(
            409,
            "payment_id_reused",
            "this payment id was already used for another scanned payment",
        )
    return await poll_scan(ctx, request.payment_id, device=device)


async def poll_scan(ctx: ScanContext, payment_id: str, *, device: Principal) -> ScanState:
    """``POST /pay/scan/{id}/poll``: query the provider while not final, reverse when due.

    Raises:
        ApiError: 404 ``unknown_payment``.
    """
    return await _advance(ctx, payment_id, device=device, cancel=False)


async def cancel_scan(ctx: ScanContext, payment_id: str, *, device: Principal) -> ScanState:
    """``POST /pay/scan/{id}/cancel``: reverse as soon as the provider allows it.

    A final payment is answered as it is (a success is undone by a void at the counter).

    Raises:
        ApiError: 404 ``unknown_payment``.
    """
    return await _advance(ctx, payment_id, device=device, cancel=True)


async def _advance(
    ctx: ScanContext, payment_id: str, *, device: Principal, cancel: bool
) -> ScanState:
    now = ctx.clock()
    async with ctx.db.transaction() as tx:
        row = await tx.fetchrow("SELECT * FROM scan_payments WHERE payment_id = ?", payment_id)
        if row is None or row["device_id"] != device.device_id:
            raise unknown_payment()
        merchant = await get_merchant(tx, row["merchant_id"])
        if row["phase"] == PHASE_DONE:
            return to_state(row, merchant.poll_ms, now)
        if cancel and row["cancel_requested_at"] is None:
            await tx.execute(
                "UPDATE scan_payments SET cancel_requested_at = ?, state = 'cancelling',"
                " updated_at = ? WHERE payment_id = ? AND phase <> ?",
                iso(now),
                iso(now),
                payment_id,
                PHASE_DONE,
            )
    lease = await _take_lease(ctx, payment_id, merchant, calls=3)
    scan = await _load(ctx, payment_id)
    if lease is None or scan.final:
        # Another request is talking to the provider about this payment right now.
        return to_state(scan.row, merchant.poll_ms, ctx.clock())
    try:
        provider = ctx.providers(merchant)
        if scan["cancel_requested_at"] is not None and scan["phase"] != PHASE_REVERSE:
            scan.set(phase=PHASE_REVERSE, state="cancelling", reason="user_cancelled")
        if scan["phase"] in (PHASE_SUBMIT, PHASE_QUERY):
            answer = await provider.query(scan["out_trade_no"])
            _log(scan, "query", answer)
            if answer.outcome == base.NOT_FOUND:
                # The charge never reached the provider and cannot be resent (no code kept):
                # reverse, which also closes an order that shows up late.
                answer = base.unknown(answer.code, untrusted=True, reason="provider_error")
                scan.set(untrusted=UNTRUSTED_LIMIT - 1)
            _apply(scan, answer, ctx)
        await _maybe_reverse(ctx, scan, provider)
    finally:
        await _store(ctx, scan, lease)
    return to_state(scan.row, merchant.poll_ms, ctx.clock())


async def sweep_scans(ctx: ScanContext, *, idle: timedelta) -> list[ScanState]:
    """Move on every unfinished payment no request has touched for ``idle``, as its counter's
    poll would (for a counter that went away mid-payment; ``sync-server scanpay sweep``).

    Returns:
        The state of each payment swept.
    """
    cutoff = iso(ctx.clock() - idle)
    async with ctx.db.transaction() as tx:
        rows = await tx.fetch(
            "SELECT payment_id, device_id, site_id FROM scan_payments"
            " WHERE phase <> ? AND updated_at < ? ORDER BY created_at",
            PHASE_DONE,
            cutoff,
        )
    states = []
    for row in rows:
        device = Principal("device", device_id=row["device_id"], site_id=row["site_id"])
        states.append(await _advance(ctx, row["payment_id"], device=device, cancel=False))
    return states


# --- the steps ----------------------------------------------------------------------------------


async def _charge(provider: ScanProvider, order: PayOrder, scan: _Scan) -> ProviderAnswer:
    """Charge, then settle an unknown outcome by querying (resending once if there is no order).

    A failure answered to the resent charge is believed only once a query agrees (the first
    charge may have gone through while the provider's query lagged behind it).
    """
    answer = await provider.pay(order)
    _log(scan, "pay", answer)
    resent = False
    while answer.outcome in (base.UNKNOWN, base.ALREADY_PAID) or (
        resent and answer.outcome == base.FAILED
    ):
        if answer.untrusted:
            scan.set(untrusted=int(scan["untrusted"]) + 1, last_code=answer.code[:64])
        queried = await provider.query(order.out_trade_no)
        _log(scan, "query", queried)
        if queried.outcome != base.NOT_FOUND:
            return queried
        if resent:
            failed = answer.outcome == base.FAILED
            return answer if failed else base.unknown(queried.code, untrusted=True)
        resent = True
        answer = await provider.pay(order)
        _log(scan, "pay again", answer)
    return answer


def _apply(scan: _Scan, answer: ProviderAnswer, ctx: ScanContext) -> None:
    """Move the row by one answer of ``pay`` or ``query``, then by the time limit."""
    now = ctx.clock()
    scan.set(last_code=answer.code[:64])
    if answer.outcome == base.SUCCESS and answer.amount_fen not in (None, scan["amount_fen"]):
        answer = base.unknown("amount_mismatch", untrusted=True)
    if answer.outcome == base.SUCCESS:
        _succeed(scan, answer, ctx)
        return
    if answer.outcome in (base.FAILED, base.CLOSED):
        _finish(scan, "failed", answer.reason or "provider_refused", now)
        return
    if answer.outcome == base.PAYING:
        scan.set(phase=PHASE_QUERY, untrusted=0)
    else:  # unknown
        untrusted = int(scan["untrusted"]) + (1 if answer.untrusted else 0)
        scan.set(phase=PHASE_QUERY, untrusted=untrusted)
        if untrusted >= UNTRUSTED_LIMIT:
            reason = "bad_signature" if answer.reason == "bad_signature" else "provider_error"
            scan.set(phase=PHASE_REVERSE, state="cancelling", reason=reason)
            return
    if scan["cancel_requested_at"] is not None:
        scan.set(phase=PHASE_REVERSE, state="cancelling", reason="user_cancelled")
    elif now >= _at(scan["deadline_at"]):
        scan.set(phase=PHASE_REVERSE, state="cancelling", reason="timeout")
    else:
        scan.set(state="paying")


def _succeed(scan: _Scan, answer: ProviderAnswer, ctx: ScanContext) -> None:
    paid_at = answer.paid_at or ctx.clock()
    scan.set(
        transaction_id=answer.transaction_id,
        paid_at=iso(paid_at),
        paid_date=paid_at.astimezone(ZoneInfo(ctx.timezone)).date().isoformat(),
        reason=None,
    )
    _finish(scan, "success", None, ctx.clock())


def _finish(scan: _Scan, state: str, reason: str | None, now: datetime) -> None:
    scan.set(state=state, phase=PHASE_DONE, reason=reason, final_at=iso(now))


async def _maybe_reverse(ctx: ScanContext, scan: _Scan, provider: ScanProvider) -> None:
    """Send the reversal if one is due and the provider's window allows it."""
    if scan["phase"] != PHASE_REVERSE or ctx.clock() < _at(scan["reverse_after"]):
        return
    answer = await provider.reverse(scan["out_trade_no"])
    _log(scan, "reverse", answer)
    scan.set(last_code=answer.code[:64])
    reason = scan["reason"] or "timeout"
    untrusted_reason = reason in ("bad_signature", "provider_error")
    if answer.outcome == base.REVERSED:
        _finish(scan, "failed" if untrusted_reason else "cancelled", reason, ctx.clock())
        return
    if answer.outcome == base.NOT_REVERSIBLE:
        # Paid and past reversal: the money is taken, so the payment stands if a query says so.
        queried = await provider.query(scan["out_trade_no"])
        _log(scan, "query", queried)
        if queried.outcome == base.SUCCESS and not queried.untrusted:
            _succeed(scan, queried, ctx)
            return
    attempts = int(scan["reverse_attempts"]) + 1
    scan.set(reverse_attempts=attempts)
    if answer.untrusted and reason == "provider_error":
        scan.set(reason="bad_signature" if answer.code == "bad_signature" else reason)
    if attempts >= MAX_REVERSE_ATTEMPTS:
        log.warning(
            "scanned payment %s: reversal not confirmed after %d attempts (%s);"
            " check the provider's merchant platform",
            scan["payment_id"],
            attempts,
            answer.code,
        )
        _finish(scan, "failed", scan["reason"] or "provider_error", ctx.clock())
        scan.unresolved = True


def _log(scan: _Scan, call: str, answer: ProviderAnswer) -> None:
    if scan.metrics is not None:
        scan.metrics.inc(
            "feetui_scanpay_provider_calls_total",
            provider=str(scan["provider"]),
            call=call.split()[0],
            outcome=answer.outcome,
        )
    log.info(
        "scanned payment %s: %s %s -> %s%s",
        scan["payment_id"],
        scan["provider"],
        call,
        answer.outcome,
        f" ({answer.code})" if answer.code else "",
    )


# --- storage ------------------------------------------------------------------------------------


def _lease_until(now: datetime, merchant: Merchant, calls: int) -> str:
    return iso(now + timedelta(milliseconds=merchant.timeout_ms * calls + 2_000))


async def _insert(
    ctx: ScanContext, request: ScanRequest, merchant: Merchant, device: Principal
) -> str | None:
    """Insert the row holding its lease; ``None`` when the id exists already."""
    now, lease = ctx.clock(), secrets.token_hex(8)
    at = iso(now)
    async with ctx.db.transaction() as tx:
        inserted = await tx.fetchval(
            "INSERT INTO scan_payments (payment_id, device_id, site_id, merchant_id, provider,"
            " out_trade_no, amount_fen, unit_id, subject, code_masked, state, phase, created_at,"
            " deadline_at, reverse_after, lease, lease_until, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'paying', ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING payment_id",
            request.payment_id,
            device.device_id,
            device.site_id,
            merchant.id,
            merchant.provider,
            out_trade_no(request.payment_id),
            request.amount_fen,
            request.unit_id,
            request.subject,
            request.code_masked,
            PHASE_SUBMIT,
            at,
            iso(now + timedelta(milliseconds=merchant.time_limit_ms)),
            iso(now + timedelta(milliseconds=merchant.reverse_window_ms)),
            lease,
            _lease_until(now, merchant, calls=5),
            at,
        )
    return lease if inserted is not None else None


async def _take_lease(
    ctx: ScanContext, payment_id: str, merchant: Merchant, *, calls: int
) -> str | None:
    """Take the row's lease unless a live request holds it; ``None`` when it is taken."""
    now, lease = ctx.clock(), secrets.token_hex(8)
    async with ctx.db.transaction() as tx:
        taken = await tx.fetchval(
            "UPDATE scan_payments SET lease = ?, lease_until = ? WHERE payment_id = ?"
            " AND phase <> ? AND (lease_until IS NULL OR lease_until < ?) RETURNING payment_id",
            lease,
            _lease_until(now, merchant, calls),
            payment_id,
            PHASE_DONE,
            iso(now),
        )
    return lease if taken is not None else None


async def _load(ctx: ScanContext, payment_id: str) -> _Scan:
    async with ctx.db.transaction() as tx:
        row = await tx.fetchrow("SELECT * FROM scan_payments WHERE payment_id = ?", payment_id)
        assert row is not None
        merchant = await get_merchant(tx, row["merchant_id"])
    return _Scan(dict(row), merchant, set(), ctx.metrics)


async def _store(ctx: ScanContext, scan: _Scan, lease: str) -> None:
    """Write what changed and give the lease back (only if this request still holds it)."""
    columns = sorted(scan.changed - {"cancel_requested_at"})
    assignments = "".join(f"{name} = ?, " for name in columns)
    async with ctx.db.transaction() as tx:
        await tx.execute(
            f"UPDATE scan_payments SET {assignments}lease = NULL, lease_until = NULL,"
            " updated_at = ? WHERE payment_id = ? AND lease = ?",
            *(scan.row[name] for name in columns),
            iso(ctx.clock()),
            scan["payment_id"],
            lease,
        )
        # A cancel that arrived while this request talked to the provider shows as cancelling.
        await tx.execute(
            "UPDATE scan_payments SET state = 'cancelling' WHERE payment_id = ?"
            " AND phase <> ? AND cancel_requested_at IS NOT NULL",
            scan["payment_id"],
            PHASE_DONE,
        )
        if scan.unresolved:
            await record_exceptions(tx, [_alarm(scan)], at=iso(ctx.clock()))
        row = await tx.fetchrow(
            "SELECT * FROM scan_payments WHERE payment_id = ?", scan["payment_id"]
        )
    scan.row = dict(row) if row is not None else scan.row
    scan.changed.clear()


def _alarm(scan: _Scan) -> Exception_:
    """The exception of a payment whose reversal was never confirmed: someone must look at the
    provider's merchant platform (the money may still be there)."""
    return Exception_(
        kind="scanpay_unresolved",
        dedupe_key=f"scanpay_unresolved:{scan['payment_id']}",
        site_id=scan["site_id"],
        device_id=scan["device_id"],
        seq=None,
        record_id=scan["payment_id"],
        detail={
            "provider": scan["provider"],
            "out_trade_no": scan["out_trade_no"],
            "amount_fen": int(scan["amount_fen"]),
            "reason": scan["reason"],
            "last_code": scan["last_code"],
        },
    )


__all__ = [
    "MAX_REVERSE_ATTEMPTS",
    "ScanContext",
    "cancel_scan",
    "out_trade_no",
    "poll_scan",
    "provider_factory",
    "start_scan",
    "sweep_scans",
    "to_state",
    "unknown_payment",
]
