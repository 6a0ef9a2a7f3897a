"""R9: records of a shift HQ already saw closed, or from days ago, keep their shift and business
date and are flagged late, never moved or refused.

A real counter database, enrolled at a real HQ on 127.0.0.1 (SQLite and PostgreSQL), works three
business days and three shifts while HQ is unreachable: payments in several tenders (change given,
a split, overpayment kept as prepaid), a refund of that prepaid, voids (one of an earlier shift's
payment), pay-ins, pay-outs, bank deposits, and closes with a counted difference. Each shift's
slip is the document the printer gets on close (``build_shift_report`` → ``shift_report_doc``).
Then the counter reconnects and syncs once: HQ's shift report and daily report of each business
date equal that day's slip to the fen, every record keeps its shift and business date, and the
days HQ counts as late are flagged late. A second test restores HQ from a backup so that a payment
reaches it after the close of its shift.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from feetui.core.money import Money
from feetui.core.receipt import ShiftReportDoc
from feetui.core.shift import DENOMINATIONS
from feetui.i18n import _
from feetui.services.reports import METHOD_LABELS, MOVEMENT_LABELS
from feetui.services.results import TenderInput
from feetui.sync.client import SyncError
from sync_server.services.reports import SHIFT_METHODS
from tests.builders import SUPERVISOR_CODE, SUPERVISOR_PIN
from tests.sync.counters import Site
from tests.sync.hq import LiveHq

DAYS = (date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25))
RECONNECT = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
"""09:00 in Shanghai on the fourth day: HQ's late limit (1 day) makes the 23rd and 24th late."""
LATE_BEFORE = date(2026, 11, 25)
OVER_SHORT = (-100, 50, 0)
"""The counted difference of each day's close (短款 ¥1, 长款 ¥0.50, exact)."""


def _counts(fen: int) -> dict[str, int]:
    """A drawer count worth ``fen`` (notes and coins, largest first)."""
    counts = {}
    for denomination in DENOMINATIONS:
        if denomination.code == "c1":
            continue  # ¥1 is counted as notes
        pieces, fen = divmod(fen, denomination.fen)
        if pieces:
            counts[denomination.code] = pieces
    assert fen == 0
    return counts


async def _pay(site: Site, unit: str, tenders: list[TenderInput], **kwargs: Any) -> Any:
    from feetui.services.payments import take_payment

    counter = site.counter
    counter.clock.advance(minutes=20)
    return await counter.run(
        take_payment(
            counter.svc, payment_id=counter.svc.ids.new_str(), unit_id=unit,
            cashier_id=site.community.cashier_id, tenders=tenders, **kwargs,
        )
    )  # fmt: skip


async def _void(site: Site, payment_id: str) -> None:
    from feetui.services.voids import void_payment

    counter = site.counter
    counter.clock.advance(minutes=5)
    await counter.run(
        void_payment(
            counter.svc, void_id=counter.svc.ids.new_str(), payment_id=payment_id,
            cashier_id=site.community.cashier_id, supervisor_code=SUPERVISOR_CODE,
            supervisor_pin=SUPERVISOR_PIN, reason="录错房号",
        )
    )  # fmt: skip


async def _refund(site: Site, unit: str, fen: int) -> None:
    from feetui.services.refunds import refund_prepaid

    counter = site.counter
    counter.clock.advance(minutes=5)
    await counter.run(
        refund_prepaid(
            counter.svc, refund_id=counter.svc.ids.new_str(), unit_id=unit, amount=Money(fen),
            method="cash", cashier_id=site.community.cashier_id, reason="退预存",
            supervisor_code=SUPERVISOR_CODE, supervisor_pin=SUPERVISOR_PIN,
        )
    )  # fmt: skip


async def _move(site: Site, kind: str, fen: int, reason: str, slip: str = "") -> None:
    from feetui.services.cash_movements import record_cash_movement

    counter = site.counter
    counter.clock.advance(minutes=5)
    await counter.run(
        record_cash_movement(
            counter.svc, movement_id=counter.svc.ids.new_str(), shift_id=counter.shift_id,
            cashier_id=site.community.cashier_id, kind=kind, amount=Money(fen), reason=reason,
            slip_no=slip,
        )
    )  # fmt: skip


