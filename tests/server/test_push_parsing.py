"""The push body's two parsers: orjson for the hot path, the standard library for every refusal.

A batch orjson parses and the protocol accepts must be exactly the batch ``json.loads`` gives
(payload texts and hashes included); every body refused on the fast path must be refused with the
code and wording the standard path gives (orjson reads a 65-bit integer as a float and refuses
NaN and lone surrogates, which the standard path words differently).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.journal import GENESIS_HASH, canonical_json
from feetui.sync import protocol as p
from tests.server.helpers import Device, Hq

DEVICE = "01900000-0000-7000-8000-00000000000a"
RECORD = "01900000-0000-7000-8000-00000000000b"


def _body(payload: dict, **fields: object) -> bytes:
    record = p.make_record(
        device_id=DEVICE, seq=1, record_id=RECORD, kind="payment", payload={"total_fen": 1},
        prev_hash=GENESIS_HASH,
    ).to_json() | {"payload": payload} | fields  # fmt: skip
    return json.dumps({"device_id": DEVICE, "records": [record]}, ensure_ascii=False).encode()


def _refuse(name: str) -> None:
    raise ValueError(name)


def _stdlib(body: bytes) -> p.PushRequest:
    """The standard path as the server's ``read_json`` takes it (NaN and Infinity refused)."""
    return p.parse_push_request(json.loads(body.decode(), parse_constant=_refuse))


def test_every_code_point_gets_cores_canonical_text() -> None:
    """orjson's escapes equal the standard encoder's for every character (surrogates aside,
    which orjson refuses and the fallback encodes)."""
    characters = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(characters), 4096):
        text = "".join(characters[start : start + 4096])
        payload = {text: [text, 1], "k": {"z": text, "a": None, "b": True}}
        assert p.canonical_text(payload) == canonical_json(payload)
    lone = {"a": "\ud800"}  # orjson refuses it; the standard encoder writes it
    assert p.canonical_text(lone) == canonical_json(lone)
    wide = {"a": 2**70}
    assert p.canonical_text(wide) == canonical_json(wide)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**66), 2**66) | st.text() | st.floats(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(st.text(), JSON_VALUES, max_size=6))
def test_the_fast_parser_accepts_exactly_what_the_standard_one_does(payload: dict) -> None:
    body = _body(payload)
    try:
        expected: p.PushRequest | str = _stdlib(body)
    except p.ProtocolError as error:
        expected = error.code
    except ValueError:
        expected = "bad_json"
    try:
        fast: p.PushRequest | str = p.parse_push_request(p.loads_fast(body))
    except (ValueError, p.ProtocolError):
        fast = "refused"  # the handler parses such a body again with the standard library
    if fast != "refused":
        assert isinstance(expected, p.PushRequest)
        assert fast == expected
        assert [r.payload_json for r in fast.records] == [r.payload_json for r in expected.records]


def _cases(device: Device) -> list[tuple[str, bytes]]:
    good = device.body([device.payment(100)])
    record = good["records"][0]

    def body(**changes: object) -> bytes:
        return json.dumps({**good, "records": [{**record, **changes}]}).encode()

    return [
        ("seq beyond 64 bits", body(seq=2**65)),
        ("seq beyond 63 bits", body(seq=2**63)),
        ("payload integer beyond 64 bits", body(payload={**record["payload"], "x": 2**65})),
        ("payload integer -2**64", body(payload={**record["payload"], "x": -(2**64)})),
        ("payload 1E400", body().replace(b'"payload": {', b'"payload": {"x": 1E400, ')),
        ("payload Infinity", body().replace(b'"payload": {', b'"payload": {"x": Infinity, ')),
        ("lone surrogate", body().replace(b'"payload": {', b'"payload": {"x": "\\ud800", ')),
        ("lone surrogate key", body().replace(b'"payload": {', b'"payload": {"\\udfff": 1, ')),
    ]


@pytest.mark.parametrize("index", range(8))
async def test_bodies_the_fast_parser_refuses_get_the_standard_answer(hq: Hq, index: int) -> None:
    device = await hq.enroll()
    label, body = _cases(device)[index]
    try:
        _stdlib(body)
        expected = None
    except p.ProtocolError as error:
        expected = error.code
    except ValueError:
        expected = "bad_json"
    before = await hq.snapshot()
    response = await hq.client.post("/api/v1/push", data=body, headers=device.auth())
    answer = await response.json()
    if expected is None:  # the protocol takes it, but no text may hold a lone surrogate
        expected = "bad_json"
    assert (response.status, answer["error"]) == (400, expected), label
    assert answer["message"], label
    assert await hq.snapshot() == before, label


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/login", b'{"user_code": "\\ud800", "password": "x"}'),
        ("/api/v1/enroll", b'{"code": "x", "device_id": "y", "name": "\\udc00"}'),
        ("/api/v1/login", b"[" * 100_000 + b"]" * 100_000),
    ],
    ids=["login surrogate", "enroll surrogate", "deep body"],
)
async def test_every_route_refuses_a_lone_surrogate_or_a_deep_body_with_a_400(
    hq: Hq, path: str, body: bytes
) -> None:
    before = await hq.snapshot()
    response = await hq.client.post(path, data=body)
    answer = await response.json()
    assert (response.status, answer["error"]) == (400, "bad_json")
    assert await hq.snapshot() == before


async def test_a_surrogate_pair_escaped_by_the_sender_is_one_character(hq: Hq) -> None:
    device = await hq.enroll()
    good = device.body([device.payment(100, note="😀")])
    body = json.dumps(good, ensure_ascii=True).encode()
    assert b"\\ud83d\\ude00" in body
    response = await hq.client.post("/api/v1/push", data=body, headers=device.auth())
    assert response.status == 200, await response.text()
    assert (await response.json())["ack_seq"] == 1
