"""The pay screen's draft payment: selection, partial and over-payment, tenders and change."""

from __future__ import annotations

from datetime import date

import pytest

from feetui.core.errors import FeeError
from feetui.core.money import Money
from feetui.services.checkout import Checkout, DueLine, Method, TenderLine


def _lines() -> list[DueLine]:
    return [
        DueLine("b", "Property fee", "2026-10", date(2026, 10, 31), Money(20_000)),
        DueLine("a", "Property fee", "2026-09", date(2026, 9, 30), Money(15_050), Money(50)),
        DueLine("c", "Parking", "2026-10", date(2026, 10, 31), Money(0)),
    ]


def _start(prepaid: int = 0) -> Checkout:
    return Checkout.start(_lines(), prepaid_available=Money(prepaid))


def test_checkout_selects_everything_owing_oldest_first() -> None:
    checkout = _start()
    assert [line.line_id for line in checkout.lines] == ["a", "b", "c"]
    assert checkout.selected == {"a", "b"}
    assert checkout.payment == Money(35_050)
    assert checkout.remaining == Money(35_050)
    assert not checkout.complete


def test_checkout_toggle_unselects_a_line_and_the_payment_follows() -> None:
    checkout = _start().toggle("b")
    assert checkout.selected == {"a"}
    assert checkout.payment == Money(15_050)
    assert checkout.toggle("b").payment == Money(35_050)


def test_checkout_smaller_amount_pays_part_and_larger_amount_credits_prepaid() -> None:
    part = _start().with_amount(Money(10_000))
    assert part.payment == Money(10_000)
    assert part.prepaid_credit == Money(0)
    more = _start().with_amount(Money(40_000))
    assert more.prepaid_credit == Money(4_950)


def test_checkout_exact_cash_completes_with_no_change() -> None:
    checkout = _start()
    done = checkout.add_tender(TenderLine(Method.CASH, checkout.remaining, checkout.remaining))
    assert done.complete
    assert done.change == Money(0)


def test_checkout_cash_above_due_gives_change() -> None:
    checkout = _start().add_tender(TenderLine(Method.CASH, Money(35_050), Money(40_000)))
    assert checkout.change == Money(4_950)
    assert checkout.complete


def test_checkout_refuses_cash_below_its_share() -> None:
    with pytest.raises(FeeError) as caught:
        _start().add_tender(TenderLine(Method.CASH, Money(35_050), Money(30_000)))
    assert caught.value.code == "cash_short"


def test_checkout_split_across_card_and_cash() -> None:
    checkout = _start().add_tender(TenderLine(Method.CARD, Money(20_000), Money(20_000), "T1"))
    assert checkout.remaining == Money(15_050)
    checkout = checkout.add_tender(TenderLine(Method.CASH, Money(15_050), Money(20_000)))
    assert checkout.complete
    assert checkout.change == Money(4_950)


def test_checkout_refuses_a_card_tender_above_what_is_left() -> None:
    with pytest.raises(FeeError) as caught:
        _start().add_tender(TenderLine(Method.CARD, Money(40_000), Money(40_000), "T1"))
    assert caught.value.code == "tender_above_remaining"


def test_checkout_refuses_a_card_tender_without_reference() -> None:
    with pytest.raises(FeeError) as caught:
        _start().add_tender(TenderLine(Method.CARD, Money(100), Money(100), " "))
    assert caught.value.code == "reference_missing"


def test_checkout_prepaid_tender_is_limited_by_the_balance() -> None:
    checkout = _start(prepaid=5_000)
    checkout = checkout.add_tender(TenderLine(Method.PREPAID, Money(5_000), Money(5_000)))
    assert checkout.prepaid_left == Money(0)
    with pytest.raises(FeeError) as caught:
        checkout.add_tender(TenderLine(Method.PREPAID, Money(1), Money(1)))
    assert caught.value.code == "prepaid_insufficient"


def test_checkout_refuses_changes_to_the_selection_after_tenders() -> None:
    checkout = _start().add_tender(TenderLine(Method.CARD, Money(100), Money(100), "T"))
    with pytest.raises(FeeError) as caught:
        checkout.toggle("a")
    assert caught.value.code == "tenders_started"
    assert checkout.without_tenders().toggle("a").selected == {"b"}


def test_checkout_refuses_a_zero_amount_and_a_tender_when_nothing_is_due() -> None:
    with pytest.raises(FeeError) as caught:
        _start().with_amount(Money(0))
    assert caught.value.code == "amount_zero"
    empty = _start().toggle("a").toggle("b")
    with pytest.raises(FeeError) as caught:
        empty.add_tender(TenderLine(Method.CASH, Money(1), Money(1)))
    assert caught.value.code == "nothing_to_pay"
