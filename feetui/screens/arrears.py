"""The arrears work list (催缴): units owing overdue fees, due promises first, filtered by one key
each, with totals per age bucket; and the collection rate of the last 12 months.

The arrows move through the list; the unit actions of the unit screen (follow-up F, instalments I,
pay instalment M, tags T) act on the highlighted unit; Enter opens it; N prints a reminder notice
for every unit listed on the receipt printer, D writes them all as one A4 PDF for a sheet printer.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import DataTable, Footer, Label

from feetui.core.arrears import (
    AGE_BUCKETS,
    PROMISE_LABELS,
    REASONS,
    label_of,
    percent_text,
)
from feetui.core.errors import FeeError
from feetui.i18n import N_, _, format_money, tr_error
from feetui.messages import UnitChosen
from feetui.screens.base import FeeScreen
from feetui.screens.unit_arrears import ArrearsNote, UnitArrearsActions
from feetui.services.arrears_view import (
    ArrearsFilter,
    FilterChoices,
    load_arrears,
    load_filter_choices,
    load_rates,
)
from feetui.widgets.status_bar import StatusBar
from feetui.widgets.unit_search import tag_text

SORTS = ("amount", "age")
SORT_LABELS = {"amount": N_("by amount"), "age": N_("by age")}
ALL = N_("all")


def _cycle(options: list[Any], current: Any) -> Any:
    """The option after ``current`` (wrapping round)."""
    return options[(options.index(current) + 1) % len(options)] if current in options else None


class ArrearsScreen(UnitArrearsActions):
    """The arrears list."""

    # The filter keys are named on the filters line itself (B, G, A, R, S), so the footer keeps
    # room at 80 columns for opening a unit, the rate, printing and the way back.
    BINDINGS = [
        Binding("enter", "open", N_("Open unit"), id="arrears.open", priority=True),
        Binding("c", "rates", N_("Collection rate"), id="arrears.rates"),
        Binding("n", "reminders", N_("Print reminders"), id="arrears.reminders"),
        Binding("d", "reminders_pdf", N_("PDF notices"), id="arrears.reminders_pdf"),
        Binding("f", "follow_up", N_("Follow-up"), id="arrears.follow_up"),
        Binding("escape", "back", N_("Back"), id="arrears.back"),
        Binding("b", "next_building", N_("Building"), id="arrears.building", show=False),
        Binding("g", "next_fee_item", N_("Fee item"), id="arrears.fee_item", show=False),
        Binding("a", "next_bucket", N_("Age"), id="arrears.bucket", show=False),
        Binding("r", "next_reason", N_("Why unpaid"), id="arrears.reason", show=False),
        Binding("s", "next_sort", N_("Sort"), id="arrears.sort", show=False),
    ]
    AUTO_FOCUS = "#arrears-table"
    DEFAULT_CSS = """
    ArrearsScreen #arrears-table { height: 1fr; }
    ArrearsScreen #arrears-filters, ArrearsScreen #arrears-totals { height: auto; width: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.flt = ArrearsFilter()
        self.choices = FilterChoices((), ())
        self.rows: tuple[Any, ...] = ()

    @property
    def unit_id(self) -> str:  # type: ignore[override]
        """The highlighted unit (the unit actions act on it)."""
        table = self.query_one("#arrears-table", DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return ""
        return self.rows[table.cursor_row].unit_id

    def compose(self) -> ComposeResult:
        """Status bar, filters, the list, the totals, the highlighted unit's note, the keys."""
        user = self.fee_app.user
        yield StatusBar(
            _("Arrears"),
            cashier=f"{user.name} ({user.code})" if user else "",
            server=self.fee_app.settings.server,
        )
        yield Label("", id="arrears-filters")
        yield DataTable(id="arrears-table", cursor_type="row", zebra_stripes=True)
        yield Label("", id="arrears-totals")
        yield ArrearsNote("", id="arrears-note")
        yield Footer()

    def on_mount(self) -> None:
        """Columns, the filter choices and the list."""
        table = self.query_one("#arrears-table", DataTable)
        for label in (_("Unit"), _("Owner"), _("Owed"), _("Days"), _("Follow-up"), _("Tags")):
            table.add_column(label)
        self.load_choices()
        self.reload()

    def on_screen_resume(self) -> None:
        """Back from a unit: the list may have changed."""
        self.reload()

    @work(exclusive=True, group="arrears-choices")
    async def load_choices(self) -> None:
        """Buildings and fee items to cycle through."""
        try:
            self.choices = await load_filter_choices(self.fee_app.services)
        except FeeError as error:
            self.notify(tr_error(error), severity="error")

    @work(exclusive=True, group="arrears-load")
    async def reload(self) -> None:
        """Read the list again with the current filters."""
        try:
            found = await load_arrears(self.fee_app.services, self.flt)
        except FeeError as error:
            self.notify(tr_error(error), severity="error")
            return
        if self.is_attached:
            self._show(found)

    def _show(self, found: Any) -> None:
        self.rows = found.rows
        table = self.query_one("#arrears-table", DataTable)
        table.clear()
        for row in found.rows:
            table.add_row(
                Text(row.unit_code),
                Text(row.owner_name),
                Text(format_money(row.owed), justify="right"),
                Text(str(row.age_days), justify="right"),
                Text(follow_up_text(row.last), style="bold" if row.surfaces else ""),
                Text(tag_text(row.tags)),
                key=row.unit_id,
            )
        self.query_one("#arrears-filters", Label).update(Content(self._filters_text()))
        self.query_one("#arrears-totals", Label).update(Content(totals_text(found)))
        if found.rows:
            self.reload_arrears()
        else:
            self.query_one(ArrearsNote).update("")

    def _filters_text(self) -> str:
        flt = self.flt
        bucket = {b.code: b.label for b in AGE_BUCKETS}.get(flt.bucket or "", "")
        reason = (
            N_("never followed up") if flt.reason == "none" else label_of(REASONS, flt.reason or "")
        )
        return "  ".join(
            [
                _("As of {date}").format(date=_today(self)),
                "B " + _("Building: {value}").format(value=flt.building or _(ALL)),
                "G " + _("Fee item: {value}").format(value=flt.fee_item or _(ALL)),
                "A " + _("Age: {value}").format(value=_(bucket) if flt.bucket else _(ALL)),
                "R " + _("Why unpaid: {value}").format(value=_(reason) if flt.reason else _(ALL)),
                "S " + _(SORT_LABELS[flt.sort]),
            ]
        )

    @on(DataTable.RowHighlighted, "#arrears-table")
    def _highlighted(self) -> None:
        if self.rows:
            self.reload_arrears()

    def _refilter(self, **changes: Any) -> None:
        from dataclasses import replace

        self.flt = replace(self.flt, **changes)
        self.reload()

    def action_next_building(self) -> None:
        """B: the next building (then all)."""
        options = [None, *self.choices.buildings]
        self._refilter(building=_cycle(options, self.flt.building))

    def action_next_fee_item(self) -> None:
        """G: the next fee item (then all)."""
        options = [None, *(code for code, _name in self.choices.fee_items)]
        self._refilter(fee_item=_cycle(options, self.flt.fee_item))

    def action_next_bucket(self) -> None:
        """A: the next age bucket (then all)."""
        options = [None, *(b.code for b in AGE_BUCKETS)]
        self._refilter(bucket=_cycle(options, self.flt.bucket))

    def action_next_reason(self) -> None:
        """R: the next reason of the last follow-up, then never followed up, then all."""
        options = [None, *(r.code for r in REASONS), "none"]
        self._refilter(reason=_cycle(options, self.flt.reason))

    def action_next_sort(self) -> None:
        """S: sort by amount or by age."""
        self._refilter(sort=_cycle(list(SORTS), self.flt.sort))

    def action_open(self) -> None:
        """Enter: open the highlighted unit."""
        if self.unit_id:
            self.post_message(UnitChosen(self.unit_id))

    def action_reminders(self) -> None:
        """N: a reminder notice for every unit listed."""
        self._print_reminders([row.unit_id for row in self.rows])

    def action_reminders_pdf(self) -> None:
        """D: every unit of the list as filtered (all of them, not only the rows shown) as one
        PDF of reminder notices, a sheet per unit."""
        self._write_reminders_pdf(None, self.flt)

    def action_rates(self) -> None:
        """C: the collection rate of the last 12 months."""
        self.app.push_screen(CollectionRateScreen())

    def action_back(self) -> None:
        """Escape: back to where the list was opened from."""
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Unit actions only with a unit highlighted."""
        unit_actions = (
            "follow_up", "instalment_plan", "pay_instalment", "tags", "open", "reminders_pdf",
        )  # fmt: skip
        if action in unit_actions and not self.rows:
            return False
        return super().check_action(action, parameters)


def _today(screen: ArrearsScreen) -> str:
    from feetui.services.followups import today

    return today(screen.fee_app.services).isoformat()


def follow_up_text(last: Any) -> str:
    """The list's follow-up cell: the promise if any, else the last contact's reason."""
    if last is None:
        return ""
    if last.promise is not None:
        return f"{_(PROMISE_LABELS[last.promise])} {last.promised_date}"
    return f"{last.contacted_on} {_(label_of(REASONS, last.reason))}"


def totals_text(found: Any) -> str:
    """Units, the total and the total of each age bucket."""
    parts = [
        _("{count} units, {total}").format(count=found.unit_count, total=format_money(found.total))
    ]
    parts += [f"{_(b.label)} {format_money(found.bucket_totals[b.code])}" for b in AGE_BUCKETS]
    return "  ".join(parts)


class CollectionRateScreen(FeeScreen[None]):
    """The site's collection rate (收缴率) month by month for the last 12 months: a bar chart
    and the figures (billed, collected, rate, prior-period arrears collected)."""

    BINDINGS = [Binding("escape", "back", N_("Back"), id="rates.back")]
    AUTO_FOCUS = "#rates-table"
    DEFAULT_CSS = """
    CollectionRateScreen #rates-chart { height: 10; }
    CollectionRateScreen #rates-table { height: 1fr; }
    """

    def compose(self) -> ComposeResult:
        """Status bar, the chart, the table of figures, the keys."""
        from textual_plotext import PlotextPlot

        user = self.fee_app.user
        yield StatusBar(
            _("Collection rate, last 12 months"),
            cashier=f"{user.name} ({user.code})" if user else "",
            server=self.fee_app.settings.server,
        )
        yield PlotextPlot(id="rates-chart")
        yield DataTable(id="rates-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        """Columns, then the figures."""
        table = self.query_one("#rates-table", DataTable)
        headers = (_("Month"), _("Billed"), _("Collected"), _("Rate"), _("Prior arrears collected"))
        for label in headers:
            table.add_column(label)
        self.load()

    @work(exclusive=True, group="rates-load")
    async def load(self) -> None:
        """Read the rates and draw them."""
        try:
            rates = await load_rates(self.fee_app.services)
        except FeeError as error:
            self.notify(tr_error(error), severity="error")
            return
        if self.is_attached:
            self.show_rates(rates)

    def show_rates(self, rates: list[Any]) -> None:
        """Fill the table and draw the bars (a month with nothing billed draws no bar)."""
        from textual_plotext import PlotextPlot

        table = self.query_one("#rates-table", DataTable)
        table.clear()
        for r in rates:
            table.add_row(
                Text(r.period),
                Text(format_money(r.billed), justify="right"),
                Text(format_money(r.collected), justify="right"),
                Text(percent_text(r.rate_bp), justify="right"),
                Text(format_money(r.prior_collected), justify="right"),
            )
        plot = self.query_one("#rates-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        # Percentages as floats for drawing only: the figures above stay exact.
        plt.bar([r.period[2:] for r in rates], [(r.rate_bp or 0) / 100 for r in rates])
        plt.ylim(0, 100)
        plt.title(_("Collection rate %"))
        plot.refresh()

    def action_back(self) -> None:
        """Escape: back to the list."""
        self.app.pop_screen()


__all__ = ["ArrearsScreen", "CollectionRateScreen", "follow_up_text", "totals_text"]
