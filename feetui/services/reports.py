"""The shift report and the daily report (收费日报表), built from the posted records alone.

Takings are tabulated by fee item × tender method. Each payment (and each void, negated) is split
by :func:`feetui.core.crosstab.split` (tenders pay the lines in order), so every figure is whole
fen, the rows add up to the fee items, the columns to the methods, and the report's total is the
sum of its receipts less the voids in its scope. Overpayment kept as prepaid balance is a line of
its own ("Prepaid deposits"); late fees are one line whatever their fee item.

Nothing here writes. :func:`shift_report_doc` and :func:`daily_report_doc` turn a report into the
printing layer's documents, in the reader's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from feetui.core.crosstab import Cell, negated, split
from feetui.core.errors import N_, InputError
from feetui.core.money import Money, total
from feetui.db.models import (
    Device,
    Handover,
    ReceiptSeries,
    SettlementCheck,
    Shift,
    ShiftClose,
    Site,
)
from feetui.db.models.base import CashMovementKind, TenderMethod
from feetui.db.queries import reports as q
from feetui.db.queries.posting import get_open_shift, receipt_text
from feetui.services.container import Services
from feetui.services.shifts import SETTLEMENT_METHODS, DrawerCash, drawer_cash

LATE_FEE_KEY = "late_fee"
PREPAID_KEY = "prepaid"

METHOD_LABELS = {
    TenderMethod.CASH: N_("Cash"),
    TenderMethod.CARD: N_("Bank card"),
    TenderMethod.WECHAT: N_("WeChat Pay"),
    TenderMethod.ALIPAY: N_("Alipay"),
    TenderMethod.BANK: N_("Bank transfer"),
    TenderMethod.CHEQUE: N_("Cheque"),
    TenderMethod.PREPAID: N_("Prepaid balance"),
}
"""English message ids of the tender methods (translate with ``_()`` where shown)."""

MOVEMENT_LABELS = {
    CashMovementKind.PAY_IN: N_("Pay-in"),
    CashMovementKind.PAY_OUT: N_("Pay-out"),
    CashMovementKind.DEPOSIT: N_("Bank deposit"),
}
"""English message ids of the kinds of cash movement."""

_SPECIAL_TITLES = {LATE_FEE_KEY: N_("Late fees"), PREPAID_KEY: N_("Prepaid deposits")}


@dataclass(frozen=True, slots=True)
class MethodAmount:
    """Money of one tender method, and the net number of records behind it (voids count −1)."""

    method: str
    amount: Money
    count: int


@dataclass(frozen=True, slots=True)
class FeeGroup:
    """Takings of one fee item (or of late fees, or prepaid deposits) per tender method."""

    key: str
    """The fee item's id, or ``late_fee`` / ``prepaid``."""
    name: str
    """The fee item's name, or an English message id for the two special lines."""
    rows: tuple[MethodAmount, ...]
    total: Money

    def title(self, translate: Callable[[str], str]) -> str:
        """The group's heading for people."""
        return translate(self.name) if self.key in _SPECIAL_TITLES else self.name


@dataclass(frozen=True, slots=True)
class Takings:
    """Money taken in a scope, tabulated, with the counts that go with it."""

    groups: tuple[FeeGroup, ...]
    methods: tuple[MethodAmount, ...]
    total: Money
    payment_count: int
    """Payments (receipts) posted in the scope, voided ones included."""
    void_count: int
    void_total: Money
    """What the voids of the scope gave back (a positive amount)."""
    units_served: int
    """Units with a payment in the scope that is not voided."""


@dataclass(frozen=True, slots=True)
class ReceiptUse:
    """The receipt numbers a shift used, and whether every one in its range is accounted for."""

    first: str
    last: str
    used: int
    """Numbers issued in the shift: receipts and void slips."""
    voided: tuple[str, ...]
    """Receipts of the shift whose payment has been voided."""
    unaccounted: tuple[str, ...]
    """Numbers inside first–last that are not this shift's (none on a healthy counter)."""


@dataclass(frozen=True, slots=True)
class CashMove:
    """A pay-in (+), pay-out (−) or deposit (−) as the report lists it."""

    kind: str
    amount: Money
    """Signed: what it did to the drawer."""
    reason: str
    slip_no: str


@dataclass(frozen=True, slots=True)
class SettlementLine:
    """A non-cash method: what the shift recorded, the settlement slip, and the difference."""

    method: str
    recorded: Money
    slip: Money | None
    difference: Money | None


@dataclass(frozen=True, slots=True)
class HandoverInfo:
    """How the next cashier found the drawer."""

    accepted_by: str
    accepted_at: datetime
    left: Money
    counted: Money
    difference: Money
    note: str


