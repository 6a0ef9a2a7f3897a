"""The scanned-code payment messages: the request refuses bad codes and amounts, the state is
read strictly, and the code never shows in a repr (RELIABILITY R14)."""

from __future__ import annotations

import pytest

from feetui.sync import protocol as p

PAYMENT = "01900000-0000-7000-8000-00000000000b"
WECHAT = "134567890123456789"
ALIPAY = "2812345678901234"


def _request(**change: object) -> dict[str, object]:
    body: dict[str, object] = {
        "payment_id": PAYMENT, "auth_code": WECHAT, "amount_fen": 100, "unit_id": None,
        "subject": "物业费 3-2-1502",
    }  # fmt: skip
    body.update(change)
    return body


def _state(**change: object) -> dict[str, object]:
    body: dict[str, object] = {
        "payment_id": PAYMENT, "provider": "wechat", "state": "paying", "amount_fen": 100,
        "code_masked": "134567********6789", "transaction_id": None, "reason": None,
        "retry_after_ms": 500, "paid_at": None,
    }  # fmt: skip
    body.update(change)
    return body


def test_scan_request_round_trips_and_names_its_provider() -> None:
    request = p.parse_scan_request(_request())
    assert request.to_json() == _request()
    assert request.provider == "wechat"
    assert p.parse_scan_request(_request(auth_code=ALIPAY)).provider == "alipay"
    assert request.code_masked == "134567********6789"


def test_scan_request_repr_never_shows_the_code() -> None:
    request = p.parse_scan_request(_request())
    assert WECHAT not in repr(request) and WECHAT not in str(request)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"auth_code": WECHAT[:-1]}, "bad_auth_code"),
        ({"auth_code": "164567890123456789"}, "bad_auth_code"),
        ({"auth_code": "１３４５６７８９０１２３４５６７８９"}, "bad_auth_code"),
        ({"auth_code": 134567890123456789}, "bad_auth_code"),
        ({"amount_fen": 0}, "bad_amount"),
        ({"amount_fen": -5}, "bad_amount"),
        ({"amount_fen": 1.5}, "wrong_type"),
        ({"payment_id": "01900000-0000-4000-8000-00000000000b"}, "bad_value"),
        ({"subject": "x" * 65}, "bad_value"),
        ({"extra": 1}, "unknown_field"),
    ],
)
def test_scan_request_refuses_bad_input_without_echoing_the_code(
    change: dict[str, object], code: str
) -> None:
    with pytest.raises(p.ProtocolError) as raised:
        p.parse_scan_request(_request(**change))
    assert raised.value.code == code
    assert WECHAT[:-1] not in repr(raised.value.params)


def test_scan_state_round_trips_and_knows_when_it_is_final() -> None:
    state = p.parse_scan_state(_state())
    assert state.to_json() == _state() and not state.final
    done = p.parse_scan_state(
        _state(
            state="success",
            transaction_id="4200001",
            retry_after_ms=0,
            paid_at="2026-12-06T01:00:00+00:00",
        )
    )
    assert done.final and done.transaction_id == "4200001"


@pytest.mark.parametrize(
    "change",
    [
        {"state": "done"},
        {"provider": "unionpay"},
        {"state": "success"},
        {"amount_fen": 0},
        {"retry_after_ms": -1},
        {"reason": 5},
    ],
)
def test_scan_state_refuses_what_the_protocol_does_not_promise(change: dict[str, object]) -> None:
    with pytest.raises(p.ProtocolError):
        p.parse_scan_state(_state(**change))


def test_scan_state_caps_the_wait_the_server_asks_for() -> None:
    assert p.parse_scan_state(_state(retry_after_ms=10**9)).retry_after_ms == p.MAX_SCAN_RETRY_MS