async def _close(site: Site, over_short_fen: int) -> ShiftReportDoc:
    """Close the shift with a count ``over_short_fen`` off expected; returns the printed slip."""
    from feetui.services.report_documents import shift_report_doc
    from feetui.services.reports import build_shift_report
    from feetui.services.shifts import close_shift, get_drawer_cash

    counter, svc = site.counter, site.counter.svc
    counter.clock.advance(minutes=30)
    drawer = await counter.run(get_drawer_cash(svc, shift_id=counter.shift_id))
    counted = drawer.expected.fen + over_short_fen
    await counter.run(
        close_shift(
            svc, close_id=svc.ids.new_str(), shift_id=counter.shift_id,
            closed_by=site.community.cashier_id, counts=_counts(counted),
            note="点钞差异" if over_short_fen else "", expected_seen=drawer.expected,
        )
    )  # fmt: skip
    # What the close screen prints, after the commit.
    report = await counter.run(build_shift_report(svc, shift_id=counter.shift_id))
    return shift_report_doc(
        report, company=svc.settings.company_name, tz=svc.tz, printed_at=svc.clock.now()
    )


async def _work_a_day(site: Site, day: int) -> tuple[str, ShiftReportDoc]:
    """One shift of business day ``day``, closed; returns its id and its printed slip."""
    counter, units, charges = site.counter, site.community.units, site.community.charges
    counter.clock.set(datetime.combine(DAYS[day], datetime.min.time(), UTC).replace(hour=1))
    shift_id = await counter.open_shift(site.community.cashier_id)
    cash = TenderInput("cash", Money(10_000), tendered=Money(20_000))  # ¥100 change
    await _pay(site, units[0], [cash], charge_ids=[charges[units[0]][day]])
    split = [TenderInput("cash", Money(4_000)), TenderInput("wechat", Money(6_000))]
    await _pay(site, units[1], split, charge_ids=[charges[units[1]][day]])
    card = await _pay(
        site, units[2], [TenderInput("card", Money(10_000))], charge_ids=[charges[units[2]][day]]
    )
    await _pay(
        site, units[3], [TenderInput("alipay", Money(15_000))],
        charge_ids=[charges[units[3]][day]], overpay_to_prepaid=True,
    )  # fmt: skip
    await _refund(site, units[3], 2_000)
    wrong = await _pay(
        site, units[4], [TenderInput("cash", Money(10_000))], charge_ids=[charges[units[4]][day]]
    )
    await _void(site, wrong.payment_id)
    if day == 2:  # yesterday's card payment voided today: it counts in today's shift
        await _void(site, site.paid["card-1"])
    site.paid[f"card-{day}"] = card.payment_id
    await _move(site, "pay_in", 10_000, "备用金")
    await _move(site, "pay_out", 1_500, "买墨盒")
    await _move(site, "deposit", 20_000, "工商银行", f"B-{day + 1:04d}")
    slip = await _close(site, OVER_SHORT[day])
    with pytest.raises(SyncError) as offline:  # HQ is still out of reach
        await counter.sync()
    assert offline.value.code == "server_unreachable"
    return shift_id, slip


def _method_label(method: str) -> str:
    return _(METHOD_LABELS[method]) if method in METHOD_LABELS else method


def _hq_tenders(daily: dict[str, Any]) -> dict[str, tuple[int, int]]:
    """HQ's money and net record count per tender method, labelled as the slip prints them."""
    out = {}
    for row in daily["rows"]:
        if row["payments"] or row["voids"]:  # not a method only refunds went out by
            fen = row["payments_fen"] + row["voids_fen"] + row["paid_from_prepaid_fen"]
            out[_method_label(row["method"])] = (fen, row["payments"] - row["voids"])
    return out


def _slip_moves(slip: ShiftReportDoc) -> dict[str, int]:
    """The slip's pay-ins, pay-outs and deposits, totalled per kind (as amounts moved)."""
    moved = dict.fromkeys(MOVEMENT_LABELS, 0)
    for row in slip.cash_movements:
        [kind] = [k for k, label in MOVEMENT_LABELS.items() if row.label.startswith(_(label))]
        moved[kind] += abs(row.amount.fen)
    return moved


