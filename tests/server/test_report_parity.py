"""HQ's reports against the counter's, after a real push: the same community and payments give
the same figures on both sides (SQLite and PostgreSQL at HQ).

The community is made the way HQ makes it (units imported, fee items added, two months billed)
and pulled by a real counter, which takes payments (a late fee, prepaid, a void) and pushes them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from feetui.clock import FixedClock, IdSource
from feetui.core.arrears import rate_basis_points
from feetui.core.money import Money
from sync_server.services.billing import NewFeeItem, add_fee_item, bill_period
from sync_server.services.imports import import_units
from sync_server.services.master import NewUser, add_user
from tests.builders import SUPERVISOR_CODE, SUPERVISOR_PIN
from tests.sync.counters import Counter
from tests.sync.hq import LiveHq

AS_OF = date(2026, 11, 23)


@dataclass
class Site:
    """HQ, its admin's token, the counter and the ids the test pays with."""

    hq: LiveHq
    token: str
    counter: Counter
    cashier_id: str
    units: dict[str, str]
    charges: dict[tuple[str, str, str], str]
    """Charge id by (unit code, fee item code, period)."""

    async def report(self, path: str) -> dict[str, Any]:
        """A report's JSON from HQ."""
        return await self.hq.get_json(path, self.token)


async def _community(hq: LiveHq, ids: IdSource, tmp_path: Path) -> None:
    """Two buildings' units, two fee items (one with a late fee), October and November billed."""
    table = tmp_path / "units.csv"
    table.write_text(
        "site,unit,area,owner\nS1,1-1-101,89.50,张三\nS1,2-1-201,100.00,李四\n", encoding="utf-8"
    )
    assert (await import_units(hq.db, table, now=hq.clock())).ok
    now = hq.clock()
    late_fee = {"late_fee_daily_ppm": 5000, "late_fee_grace_days": 0, "late_fee_cap_percent": 100}
    fee = NewFeeItem("PF", "物业费", "area", 250, **late_fee, site="S1")
    await add_fee_item(hq.db, fee, now=now)
    await add_fee_item(hq.db, NewFeeItem("TRASH", "垃圾费", "fixed", 1500, site="S1"), now=now)
    for period in ("2026-10", "2026-11"):
        await bill_period(hq.db, period=period, now=now)
    from tests.builders import CASHIER_CODE, CASHIER_PIN, pin_hash

    for code, name, role, pin in (
        (CASHIER_CODE, "李收银", "cashier", CASHIER_PIN),
        (SUPERVISOR_CODE, "王主管", "supervisor", SUPERVISOR_PIN),
    ):
        await hq.publish(
            "user",
            {"id": ids.new_str(), "code": code, "name": name, "role": role,
             "pin_hash": pin_hash(pin), "disabled": False},
        )  # fmt: skip


@pytest.fixture
async def site(
    db_url: str, tmp_path: Path, clock: FixedClock, db_template: Path
) -> AsyncIterator[Site]:
    """A live HQ on ``db_url`` with the community, and an enrolled counter holding it."""
    hq = LiveHq(db_url)
    await hq.start()
    counter = Counter(tmp_path / "counter.sqlite3", clock, "window-1", template=db_template)
    try:
        await hq.add_site("S1", "绿景苑")
        await _community(hq, IdSource(clock), tmp_path)
        await add_user(
            hq.db, NewUser("boss", "boss", "admin", (), password="pw-boss"), now=hq.clock()
        )
        token = await hq.login("boss", "pw-boss")
        await counter.open()
        await counter.enroll(hq)
        await counter.sync()
        cashier_id = (await counter.query("SELECT id FROM user WHERE role = 'cashier'"))[0][0]
        await counter.open_shift(cashier_id)
        units = dict(await counter.query("SELECT code, id FROM unit"))
        charges = {
            (unit, item, period): charge_id
            for charge_id, unit, item, period in await counter.query(
                "SELECT c.id, u.code, f.code, c.period FROM charge c"
                " JOIN unit u ON u.id = c.unit_id JOIN fee_item f ON f.id = c.fee_item_id"
            )
        }
        yield Site(hq, token, counter, cashier_id, units, charges)
    finally:
        await counter.close()
        await hq.stop()


