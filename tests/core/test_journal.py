"""The per-device journal hash chain: canonical payloads, hashes and the first broken link."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.journal import (
    GENESIS_HASH,
    ChainBreak,
    ChainEntry,
    canonical_json,
    entry_hash,
    make_entry,
    verify_chain,
)

DEVICE = "dev-01"


def _chain(count: int, *, device_id: str = DEVICE, start_seq: int = 1, prev: str = GENESIS_HASH):
    entries = []
    for seq in range(start_seq, start_seq + count):
        payload = canonical_json(
            {"amount_fen": seq * 100, "unit": f"3-2-{seq:04d}", "note": "收款"}
        )
        entry = make_entry(
            device_id=device_id,
            seq=seq,
            record_id=f"rec-{seq}",
            kind="payment",
            payload_json=payload,
            prev_hash=prev,
        )
        entries.append(entry)
        prev = entry.hash
    return entries


# canonical_json


def test_canonical_json_sorts_keys_without_spaces_and_keeps_chinese() -> None:
    text = canonical_json({"b": 1, "a": {"y": [1, 2], "x": "张三"}, "c": None, "d": True})
    assert text == '{"a":{"x":"张三","y":[1,2]},"b":1,"c":null,"d":true}'


def test_canonical_json_is_the_same_for_the_same_content_in_any_order() -> None:
    assert canonical_json({"a": 1, "b": 2}) == canonical_json({"b": 2, "a": 1})


@pytest.mark.parametrize(
    "payload",
    [
        {"amount": 12.5},
        {"nested": {"deep": [1, 2.0]}},
        {"list": [{"x": float("nan")}]},
        {"inf": float("inf")},
    ],
)
def test_canonical_json_refuses_floats_anywhere(payload: dict) -> None:
    with pytest.raises(TypeError):
        canonical_json(payload)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.text(), JSON_VALUES, max_size=6))
def test_canonical_json_is_byte_identical_to_sorted_compact_json_dumps(payload: dict) -> None:
    expected = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(payload) == expected


def test_canonical_json_refuses_floats_behind_mapping_subclasses_and_tuples() -> None:
    class Wrapped(dict):
        pass

    for payload in (Wrapped(a=1.5), {"a": (1, 2.0)}, {"a": [Wrapped(b=0.1)]}):
        with pytest.raises(TypeError, match="float"):
            canonical_json(payload)


@settings(max_examples=80, deadline=None)
@given(
    st.text(), st.integers(min_value=0), st.text(), st.text(), st.text(), st.text(),
)  # fmt: skip
def test_entry_hash_is_sha256_over_compact_json_dumps_of_the_fields(
    device_id: str, seq: int, record_id: str, kind: str, payload_json: str, prev_hash: str
) -> None:
    fields = [device_id, seq, record_id, kind, payload_json, prev_hash]
    try:
        message = json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 text, no hash either way
        with pytest.raises(UnicodeEncodeError):
            entry_hash(device_id=device_id, seq=seq, record_id=record_id, kind=kind,
                       payload_json=payload_json, prev_hash=prev_hash)  # fmt: skip
        return
    expected = hashlib.sha256(b"feetui.journal.v1\x00" + message).hexdigest()
    got = entry_hash(device_id=device_id, seq=seq, record_id=record_id, kind=kind,
                     payload_json=payload_json, prev_hash=prev_hash)  # fmt: skip
    assert got == expected


def test_canonical_json_refuses_non_string_keys_and_unknown_types() -> None:
    with pytest.raises(TypeError):
        canonical_json({1: "a"})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        canonical_json({"when": object()})


# entry_hash


def test_entry_hash_is_sha256_hex_and_covers_every_field() -> None:
    base = {
        "device_id": DEVICE,
        "seq": 1,
        "record_id": "r1",
        "kind": "payment",
        "payload_json": "{}",
        "prev_hash": GENESIS_HASH,
    }
    digest = entry_hash(**base)
    assert len(digest) == 64
    assert int(digest, 16) >= 0
    changed = {"device_id": "dev-02", "seq": 2, "record_id": "r2", "kind": "void"}
    changed |= {"payload_json": '{"a":1}', "prev_hash": "1" * 64}
    for name, value in changed.items():
        assert entry_hash(**{**base, name: value}) != digest, name


def test_entry_hash_does_not_confuse_shifted_field_boundaries() -> None:
    # Plain concatenation would make these two equal; the encoding must not.
    one = entry_hash(
        device_id="ab", seq=1, record_id="c", kind="k", payload_json="{}", prev_hash=GENESIS_HASH
    )
    two = entry_hash(
        device_id="a", seq=1, record_id="bc", kind="k", payload_json="{}", prev_hash=GENESIS_HASH
    )
    assert one != two


def test_entry_hash_differs_from_a_bare_sha256_of_the_fields() -> None:
    bare = hashlib.sha256(b"dev-011r1payment{}" + GENESIS_HASH.encode()).hexdigest()
    assert (
        entry_hash(
            device_id=DEVICE,
            seq=1,
            record_id="r1",
            kind="payment",
            payload_json="{}",
            prev_hash=GENESIS_HASH,
        )
        != bare
    )


def test_entry_hash_refuses_a_non_integer_seq() -> None:
    with pytest.raises(TypeError):
        entry_hash(
            device_id=DEVICE,
            seq="1",  # type: ignore[arg-type]
            record_id="r",
            kind="k",
            payload_json="{}",
            prev_hash=GENESIS_HASH,
        )


# verify_chain


def test_verify_chain_accepts_an_intact_chain() -> None:
    assert verify_chain(_chain(10)) is None


def test_verify_chain_accepts_an_empty_chain() -> None:
    assert verify_chain([]) is None


def test_verify_chain_starts_from_a_trusted_point() -> None:
    whole = _chain(10)
    tail = whole[6:]
    assert verify_chain(tail, start_seq=7, start_prev_hash=whole[5].hash) is None
    assert verify_chain(tail) == ChainBreak(1, "seq_gap")
    assert verify_chain(tail, start_seq=7) == ChainBreak(7, "prev_hash_mismatch")


def test_verify_chain_takes_hash_results_already_computed_instead_of_hashing_again() -> None:
    entries = _chain(6)
    flags = [entry.hash == entry.computed_hash() for entry in entries]
    assert verify_chain(entries, hashes_ok=flags) is None
    # A result says "this hash did not match its content": reported at that entry's seq.
    flags[3] = False
    assert verify_chain(entries, hashes_ok=flags) == ChainBreak(4, "hash_mismatch")


def test_verify_chain_with_hash_results_still_checks_every_link() -> None:
    entries = _chain(6)
    swapped = [*entries[:2], entries[3], entries[2], *entries[4:]]
    assert verify_chain(swapped, hashes_ok=[True] * 6) == ChainBreak(3, "seq_gap")
    relinked = [*entries[:4], dataclasses.replace(entries[4], prev_hash=GENESIS_HASH), entries[5]]
    assert verify_chain(relinked, hashes_ok=[True] * 6) == ChainBreak(5, "prev_hash_mismatch")
    foreign = [*entries[:5], _chain(1, device_id="dev-02", start_seq=6, prev=entries[4].hash)[0]]
    assert verify_chain(foreign, hashes_ok=[True] * 6) == ChainBreak(6, "device_mismatch")


def test_verify_chain_needs_one_hash_result_per_entry() -> None:
    with pytest.raises(ValueError, match="one result per entry"):
        verify_chain(_chain(3), hashes_ok=[True, True])
    with pytest.raises(ValueError, match="one result per entry"):
        verify_chain(_chain(3), hashes_ok=[True] * 4)


def test_verify_chain_finds_an_edited_payload_at_its_seq() -> None:
    entries = _chain(10)
    edited = entries[4].payload_json.replace('"amount_fen":500', '"amount_fen":5')
    entries[4] = dataclasses.replace(entries[4], payload_json=edited)
    assert verify_chain(entries) == ChainBreak(5, "hash_mismatch")


def test_verify_chain_finds_an_edit_that_was_rehashed_at_the_next_link() -> None:
    entries = _chain(10)
    forged = make_entry(
        device_id=DEVICE,
        seq=5,
        record_id=entries[4].record_id,
        kind="payment",
        payload_json=canonical_json({"amount_fen": 1}),
        prev_hash=entries[3].hash,
    )
    entries[4] = forged
    assert verify_chain(entries) == ChainBreak(6, "prev_hash_mismatch")


def test_verify_chain_finds_a_deleted_entry_at_its_seq() -> None:
    entries = _chain(10)
    del entries[3]
    assert verify_chain(entries) == ChainBreak(4, "seq_gap")


def test_verify_chain_finds_two_swapped_entries_at_the_first_of_them() -> None:
    entries = _chain(10)
    entries[2], entries[3] = entries[3], entries[2]
    assert verify_chain(entries) == ChainBreak(3, "seq_gap")


def test_verify_chain_finds_swapped_entries_even_when_renumbered() -> None:
    entries = _chain(10)
    third, fourth = entries[2], entries[3]
    entries[2] = dataclasses.replace(fourth, seq=3)
    entries[3] = dataclasses.replace(third, seq=4)
    assert verify_chain(entries) == ChainBreak(3, "prev_hash_mismatch")


def test_verify_chain_finds_a_repeated_entry() -> None:
    entries = _chain(5)
    entries.insert(3, entries[2])
    assert verify_chain(entries) == ChainBreak(4, "seq_gap")


def test_verify_chain_finds_an_entry_of_another_device() -> None:
    entries = _chain(6)
    entries[3] = dataclasses.replace(entries[3], device_id="dev-99")
    assert verify_chain(entries) == ChainBreak(4, "device_mismatch")
    assert verify_chain(_chain(3), device_id="dev-99") == ChainBreak(1, "device_mismatch")


def test_verify_chain_finds_a_changed_hash() -> None:
    entries = _chain(4)
    entries[1] = dataclasses.replace(entries[1], hash="f" * 64)
    assert verify_chain(entries) == ChainBreak(2, "hash_mismatch")


def test_verify_chain_finds_a_chain_that_does_not_start_at_genesis() -> None:
    entries = _chain(3, prev="a" * 64)
    assert verify_chain(entries) == ChainBreak(1, "prev_hash_mismatch")


def test_verify_chain_reads_any_iterable_once() -> None:
    assert verify_chain(iter(_chain(4))) is None


def test_chain_entry_is_a_frozen_value() -> None:
    entry = _chain(1)[0]
    assert isinstance(entry, ChainEntry)
    with pytest.raises(dataclasses.FrozenInstanceError):
        entry.seq = 2  # type: ignore[misc]


@settings(max_examples=100)
@given(st.integers(2, 15), st.data())
def test_verify_chain_finds_any_single_tampering_at_the_right_seq(length: int, data) -> None:
    entries = _chain(length)
    index = data.draw(st.integers(0, length - 1))
    how = data.draw(st.sampled_from(["edit", "delete", "swap", "device"]))
    if how == "edit":
        entries[index] = dataclasses.replace(entries[index], kind="void")
        assert verify_chain(entries) == ChainBreak(index + 1, "hash_mismatch")
    elif how == "device":
        entries[index] = dataclasses.replace(entries[index], device_id="other")
        expected = "device_mismatch" if index else "hash_mismatch"
        assert verify_chain(entries) == ChainBreak(index + 1, expected)
    elif how == "delete":
        del entries[index]
        if index == length - 1:
            # Dropping the newest entry leaves a valid shorter chain: HQ catches it by comparing
            # with the head it acknowledged, not by the chain alone.
            assert verify_chain(entries) is None
        else:
            assert verify_chain(entries) == ChainBreak(index + 1, "seq_gap")
    else:
        other = data.draw(st.integers(0, length - 1).filter(lambda i: i != index))
        first = min(index, other)
        entries[index], entries[other] = entries[other], entries[index]
        assert verify_chain(entries) == ChainBreak(first + 1, "seq_gap")