@dataclass(frozen=True, slots=True)
class ShiftReport:
    """Everything the shift report shows."""

    shift_id: str
    shift_no: str
    device_name: str
    site_name: str
    cashier: str
    business_date: date
    opened_at: datetime
    closed_at: datetime | None
    takings: Takings
    receipts: ReceiptUse
    refunds: Money
    waivers: Money
    cash_movements: tuple[CashMove, ...]
    drawer: DrawerCash
    counted: Money | None
    note: str
    settlements: tuple[SettlementLine, ...]
    handover: HandoverInfo | None

    @property
    def expected(self) -> Money:
        """The cash the drawer should hold."""
        return self.drawer.expected

    @property
    def over_short(self) -> Money | None:
        """Counted minus expected once closed (长款 +, 短款 −)."""
        return None if self.counted is None else self.counted - self.expected


@dataclass(frozen=True, slots=True)
class CounterTotal:
    """One device's part of a day."""

    device_id: str
    name: str
    amount: Money
    count: int


@dataclass(frozen=True, slots=True)
class DailyReport:
    """Everything the daily report shows, for one device or the whole site."""

    business_date: date
    site_name: str
    device_name: str | None
    """The device reported on, ``None`` for the site (every counter this one knows of)."""
    takings: Takings
    counters: tuple[CounterTotal, ...]
    refunds: Money
    waivers: Money


# ---------------------------------------------------------------------------------------------
# Tabulation


def _record_cells(
    allocations: Sequence[q.AllocationRow], tenders: Sequence[q.TenderRow], is_void: bool
) -> list[Cell]:
    """One payment's (or one void's) cells; overpayment kept as prepaid is its own line."""
    sign = -1 if is_void else 1
    lines = [(_line_key(a), a.amount * sign) for a in allocations]
    paid_in = [(t.method, t.amount * sign) for t in tenders]
    credit = total(a for _, a in paid_in) - total(a for _, a in lines)
    if credit:
        lines.append((PREPAID_KEY, credit))
    cells = split(lines, paid_in)
    return negated(cells) if is_void else cells


def _line_key(row: q.AllocationRow) -> str:
    return LATE_FEE_KEY if row.is_late_fee else row.fee_item_id


class _Tally:
    """Running sums of cells and methods (fen and net record counts) while records are added."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.cells: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        self.methods: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        self.void_fen = 0

    def add(self, record: q.RecordRow, cells: Sequence[Cell]) -> None:
        sign = -1 if record.is_void else 1
        for cell in cells:
            self.cells[(cell.line, cell.method)][0] += cell.amount.fen
            self.methods[cell.method][0] += cell.amount.fen
        for key in {(cell.line, cell.method) for cell in cells}:
            self.cells[key][1] += sign
        for method in {cell.method for cell in cells}:
            self.methods[method][1] += sign
        if record.is_void:
            self.void_fen -= sum(cell.amount.fen for cell in cells)

    def groups(self) -> tuple[FeeGroup, ...]:
        by_line: dict[str, list[MethodAmount]] = defaultdict(list)
        for (line, method), (fen, count) in self.cells.items():
            by_line[line].append(MethodAmount(method, Money(fen), count))
        ordered = sorted(by_line.items(), key=self._order)
        return tuple(self._group(key, rows) for key, rows in ordered)

    def _order(self, item: tuple[str, list[MethodAmount]]) -> tuple[bool, bool, str]:
        key = item[0]
        return key in _SPECIAL_TITLES, key == PREPAID_KEY, self.names.get(key, key)

    def _group(self, key: str, rows: list[MethodAmount]) -> FeeGroup:
        ordered = tuple(sorted(rows, key=lambda row: _method_rank(row.method)))
        name = _SPECIAL_TITLES.get(key) or self.names.get(key, key)
        return FeeGroup(key, name, ordered, total(row.amount for row in ordered))

    def method_totals(self) -> tuple[MethodAmount, ...]:
        rows = (MethodAmount(m, Money(fen), count) for m, (fen, count) in self.methods.items())
        return tuple(sorted(rows, key=lambda row: _method_rank(row.method)))


def _method_rank(method: str) -> tuple[int, str]:
    """Methods in the ledger's order (cash first), unknown ones after, by name."""
    known = TenderMethod.ALL
    return (known.index(method), "") if method in known else (len(known), method)


async def tabulate(scope: q.Scope) -> Takings:
    """Takings of ``scope`` by fee item × method, with payment, void and unit counts."""
    return _tabulated(*await _rows_of(scope))


