"""Payment codes: recognised by shape (R20) and never shown in full (R14)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.errors import InputError
from feetui.core.paycode import PaymentCode, classify_scan, parse_payment_code

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
WECHAT = "134567890123456789"  # 18 digits starting 13
ALIPAY = "2812345678901234"  # 16 digits starting 28


@pytest.mark.parametrize("prefix", ["10", "11", "12", "13", "14", "15"])
def test_classify_scan_knows_wechat_by_18_digits_starting_10_to_15(prefix: str) -> None:
    code = classify_scan(prefix + "1234567890123456")
    assert code is not None
    assert code.provider == "wechat"
    assert code.digits == prefix + "1234567890123456"


@pytest.mark.parametrize("prefix", ["25", "26", "27", "28", "29", "30"])
@pytest.mark.parametrize("length", [16, 17, 18, 20, 24])
def test_classify_scan_knows_alipay_by_16_to_24_digits_starting_25_to_30(
    prefix: str, length: int
) -> None:
    digits = (prefix + "0123456789" * 3)[:length]
    code = classify_scan(digits)
    assert code is not None
    assert code.provider == "alipay"
    assert code.digits == digits


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "13456789012345678",  # 17 digits
        "1345678901234567890",  # 19 digits
        "094567890123456789",  # 18 digits starting 09
        "164567890123456789",  # 18 digits starting 16
        "244567890123456789",  # 18 digits starting 24: neither
        "281234567890123",  # 15 digits starting 28
        "2812345678901234567890123",  # 25 digits starting 28
        "3112345678901234",  # 16 digits starting 31
        "1345678901234567890",
        "13456789012345678a",
        "1345678901 2345678",
        "13-4567890123456789",
        "+134567890123456789",
        "１３４５６７８９０１２３４５６７８Ｘ",
        "https://example.com/134567890123456789",
        "٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠١",  # non-ASCII digits
    ],
)
def test_classify_scan_refuses_anything_else(text: str) -> None:
    assert classify_scan(text) is None
    with pytest.raises(InputError) as caught:
        parse_payment_code(text)
    assert caught.value.code == "payment_code_invalid"


def test_classify_scan_normalises_full_width_digits_and_whitespace() -> None:
    assert classify_scan(WECHAT.translate(FULL_WIDTH)) == PaymentCode("wechat", WECHAT)
    assert classify_scan(f"\u3000{WECHAT}\r\n") == PaymentCode("wechat", WECHAT)
    assert classify_scan(f"\t{ALIPAY} ") == PaymentCode("alipay", ALIPAY)


def test_parse_payment_code_returns_the_code() -> None:
    assert parse_payment_code(WECHAT) == PaymentCode("wechat", WECHAT)
    assert parse_payment_code(ALIPAY).provider == "alipay"


def test_payment_code_shows_only_its_masked_form() -> None:
    code = PaymentCode("wechat", WECHAT)
    assert code.masked == "1345****6789"
    assert str(code) == "1345****6789"
    assert WECHAT not in repr(code)
    assert "1345****6789" in repr(code)
    assert WECHAT not in f"{code}"
    assert WECHAT not in repr([code])
    assert WECHAT not in repr({"code": code})


def test_payment_code_error_never_carries_the_scanned_digits() -> None:
    text = "13456789012345678"  # 17 digits: refused
    with pytest.raises(InputError) as caught:
        parse_payment_code(text)
    error = caught.value
    assert error.params == {}
    for shown in (str(error), repr(error), error.message, str(error.args)):
        assert text not in shown
        assert "1345678" not in shown
    assert error.__cause__ is None
    assert error.__context__ is None


codes = st.one_of(
    st.builds(
        lambda p, rest: f"{p}{rest}",
        st.integers(10, 15),
        st.text(alphabet="0123456789", min_size=16, max_size=16),
    ),
    st.builds(
        lambda p, rest: f"{p}{rest}",
        st.integers(25, 30),
        st.text(alphabet="0123456789", min_size=14, max_size=22),
    ),
)


@settings(max_examples=200)
@given(codes)
def test_valid_codes_classify_and_never_show_in_full(digits: str) -> None:
    code = classify_scan(digits)
    assert code is not None
    assert code.provider == ("wechat" if int(digits[:2]) <= 15 else "alipay")
    assert code.masked == digits[:4] + "****" + digits[-4:]
    assert digits not in repr(code)
    assert digits not in str(code)
    assert classify_scan(digits.translate(FULL_WIDTH)) == code


@settings(max_examples=200)
@given(st.text(alphabet="0123456789", min_size=0, max_size=30))
def test_classify_scan_agrees_with_the_rules_for_any_digit_string(digits: str) -> None:
    prefix = int(digits[:2]) if len(digits) >= 2 else -1
    if len(digits) == 18 and 10 <= prefix <= 15:
        expected = "wechat"
    elif 16 <= len(digits) <= 24 and 25 <= prefix <= 30:
        expected = "alipay"
    else:
        expected = None
    code = classify_scan(digits)
    assert (code.provider if code else None) == expected