async def _pay(site: Site, unit: str, tenders: list[tuple[str, int]], **kwargs: Any) -> Any:
    from feetui.services.payments import take_payment
    from feetui.services.results import TenderInput

    svc = site.counter.svc
    return await site.counter.run(
        take_payment(
            svc,
            payment_id=svc.ids.new_str(),
            unit_id=site.units[unit],
            cashier_id=site.cashier_id,
            tenders=[TenderInput(method, Money(fen)) for method, fen in tenders],
            **kwargs,
        )
    )


async def _void(site: Site, payment_id: str) -> None:
    from feetui.services.voids import void_payment

    svc = site.counter.svc
    await site.counter.run(
        void_payment(
            svc, void_id=svc.ids.new_str(), payment_id=payment_id, cashier_id=site.cashier_id,
            supervisor_code=SUPERVISOR_CODE, supervisor_pin=SUPERVISOR_PIN, reason="录错房号",
        )
    )  # fmt: skip


async def _counter_rates(site: Site, by: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    from feetui.db.queries.collection_rate import list_collection_rates

    rates = await site.counter.run(list_collection_rates(AS_OF, months=2, by=by))
    return {
        (r.period, r.group): (r.billed.fen, r.collected.fen, r.prior_collected.fen) for r in rates
    }


async def _hq_rates(site: Site, by: str) -> dict[tuple[str, str], tuple[int, int, int]]:
    out = {}
    for period in ("2026-10", "2026-11"):
        body = await site.report(
            f"/api/v1/reports/collection-rate?period={period}&as_of={AS_OF}&by={by}"
        )
        for r in body["rows"]:
            out[(r["period"], r["group"])] = (
                r["billed_fen"], r["collected_fen"], r["prior_collected_fen"]
            )  # fmt: skip
    return out


async def test_hq_collection_rate_is_the_counters_after_a_real_push(site: Site) -> None:
    # Everything unit 1-1-101 owes, October's late fee included, and ¥50 more to prepaid.
    paid = await _pay(site, "1-1-101", [("cash", 60_000)], overpay_to_prepaid=True)
    late_fees = await site.counter.query(
        "SELECT SUM(amount_fen) FROM charge WHERE source = 'late_fee'"
    )
    assert late_fees[0][0] > 0 and paid.total.fen == 60_000
    # Part of November's property fee for 2-1-201, and an October payment voided.
    nov = site.charges[("2-1-201", "PF", "2026-11")]
    await _pay(
        site, "2-1-201", [("card", 10_000)], charge_ids=[nov], amount_to_charges=Money(10_000)
    )
    wrong = await _pay(
        site,
        "2-1-201",
        [("cash", 1_500)],
        charge_ids=[site.charges[("2-1-201", "TRASH", "2026-10")]],
    )
    await _void(site, wrong.payment_id)
    await site.counter.sync()
    assert (
        await site.hq.scalar("SELECT count(*) FROM journal WHERE kind IN ('payment', 'void')") == 4
    )
    assert await site.hq.scalar("SELECT count(*) FROM charges WHERE source = 'late_fee'") == 1
    for by in ("site", "building", "fee_item"):
        counter, hq = await _counter_rates(site, by), await _hq_rates(site, by)
        assert hq == counter, by
    rates = await _counter_rates(site, "site")
    assert rates[("2026-11", "")][2] == rates[("2026-10", "")][1] > 0  # October paid in November
    body = await site.report(
        f"/api/v1/reports/collection-rate?period=2026-11&as_of={AS_OF}&by=site"
    )
    [row] = body["rows"]
    billed, collected, _prior = rates[("2026-11", "")]
    bp = rate_basis_points(Money(collected), Money(billed))
    assert bp is not None and 0 < bp < 10_000
    assert row["rate_percent"] == f"{bp // 100}.{bp % 100:02d}"


async def test_hq_daily_totals_per_method_are_the_counters_when_prepaid_is_spent(
    site: Site,
) -> None:
    from feetui.services.reports import PREPAID_KEY, build_daily_report

    one, two = "1-1-101", "2-1-201"
    # ¥500 cash for November's property fee of 1-1-101, the rest kept as prepaid balance.
    await _pay(
        site, one, [("cash", 50_000)], charge_ids=[site.charges[(one, "PF", "2026-11")]],
        overpay_to_prepaid=True,
    )  # fmt: skip
    # Prepaid spent with cash beside it, prepaid alone (then voided), and a card payment.
    await _pay(
        site, one, [("prepaid", 1_000), ("cash", 500)],
        charge_ids=[site.charges[(one, "TRASH", "2026-10")]],
    )  # fmt: skip
    alone = await _pay(
        site, one, [("prepaid", 1_500)], charge_ids=[site.charges[(one, "TRASH", "2026-11")]]
    )
    await _void(site, alone.payment_id)
    await _pay(
        site, two, [("card", 10_000)], charge_ids=[site.charges[(two, "PF", "2026-11")]],
        amount_to_charges=Money(10_000),
    )  # fmt: skip
    await site.counter.sync()
    report = await site.counter.run(build_daily_report(site.counter.svc, business_date=AS_OF))
    counter = {m.method: m.amount.fen for m in report.takings.methods}
    assert counter["prepaid"] == 1_000 and counter["cash"] == 50_500
    body = await site.report(f"/api/v1/reports/daily?date={AS_OF}")
    hq: dict[str, int] = {}
    for row in body["rows"]:
        money = row["payments_fen"] + row["voids_fen"]
        hq[row["method"]] = hq.get(row["method"], 0) + money + row["paid_from_prepaid_fen"]
        if row["method"] == "prepaid":
            assert (row["payments_fen"], row["voids_fen"], row["net_fen"]) == (0, 0, 0)
            assert row["paid_from_prepaid_fen"] == 1_000
        else:
            assert row["paid_from_prepaid_fen"] == 0
    assert hq == counter
    assert sum(row["net_fen"] for row in body["rows"]) == 50_500 + 10_000
    # The prepaid balance and the day's new prepaid credit are the counter's too.
    for code in (one, two):
        held = await site.hq.scalar(
            "SELECT coalesce(sum(amount_fen), 0) FROM allocations"
            " WHERE charge_id IS NULL AND unit_id = ?",
            site.units[code],
        )
        assert int(held) == await site.counter.prepaid(site.units[code])
    credit = await site.hq.scalar(
        "SELECT coalesce(sum(amount_fen), 0) FROM allocations WHERE line = 'prepaid'"
    )
    [deposits] = [g for g in report.takings.groups if g.key == PREPAID_KEY]
    assert int(credit) == deposits.total.fen > 0
    # The shift's slip per method, prepaid spent included, is HQ's shift report; the close
    # carries the same totals and HQ's check of them finds nothing wrong.
    await _assert_shift_methods_are_the_slips(
        site, {"cash": 50_500, "prepaid": 1_000, "card": 10_000}
    )
    await _close(site)
    await site.counter.sync()
    kinds = {e["kind"] for e in (await site.report("/api/v1/reports/exceptions"))["rows"]}
    assert not kinds & {"method_total_mismatch", "expected_cash_mismatch"}, kinds
    [close] = await site.counter.query("SELECT payload_json FROM journal_entry WHERE kind = ?",
                                       "shift_close")  # fmt: skip
    assert __import__("json").loads(close[0])["method_totals"] == {
        "cash": 50_500, "prepaid": 1_000, "card": 10_000
    }  # fmt: skip


async def _assert_shift_methods_are_the_slips(site: Site, by_hand: dict[str, int]) -> None:
    """HQ's shift report, method by method, is the counter's shift slip (and ``by_hand``)."""
    from feetui.services.reports import build_shift_report
    from sync_server.services.reports import SHIFT_METHODS

    slip = await site.counter.run(
        build_shift_report(site.counter.svc, shift_id=site.counter.shift_id)
    )
    counter = {m.method: m.amount.fen for m in slip.takings.methods}
    [row] = (await site.report(f"/api/v1/reports/shifts?date={AS_OF}&site=S1"))["rows"]
    hq = {m: row[f"{m}_fen"] for m in SHIFT_METHODS if row[f"{m}_fen"] or m in counter}
    assert hq == counter == by_hand
    assert row["other_fen"] == 0
    assert -row["refunds_fen"] == slip.refunds.fen


async def _close(site: Site) -> None:
    """Close the counter's shift with exactly the expected cash counted."""
    from feetui.services.shifts import close_shift, get_drawer_cash

    svc, shift_id = site.counter.svc, site.counter.shift_id
    drawer = await site.counter.run(get_drawer_cash(svc, shift_id=shift_id))
    yuan, dimes = divmod(drawer.expected.fen, 100)
    assert dimes % 10 == 0
    await site.counter.run(
        close_shift(
            svc, close_id=svc.ids.new_str(), shift_id=shift_id, closed_by=site.cashier_id,
            counts={"n1": yuan, "c01": dimes // 10}, expected_seen=drawer.expected,
        )
    )  # fmt: skip


async def test_hq_shift_report_is_the_counters_with_cash_movements_and_deposits(
    site: Site,
) -> None:
    from feetui.services.cash_movements import record_cash_movement
    from feetui.services.reports import build_shift_report
    from feetui.services.shifts import close_shift

    svc, shift_id = site.counter.svc, site.counter.shift_id
    await _pay(
        site,
        "2-1-201",
        [("cash", 1_500)],
        charge_ids=[site.charges[("2-1-201", "TRASH", "2026-10")]],
    )
    for kind, fen, reason, slip in (
        ("pay_in", 10_000, "备用金", ""),
        ("pay_out", 2_000, "买墨盒", ""),
        ("deposit", 20_000, "", "B-0001"),
        ("deposit", 5_000, "", "B-0002"),
    ):
        await site.counter.run(
            record_cash_movement(
                svc, movement_id=svc.ids.new_str(), shift_id=shift_id, cashier_id=site.cashier_id,
                kind=kind, amount=Money(fen), reason=reason, slip_no=slip,
            )
        )  # fmt: skip
    await site.counter.run(
        close_shift(
            svc, close_id=svc.ids.new_str(), shift_id=shift_id, closed_by=site.cashier_id,
            counts={"n100": 3, "n50": 1}, note="多收五元",
        )
    )  # fmt: skip
    await site.counter.sync()
    counter = await site.counter.run(build_shift_report(svc, shift_id=shift_id))
    body = await site.report(f"/api/v1/reports/shifts?date={AS_OF}&site=S1")
    [row] = body["rows"]
    moved = {kind: 0 for kind in ("pay_in", "pay_out", "deposit")}
    for move in counter.cash_movements:
        moved[move.kind] += abs(move.amount.fen)
    assert counter.over_short is not None and counter.counted is not None
    assert (row["device"], row["shift_id"], row["cashier"]) == ("window-1", shift_id, "李收银")
    assert (row["expected_fen"], row["counted_fen"], row["over_short_fen"]) == (
        counter.expected.fen, counter.counted.fen, counter.over_short.fen
    )  # fmt: skip
    assert (row["expected_fen"], row["over_short_fen"]) == (34_500, 500)
    assert (row["pay_in_fen"], row["pay_out_fen"], row["deposit_fen"]) == (
        moved["pay_in"], moved["pay_out"], moved["deposit"]
    ) == (10_000, 2_000, 25_000)  # fmt: skip
    assert row["deposit_slips"] == "B-0001 200.00; B-0002 50.00"
    assert row["opened_at"] and row["closed_at"]
    # Another day has no shift.
    assert (await site.report("/api/v1/reports/shifts?date=2026-11-24"))["rows"] == []