def _tabulated(
    records: Sequence[q.RecordRow],
    tenders: dict[str, list[q.TenderRow]],
    allocations: dict[str, list[q.AllocationRow]],
) -> Takings:
    tally = _Tally({a.fee_item_id: a.fee_item_name for rows in allocations.values() for a in rows})
    for record in records:
        found = allocations.get(record.record_id, []), tenders.get(record.record_id, [])
        tally.add(record, _record_cells(*found, record.is_void))
    groups = tally.groups()
    payments = [r for r in records if not r.is_void]
    return Takings(
        groups=groups,
        methods=tally.method_totals(),
        total=total(g.total for g in groups),
        payment_count=len(payments),
        void_count=len(records) - len(payments),
        void_total=Money(tally.void_fen),
        units_served=len({p.unit_id for p in payments if not p.voided}),
    )


def _by_record(rows: Iterable[q.TenderRow | q.AllocationRow]) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for row in rows:
        grouped[row.record_id].append(row)
    return grouped


# ---------------------------------------------------------------------------------------------
# Building the reports


async def _rows_of(scope: q.Scope) -> tuple[list[q.RecordRow], dict[str, list], dict[str, list]]:
    records = await q.list_records(scope)
    tenders = _by_record(await q.list_tender_rows(scope))
    allocations = _by_record(await q.list_allocation_rows(scope))
    return records, tenders, allocations


async def build_shift_report(svc: Services, *, shift_id: str) -> ShiftReport:
    """The report of one shift of this counter, open or closed.

    Raises:
        InputError: ``shift_unknown``.
    """
    shift = await Shift.get_or_none(id=shift_id, device_id=svc.device_id).prefetch_related(
        "cashier"
    )
    if shift is None:
        raise InputError("shift_unknown", N_("This shift is not one of this counter's."))
    scope = q.Scope.of_shift(shift_id)
    records, tenders, allocations = await _rows_of(scope)
    close = await ShiftClose.get_or_none(shift_id=shift_id)
    device_name, site_name = await _names(svc)
    return ShiftReport(
        shift_id=shift.id,
        shift_no=await shift_number(shift),
        device_name=device_name,
        site_name=site_name,
        cashier=shift.cashier.name,
        business_date=shift.business_date,
        opened_at=shift.opened_at,
        closed_at=close.closed_at if close else None,
        takings=_tabulated(records, tenders, allocations),
        receipts=await _receipt_use(scope, records),
        refunds=(await q.get_refund_totals(scope))[0],
        waivers=(await q.get_waiver_total(scope))[0],
        cash_movements=tuple(_move(m) for m in await q.list_cash_movements(shift_id)),
        drawer=await drawer_cash(shift_id),
        counted=Money(close.counted_fen) if close else None,
        note=close.note if close else "",
        settlements=await _settlements(shift_id, close),
        handover=await _handover(shift_id),
    )


@dataclass(frozen=True, slots=True)
class ShiftHeader:
    """Who and which shift, for the title of a shift screen."""

    shift_id: str
    shift_no: str
    cashier_id: str
    cashier_name: str
    business_date: date
    opened_at: datetime


async def get_open_shift_header(svc: Services) -> ShiftHeader | None:
    """The shift open on this counter now, or ``None``."""
    found = await get_open_shift(svc.device_id)
    if found is None:
        return None
    shift = await Shift.get(id=found.shift_id).prefetch_related("cashier")
    return ShiftHeader(
        shift_id=shift.id,
        shift_no=await shift_number(shift),
        cashier_id=shift.cashier.id,
        cashier_name=shift.cashier.name,
        business_date=shift.business_date,
        opened_at=shift.opened_at,
    )


async def shift_number(shift: Shift) -> str:
    """The shift's number for people: ``S`` + business date + its place that day (S20261123-01)."""
    same_day = await q.list_device_shifts(shift.device_id, shift.business_date)
    return f"S{shift.business_date:%Y%m%d}-{same_day.index(shift.id) + 1:02d}"


async def _names(svc: Services) -> tuple[str, str]:
    """This counter's name and its site's (the only site a standalone counter holds)."""
    device = await Device.get_or_none(id=svc.device_id)
    site = None
    if device is not None and device.site_id is not None:  # type: ignore[attr-defined]
        site = await Site.get_or_none(id=device.site_id)  # type: ignore[attr-defined]
    site = site or await Site.all().order_by("code").first()
    device_name = device.name if device is not None else svc.settings.device_name
    return device_name, site.name if site is not None else ""


