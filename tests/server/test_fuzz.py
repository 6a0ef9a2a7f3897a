"""Property-based fuzz of every documented route: no 5xx, and no refused request changes anything.

Requests are generated from the OpenAPI document itself (a small schema → hypothesis strategy
translator over the subset the document uses), mixed with arbitrary JSON and wrong types, and sent
with no token, a forged one, a device's or an HQ user's. Every answer in the 4xx range, whatever
credentials the request carried, and every GET must leave the whole database as it was
(``Hq.fingerprint`` compares every row of every table). Examples are generated up front with a
fixed seed (``derandomize``) and then sent by the async test; ``max_examples`` stays small so the
suite stays fast.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from sync_server.openapi import openapi_document
from sync_server.services.merchants import add_merchant
from tests.scanpay.hq import merchant_for
from tests.scanpay.simulator import ProviderSimulator
from tests.server.helpers import Hq
from tests.server.openapi_check import operations

EXAMPLES_PER_ROUTE = 15
JSON_LEAF = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
ANY_JSON = st.recursive(
    JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def from_schema(schema: dict[str, Any], hints: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """Values that mostly fit ``schema`` (the subset our document uses)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return from_schema(openapi_document()["components"]["schemas"][name], hints)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        return _object(schema, hints)
    if kind == "array":
        items = from_schema(schema.get("items", {}), hints)
        return st.lists(
            items, min_size=schema.get("minItems", 0), max_size=min(3, schema.get("maxItems", 3))
        )
    if kind == "integer":
        return st.integers(schema.get("minimum", -(2**60)), schema.get("maximum", 2**60))
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        return _string(schema)
    return ANY_JSON


def _string(schema: dict[str, Any]) -> st.SearchStrategy:
    if schema.get("format") == "uuid":
        return st.uuids().map(str)
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True)
    return st.text(
        min_size=schema.get("minLength", 0), max_size=min(40, schema.get("maxLength", 40))
    )


def _object(schema: dict[str, Any], hints: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    properties = schema.get("properties")
    if not properties:
        return st.dictionaries(st.text(string.ascii_lowercase, max_size=8), ANY_JSON, max_size=4)
    required = set(schema.get("required", []))
    fields = {
        name: (hints[name] | from_schema(sub, hints)) if name in hints else from_schema(sub, hints)
        for name, sub in properties.items()
    }
    return st.fixed_dictionaries(
        {k: v for k, v in fields.items() if k in required},
        optional={k: v for k, v in fields.items() if k not in required},
    )


def _request(operation: Any, hints: dict[str, st.SearchStrategy]) -> st.SearchStrategy:
    """A request: path, query parameters, a body (fitting or not) and which credentials to send."""
    params = {
        p["name"]: from_schema(p["schema"], hints).map(str) | st.text(max_size=6)
        for p in operation.query_parameters()
    }
    query = st.fixed_dictionaries({}, optional=params)
    path: st.SearchStrategy = st.just(operation.path)
    for parameter in operation.path_parameters():
        name = parameter["name"]
        value = (
            (hints[name] if name in hints else st.nothing())
            | from_schema(parameter["schema"], hints)
            | st.text(string.ascii_letters + string.digits + "-", min_size=1, max_size=8)
        )
        path = st.tuples(path, value).map(lambda pv, n=name: pv[0].replace("{" + n + "}", pv[1]))
    body: st.SearchStrategy = st.none()
    if "requestBody" in operation.spec:
        schema = operation.spec["requestBody"]["content"]["application/json"]["schema"]
        body = from_schema(schema, hints) | ANY_JSON
    auth = st.sampled_from(["none", "forged", "device", "user"])
    return st.tuples(path, query, body, auth)


def generate(strategy: st.SearchStrategy, count: int) -> list[Any]:
    """``count`` examples of ``strategy``, the same on every run."""
    found: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
    )
    @given(strategy)
    def collect(example: Any) -> None:
        found.append(example)

    collect()
    return found


def _json_safe(body: Any) -> str:
    import json

    return json.dumps(body, allow_nan=True)


async def test_fuzzing_every_route_finds_no_5xx_and_refused_requests_change_nothing(
    hq: Hq, tmp_path: Path
) -> None:
    # S1 charges scanned codes at a WeChat gateway nobody listens on: well-formed scans get as
    # far as the provider call, and nothing can be charged.
    nowhere = ProviderSimulator("wechat")
    await add_merchant(hq.db, merchant_for(nowhere, tmp_path), site_code="S1", now=hq.clock())
    device = await hq.enroll()
    await hq.push(device, [device.payment(100)])
    token = await hq.user_token("boss")
    headers = {
        "none": {},
        "forged": {"Authorization": "Bearer fdt_forged"},
        "device": device.auth(),
        "user": {"Authorization": f"Bearer {token}"},
    }
    # An unspent code of the other site: sent with this device's id it must be refused (409)
    # and stay unspent; with a fresh id it enrols a second counter.
    other_site_code = await hq.code("S2", "window-9")
    hints = {
        "device_id": st.just(device.device_id),
        "code": st.just(other_site_code),
        "auth_code": st.sampled_from(["134567890123451234", "281234567890123456"]),
    }
    failures, statuses, refused = [], set(), set()
    for (method, _template), operation in sorted(operations().items()):
        for path, query, body, auth in generate(_request(operation, hints), EXAMPLES_PER_ROUTE):
            before = await hq.fingerprint()
            data = None if body is None else _json_safe(body)
            response = await hq.client.request(
                method, path, params=query, data=data, headers=headers[auth]
            )
            await response.read()
            statuses.add(response.status)
            if response.status >= 500:
                failures.append((method, path, query, body, auth, response.status))
            refusal = 400 <= response.status < 500
            refused.update([auth] if refusal else [])
            # A refusal changes nothing, and neither does a read (GET) whatever it answers.
            if (refusal or method == "GET") and await hq.fingerprint() != before:
                failures.append((method, path, query, body, auth, response.status, "changed"))
    assert failures == []
    assert statuses >= {200, 400, 401, 403, 404, 409}
    # Refusals of every kind of caller were checked, not only of callers without a token.
    assert refused == set(headers)


async def test_the_fingerprint_sees_a_changed_value_not_only_a_changed_row_count(hq: Hq) -> None:
    from sync_server.services.auth import revoke_device

    device = await hq.enroll()
    before = await hq.fingerprint()
    assert await hq.fingerprint() == before
    # Revoking updates the device's row in place: same number of rows everywhere.
    assert await revoke_device(hq.db, device.device_id, now=hq.clock())
    assert await hq.fingerprint() != before
    assert set(await hq.tables()) >= {"devices", "journal", "scan_payments", "meta", "user_tokens"}
