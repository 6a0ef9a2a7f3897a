"""Nothing is refused for business reasons; late, skewed and overpaid records are flagged (R9, R13,
R19)."""

from __future__ import annotations

import json

from tests.server.helpers import Hq


async def test_records_from_days_ago_are_stored_with_their_date_and_flagged_late(hq: Hq) -> None:
    device = await hq.enroll()
    old = device.payment(500, business_date="2026-11-20", created_at="2026-11-20T02:00:00Z")
    answer = await hq.push(device, [old])
    assert answer["results"][0]["status"] == "created"
    assert await hq.scalar("SELECT business_date FROM money_lines") == "2026-11-20"
    late = await hq.exceptions("late")
    assert [(e["device_id"], e["record_id"]) for e in late] == [(device.device_id, old.record_id)]


async def test_a_payment_into_a_shift_hq_saw_closed_is_kept_in_its_shift_and_flagged(
    hq: Hq,
) -> None:
    device = await hq.enroll()
    device.shift_id = "shift-1"
    opened = device.record("shift_open", shift_id="shift-1", cashier="c01")
    paid = device.payment(800)
    closed = device.record("shift_close", shift_id="shift-1", expected_fen=800, counted_fen=800)
    await hq.push(device, [opened, closed])
    # The payment had been lost on the way and comes after the close.
    await hq.push(device, [paid])
    assert await hq.scalar("SELECT shift_id FROM money_lines") == "shift-1"
    assert [e["record_id"] for e in await hq.exceptions("late")] == [paid.record_id]


async def test_clock_skew_is_flagged_for_future_and_backwards_stamps(hq: Hq) -> None:
    device = await hq.enroll()
    ahead = device.payment(100, created_at="2026-11-23T03:00:00Z")
    behind = device.payment(100, created_at="2026-11-23T01:00:00Z")
    await hq.push(device, [ahead, behind])
    skew = await hq.exceptions("clock_skew")
    assert [e["seq"] for e in skew] == [1, 2]
    assert await hq.scalar("SELECT count(*) FROM journal") == 2


async def test_two_counters_paying_one_charge_keep_both_payments_and_flag_overpaid(hq: Hq) -> None:
    one = await hq.enroll(name="window-1")
    two = await hq.enroll(name="window-2")
    charge = one.record(
        "charge", charge_id="charge-1", unit_id="unit-1", period="2026-11", amount_fen=1000,
        due_date="2026-11-30",
    )  # fmt: skip
    await hq.push(one, [charge, one.payment(1000, charge_id="charge-1")])
    await hq.push(two, [two.payment(1000, charge_id="charge-1")])
    assert await hq.scalar("SELECT sum(amount_fen) FROM money_lines") == 2000
    overpaid = await hq.exceptions("overpaid")
    assert [(e["device_id"], e["site_id"]) for e in overpaid] == [(two.device_id, hq.sites["S1"])]


async def test_a_shift_closed_with_a_difference_is_an_over_short_exception(hq: Hq) -> None:
    device = await hq.enroll()
    close = device.record("shift_close", shift_id="s1", expected_fen=10000, counted_fen=9950)
    await hq.push(device, [close])
    [row] = await hq.exceptions("over_short")
    assert '"over_short_fen":-50' in row["detail"]


async def test_an_unknown_kind_is_stored_and_chain_checked_but_not_projected(hq: Hq) -> None:
    device = await hq.enroll()
    odd = device.record("loyalty_points", points=5)
    answer = await hq.push(device, [odd, device.payment(100)])
    assert answer["ack_seq"] == 2
    assert await hq.scalar("SELECT kind FROM journal WHERE seq = 1") == "loyalty_points"
    assert await hq.exceptions("chain_break") == []


async def test_a_payment_without_tenders_shape_is_kept_and_flagged_unprojected(hq: Hq) -> None:
    device = await hq.enroll()
    odd = device.record("payment", tenders="cash")
    answer = await hq.push(device, [odd])
    assert answer["results"][0]["status"] == "created"
    assert [e["record_id"] for e in await hq.exceptions("unprojected")] == [odd.record_id]


