"""R15 over random days: the shift report equals the sum of its receipts, every receipt number
in its range is accounted for, and expected cash follows the formula, checked against a model
of the drawer kept here, apart from the services' own queries."""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feetui.clock import FixedClock
from feetui.config import Settings
from feetui.core.money import Money
from feetui.services.adjustments import adjust_charge
from feetui.services.results import TenderInput
from tests.builders import SUPERVISOR_CODE, SUPERVISOR_PIN, Ledger

# One operation of the day: (kind, amount in fen, a small choice number).
PAYMENTS = ("cash", "change", "card", "wechat", "split", "overpay")
# Voids, refunds and waivers check a supervisor's PIN (a deliberately slow hash): fewer of them.
KINDS = (*PAYMENTS, *PAYMENTS, "move", "move", "void", "refund", "waive")
op = st.tuples(st.sampled_from(KINDS), st.integers(1, 50_000), st.integers(0, 7))
days = st.lists(op, min_size=0, max_size=12)
FLOAT_COUNTS = st.dictionaries(st.sampled_from(["n100", "n50", "n10", "c05"]), st.integers(0, 9))


@dataclass
class Model:
    """The drawer and the receipts as the operations say they should be."""

    cash: int
    receipts: int = 0
    takings: int = 0
    refunds: int = 0
    waivers: int = 0
    payments: list = field(default_factory=list)
    voided: set = field(default_factory=set)
    credit_units: list = field(default_factory=list)


