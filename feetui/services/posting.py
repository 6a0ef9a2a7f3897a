"""What every posting use case shares: its one transaction, the open shift it books into, the
receipt number it issues, and the replay of a record already posted under the same id."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from feetui.core.errors import N_, InputError, RuleError
from feetui.core.money import Money
from feetui.db.guard import storage_errors
from feetui.db.queries.posting import (
    NextReceipt,
    OpenShift,
    get_journal_payload,
    get_next_receipt,
    get_open_shift,
)


@asynccontextmanager
async def posting() -> AsyncIterator[BaseDBAsyncClient]:
    """The one transaction of a use case; a database failure inside becomes a ``StorageError``.

    Yields:
        The transaction's connection (for :func:`feetui.services.journal.append_journal`).
    """
    with storage_errors():
        async with in_transaction() as conn:
            yield conn


async def require_open_shift(device_id: str) -> OpenShift:
    """The shift open on this device.

    Raises:
        RuleError: ``no_open_shift``.
    """
    return shift_or_refuse(await get_open_shift(device_id))


def shift_or_refuse(shift: OpenShift | None) -> OpenShift:
    """``shift``, when there is one.

    Raises:
        RuleError: ``no_open_shift``.
    """
    if shift is None:
        raise RuleError(
            "no_open_shift", N_("No shift is open on this counter: open a shift first.")
        )
    return shift


async def issue_receipt_number(device_id: str) -> NextReceipt:
    """The next receipt number of this device's series (the caller writes its row).

    Raises:
        RuleError: ``receipt_series_exhausted`` when the series has no number left.
    """
    return receipt_or_refuse(await get_next_receipt(device_id))


def receipt_or_refuse(receipt: NextReceipt | None) -> NextReceipt:
    """``receipt``, when the series has it.

    Raises:
        RuleError: ``receipt_series_exhausted``.
    """
    if receipt is None or receipt.exhausted:
        raise RuleError(
            "receipt_series_exhausted",
            N_("This counter has no receipt numbers left: ask headquarters for a new series."),
        )
    return receipt


async def replay(record_id: str, kind: str) -> dict[str, Any] | None:
    """The journal payload of ``record_id`` when it is already posted as ``kind``, else ``None``.

    Raises:
        InputError: ``record_id_reused`` when the id was used for another kind of record.
    """
    found = await get_journal_payload(record_id)
    if found is None:
        return None
    if found[0] != kind:
        raise InputError(
            "record_id_reused",
            N_("This id already belongs to another record: start the operation again."),
        )
    return found[1]


def require_amount(amount: Money, *, ceiling: Money, allow_zero: bool = False) -> Money:
    """``amount`` when it is a sensible amount of money for the counter.

    The codes and messages are those of :func:`feetui.core.parse.parse_amount`, so a figure that
    reached a service without going through the parser gets the same answer.

    Raises:
        TypeError: ``amount`` is not :class:`Money`.
        InputError: ``amount_negative``, ``amount_zero`` or ``amount_above_ceiling``.
    """
    if not isinstance(amount, Money):
        raise TypeError(f"amounts are Money, got {type(amount).__name__}")
    if amount.is_negative:
        raise InputError(
            "amount_negative", N_("Amount cannot be negative: type it without the minus sign")
        )
    if not amount and not allow_zero:
        raise InputError("amount_zero", N_("Amount must be more than zero"))
    if amount > ceiling:
        raise InputError(
            "amount_above_ceiling",
            N_("Amount is above the limit of ¥{ceiling}: check the figure"),
            ceiling=ceiling.yuan_text(grouping=True),
        )
    return amount


MAX_REASON = 200


def require_reason(reason: str) -> str:
    """The reason, stripped.

    Raises:
        InputError: ``reason_required`` when it is empty, ``reason_too_long`` past 200 characters.
    """
    text = (reason or "").strip()
    if not text:
        raise InputError("reason_required", N_("Enter a reason."))
    if len(text) > MAX_REASON:
        raise InputError(
            "reason_too_long", N_("A reason has at most {limit} characters."), limit=MAX_REASON
        )
    return text


__all__ = [
    "issue_receipt_number",
    "posting",
    "receipt_or_refuse",
    "replay",
    "require_amount",
    "require_open_shift",
    "require_reason",
    "shift_or_refuse",
]
