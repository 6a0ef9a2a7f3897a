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


def _field_by_field(payload: dict, key: str, field: str) -> list[tuple]:
    """How a payment's lines were read before the one-loop reading: ``children``, ``text`` and
    ``fen`` per field, which word each problem."""
    from sync_server.services.projection import _line_id, children, fen, text

    return [
        (_line_id(child, index), text(child, field), fen(child, "amount_fen"))
        for index, child in enumerate(children(payload, key))
    ]


LINE_CASES = [
    [],
    [{"id": "t1", "method": "cash", "amount_fen": 500}],
    [{"method": "cash", "amount_fen": 500}, {"id": "", "method": "card", "amount_fen": -3}],
    [{"id": 7, "method": "cash", "amount_fen": 0}, {"id": "x", "method": "cash", "amount_fen": 1}],
    [{"id": "t1", "method": "", "amount_fen": 500}],
    [{"id": "t1", "amount_fen": 500}],
    [{"id": "t1", "method": "cash", "amount_fen": True}],
    [{"id": "t1", "method": "cash", "amount_fen": "500"}],
    [{"id": "t1", "method": "cash"}],
    [{"id": "t1", "method": "cash", "amount_fen": 1}, "not an object"],
    [{"id": "t1", "method": "", "amount_fen": 1}, ["not an object"]],
    [{"id": "t1", "method": 3, "amount_fen": 1}],
    "not a list",
    {"id": "t1"},
    None,
]


@pytest.mark.parametrize("value", LINE_CASES)
@pytest.mark.parametrize(("key", "field"), [("tenders", "method"), ("allocations", "charge_id")])
def test_lines_are_read_as_field_by_field_checks_read_them(
    value: object, key: str, field: str
) -> None:
    """The one-loop reading of tenders and allocations gives the same lines, or the same refusal
    in the same words, as the field-by-field checks, for every shape a payload may have."""
    from sync_server.services.projection import _lines

    child_field = {"tenders": "method", "allocations": "charge_id"}[key]
    if isinstance(value, list):
        value = [
            {(child_field if k == "method" else k): v for k, v in c.items()} if isinstance(c, dict)
            else c
            for c in value
        ]  # fmt: skip
    for payload in ({key: value}, {}):
        try:
            expected: object = _field_by_field(payload, key, field)
        except Unprojectable as error:
            expected = ("refused", str(error))
        try:
            got: object = _lines(payload, key, field)
        except Unprojectable as error:
            got = ("refused", str(error))
        assert got == expected
