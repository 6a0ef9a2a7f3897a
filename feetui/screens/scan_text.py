"""A scanned payment's state in the cashier's words (the translation edge of
:mod:`feetui.services.scan_payments`)."""

from __future__ import annotations

from feetui.i18n import _, format_money, tr_error
from feetui.services.checkout import METHOD_LABELS
from feetui.services.scan_payments import (
    CANCELLED,
    OPEN_STATES,
    REASON_LABELS,
    STATE_LABELS,
    SUCCESS,
    ScanProgress,
)


def reason_words(reason: str) -> str:
    """HQ's reason code in words (an unknown code is shown as it is)."""
    if reason in REASON_LABELS:
        return _(REASON_LABELS[reason])
    return reason or _("no reason given")


def describe_scan(progress: ScanProgress) -> str:
    """One line: which code, how much, and what is happening now.

    Args:
        progress: the scan as the service last reported it.

    Returns:
        Translated text, e.g. ``WeChat Pay ¥979.86 1345****6789: Waiting for the resident ...``.
    """
    method = _(METHOD_LABELS.get(progress.provider, progress.provider))
    head = f"{method} {format_money(progress.amount)} {progress.code_masked}: "
    if progress.state == SUCCESS and not progress.posted:
        error = tr_error(progress.error) if progress.error is not None else ""
        return head + _("Paid, but not recorded yet ({error}): trying again ...").format(
            error=error
        )
    if progress.state in OPEN_STATES and progress.cancel_requested:
        text = _("Cancel requested: waiting for headquarters to confirm ...")
    else:
        # HQ's reason for a cancel the cashier asked for is not the resident's doing.
        asked = progress.cancel_requested and progress.state == CANCELLED
        reason = "cashier_cancelled" if asked else progress.reason
        text = _(STATE_LABELS[progress.state]).format(
            transaction=progress.transaction_id, reason=reason_words(reason)
        )
    if progress.error is not None and progress.state in OPEN_STATES:
        text += " " + _("Headquarters is not answering ({error}): still trying.").format(
            error=progress.error.code
        )
        if progress.cancel_requested:
            text += " " + _("Esc again: leave it to finish in the background.")
    return head + text


__all__ = ["describe_scan", "reason_words"]
