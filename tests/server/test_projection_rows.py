"""Projected rows of a batch: a record goes in whole or not at all."""

from __future__ import annotations

import pytest

from feetui.sync.protocol import WireRecord, make_record
from sync_server.services.projection import PROJECTORS, Rows, Unprojectable


def _payment(seq: int, charge_id: str, **extra: object) -> WireRecord:
    payload = {
        "created_at": "2026-11-23T01:30:00+00:00", "business_date": "2026-11-23",
        "shift_id": "shift-1", "unit_id": "unit-1",
        "tenders": [{"id": f"t{seq}", "method": "cash", "amount_fen": 500}],
        "allocations": [{"id": f"a{seq}", "charge_id": charge_id, "amount_fen": 500}], **extra,
    }  # fmt: skip
    return make_record(
        device_id="0190a1b2-0000-4000-8000-000000000001", seq=seq, kind="payment",
        record_id=f"0190a1b2-0000-7000-8000-00000000000{seq}", payload=payload,
        prev_hash="0" * 64,
    )  # fmt: skip


def test_a_record_that_fails_part_way_leaves_no_row_and_no_charge_behind() -> None:
    rows = Rows("site-1")
    good = _payment(1, "charge-1")
    rows.project(PROJECTORS["payment"], good)
    before = (list(rows.money_lines), list(rows.allocations), dict(rows.charged))

    def half_then_fail(target: Rows, record: WireRecord) -> None:
        PROJECTORS["payment"](target, record)  # money lines and allocations appended ...
        raise Unprojectable("something after them is missing")

    with pytest.raises(Unprojectable):
        rows.project(half_then_fail, _payment(2, "charge-2"))
    assert (rows.money_lines, rows.allocations, rows.charged) == before
    assert rows.charged == {"charge-1": good}


def test_charged_names_the_last_record_that_allocated_to_each_charge() -> None:
    rows = Rows("site-1")
    first, second = _payment(1, "charge-1"), _payment(2, "charge-1")
    for record in (first, second):
        rows.project(PROJECTORS["payment"], record)
    assert rows.charged == {"charge-1": second}
    assert [row[0] for row in rows.allocations] == [first.record_id, second.record_id]
