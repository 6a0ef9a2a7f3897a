"""Core errors read well in every language: translated, placeholders filled, nothing left over."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from feetui import i18n
from feetui.core.allocation import OpenCharge, allocate, spend_prepaid
from feetui.core.errors import FeeError
from feetui.core.fees import FeeKind, charge_amount, meter_usage
from feetui.core.late_fees import LateFeeRule
from feetui.core.money import Money
from feetui.core.parse import parse_amount, parse_area, parse_count
from feetui.core.paycode import parse_payment_code
from feetui.core.pin import check_pin_format
from feetui.core.shift import DENOMINATIONS, count_total

DAY = date(2026, 1, 1)
FAILURES: list[tuple[str, Callable[[], object], tuple[str, ...]]] = [
    ("amount_above_ceiling", lambda: parse_amount("2000000"), ("1,000,000.00",)),
    ("amount_has_letters", lambda: parse_amount("12a"), ()),
    ("count_too_large", lambda: parse_count("7", maximum=5), ("5",)),
    ("area_too_large", lambda: parse_area("2000000"), ("1,000,000.00",)),
    (
        "meter_went_backwards",
        lambda: meter_usage(previous_centi=500, current_centi=100),
        ("5.00", "1.00"),
    ),
    ("meter_reading_invalid", lambda: meter_usage(previous_centi=-1, current_centi=1), ("-0.01",)),
    ("fee_input_invalid", lambda: charge_amount(FeeKind.ONE_OFF), ()),
    ("late_fee_rule_invalid", lambda: LateFeeRule(daily_ppm=-1, grace_days=0, cap_percent=1), ()),
    ("prepaid_insufficient", lambda: spend_prepaid(Money(100), Money(250)), ("1.00", "2.50")),
    (
        "allocation_duplicate_charge",
        lambda: allocate(Money(1), [OpenCharge("a", DAY, Money(1))] * 2),
        (),
    ),
    ("count_invalid", lambda: count_total({"n3": 1}), ()),
    ("payment_code_invalid", lambda: parse_payment_code("123"), ()),
    ("pin_invalid", lambda: check_pin_format("1"), ()),
]


@pytest.mark.parametrize("lang", ["zh_CN", "en_US"])
@pytest.mark.parametrize(("code", "fail", "shown"), FAILURES, ids=[f[0] for f in FAILURES])
def test_core_error_is_translated_with_its_params(
    lang: str, code: str, fail: Callable[[], object], shown: tuple[str, ...]
) -> None:
    i18n.set_language(lang)
    with pytest.raises(FeeError) as caught:
        fail()
    assert caught.value.code == code
    text = i18n.tr_error(caught.value)
    assert "{" not in text and "}" not in text
    for value in shown:
        assert value in text
    if lang == "zh_CN":
        assert text != caught.value.message.format(**caught.value.params)


def test_denomination_labels_are_translated() -> None:
    i18n.set_language("zh_CN")
    assert [i18n._(d.label) for d in DENOMINATIONS][:2] == ["100元纸币", "50元纸币"]
    assert i18n._(DENOMINATIONS[-2].label) == "5角硬币"