async def _assert_hq_matches_slip(site: Site, day: date, shift_id: str, slip: ShiftReportDoc):
    shifts = await site.report(f"/api/v1/reports/shifts?date={day}&site=S1")
    [row] = shifts["rows"]
    assert (row["shift_id"], row["device"], row["cashier"], row["business_date"]) == (
        shift_id, slip.device_name, slip.cashier, slip.business_date,
    )  # fmt: skip
    assert (row["expected_fen"], row["counted_fen"], row["over_short_fen"]) == (
        slip.expected_cash.fen, slip.counted_cash.fen, slip.over_short.fen,
    )  # fmt: skip
    moved = _slip_moves(slip)
    assert (row["pay_in_fen"], row["pay_out_fen"], row["deposit_fen"]) == (
        moved["pay_in"], moved["pay_out"], moved["deposit"],
    )  # fmt: skip
    deposits = [r for r in slip.cash_movements if r.label.startswith(_("Bank deposit"))]
    assert row["deposit_slips"] == "; ".join(
        f"{r.label.rsplit(' ', 1)[1]} {(-r.amount).yuan_text()}" for r in deposits
    )
    # Per method, what the slip's takings list (a method paid and voided too, as ¥0.00).
    slip_amounts = {r.label: r.amount.fen for r in slip.tender_totals}
    taken = {
        _method_label(method): row[f"{method}_fen"]
        for method in SHIFT_METHODS
        if row[f"{method}_fen"] or _method_label(method) in slip_amounts
    }
    assert taken == slip_amounts
    assert (row["other_fen"], -row["refunds_fen"]) == (0, slip.refunds.fen)
    daily = await site.report(f"/api/v1/reports/daily?date={day}&site=S1")
    assert {r["device"] for r in daily["rows"]} == {slip.device_name}
    slip_tenders = {r.label: (r.amount.fen, r.count) for r in slip.tender_totals}
    assert _hq_tenders(daily) == slip_tenders
    assert sum(r["payments_fen"] + r["voids_fen"] for r in daily["rows"]) == slip.total.fen
    assert -sum(r["refunds_fen"] for r in daily["rows"]) == slip.refunds.fen


async def test_three_offline_days_reach_hq_as_the_printed_slips_say(site: Site) -> None:
    counter, hq = site.counter, site.hq
    await hq.stop()  # HQ is out of reach for three days
    worked = [await _work_a_day(site, day) for day in range(len(DAYS))]
    waiting = await counter.query("SELECT count(*) FROM outbox WHERE acked_at IS NULL")
    # Per day: open, five payments, a refund, a void, three cash movements, the close; one void
    # more on the third day. All kept on the counter, none sent.
    assert waiting[0][0] == 3 * 12 + 1
    counter.clock.set(RECONNECT)
    hq.clock.current = RECONNECT
    await hq.start()
    round_ = await counter.sync()
    await site.login()
    # Nothing refused or moved: every record created as it was, the outbox empty.
    assert round_.push.alarm == ""
    assert round_.push.created == round_.push.sent == waiting[0][0]
    assert round_.push.waiting == 0
    # The slips say what the cashier did (worked out by hand), so both sides cannot be wrong alike.
    by_hand = {
        "cash": (14_000, 2),
        "wechat": (6_000, 1),
        "card": (10_000, 1),
        "alipay": (15_000, 1),
    }
    first, last = worked[0][1], worked[-1][1]
    assert {r.label: (r.amount.fen, r.count) for r in first.tender_totals} == {
        _method_label(method): figures for method, figures in by_hand.items()
    }
    assert (first.total.fen, first.refunds.fen) == (45_000, 2_000)
    # float + cash 14,000 - refund 2,000 + pay-in 10,000 - pay-out 1,500 - deposit 20,000
    assert (first.expected_cash.fen, first.counted_cash.fen) == (50_500, 50_400)
    last_card = [r for r in last.tender_totals if r.label == _method_label("card")]
    assert [(r.amount.fen, r.count) for r in last_card] == [(0, 0)]  # paid, and yesterday's voided
    for day, (shift_id, slip) in zip(DAYS, worked, strict=True):
        await _assert_hq_matches_slip(site, day, shift_id, slip)
    # Every record keeps its shift and business date.
    held = await counter.query(
        "SELECT id, shift_id, business_date FROM payment UNION ALL"
        " SELECT id, shift_id, business_date FROM void UNION ALL"
        " SELECT id, shift_id, business_date FROM refund"
    )
    counter_days = {(rid, shift, str(day)) for rid, shift, day in held}
    hq_days = await hq.rows("SELECT DISTINCT record_id, shift_id, business_date FROM money_lines")
    assert {(r["record_id"], r["shift_id"], r["business_date"]) for r in hq_days} == counter_days
    assert {shift for _rid, shift, _day in counter_days} == {s for s, _slip in worked}
    # Late: the records of the days before HQ's limit, and only those.
    journal = await counter.query(
        "SELECT record_id, json_extract(payload_json, '$.business_date') FROM journal_entry"
        " WHERE device_id = ?",
        counter.device_id,
    )
    late_days = {rid for rid, day in journal if day and day < LATE_BEFORE.isoformat()}
    exceptions = (await site.report("/api/v1/reports/exceptions"))["rows"]
    late = [e for e in exceptions if e["kind"] == "late"]
    assert {e["record_id"] for e in late} == late_days and len(late) == len(late_days)
    assert all(
        (e["device_id"], e["device"], e["detail"]["reason"])
        == (counter.device_id, "window-1", "business_date")
        for e in late
    )
    over_short = {e["detail"]["over_short_fen"] for e in exceptions if e["kind"] == "over_short"}
    assert over_short == {fen for fen in OVER_SHORT if fen}
    # Nothing else: no break, gap or conflict, and HQ's drawer is each close's expected cash.
    assert {e["kind"] for e in exceptions} == {"late", "over_short"}


