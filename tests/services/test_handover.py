"""Handover: the next cashier counts what was left, with their PIN; a difference is recorded
against the outgoing shift, and the incoming cashier's shift opens in the same transaction."""

from __future__ import annotations

import json

import pytest

from feetui.core.errors import InputError, PermissionError_, RuleError
from feetui.core.money import Money
from feetui.db.models import Handover, JournalEntry, Shift
from feetui.services.handover import accept_handover, get_pending_handover
from feetui.services.reports import build_shift_report
from feetui.services.shifts import get_drawer_cash
from tests.builders import Ledger, _user, snapshot
from tests.shift_builders import close, move, parking, void

INCOMING_CODE, INCOMING_PIN = "1002", "5678"


@pytest.fixture
async def incoming(ledger: Ledger):
    return await _user(ledger.svc, INCOMING_CODE, "赵收银", "cashier", INCOMING_PIN)


async def _accept(ledger: Ledger, from_shift_id: str, counts: dict[str, int], **kwargs: str):
    return await accept_handover(
        ledger.svc,
        handover_id=kwargs.pop("handover_id", ledger.new_id()),
        next_shift_id=ledger.new_id(),
        from_shift_id=from_shift_id,
        code=kwargs.pop("code", INCOMING_CODE),
        pin=kwargs.pop("pin", INCOMING_PIN),
        counts=counts,
        **kwargs,
    )


async def test_a_closed_shift_waits_for_handover(ledger: Ledger, incoming) -> None:
    assert await get_pending_handover(ledger.svc) is None
    await close(ledger, {"n100": 5})
    pending = await get_pending_handover(ledger.svc)
    assert pending is not None
    assert (pending.shift_id, pending.cashier_name, pending.left) == (
        ledger.shift.shift_id,
        "李收银",
        Money(50_000),
    )


async def test_acceptance_with_a_shortage_is_recorded_against_the_outgoing_shift(
    ledger: Ledger, incoming
) -> None:
    outgoing = ledger.shift.shift_id
    await close(ledger, {"n100": 5})
    accepted = await _accept(ledger, outgoing, {"n100": 4, "n50": 1, "n10": 4}, note="少十元")
    assert (accepted.left, accepted.counted, accepted.difference) == (
        Money(50_000),
        Money(49_000),
        Money(-1_000),
    )
    row = await Handover.get(id=accepted.handover_id)
    assert (row.shift_id, row.next_shift_id, row.accepted_by_id) == (
        outgoing,
        accepted.next_shift.shift_id,
        incoming.id,
    )
    assert (row.left_fen, row.counted_fen, row.difference_fen, row.note) == (
        50_000,
        49_000,
        -1_000,
        "少十元",
    )
    # The incoming cashier owns the drawer from now on: their shift, their float.
    new_shift = await Shift.get(id=accepted.next_shift.shift_id)
    assert (new_shift.cashier_id, new_shift.opening_float_fen) == (incoming.id, 49_000)
    assert await get_pending_handover(ledger.svc) is None
    report = await build_shift_report(ledger.svc, shift_id=outgoing)
    assert report.handover is not None
    assert (report.handover.accepted_by, report.handover.difference) == ("赵收银", Money(-1_000))
    kinds = await JournalEntry.all().order_by("seq").values_list("kind", flat=True)
    assert kinds[-2:] == ["shift_open", "handover"]
    payload = json.loads((await JournalEntry.get(record_id=accepted.handover_id)).payload_json)
    assert payload["shift_id"] == accepted.next_shift.shift_id
    assert payload["from_shift_id"] == outgoing
    assert payload["difference_fen"] == -1_000


async def test_a_float_that_differs_from_the_last_close_starts_the_next_expected_cash(
    ledger: Ledger, incoming
) -> None:
    unit = await parking(ledger, 12_000)
    await ledger.pay(unit)
    await close(ledger, {"n100": 6, "n20": 1})  # ¥620 counted, ¥620 expected
    accepted = await _accept(ledger, ledger.shift.shift_id, {"n100": 6}, note="少二十元")
    drawer = await get_drawer_cash(ledger.svc, shift_id=accepted.next_shift.shift_id)
    assert drawer.opening_float == Money(60_000)
    assert drawer.expected == Money(60_000)