def _move(row: q.CashMovementRow) -> CashMove:
    signed = row.amount if row.kind == CashMovementKind.PAY_IN else -row.amount
    return CashMove(row.kind, signed, row.reason, row.slip_no)


async def _receipt_use(scope: q.Scope, records: Sequence[q.RecordRow]) -> ReceiptUse:
    """First–last receipt numbers of the scope, its voided receipts, and any number unaccounted."""
    issued = await q.list_receipt_numbers(scope)
    voided = tuple(r.receipt_no for r in records if not r.is_void and r.voided)
    if not issued:
        return ReceiptUse("", "", 0, voided, ())
    ours = {(r.series_id, r.number) for r in issued}
    unaccounted: list[str] = []
    for series_id in dict.fromkeys(r.series_id for r in issued):
        numbers = [r.number for r in issued if r.series_id == series_id]
        unaccounted += await _unaccounted(series_id, min(numbers), max(numbers), ours)
    return ReceiptUse(issued[0].text, issued[-1].text, len(issued), voided, tuple(unaccounted))


async def _unaccounted(series_id: str, first: int, last: int, ours: set) -> list[str]:
    """Numbers between ``first`` and ``last`` that are not in ``ours`` (issued elsewhere or not)."""
    if last - first + 1 == sum(1 for s, _ in ours if s == series_id):
        return []
    series = await ReceiptSeries.get(id=series_id)
    return [
        receipt_text(series.prefix, number)
        for number in range(first, last + 1)
        if (series_id, number) not in ours
    ]


async def _settlements(shift_id: str, close: ShiftClose | None) -> tuple[SettlementLine, ...]:
    recorded = await q.get_method_totals(shift_id)
    checks = {}
    if close is not None:
        checks = {c.method: c for c in await SettlementCheck.filter(close_id=close.id)}
    methods = [m for m in TenderMethod.ALL if m != TenderMethod.CASH and m in recorded]
    methods += [m for m in SETTLEMENT_METHODS if m in checks and m not in methods]
    lines = []
    for method in sorted(methods, key=_method_rank):
        check = checks.get(method)
        lines.append(
            SettlementLine(
                method,
                recorded.get(method, Money(0)),
                Money(check.slip_fen) if check else None,
                Money(check.difference_fen) if check else None,
            )
        )
    return tuple(lines)


async def _handover(shift_id: str) -> HandoverInfo | None:
    handover = await Handover.get_or_none(shift_id=shift_id).prefetch_related("accepted_by")
    if handover is None:
        return None
    return HandoverInfo(
        accepted_by=handover.accepted_by.name,
        accepted_at=handover.created_at,
        left=Money(handover.left_fen),
        counted=Money(handover.counted_fen),
        difference=Money(handover.difference_fen),
        note=handover.note,
    )


async def build_daily_report(
    svc: Services, *, business_date: date, device_id: str | None = None
) -> DailyReport:
    """The daily report (收费日报表) of a business date, for one device or the whole site.

    Args:
        svc: the services context.
        business_date: the date reported on (records are booked on their shift's date).
        device_id: one counter; ``None`` for every counter this one knows of (its own records
            and those pulled from headquarters).
    """
    scope = q.Scope.of_day(business_date, device_id)
    records, tenders, allocations = await _rows_of(scope)
    _, site_name = await _names(svc)
    return DailyReport(
        business_date=business_date,
        site_name=site_name,
        device_name=None if device_id is None else await _device_label(svc, device_id),
        takings=_tabulated(records, tenders, allocations),
        counters=await _counters(svc, records, tenders),
        refunds=(await q.get_refund_totals(scope))[0],
        waivers=(await q.get_waiver_total(scope))[0],
    )


async def _device_label(svc: Services, device_id: str) -> str:
    """This counter's name, or another's short code (the last four digits of its id)."""
    if device_id == svc.device_id:
        return (await _names(svc))[0]
    device = await Device.get_or_none(id=device_id)
    return device.name if device is not None else f"#{device_id[-4:].upper()}"


async def _counters(
    svc: Services, records: Sequence[q.RecordRow], tenders: dict[str, list[q.TenderRow]]
) -> tuple[CounterTotal, ...]:
    """Each device's takings (voids included, negative) and payment count."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for record in records:
        figures = sums[record.device_id]
        figures[0] += sum(t.amount.fen for t in tenders.get(record.record_id, []))
        figures[1] += 0 if record.is_void else 1
    result = []
    for device_id in sorted(sums, key=lambda d: (d != svc.device_id, d)):
        fen, count = sums[device_id]
        result.append(
            CounterTotal(device_id, await _device_label(svc, device_id), Money(fen), count)
        )
    return tuple(result)