async def _pay(ledger: Ledger, model: Model, kind: str, fen: int, pick: int) -> None:
    unit = await _unit(ledger, fen)
    extra = 1 + pick * 137
    tenders = {
        "cash": [TenderInput("cash", Money(fen))],
        "change": [TenderInput("cash", Money(fen), tendered=Money(fen + extra))],
        "card": [TenderInput("card", Money(fen), reference="T")],
        "wechat": [TenderInput("wechat", Money(fen), reference="W")],
        "split": [
            TenderInput("cash", Money(fen // 2)),
            TenderInput("alipay", Money(fen - fen // 2), reference="A"),
        ],
        "overpay": [TenderInput("cash", Money(fen + extra))],
    }[kind]
    posted = await ledger.pay(unit, tenders=tenders, overpay_to_prepaid=kind == "overpay")
    cash_in = {"cash": fen, "change": fen, "split": fen // 2, "overpay": fen + extra}.get(kind, 0)
    model.cash += cash_in
    model.receipts += 1
    model.takings += posted.tendered_total.fen
    model.payments.append((posted, cash_in))
    if kind == "overpay":
        model.credit_units.append((unit, extra))


async def _unit(ledger: Ledger, fen: int):
    unit = await ledger.unit()
    await ledger.charge(unit, item="PK", amount_fen=fen)
    return unit


async def _void(ledger: Ledger, model: Model, pick: int) -> None:
    from tests.shift_builders import void

    candidates = [(p, c) for p, c in model.payments if p.payment_id not in model.voided]
    candidates = [(p, c) for p, c in candidates if p.prepaid_credit.fen == 0]
    if not candidates:
        return
    posted, cash_in = candidates[pick % len(candidates)]
    if cash_in > model.cash:
        return
    await void(ledger, posted.payment_id)
    model.voided.add(posted.payment_id)
    model.cash -= cash_in
    model.receipts += 1
    model.takings -= posted.tendered_total.fen


async def _refund(ledger: Ledger, model: Model, pick: int) -> None:
    from tests.shift_builders import refund

    if not model.credit_units:
        return
    unit, credit = model.credit_units.pop(pick % len(model.credit_units))
    method = "cash" if pick % 2 == 0 else "card"
    if method == "cash" and credit > model.cash:
        return
    await refund(ledger, unit, credit, method)
    model.refunds += credit
    model.cash -= credit if method == "cash" else 0


async def _move(ledger: Ledger, model: Model, fen: int, pick: int) -> None:
    from tests.shift_builders import move

    kind = ("pay_in", "pay_out", "deposit")[pick % 3]
    if kind != "pay_in" and fen > model.cash:
        return
    await move(ledger, kind, fen, reason="随机", slip_no="S1")
    model.cash += fen if kind == "pay_in" else -fen


async def _waive(ledger: Ledger, model: Model, fen: int) -> None:
    unit = await ledger.unit()
    charge = await ledger.charge(unit, item="PK", amount_fen=fen + 100)
    await adjust_charge(
        ledger.svc,
        adjustment_id=ledger.new_id(),
        charge_id=charge.id,
        kind="waiver",
        amount=Money(fen),
        reason="困难户",
        requested_by_id=ledger.cashier.id,
        supervisor_code=SUPERVISOR_CODE,
        supervisor_pin=SUPERVISOR_PIN,
    )
    model.waivers += fen


async def _play(path: Path, day: list[tuple[str, int, int]], counts: dict[str, int]) -> None:
    from feetui.db.connection import close_db, open_db
    from feetui.services.container import Services
    from feetui.services.reports import build_shift_report
    from feetui.services.shifts import drawer_cash
    from tests.builders import make_ledger

    clock = FixedClock(datetime(2026, 11, 23, 1, 30, tzinfo=UTC))
    database = await open_db(path, clock=clock)
    try:
        svc = Services.build(Settings(db_path=str(path)), database, clock=clock)
        ledger = await make_ledger(svc, with_shift=False)
        await ledger.open_shift(counts)
        model = Model(cash=sum(_FEN[c] * n for c, n in counts.items()))
        for kind, fen, pick in day:
            await _step(ledger, model, kind, fen, pick)
        report = await build_shift_report(svc, shift_id=ledger.shift.shift_id)
        drawer = await drawer_cash(ledger.shift.shift_id)
    finally:
        await close_db(database)
    _check(report, drawer, model)


_FEN = {"n100": 10_000, "n50": 5_000, "n10": 1_000, "c05": 50}


async def _step(ledger: Ledger, model: Model, kind: str, fen: int, pick: int) -> None:
    if kind == "void":
        await _void(ledger, model, pick)
    elif kind == "refund":
        await _refund(ledger, model, pick)
    elif kind == "move":
        await _move(ledger, model, fen, pick)
    elif kind == "waive":
        await _waive(ledger, model, fen)
    else:
        await _pay(ledger, model, kind, fen, pick)


def _check(report, drawer, model: Model) -> None:
    # Expected cash follows the formula, and the formula follows the drawer's own history.
    assert drawer.expected == Money(model.cash)
    assert report.expected == drawer.expected
    # The report's totals are the receipts less the voids, however they were split.
    takings = report.takings
    assert takings.total == Money(model.takings)
    assert sum((g.total for g in takings.groups), Money(0)) == takings.total
    assert sum((m.amount for m in takings.methods), Money(0)) == takings.total
    assert takings.payment_count == len(model.payments)
    assert takings.void_count == len(model.voided)
    assert report.refunds == Money(model.refunds)
    assert report.waivers == Money(model.waivers)
    # Every number from first to last is this shift's: issued to a receipt or a void slip.
    assert report.receipts.used == model.receipts
    assert report.receipts.unaccounted == ()
    if model.receipts:
        first = int(report.receipts.first.rsplit("-", 1)[1])
        last = int(report.receipts.last.rsplit("-", 1)[1])
        assert last - first + 1 == model.receipts


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(day=days, counts=FLOAT_COUNTS)
def test_random_days_keep_reports_receipts_and_expected_cash_true(
    day: list[tuple[str, int, int]],
    counts: dict[str, int],
    db_template: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    path = tmp_path_factory.mktemp("day") / "counter.sqlite3"
    shutil.copyfile(db_template, path)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, _play(path, day, counts)).result()
