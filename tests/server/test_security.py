"""Hardening: every bad request gets the right status and a JSON error, and changes nothing.

The cases of issue 9: no token, a forged token, a revoked device, a device pushing records of
another device or site, a replayed batch, an oversized body, malformed JSON, unknown fields and
wrong types. Each asserts the status, the stable error code, a message for people, and that the
database (every row of every table, ``Hq.snapshot``) is as it was.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from feetui.sync.protocol import MAX_BATCH
from sync_server.middlewares import PUBLIC_ROUTES
from tests.server.helpers import Device, Hq
from tests.server.openapi_check import operations


def _assert_error(body: Any) -> None:
    """A JSON error with a stable code and a message a person can read."""
    assert set(body) == {"error", "message", "params"}, body
    assert isinstance(body["error"], str) and body["error"], body
    assert isinstance(body["message"], str) and len(body["message"]) > 10, body


async def _post(hq: Hq, path: str, *, data: Any = None, headers: dict | None = None) -> tuple:
    response = await hq.client.post(path, data=data, headers=headers or {})
    body = await response.json()
    _assert_error(body)
    return response.status, body


async def _pushed(hq: Hq) -> tuple[Device, list]:
    device = await hq.enroll()
    records = [device.payment(100), device.payment(200)]
    await hq.push(device, records)
    return device, records


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_token"),
        ({"Authorization": "Bearer fdt_forged-token"}, "bad_token"),
        ({"Authorization": "Basic abc"}, "missing_token"),
        ({"Authorization": "Bearer fut_not-a-session"}, "bad_token"),
    ],
)
async def test_push_without_a_valid_token_is_401_and_changes_nothing(
    hq: Hq, headers: dict, code: str
) -> None:
    device, _ = await _pushed(hq)
    before = await hq.snapshot()
    body = json.dumps(device.body([device.payment(999)]))
    status, error = await _post(hq, "/api/v1/push", data=body, headers=headers)
    assert (status, error["error"]) == (401, code)
    assert await hq.snapshot() == before


async def test_a_revoked_device_gets_401_and_changes_nothing(hq: Hq) -> None:
    from sync_server.services.auth import revoke_device

    device, _ = await _pushed(hq)
    assert await revoke_device(hq.db, device.device_id, now=hq.clock())
    before = await hq.snapshot()
    body = json.dumps(device.body([device.payment(999)]))
    status, error = await _post(hq, "/api/v1/push", data=body, headers=device.auth())
    assert (status, error["error"]) == (401, "bad_token")
    assert await hq.snapshot() == before


async def test_pushing_another_devices_records_is_403_and_changes_nothing(hq: Hq) -> None:
    mine, _ = await _pushed(hq)
    other = await hq.enroll(name="window-2")
    before = await hq.snapshot()
    theirs = other.body([other.payment(100)])
    status, error = await _post(hq, "/api/v1/push", data=json.dumps(theirs), headers=mine.auth())
    assert (status, error["error"]) == (403, "foreign_device")
    # The batch names my device but carries a record of the other device.
    mixed = {"device_id": mine.device_id, "records": theirs["records"]}
    status, error = await _post(hq, "/api/v1/push", data=json.dumps(mixed), headers=mine.auth())
    assert (status, error["error"]) == (400, "foreign_record")
    assert await hq.snapshot() == before


async def test_pushing_records_of_another_site_is_403_and_changes_nothing(hq: Hq) -> None:
    device, _ = await _pushed(hq)
    before = await hq.snapshot()
    record = device.payment(100, site_id=hq.sites["S2"])
    body = json.dumps(device.body([record]))
    status, error = await _post(hq, "/api/v1/push", data=body, headers=device.auth())
    assert (status, error["error"]) == (403, "foreign_site")
    assert await hq.snapshot() == before


async def test_a_replayed_batch_changes_nothing_and_another_device_cannot_replay_it(
    hq: Hq,
) -> None:
    device, records = await _pushed(hq)
    captured = json.dumps(device.body(records))
    other = await hq.enroll(name="window-2")
    hq.clock.advance(minutes=5)
    before = await hq.snapshot()
    # Someone else's token with the captured batch: refused, as any foreign batch is.
    status, error = await _post(hq, "/api/v1/push", data=captured, headers=other.auth())
    assert (status, error["error"]) == (403, "foreign_device")
    assert await hq.snapshot() == before
    # The device itself sending the batch again (a lost reply): every record already held.
    response = await hq.client.post("/api/v1/push", data=captured, headers=device.auth())
    assert response.status == 200
    answer = await response.json()
    assert [r["status"] for r in answer["results"]] == ["exists", "exists"]
    assert answer["ack_seq"] == 2
    # Only "when HQ last heard from this counter" moves: nothing stored, counted or flagged.
    after = await hq.snapshot()
    assert {t for t in before if after[t] != before[t]} == {"devices"}
    assert _without_last_push(after["devices"]) == _without_last_push(before["devices"])


def _without_last_push(rows: list[str]) -> list[str]:
    return [re.sub(r"\('last_push_at', [^)]*\), ", "", row) for row in rows]


@pytest.mark.parametrize(
    ("method", "path"),
    sorted(
        (method, path.replace("{payment_id}", "0190a0a0-0000-7000-8000-000000000000"))
        for (method, path), _op in operations().items()
        if not any(path == f"/api/v1/{name}" for name in PUBLIC_ROUTES)
        and path not in ("/metrics", "/api/v1/openapi.json")
    ),
)
@pytest.mark.parametrize(
    ("token", "code"), [(None, "missing_token"), ("fdt_forged-token", "bad_token")]
)
async def test_every_private_route_refuses_no_token_or_a_forged_one_and_changes_nothing(
    hq: Hq, method: str, path: str, token: str | None, code: str
) -> None:
    await _pushed(hq)
    before = await hq.snapshot()
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    response = await hq.client.request(method, path, data="{}", headers=headers)
    body = await response.json()
    _assert_error(body)
    assert (response.status, body["error"]) == (401, code)
    assert await hq.snapshot() == before


async def test_a_user_token_cannot_push(hq: Hq) -> None:
    device, _ = await _pushed(hq)
    token = await hq.user_token("boss")
    before = await hq.snapshot()
    body = json.dumps(device.body([device.payment(5)]))
    headers = {"Authorization": f"Bearer {token}"}
    status, error = await _post(hq, "/api/v1/push", data=body, headers=headers)
    assert (status, error["error"]) == (403, "device_token_required")
    assert await hq.snapshot() == before


def _bad_bodies(device: Device) -> list[tuple[str, bytes | str, int, str]]:
    good = device.body([device.payment(100)])
    record = good["records"][0]
    return [
        ("malformed JSON", b'{"device_id": ', 400, "bad_json"),
        ("not UTF-8", b"\xff\xfe{}", 400, "bad_encoding"),
        ("NaN", '{"a": NaN}', 400, "bad_json"),
        ("array body", "[]", 400, "not_an_object"),
        ("unknown field", json.dumps({**good, "extra": 1}), 400, "unknown_field"),
        ("unknown record field", json.dumps({**good, "records": [{**record, "x": 1}]}), 400,
         "unknown_field"),
        ("missing field", json.dumps({"device_id": device.device_id}), 400, "missing_field"),
        ("seq as text", json.dumps({**good, "records": [{**record, "seq": "1"}]}), 400,
         "wrong_type"),
        ("seq as bool", json.dumps({**good, "records": [{**record, "seq": True}]}), 400,
         "wrong_type"),
        ("seq zero", json.dumps({**good, "records": [{**record, "seq": 0}]}), 400, "bad_value"),
        ("float in payload",
         json.dumps({**good, "records": [{**record, "payload": {"amount_fen": 1.5}}]}), 400,
         "payload_float"),
        ("bad hash", json.dumps({**good, "records": [{**record, "hash": "XYZ"}]}), 400,
         "bad_value"),
        ("empty batch", json.dumps({**good, "records": []}), 400, "bad_value"),
        ("batch too large", json.dumps({**good, "records": [record] * (MAX_BATCH + 1)}), 413,
         "batch_too_large"),
    ]  # fmt: skip


async def test_bad_push_bodies_get_a_clear_400_or_413_and_change_nothing(hq: Hq) -> None:
    device, _ = await _pushed(hq)
    before = await hq.snapshot()
    for label, body, status, code in _bad_bodies(device):
        got_status, error = await _post(hq, "/api/v1/push", data=body, headers=device.auth())
        assert (got_status, error["error"]) == (status, code), label
        assert error["message"], label
    assert await hq.snapshot() == before


async def test_an_oversized_body_is_413_and_changes_nothing(hq: Hq) -> None:
    device, _ = await _pushed(hq)
    before = await hq.snapshot()
    huge = b"{" + b" " * (5 * 1024 * 1024) + b"}"
    status, error = await _post(hq, "/api/v1/push", data=huge, headers=device.auth())
    assert (status, error["error"]) == (413, "body_too_large")
    assert await hq.snapshot() == before


async def test_unknown_routes_and_methods_answer_json_errors(hq: Hq) -> None:
    response = await hq.client.get("/api/v1/nothing-here")
    assert response.status == 404
    assert (await response.json())["error"] == "not_found"
    response = await hq.client.get("/api/v1/push")
    assert response.status == 405
    assert (await response.json())["error"] == "method_not_allowed"