def _open_shift(device, float_fen: int) -> str:
    """A ``shift_open`` as the counter journals it: its record id is the shift's id."""
    from feetui.sync.protocol import make_record

    shift_id = device.ids.new_str()
    device.seq += 1
    opened = make_record(
        device_id=device.device_id, seq=device.seq, record_id=shift_id, kind="shift_open",
        payload={"created_at": "2026-11-23T01:30:00Z", "business_date": "2026-11-23",
                 "id": shift_id, "opening_float_fen": float_fen, "cashier_name": "李收银"},
        prev_hash=device.prev,
    )  # fmt: skip
    device.prev = opened.hash
    device.made.append(opened)
    device.shift_id = shift_id
    return shift_id


async def test_a_close_whose_expected_cash_is_not_the_shifts_own_records_is_flagged(
    hq: Hq,
) -> None:
    device = await hq.enroll()
    records = []
    for expected in (58_000, 57_000):  # right, then ¥10 short of what the records say
        shift_id = _open_shift(device, 50_000)
        records += [
            device.made[-1],
            device.payment(10_000),
            device.payment(5_000, method="card"),
            device.record("cash_movement", shift_id=shift_id, kind="pay_out", amount_fen=2_000),
            device.record("shift_close", shift_id=shift_id, expected_fen=expected,
                          counted_fen=expected),
        ]  # fmt: skip
    device.shift_id = "never-opened-here"  # a close whose open HQ lacks is not checked
    records.append(
        device.record("shift_close", shift_id="never-opened-here", expected_fen=1, counted_fen=1)
    )
    await hq.push(device, records)
    [flagged] = await hq.exceptions("expected_cash_mismatch")
    assert (flagged["device_id"], flagged["seq"]) == (device.device_id, 10)
    assert '"expected_fen":57000' in flagged["detail"]
    assert '"hq_expected_fen":58000' in flagged["detail"]
    assert '"difference_fen":-1000' in flagged["detail"]


async def test_a_close_whose_totals_per_method_are_not_the_shifts_records_is_flagged(
    hq: Hq,
) -> None:
    device = await hq.enroll()
    records, closes = [], {}
    # name: (counter's method_totals or None for an older counter, expected cash)
    cases = {
        "clean": ({"cash": 10_000, "card": 5_000, "wechat": 0, "prepaid": 1_000}, 58_000),
        "card": ({"cash": 10_000, "card": 4_000, "prepaid": 1_000}, 58_000),
        "older": (None, 58_000),
        "cash": ({"cash": 9_000, "card": 5_000, "wechat": 0, "prepaid": 1_000}, 58_000),
        "cash_and_drawer": ({"cash": 9_000, "card": 5_000, "prepaid": 1_000}, 57_000),
    }
    for name, (totals, expected) in cases.items():
        shift_id = _open_shift(device, 50_000)
        records += [device.made[-1], device.payment(10_000), device.payment(5_000, method="card")]
        wechat = device.payment(3_000, method="wechat")
        records += [
            wechat,
            device.void(wechat),
            device.payment(1_000, method="prepaid"),
            device.record("refund", shift_id=shift_id, unit_id="unit-1", amount_fen=2_000,
                          method="cash"),
        ]  # fmt: skip
        extra = {} if totals is None else {"method_totals": totals}
        close = device.record("shift_close", shift_id=shift_id, expected_fen=expected,
                              counted_fen=expected, **extra)  # fmt: skip
        records.append(close)
        closes[close.record_id] = name
    await hq.push(device, records)
    flagged = await hq.exceptions("method_total_mismatch")
    assert {closes[e["record_id"]] for e in flagged} == {"card", "cash"}
    details = {closes[e["record_id"]]: json.loads(e["detail"])["methods"] for e in flagged}
    assert details == {
        "card": [
            {"method": "card", "counter_fen": 4_000, "hq_fen": 5_000, "difference_fen": -1_000}
        ],
        "cash": [
            {"method": "cash", "counter_fen": 9_000, "hq_fen": 10_000, "difference_fen": -1_000}
        ],
    }
    assert all(e["device_id"] == device.device_id for e in flagged)
    # The drawer's cash was flagged once, as expected cash: not again by method.
    [drawer] = await hq.exceptions("expected_cash_mismatch")
    assert closes[drawer["record_id"]] == "cash_and_drawer"
