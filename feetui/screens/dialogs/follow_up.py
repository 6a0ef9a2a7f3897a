"""Record an arrears follow-up: channel, reason, what was said, and perhaps a promise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Label, Select

from feetui.core.arrears import CHANNELS, REASONS, FollowUpDraft, parse_date
from feetui.core.errors import FeeError
from feetui.core.money import Money
from feetui.core.parse import parse_amount
from feetui.i18n import N_, _, tr_error
from feetui.screens.base import FeeModal

Submit = Callable[[FollowUpDraft], Awaitable[Any]]
"""Records the follow-up (``feetui.services.followups.record_follow_up``, bound by the screen)."""

FIELDS = ("#fu-channel", "#fu-reason", "#fu-detail", "#fu-said", "#fu-date", "#fu-amount")


class FollowUpDialog(FeeModal[Any]):
    """Collect a follow-up and record it through ``submit``; refused inline when it is wrong.

    Enter moves to the next field; Enter on the last field, or F2 anywhere, records it. Escape
    closes with ``None``; on success the dialog closes with what ``submit`` returned.

    Args:
        heading: the translated heading (unit and what it owes).
        submit: records the follow-up.
        ceiling: the largest amount a cashier may type.
    """

    BINDINGS = [
        Binding("f2", "save", N_("Save"), id="follow_up.save", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="follow_up.cancel"),
    ]
    AUTO_FOCUS = "#fu-channel"
    DEFAULT_CSS = """
    FollowUpDialog { align: center middle; }
    FollowUpDialog > Vertical { width: 76; height: auto; border: round $accent; padding: 0 1; }
    FollowUpDialog Horizontal { height: auto; }
    FollowUpDialog Horizontal > Label { width: 16; padding: 1 0 0 0; }
    FollowUpDialog Select, FollowUpDialog Input { width: 1fr; }
    FollowUpDialog #fu-error { color: $error; }
    """

    def __init__(self, heading: str, *, submit: Submit, ceiling: Money) -> None:
        super().__init__()
        self.heading = heading
        self.submit = submit
        self.ceiling = ceiling

    def compose(self) -> ComposeResult:
        """One row per field, the error line, the footer."""
        with Vertical():
            yield Label(self.heading, classes="dialog-title")
            yield from _row(_("Channel"), _select("fu-channel", CHANNELS))
            yield from _row(_("Why unpaid"), _select("fu-reason", REASONS))
            yield from _row(_("With what"), Input(id="fu-detail", max_length=100))
            yield from _row(_("What was said"), Input(id="fu-said", max_length=500))
            yield from _row(_("Promised date"), Input(id="fu-date", placeholder="2026-12-31"))
            yield from _row(_("Promised amount"), Input(id="fu-amount", placeholder="0.00"))
            yield Label("", id="fu-error")
        yield Footer()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        if event.input.id == "fu-amount":
            self.action_save()
        else:
            self.focus_next()

    @on(Select.Changed)
    def _chosen(self) -> None:
        self.query_one("#fu-error", Label).update("")

    def draft(self) -> FollowUpDraft:
        """The follow-up as typed (dates and amounts parsed).

        Raises:
            InputError: a date or amount that cannot be read.
        """
        date_text = self.query_one("#fu-date", Input).value.strip()
        amount_text = self.query_one("#fu-amount", Input).value.strip()
        return FollowUpDraft(
            channel=str(self.query_one("#fu-channel", Select).value),
            reason=str(self.query_one("#fu-reason", Select).value),
            reason_detail=self.query_one("#fu-detail", Input).value,
            said=self.query_one("#fu-said", Input).value,
            promised_date=parse_date(date_text) if date_text else None,
            promised_amount=parse_amount(amount_text, ceiling=self.ceiling)
            if amount_text
            else None,
        )

    def action_save(self) -> None:
        """F2: read the fields and record the follow-up."""
        try:
            draft = self.draft()
        except FeeError as error:
            self.query_one("#fu-error", Label).update(tr_error(error))
            return
        self._record(draft)

    @work(exclusive=True, group="follow_up")
    async def _record(self, draft: FollowUpDraft) -> None:
        try:
            posted = await self.submit(draft)
        except FeeError as error:
            self.query_one("#fu-error", Label).update(tr_error(error))
            return
        self.dismiss(posted)

    def action_cancel(self) -> None:
        """Close without recording."""
        self.dismiss(None)


def _row(label: str, field: Any) -> ComposeResult:
    with Horizontal():
        yield Label(label)
        yield field


def _select(widget_id: str, choices: Any) -> Select[str]:
    options = [(_(c.label), c.code) for c in choices]
    return Select(options, id=widget_id, allow_blank=False, value=options[0][1])


__all__ = ["FollowUpDialog"]
