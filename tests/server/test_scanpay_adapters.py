"""The provider adapters' wire details: signatures against published examples, answer parsing."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization

from sync_server.providers import alipay, wechat
from tests.scanpay.keys import bare_base64, key_pair

WECHAT_EXAMPLE = {
    "appid": "wxd930ea5d5a258f4f",
    "mch_id": "10000100",
    "device_info": "1000",
    "body": "test",
    "nonce_str": "ibuaiVcKdpRxkhJA",
}
WECHAT_EXAMPLE_KEY = "192006250b4c09247ec02edce69f6a2d"


def test_wechat_signatures_match_the_published_example() -> None:
    assert wechat.sign(WECHAT_EXAMPLE, WECHAT_EXAMPLE_KEY) == "9A0A8659F005D6984697E2CA0A9CF3B7"
    assert wechat.sign(WECHAT_EXAMPLE, WECHAT_EXAMPLE_KEY, "HMAC-SHA256") == (
        "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
    )


def test_wechat_signing_skips_empty_values_and_the_sign_itself() -> None:
    padded = WECHAT_EXAMPLE | {"sign": "anything", "attach": ""}
    assert wechat.sign(padded, WECHAT_EXAMPLE_KEY) == wechat.sign(
        WECHAT_EXAMPLE, WECHAT_EXAMPLE_KEY
    )
    signed = WECHAT_EXAMPLE | {"sign": wechat.sign(WECHAT_EXAMPLE, WECHAT_EXAMPLE_KEY)}
    assert wechat.verify(signed, WECHAT_EXAMPLE_KEY, "MD5")
    assert not wechat.verify(signed | {"body": "test2"}, WECHAT_EXAMPLE_KEY, "MD5")
    assert not wechat.verify(signed, "0" * 32, "MD5")


def test_wechat_xml_round_trips_and_refuses_entity_declarations() -> None:
    params = {"body": "物业费 <3-2-1502> & 车位", "total_fee": "1"}
    assert wechat.from_xml(wechat.to_xml(params)) == params
    evil = b'<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><body>&a;</body></xml>'
    assert wechat.from_xml(evil) is None
    assert wechat.from_xml(b"not xml") is None
    assert wechat.from_xml(b"<html><body/></html>") is None


def test_alipay_verifies_the_exact_text_alipay_signed() -> None:
    private_pem, public_pem = key_pair("alipay-platform")
    private, public = alipay.load_keys(private_pem, bare_base64(public_pem))
    inner = '{"code":"10000","msg":"Success","out_trade_no":"a{b}\\"c","total_amount":"0.01"}'
    signature = alipay.sign({"x": "1"}, private)  # any signature of another text
    good = alipay.base64.b64encode(
        private.sign(inner.encode(), alipay.padding.PKCS1v15(), alipay.hashes.SHA256())
    ).decode()
    body = f'{{"alipay_trade_pay_response":{inner},"sign":"{good}"}}'
    assert alipay.verify_answer(body, "alipay.trade.pay", public) == json.loads(inner)
    assert alipay.verify_answer(body.replace("0.01", "0.02"), "alipay.trade.pay", public) is None
    forged = body.replace(good, signature)
    assert alipay.verify_answer(forged, "alipay.trade.pay", public) is None
    unsigned = f'{{"alipay_trade_pay_response":{inner}}}'
    assert alipay.verify_answer(unsigned, "alipay.trade.pay", public) is None
    assert alipay.verify_answer(body, "alipay.trade.query", public) is None


def test_alipay_request_signing_covers_sorted_non_empty_parameters() -> None:
    params = {"method": "alipay.trade.pay", "app_id": "1", "charset": "utf-8", "empty": ""}
    assert alipay.signing_text(params | {"sign": "x"}) == (
        b"app_id=1&charset=utf-8&method=alipay.trade.pay"
    )


@pytest.mark.parametrize(
    ("text", "fen"),
    [("0.01", 1), ("12.3", 1230), ("100", 10000), ("1.234", None), ("-1.00", None), (1.5, None)],
)
def test_alipay_amounts_are_read_as_exact_fen(text: object, fen: int | None) -> None:
    assert alipay.yuan_to_fen(text) == fen


def test_alipay_keys_must_be_rsa_keys() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    with pytest.raises(alipay.KeyError_):
        alipay.load_keys(ec_pem, key_pair("alipay-platform")[1])
    with pytest.raises(alipay.KeyError_):
        alipay.load_keys("garbage", "garbage")


def test_wechat_bodies_are_cut_to_128_bytes_at_a_character_boundary() -> None:
    subject = "物业费" * 22  # 66 characters, 198 bytes
    body = wechat.fit_bytes(subject)
    assert len(body.encode()) <= 128 and subject.startswith(body) and len(body) == 42
    assert wechat.fit_bytes("物业费 3-2-1502") == "物业费 3-2-1502"
