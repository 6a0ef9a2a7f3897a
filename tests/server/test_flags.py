"""Nothing is refused for business reasons; late, skewed and overpaid records are flagged (R9, R13,
R19)."""

from __future__ import annotations

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
