"""The wire protocol's validation: shapes, limits, hashes and the naming of differences."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.journal import GENESIS_HASH
from feetui.sync import protocol as p

DEVICE = "01900000-0000-7000-8000-00000000000a"
RECORD = "01900000-0000-7000-8000-00000000000b"


def _record(**payload: object) -> p.WireRecord:
    return p.make_record(
        device_id=DEVICE, seq=1, record_id=RECORD, kind="payment",
        payload={"total_fen": 100, **payload}, prev_hash=GENESIS_HASH,
    )  # fmt: skip


def test_a_made_record_round_trips_and_its_hash_checks() -> None:
    record = _record()
    parsed = p.parse_record(record.to_json())
    assert parsed == record and parsed.hash_ok()
    assert not p.WireRecord(**{**record.to_json(), "seq": 2}).hash_ok()


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"seq": 0}, "bad_value", "record.seq"),
        ({"seq": 1.0}, "wrong_type", "record.seq"),
        ({"record_id": "01900000-0000-4000-8000-00000000000b"}, "bad_value", "record.record_id"),
        ({"record_id": RECORD.upper()}, "bad_value", "record.record_id"),
        ({"kind": "Pay Ment"}, "bad_value", "record.kind"),
        ({"payload": {"a": [1, {"b": 0.5}]}}, "payload_float", "record.payload.a[1].b"),
        ({"payload": {"a": 2**60}}, "bad_value", "record.payload.a"),
        ({"payload": []}, "wrong_type", "record.payload"),
        ({"hash": "0" * 63}, "bad_value", "record.hash"),
        ({"extra": 1}, "unknown_field", "record.extra"),
    ],
)
def test_parse_record_names_the_first_problem(change: dict, code: str, field: str) -> None:
    with pytest.raises(p.ProtocolError) as caught:
        p.parse_record(_record().to_json() | change)
    assert (caught.value.code, caught.value.params.get("field")) == (code, field)


def test_first_difference_names_the_deepest_field() -> None:
    a = _record(tenders=[{"method": "cash", "amount_fen": 100}])
    b = _record(tenders=[{"method": "cash", "amount_fen": 101}])
    assert p.first_difference(a, a) is None
    assert p.first_difference(a, b) == "payload.tenders[0].amount_fen"
    assert p.first_difference(a, _record(tenders=[], note="x")) == "payload.note"
    assert p.first_difference(a, p.WireRecord(**{**a.to_json(), "seq": 3})) == "seq"


def test_push_requests_are_bounded_and_single_device() -> None:
    record = _record().to_json()
    with pytest.raises(p.ProtocolError) as caught:
        p.parse_push_request({"device_id": DEVICE, "records": [record] * (p.MAX_BATCH + 1)})
    assert caught.value.code == "batch_too_large"
    other = "01900000-0000-7000-8000-00000000000c"
    with pytest.raises(p.ProtocolError) as caught:
        p.parse_push_request({"device_id": other, "records": [record]})
    assert caught.value.code == "foreign_record"


def test_server_answers_parse_on_the_counter_side() -> None:
    answer = p.PushResponse(DEVICE, 1, (p.RecordResult(RECORD, 1, "conflict", "payload.x"),))
    assert p.parse_push_response(answer.to_json()) == answer
    assert answer.conflicts == answer.results
    page = p.PullPage("e1", 0, 5, (p.Change(5, "unit", "upsert", {"id": "u"}),), False)
    assert p.parse_pull_page(page.to_json()) == page
    enrolled = p.EnrollResponse("t", DEVICE, "s", "S1", "绿景苑")
    assert p.parse_enroll_response(enrolled.to_json()) == enrolled


def test_pull_queries_take_plain_integers_only() -> None:
    assert p.parse_pull_query({}) == (0, p.DEFAULT_PULL_LIMIT)
    assert p.parse_pull_query({"cursor": "7", "limit": "3"}) == (7, 3)
    for query in ({"cursor": "-1"}, {"cursor": "１"}, {"limit": "0"}, {"x": "1"}):
        with pytest.raises(p.ProtocolError):
            p.parse_pull_query(query)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-p.MAX_INT, p.MAX_INT) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=10,
)


@settings(max_examples=50, deadline=None)
@given(st.dictionaries(st.text(), JSON_VALUES, max_size=6))
def test_the_fast_canonical_text_is_cores_canonical_json(payload: dict) -> None:
    from feetui.core.journal import canonical_json

    if p._json_ok(payload, 0):
        assert p.canonical_text(payload) == canonical_json(payload)


def test_parsed_records_carry_cores_canonical_text() -> None:
    from feetui.core.journal import canonical_json

    record = _record(name="张三丰", nested={"b": [1, "二"], "a": None})
    assert p.parse_record(record.to_json()).payload_json == canonical_json(record.payload)


ODD_VALUES = (
    st.none() | st.booleans() | st.integers(-(2**64), 2**64) | st.floats(allow_nan=False)
    | st.sampled_from([
        DEVICE, RECORD, RECORD.upper(), DEVICE.replace("-7", "-4"), RECORD + "\n", " " + RECORD,
        "payment", "pay ment", "Payment", "p" * 40, "p" * 41, "payment\n", "", "  ", "0" * 64,
        "0" * 63, "0" * 64 + "\n", "A" * 64, "张三",
    ])
    | st.dictionaries(st.text(max_size=3), st.integers(-(2**60), 2**60) | st.floats(), max_size=2)
    | st.lists(st.integers(), max_size=2)
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from([*p.RECORD_FIELDS, "extra"]), ODD_VALUES, max_size=3),
    st.sets(st.sampled_from(p.RECORD_FIELDS), max_size=2),
)
def test_the_quick_record_check_accepts_only_what_the_full_checks_accept(
    changes: dict, dropped: set
) -> None:
    wire = {**_record(note="收款").to_json(), **changes}
    for name in dropped:
        wire.pop(name, None)
    quick = p._well_formed(wire)
    try:
        full = p._parse_record_checked(wire, "record")
    except p.ProtocolError:
        full = None
    if quick is not None:
        assert full is not None
        assert (quick, quick.payload_json) == (full, full.payload_json)


def test_the_quick_record_check_takes_an_ordinary_record() -> None:
    record = _record(note="收款", tenders=[{"amount_fen": 5, "method": "cash"}])
    assert p._well_formed(record.to_json()) == record
