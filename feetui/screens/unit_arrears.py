"""The arrears side of the unit screen: a line with the promise and the next instalment, and the
actions record follow-up (F), instalment plan (I), pay instalment (M), reminder notice on the
receipt printer (N) or as an A4 PDF (D) and tags (T).

:class:`UnitArrearsActions` is a base of the unit screen, which only has to yield an
:class:`ArrearsNote` and call :meth:`UnitArrearsActions.reload_arrears` when it reloads. It reads
``self.unit_id``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual import work
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Label

from feetui.core.arrears import PROMISE_LABELS, PromiseStatus
from feetui.core.errors import FeeError
from feetui.core.instalment import InstalmentStatus
from feetui.core.money import Money
from feetui.core.receipt import PrintLabels
from feetui.i18n import N_, _, format_money, tr_error
from feetui.screens.base import FeeScreen
from feetui.services.arrears_view import ArrearsFilter, UnitArrears, load_unit_arrears


class ArrearsNote(Label):
    """One line: the last promise and where the instalment plan stands."""

    DEFAULT_CSS = """
    ArrearsNote { width: 1fr; height: 1; }
    ArrearsNote.-alert { color: $warning; text-style: bold; }
    """

    def show(self, info: UnitArrears) -> None:
        """Show ``info``; highlighted when a promise or an instalment is due or late."""
        parts = [text for text in (promise_text(info), plan_text(info)) if text]
        self.update(Content("  ·  ".join(parts)))
        self.set_class(alerting(info), "-alert")


def promise_text(info: UnitArrears) -> str:
    """The newest promise and its status, or ``""``."""
    last = info.last
    if last is None or last.promise is None or last.promised_amount is None:
        return ""
    return _("{status}: {amount} by {date}").format(
        status=_(PROMISE_LABELS[last.promise]),
        amount=format_money(last.promised_amount),
        date=last.promised_date,
    )


def plan_text(info: UnitArrears) -> str:
    """The next instalment and whether it is overdue, or ``""``."""
    if info.plan is None:
        return ""
    progress = info.plan.progress
    nxt = progress.next
    if nxt is None:
        return _("Instalment plan paid off")
    text = _("Instalment {number}/{count}: {amount} by {date} (M: pay)").format(
        number=nxt.number,
        count=len(progress.instalments),
        amount=format_money(nxt.remaining),
        date=nxt.due_date,
    )
    if progress.overdue:
        text += " " + _("(overdue {amount})").format(amount=format_money(progress.overdue_amount))
    return text


def alerting(info: UnitArrears) -> bool:
    """Whether a promise is due or broken, or an instalment is overdue."""
    promise = info.last.promise if info.last else None
    overdue = bool(info.plan and info.plan.progress.overdue)
    due_today = bool(
        info.plan
        and info.plan.progress.next
        and info.plan.progress.next.status == InstalmentStatus.OPEN
        and info.plan.progress.next.due_date == info.today
    )
    return promise in PromiseStatus.SURFACING or overdue or due_today


class UnitArrearsActions(FeeScreen[None]):
    """Arrears actions of a screen about one unit (``self.unit_id``)."""

    # Only F is in the footer: at 80 columns the unit screen's own keys (Pay first) need the
    # room. F1 lists them all, and the arrears line names the instalment key when it applies.
    BINDINGS = [
        Binding("f", "follow_up", N_("Follow-up"), id="unit.follow_up"),
        Binding("i", "instalment_plan", N_("Instalments"), id="unit.instalment_plan", show=False),
        Binding("m", "pay_instalment", N_("Pay instalment"), id="unit.pay_instalment", show=False),
        Binding("n", "reminder", N_("Reminder"), id="unit.reminder", show=False),
        Binding("d", "reminder_pdf", N_("PDF"), id="unit.reminder_pdf"),
        Binding("t", "tags", N_("Tags"), id="unit.tags", show=False),
    ]

    unit_id: str
    arrears: UnitArrears | None = None
    reminders_pdf: Path | None = None
    """The PDF of reminder notices written last from this screen."""

    @work(exclusive=True, group="unit-arrears")
    async def reload_arrears(self) -> None:
        """Read the unit's arrears again and show them in its :class:`ArrearsNote`."""
        try:
            info = await load_unit_arrears(self.fee_app.services, self.unit_id)
        except FeeError as error:
            self.notify(tr_error(error), severity="error")
            return
        if self.is_attached:
            self.arrears = info
            for note in self.query(ArrearsNote):
                note.show(info)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Pay instalment only with a plan that still owes something."""
        if action == "pay_instalment":
            plan = self.arrears.plan if self.arrears else None
            return plan is not None and plan.progress.next is not None
        return True

    def _heading(self, what: str) -> str:
        info = self.arrears
        unit = f"{info.unit_code} {info.owner_name}" if info else ""
        return f"{what}  {unit}".strip()

    def _done(self, text: str) -> Any:
        def finished(result: object) -> None:
            if result is not None:
                self.notify(text)
                self.reload_arrears()
                reload = getattr(self, "reload", None)
                if reload is not None:  # the unit screen shows the new tags and balances
                    reload()

        return finished

    def action_follow_up(self) -> None:
        """F: record a follow-up with this unit."""
        from feetui.core.arrears import FollowUpDraft
        from feetui.screens.dialogs.follow_up import FollowUpDialog
        from feetui.services.followups import record_follow_up

        svc, user = self.fee_app.services, self.fee_app.user
        note_id = svc.ids.new_str()  # made once: a second F2 replays, never records twice

        async def submit(draft: FollowUpDraft) -> object:
            assert user is not None
            return await record_follow_up(
                svc, note_id=note_id, unit_id=self.unit_id, user_id=user.id, draft=draft
            )

        owed = format_money(self.arrears.owed) if self.arrears else ""
        heading = self._heading(_("Follow-up")) + ("  " + _("owes {amount}").format(amount=owed))
        dialog = FollowUpDialog(heading, submit=submit, ceiling=_ceiling(svc))
        self.app.push_screen(dialog, self._done(_("Follow-up recorded.")))

    def action_instalment_plan(self) -> None:
        """I: agree an instalment plan for the unit's debt (a supervisor approves)."""
        from feetui.screens.dialogs.instalment_plan import InstalmentPlanDialog, PlanRequest
        from feetui.services.instalments import agree_instalment_plan

        if self.arrears is None:
            return
        svc, user = self.fee_app.services, self.fee_app.user
        plan_id = svc.ids.new_str()

        async def submit(request: PlanRequest) -> object:
            assert user is not None
            return await agree_instalment_plan(
                svc,
                plan_id=plan_id,
                unit_id=self.unit_id,
                requested_by_id=user.id,
                lines=request.lines,
                supervisor_code=request.supervisor_code,
                supervisor_pin=request.supervisor_pin,
                note=request.note,
            )

        dialog = InstalmentPlanDialog(
            self._heading(_("Instalment plan")),
            debt=self.arrears.plan_debt,
            today=self.arrears.today,
            submit=submit,
            ceiling=_ceiling(svc),
        )
        self.app.push_screen(dialog, self._done(_("Instalment plan agreed.")))

    def action_pay_instalment(self) -> None:
        """M: take cash for the next instalment, then show and print its receipt."""
        from feetui.screens.dialogs.instalment_pay import InstalmentPayDialog
        from feetui.services.instalments import pay_instalment
        from feetui.services.results import TenderInput

        plan = self.arrears.plan if self.arrears else None
        nxt = plan.progress.next if plan else None
        if nxt is None:
            return
        svc, user = self.fee_app.services, self.fee_app.user
        payment_id = svc.ids.new_str()

        async def submit(tendered: Money) -> object:
            assert user is not None
            tender = TenderInput("cash", nxt.remaining, tendered=tendered)
            return await pay_instalment(
                svc,
                payment_id=payment_id,
                unit_id=self.unit_id,
                cashier_id=user.id,
                tenders=[tender],
            )

        heading = self._heading(
            _("Instalment {number}, due {date}").format(number=nxt.number, date=nxt.due_date)
        )
        dialog = InstalmentPayDialog(
            heading, amount=nxt.remaining, submit=submit, ceiling=_ceiling(svc)
        )
        self.app.push_screen(dialog, self._paid)

    def _paid(self, posted: Any) -> None:
        from feetui.screens.receipt import ReceiptScreen

        if posted is not None:
            self.app.push_screen(ReceiptScreen(posted.payment_id, print_now=True))

    def action_reminder(self) -> None:
        """N: print a reminder notice of what the unit owes today."""
        self._print_reminders([self.unit_id])

    @work(exclusive=True, group="reminders")
    async def _print_reminders(self, unit_ids: list[str]) -> None:
        """Build each unit's notice and hand it to the app's printing (after reading)."""
        from feetui.services.followups import today
        from feetui.services.reminders import build_reminder

        svc = self.fee_app.services
        labels = PrintLabels().translated(_)
        printed = 0
        for unit_id in unit_ids:
            try:
                doc = await build_reminder(svc, unit_id=unit_id, as_of=today(svc), labels=labels)
            except FeeError as error:
                self.notify(tr_error(error), severity="warning")
                continue
            self.fee_app.print_document(
                doc,
                document_id=svc.ids.new_str(),
                kind="reminder_notice",
                copy_count=0,
                report=self._printed,
            )
            printed += 1
        if printed:
            self.notify(_("Reminder notices sent to the printer: {count}").format(count=printed))

    def action_reminder_pdf(self) -> None:
        """D: write the unit's reminder notice as a PDF for a sheet printer."""
        self._write_reminders_pdf([self.unit_id])

    @work(exclusive=True, group="reminders-pdf")
    async def _write_reminders_pdf(
        self, unit_ids: list[str] | None, flt: ArrearsFilter | None = None
    ) -> None:
        """Build the notices of ``unit_ids`` (``None``: every unit of the arrears list with the
        filters ``flt``) as of today, write them as one PDF in the notices folder, say where."""
        from feetui.printing.pdf_notice import save_notices
        from feetui.services.followups import today
        from feetui.services.reminders import build_reminder_sheets, find_reminder_units

        svc = self.fee_app.services
        labels = PrintLabels().translated(_)
        try:
            if unit_ids is None:
                flt = flt or ArrearsFilter()
                unit_ids = await find_reminder_units(svc, as_of=today(svc), flt=flt)
            batch = await build_reminder_sheets(
                svc, unit_ids=unit_ids, as_of=today(svc), labels=labels
            )
            for skipped in batch.skipped:
                self.notify(tr_error(skipped.error), severity="warning")
            folder = svc.settings.resolved_reminder_dir()
            # Drawing and writing block: a thread, so the counter stays responsive meanwhile.
            path = await asyncio.to_thread(save_notices, batch.sheets, folder, batch.file_name)
        except FeeError as error:
            self.notify(tr_error(error), severity="error")
            return
        self.reminders_pdf = path
        self.notify(
            _("{count} reminder notices written to {path}").format(
                count=len(batch.sheets), path=path
            ),
            timeout=30,
        )

    def _printed(self, failure: FeeError | None) -> None:
        if failure is not None:
            self.notify(tr_error(failure), severity="error")

    def action_tags(self) -> None:
        """T: tick the unit's resident tags."""
        from feetui.screens.dialogs.unit_tags import UnitTagsDialog
        from feetui.services.tags import set_unit_tags

        if self.arrears is None:
            return
        svc, user = self.fee_app.services, self.fee_app.user
        change_id = svc.ids.new_str()

        async def submit(codes: list[str]) -> object:
            assert user is not None
            return await set_unit_tags(
                svc, change_id=change_id, unit_id=self.unit_id, user_id=user.id, tags=codes
            )

        dialog = UnitTagsDialog(
            self._heading(_("Resident tags")), current=self.arrears.tags, submit=submit
        )
        self.app.push_screen(dialog, self._done(_("Tags saved.")))


def _ceiling(svc: Any) -> Money:
    return Money(svc.settings.amount_ceiling_fen)


__all__ = ["ArrearsNote", "UnitArrearsActions", "alerting", "plan_text", "promise_text"]
