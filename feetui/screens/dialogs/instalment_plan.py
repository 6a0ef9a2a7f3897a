"""Agree an instalment plan: the schedule (one ``date amount`` a line) and a supervisor's approval.

The schedule starts as an even proposal for the number of instalments typed; the cashier may edit
any line. The plan is posted only with a supervisor's code and PIN, checked by the service.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Input, Label, TextArea

from feetui.core.arrears import add_months
from feetui.core.errors import FeeError
from feetui.core.instalment import (
    Instalment,
    even_schedule,
    parse_schedule,
    schedule_text,
)
from feetui.core.money import Money
from feetui.core.parse import parse_count
from feetui.i18n import N_, _, format_money, tr_error
from feetui.screens.base import FeeModal


@dataclass(frozen=True, slots=True)
class PlanRequest:
    """What the dialog collected for the service."""

    lines: tuple[Instalment, ...]
    note: str
    supervisor_code: str
    supervisor_pin: str


Submit = Callable[[PlanRequest], Awaitable[Any]]
"""Agrees the plan (``feetui.services.instalments.agree_instalment_plan``, bound by the screen)."""


class InstalmentPlanDialog(FeeModal[Any]):
    """Collect a schedule and a supervisor's approval; refused inline when either is wrong.

    Args:
        heading: the translated heading (unit).
        debt: what the plan must pay off.
        today: the first day an instalment may fall on.
        submit: agrees the plan.
        ceiling: the largest amount a cashier may type.
    """

    BINDINGS = [
        Binding("f2", "save", N_("Agree plan"), id="plan.save", priority=True),
        Binding("f3", "propose", N_("Propose schedule"), id="plan.propose", priority=True),
        Binding("f4", "clear_lines", N_("Clear schedule"), id="plan.clear", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="plan.cancel"),
    ]
    AUTO_FOCUS = "#plan-count"
    DEFAULT_CSS = """
    InstalmentPlanDialog { align: center middle; }
    InstalmentPlanDialog > Vertical {
        width: 76; height: auto; border: round $accent; padding: 0 1;
    }
    InstalmentPlanDialog Horizontal { height: auto; }
    InstalmentPlanDialog Horizontal > Label { width: 18; padding: 1 0 0 0; }
    InstalmentPlanDialog Input { width: 1fr; }
    InstalmentPlanDialog TextArea { height: 6; }
    InstalmentPlanDialog #plan-error { color: $error; }
    """

    def __init__(
        self, heading: str, *, debt: Money, today: date, submit: Submit, ceiling: Money
    ) -> None:
        super().__init__()
        self.heading = heading
        self.debt = debt
        self.today = today
        self.submit = submit
        self.ceiling = ceiling

    def compose(self) -> ComposeResult:
        """Count, schedule, note, supervisor code and PIN, the error line."""
        with Vertical():
            yield Label(self.heading, classes="dialog-title")
            yield Label(_("Debt to pay off: {debt}").format(debt=format_money(self.debt)))
            with Horizontal():
                yield Label(_("Instalments"))
                yield Input("3", id="plan-count")
            yield TextArea(schedule_text(self._proposal(3)), id="plan-lines")
            with Horizontal():
                yield Label(_("Note"))
                yield Input(id="plan-note", max_length=200)
            with Horizontal():
                yield Label(_("Supervisor code"))
                yield Input(id="plan-code")
                yield Label(_("PIN"))
                yield Input(id="plan-pin", password=True)
            yield Label("", id="plan-error")
        yield Footer()

    def _proposal(self, count: int) -> tuple[Instalment, ...]:
        try:
            return even_schedule(self.debt, count, first_due=add_months(self.today, 1))
        except FeeError:
            return ()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        if event.input.id == "plan-count":
            self.action_propose()
            self.query_one("#plan-lines", TextArea).focus()
        elif event.input.id == "plan-pin":
            self.action_save()
        else:
            self.focus_next()

    def action_propose(self) -> None:
        """F3: fill the schedule with even instalments a month apart."""
        try:
            count = parse_count(self.query_one("#plan-count", Input).value, maximum=36)
            lines = even_schedule(self.debt, count, first_due=add_months(self.today, 1))
        except FeeError as error:
            self._error(tr_error(error))
            return
        self.query_one("#plan-lines", TextArea).text = schedule_text(lines)
        self._error("")

    def action_clear_lines(self) -> None:
        """F4: empty the schedule to type it from scratch."""
        area = self.query_one("#plan-lines", TextArea)
        area.text = ""
        area.focus()

    def action_save(self) -> None:
        """F2: read the schedule and agree the plan with the supervisor's code and PIN."""
        try:
            lines = parse_schedule(
                self.query_one("#plan-lines", TextArea).text, ceiling=self.ceiling
            )
        except FeeError as error:
            self._error(tr_error(error))
            return
        request = PlanRequest(
            tuple(lines),
            self.query_one("#plan-note", Input).value,
            self.query_one("#plan-code", Input).value,
            self.query_one("#plan-pin", Input).value,
        )
        self._agree(request)

    @work(exclusive=True, group="plan")
    async def _agree(self, request: PlanRequest) -> None:
        try:
            posted = await self.submit(request)
        except FeeError as error:
            self._error(tr_error(error))
            self.query_one("#plan-pin", Input).value = ""
            return
        self.dismiss(posted)

    def _error(self, text: str) -> None:
        self.query_one("#plan-error", Label).update(text)

    def action_cancel(self) -> None:
        """Close without a plan."""
        self.dismiss(None)


__all__ = ["InstalmentPlanDialog", "PlanRequest"]
