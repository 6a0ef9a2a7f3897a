"""What every scanned-code provider adapter answers, whatever its wire protocol.

An adapter turns one provider's API (WeChat Pay's payment-code API, Alipay's face-to-face trade
pay, later an aggregator) into three calls — ``pay``, ``query``, ``reverse`` — each returning a
:class:`ProviderAnswer` with one of a few outcomes. The state machine in
:mod:`sync_server.services.scanpay` only ever sees these outcomes, so a new provider is one new
module. An adapter never raises for the provider's or the network's failures: a timeout, a dropped
connection, an unparsable body or a bad signature is an ``UNKNOWN`` answer (``untrusted`` when the
answer could not be verified), because the only safe reaction to all of them is to ask again.

The payer's code reaches an adapter only inside :class:`PayOrder`, whose ``repr`` hides it; an
adapter never logs request or response bodies (they carry the code and signatures).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

SUCCESS = "success"
"""The money is taken; ``transaction_id`` (and usually ``paid_at``) are set."""
PAYING = "paying"
"""Not paid yet: the payer is confirming on their phone (or the order waits for payment)."""
FAILED = "failed"
"""Definitely not paid; ``reason`` says why (``insufficient_funds``, ``code_expired`` ...)."""
CLOSED = "closed"
"""The order exists and is closed or reversed: nothing charged."""
NOT_FOUND = "not_found"
"""The provider has no order with this number."""
ALREADY_PAID = "already_paid"
"""A repeated ``pay`` of an order that is paid already (ask ``query`` for the details)."""
UNKNOWN = "unknown"
"""No trustworthy answer (system error, timeout, dropped connection, bad signature)."""
REVERSED = "reversed"
"""The reversal is done: the order is closed and any money taken goes back."""
REVERSE_RETRY = "reverse_retry"
"""The reversal did not finish; send it again."""
NOT_REVERSIBLE = "not_reversible"
"""The provider refuses the reversal because the order is paid and past reversal."""

OUTCOMES = (
    SUCCESS,
    PAYING,
    FAILED,
    CLOSED,
    NOT_FOUND,
    ALREADY_PAID,
    UNKNOWN,
    REVERSED,
    REVERSE_RETRY,
    NOT_REVERSIBLE,
)


@dataclass(frozen=True, slots=True)
class PayOrder:
    """One charge of a scanned code.

    Attributes:
        out_trade_no: our order number at the provider (derived from the payment id).
        auth_code: the payer's code in full: sent to the provider, never stored or logged.
        amount_fen: the amount in fen.
        subject: the text the payer sees in their wallet.
    """

    out_trade_no: str
    auth_code: str = field(repr=False)
    amount_fen: int
    subject: str


@dataclass(frozen=True, slots=True)
class ProviderAnswer:
    """A provider's answer, reduced to what the state machine needs.

    Attributes:
        outcome: one of :data:`OUTCOMES`.
        code: the provider's own result or error code (safe to store and log).
        reason: our stable reason code for a failure, or ``None``.
        transaction_id: the provider's transaction id when paid.
        paid_at: when the provider took the money.
        amount_fen: the amount the provider reports, when it does.
        untrusted: the answer could not be verified (bad or missing signature, a mismatch).
    """

    outcome: str
    code: str = ""
    reason: str | None = None
    transaction_id: str | None = None
    paid_at: datetime | None = None
    amount_fen: int | None = None
    untrusted: bool = False


def unknown(
    code: str, *, untrusted: bool = False, reason: str = "provider_error"
) -> ProviderAnswer:
    """An answer that tells nothing: ask again."""
    return ProviderAnswer(UNKNOWN, code=code, reason=reason, untrusted=untrusted)


def bad_signature(code: str = "bad_signature") -> ProviderAnswer:
    """An answer whose signature does not verify: never believed, whatever it says."""
    return unknown(code, untrusted=True, reason="bad_signature")


class ScanProvider(Protocol):
    """A provider adapter: one merchant account, three calls."""

    name: str
    """``wechat``, ``alipay`` ... (the tender method the counter posts)."""

    async def pay(self, order: PayOrder) -> ProviderAnswer:
        """Charge the payer's code (WeChat micropay, Alipay trade.pay)."""
        ...

    async def query(self, out_trade_no: str) -> ProviderAnswer:
        """Ask where an order stands (WeChat orderquery, Alipay trade.query)."""
        ...

    async def reverse(self, out_trade_no: str) -> ProviderAnswer:
        """Close the order and give back any money taken (WeChat reverse, Alipay trade.cancel)."""
        ...


__all__ = [
    "ALREADY_PAID",
    "CLOSED",
    "FAILED",
    "NOT_FOUND",
    "NOT_REVERSIBLE",
    "OUTCOMES",
    "PAYING",
    "REVERSED",
    "REVERSE_RETRY",
    "SUCCESS",
    "UNKNOWN",
    "PayOrder",
    "ProviderAnswer",
    "ScanProvider",
    "bad_signature",
    "unknown",
]