async def test_wrong_pin_accepts_nothing(ledger: Ledger, incoming) -> None:
    await close(ledger, {"n100": 5})
    before = await snapshot()
    with pytest.raises(PermissionError_) as caught:
        await _accept(ledger, ledger.shift.shift_id, {"n100": 5}, pin="0000")
    assert caught.value.code == "pin_wrong"
    assert await snapshot() == before
    assert await Handover.all().count() == 0
    assert await get_pending_handover(ledger.svc) is not None


async def test_a_difference_without_a_note_accepts_nothing(ledger: Ledger, incoming) -> None:
    await close(ledger, {"n100": 5})
    before = await snapshot()
    with pytest.raises(RuleError) as caught:
        await _accept(ledger, ledger.shift.shift_id, {"n100": 4})
    assert caught.value.code == "handover_note_required"
    assert caught.value.params == {"difference": "-100.00"}
    assert await snapshot() == before
    assert await Shift.all().count() == 1


async def test_bad_counts_accept_nothing(ledger: Ledger, incoming) -> None:
    await close(ledger, {"n100": 5})
    before = await snapshot()
    for counts in ({"n100": -5}, {"n100": "5"}, {"x": 1}):
        with pytest.raises(InputError) as caught:
            await _accept(ledger, ledger.shift.shift_id, counts)  # type: ignore[arg-type]
        assert caught.value.code == "count_invalid"
    assert await snapshot() == before


async def test_an_open_or_taken_over_drawer_cannot_be_accepted(ledger: Ledger, incoming) -> None:
    outgoing = ledger.shift.shift_id
    with pytest.raises(RuleError) as still_open:
        await _accept(ledger, outgoing, {"n100": 5})
    assert still_open.value.code == "handover_not_pending"
    await close(ledger, {"n100": 5})
    handover_id = ledger.new_id()
    first = await _accept(ledger, outgoing, {"n100": 5}, handover_id=handover_id)
    again = await _accept(ledger, outgoing, {"n100": 5}, handover_id=handover_id)
    assert again == first
    with pytest.raises(RuleError) as taken:
        await _accept(ledger, outgoing, {"n100": 5})
    assert taken.value.code == "handover_not_pending"
    assert await Handover.all().count() == 1


async def test_a_void_in_the_next_shift_leaves_the_closed_report_as_printed(
    ledger: Ledger, incoming
) -> None:
    unit = await parking(ledger, 8_000)
    paid = await ledger.pay(unit)
    await move(ledger, "deposit", 8_000, slip_no="D1")
    first_shift = ledger.shift.shift_id
    await close(ledger, {"n100": 5})
    before = await build_shift_report(ledger.svc, shift_id=first_shift)
    accepted = await _accept(ledger, first_shift, {"n100": 5})
    ledger.shift = accepted.next_shift
    ledger.cashier = incoming
    await void(ledger, paid.payment_id)
    after = await build_shift_report(ledger.svc, shift_id=first_shift)
    assert after.takings.total == before.takings.total == Money(8_000)
    assert after.receipts.voided == (paid.receipt_no,)
    second = await build_shift_report(ledger.svc, shift_id=accepted.next_shift.shift_id)
    assert second.takings.total == Money(-8_000)
    assert second.takings.void_count == 1
    assert second.receipts.used == 1
    assert second.expected == Money(42_000)


async def test_preview_shows_left_and_counted_without_writing(ledger: Ledger, incoming) -> None:
    from feetui.services.handover import preview_handover

    await close(ledger, {"n100": 5})
    before = await snapshot()
    preview = await preview_handover(
        ledger.svc, from_shift_id=ledger.shift.shift_id, counts={"n100": 4, "n50": 1}
    )
    assert (preview.left, preview.counted, preview.difference) == (
        Money(50_000),
        Money(45_000),
        Money(-5_000),
    )
    assert await snapshot() == before