async def _backup(hq: LiveHq, admin_dsn: str | None) -> str:
    """Stop HQ, copy its database (as an operator's nightly backup would), start it again;
    returns the copy's URL."""
    await hq.stop()
    try:
        if hq.db_url.startswith("sqlite:///"):
            source = Path(hq.db_url.removeprefix("sqlite:///"))
            copy = source.with_name("hq-backup.sqlite3")
            with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(copy)) as out:
                live.backup(out)
            return f"sqlite:///{copy}"
        import asyncpg

        assert admin_dsn is not None
        base, name = hq.db_url.rsplit("/", 1)
        conn = await asyncpg.connect(admin_dsn)
        try:
            await conn.execute(f"CREATE DATABASE {name}_backup TEMPLATE {name}")
        finally:
            await conn.close()
        return f"{base}/{name}_backup"
    finally:
        await hq.start()


async def test_a_payment_reaching_hq_after_its_shifts_close_stays_in_that_shift_flagged_late(
    site: Site, postgres_admin_dsn: str | None
) -> None:
    """HQ restored from an earlier backup lacks a payment the counter had pushed; the counter
    pushes the shift's close first (HQ now sees the shift closed), learns HQ's lower
    acknowledgement and sends the payment again: stored in its shift, flagged late."""
    counter, hq, units, charges = (
        site.counter, site.hq, site.community.units, site.community.charges,
    )  # fmt: skip
    shift_id = await counter.open_shift(site.community.cashier_id)
    await _pay(
        site, units[0], [TenderInput("cash", Money(10_000))], charge_ids=[charges[units[0]][0]]
    )
    hq.clock.current = counter.clock.now()  # HQ's clock agrees (no skew)
    await counter.sync()
    backup = await _backup(hq, postgres_admin_dsn)
    lost = await _pay(
        site, units[1], [TenderInput("wechat", Money(10_000))], charge_ids=[charges[units[1]][0]]
    )
    hq.clock.current = counter.clock.now()
    assert (await counter.sync()).push.acked_to == 3  # HQ held it ...
    await hq.stop()
    hq.db_url = backup  # ... and is restored from the backup taken before it
    await hq.start()
    await hq.bump_epoch()
    slip = await _close(site, 0)
    hq.clock.current = counter.clock.now()
    round_ = await counter.sync()
    assert (round_.push.waiting, round_.push.alarm, round_.push.acked_to) == (0, "", 4)
    await site.login()
    # The close reached HQ before the payment it had lost: the shift was closed there first.
    [gap] = [
        e
        for e in (await site.report("/api/v1/reports/exceptions?resolved=true"))["rows"]
        if e["kind"] == "seq_gap"
    ]
    assert (gap["seq"], gap["device_id"], gap["resolved_at"] is not None) == (
        3, counter.device_id, True,
    )  # fmt: skip
    lines = await hq.rows(
        "SELECT shift_id, business_date, method, amount_fen FROM money_lines WHERE record_id = ?",
        lost.payment_id,
    )
    assert lines == [
        {"shift_id": shift_id, "business_date": "2026-11-23", "method": "wechat",
         "amount_fen": 10_000}
    ]  # fmt: skip
    exceptions = (await site.report("/api/v1/reports/exceptions"))["rows"]
    assert {e["kind"] for e in exceptions} == {"late"}  # the gap closed; the drawer agrees
    late = [e for e in exceptions if e["kind"] == "late"]
    assert [(e["record_id"], e["device"], e["detail"]) for e in late] == [
        (lost.payment_id, "window-1",
         {"kind": "payment", "reason": "shift_closed", "shift_id": shift_id})
    ]  # fmt: skip
    await _assert_hq_matches_slip(site, DAYS[0], shift_id, slip)
