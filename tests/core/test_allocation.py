"""Allocation of a payment to charges, oldest first, and the prepaid balance it leaves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.allocation import (
    AllocationLine,
    AllocationPlan,
    OpenCharge,
    allocate,
    allocate_selected,
    oldest_first,
    prepaid_balance,
    spend_prepaid,
)
from feetui.core.errors import InputError, RuleError
from feetui.core.money import Money

JAN, FEB, MAR = date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31)


def _charge(charge_id: str, due: date, fen: int, sort_key: str = "") -> OpenCharge:
    return OpenCharge(charge_id=charge_id, due_date=due, outstanding=Money(fen), sort_key=sort_key)


def _lines(plan: AllocationPlan) -> list[tuple[str, int]]:
    return [(line.charge_id, line.amount.fen) for line in plan.lines]


CHARGES = [_charge("mar", MAR, 10000), _charge("jan", JAN, 10000), _charge("feb", FEB, 10000)]


def test_allocate_pays_the_oldest_charge_first() -> None:
    plan = allocate(Money(15000), CHARGES)
    assert _lines(plan) == [("jan", 10000), ("feb", 5000)]
    assert plan.prepaid_credit == Money(0)
    assert plan.allocated == Money(15000)


def test_allocate_pays_everything_and_keeps_the_rest_as_prepaid_credit() -> None:
    plan = allocate(Money(35050), CHARGES)
    assert _lines(plan) == [("jan", 10000), ("feb", 10000), ("mar", 10000)]
    assert plan.prepaid_credit == Money(5050)
    assert plan.allocated == Money(30000)


def test_allocate_exact_amount_leaves_no_credit() -> None:
    plan = allocate(Money(30000), CHARGES)
    assert plan.allocated == Money(30000)
    assert plan.prepaid_credit == Money(0)


def test_allocate_one_fen_goes_to_the_oldest_charge() -> None:
    assert _lines(allocate(Money(1), CHARGES)) == [("jan", 1)]


def test_allocate_zero_makes_an_empty_plan() -> None:
    plan = allocate(Money(0), CHARGES)
    assert plan.lines == ()
    assert plan.prepaid_credit == Money(0)
    assert plan.allocated == Money(0)


def test_allocate_with_no_charges_is_all_prepaid_credit() -> None:
    plan = allocate(Money(5000), [])
    assert plan == AllocationPlan(lines=(), prepaid_credit=Money(5000))


def test_allocate_breaks_ties_by_sort_key_then_charge_id() -> None:
    charges = [
        _charge("c", JAN, 100, sort_key="2-parking"),
        _charge("b", JAN, 100, sort_key="1-property"),
        _charge("z", JAN, 100, sort_key="1-property"),
        _charge("a", JAN, 100, sort_key="1-property"),
    ]
    assert [c for c, _ in _lines(allocate(Money(400), charges))] == ["a", "b", "z", "c"]


def test_allocate_skips_charges_that_owe_nothing() -> None:
    charges = [_charge("paid", JAN, 0), _charge("over", JAN, -500), _charge("due", FEB, 700)]
    plan = allocate(Money(1000), charges)
    assert _lines(plan) == [("due", 700)]
    assert plan.prepaid_credit == Money(300)


def test_allocate_refuses_a_negative_amount() -> None:
    with pytest.raises(InputError) as caught:
        allocate(Money(-1), CHARGES)
    assert caught.value.code == "amount_negative"


def test_allocate_refuses_the_same_charge_twice() -> None:
    charges = [*CHARGES, _charge("feb", MAR, 5)]
    for allocator in (allocate, allocate_selected):
        with pytest.raises(InputError) as caught:
            allocator(Money(100), charges)
        assert caught.value.code == "allocation_duplicate_charge"
        assert caught.value.params == {"charge_id": "feb"}


def test_allocate_refuses_a_duplicate_even_when_it_owes_nothing() -> None:
    with pytest.raises(InputError):
        allocate(Money(0), [_charge("x", JAN, 0), _charge("x", FEB, 0)])


def test_allocate_selected_keeps_the_cashiers_order() -> None:
    plan = allocate_selected(Money(15000), CHARGES)
    assert _lines(plan) == [("mar", 10000), ("jan", 5000)]


def test_allocation_plan_and_lines_are_frozen_values() -> None:
    plan = allocate(Money(100), CHARGES)
    with pytest.raises(AttributeError):
        plan.prepaid_credit = Money(1)  # type: ignore[misc]
    assert plan.lines[0] == AllocationLine(charge_id="jan", amount=Money(100))


def test_oldest_first_sorts_by_due_date_sort_key_and_id() -> None:
    assert [c.charge_id for c in oldest_first(CHARGES)] == ["jan", "feb", "mar"]


# prepaid balance


def test_prepaid_balance_sums_credits_and_spends() -> None:
    assert prepaid_balance([]) == Money(0)
    assert prepaid_balance([Money(5000), Money(-1200), Money(300)]) == Money(4100)


def test_prepaid_balance_shows_an_overspent_balance_rather_than_hiding_it() -> None:
    # Two counters offline both spent the same ¥50: the ledger says so and reports must see it.
    assert prepaid_balance([Money(5000), Money(-5000), Money(-5000)]) == Money(-5000)


def test_prepaid_balance_refuses_non_money_entries() -> None:
    with pytest.raises(TypeError):
        prepaid_balance([Money(1), 2])  # type: ignore[list-item]


def test_spend_prepaid_leaves_the_rest() -> None:
    assert spend_prepaid(Money(5000), Money(1200)) == Money(3800)
    assert spend_prepaid(Money(5000), Money(5000)) == Money(0)
    assert spend_prepaid(Money(5000), Money(0)) == Money(5000)


def test_spend_prepaid_refuses_more_than_the_balance() -> None:
    with pytest.raises(RuleError) as caught:
        spend_prepaid(Money(5000), Money(5001))
    assert caught.value.code == "prepaid_insufficient"
    assert caught.value.params == {"available": "50.00", "requested": "50.01"}


def test_spend_prepaid_refuses_when_the_balance_is_overspent() -> None:
    with pytest.raises(RuleError):
        spend_prepaid(Money(-100), Money(1))


def test_spend_prepaid_refuses_a_negative_amount() -> None:
    with pytest.raises(InputError) as caught:
        spend_prepaid(Money(5000), Money(-1))
    assert caught.value.code == "amount_negative"


# properties

charge_lists = st.lists(
    st.builds(
        OpenCharge,
        charge_id=st.text(alphabet="abcdef0123", min_size=1, max_size=6),
        due_date=st.integers(0, 720).map(lambda d: date(2025, 1, 1) + timedelta(days=d)),
        outstanding=st.integers(-1000, 50_000).map(Money),
        sort_key=st.sampled_from(["", "1", "2"]),
    ),
    max_size=8,
    unique_by=lambda c: c.charge_id,
)


def _check_plan(plan: AllocationPlan, amount: Money, charges: list[OpenCharge]) -> None:
    by_id = {c.charge_id: c for c in charges}
    assert plan.allocated + plan.prepaid_credit == amount
    assert plan.prepaid_credit.fen >= 0
    assert len({line.charge_id for line in plan.lines}) == len(plan.lines)
    for line in plan.lines:
        assert 0 < line.amount.fen <= by_id[line.charge_id].outstanding.fen
    # every line but the last is paid in full; credit only when everything was paid
    for line in plan.lines[:-1]:
        assert line.amount == by_id[line.charge_id].outstanding
    if plan.prepaid_credit.fen > 0:
        owing = sum(c.outstanding.fen for c in charges if c.outstanding.fen > 0)
        assert plan.allocated.fen == owing


@settings(max_examples=200)
@given(st.integers(0, 300_000).map(Money), charge_lists)
def test_allocate_always_adds_up_and_pays_oldest_first(
    amount: Money, charges: list[OpenCharge]
) -> None:
    plan = allocate(amount, charges)
    _check_plan(plan, amount, charges)
    by_id = {c.charge_id: c for c in charges}
    paid_charges = [by_id[line.charge_id] for line in plan.lines]
    keys = [(c.due_date, c.sort_key, c.charge_id) for c in paid_charges]
    assert keys == sorted(keys)
    # no older charge that still owes is left unpaid while a newer one is paid
    if plan.lines:
        last = max(keys)
        paid = {line.charge_id for line in plan.lines}
        for c in charges:
            if c.outstanding.fen > 0 and (c.due_date, c.sort_key, c.charge_id) < last:
                assert c.charge_id in paid


@settings(max_examples=150)
@given(st.integers(0, 300_000).map(Money), charge_lists, st.randoms(use_true_random=False))
def test_allocate_selected_adds_up_and_keeps_the_given_order(
    amount: Money, charges: list[OpenCharge], rnd
) -> None:
    rnd.shuffle(charges)
    plan = allocate_selected(amount, charges)
    _check_plan(plan, amount, charges)
    order = [c.charge_id for c in charges]
    positions = [order.index(line.charge_id) for line in plan.lines]
    assert positions == sorted(positions)


@settings(max_examples=150)
@given(st.lists(st.integers(0, 10_000), max_size=12), st.lists(st.integers(0, 10_000), max_size=12))
def test_prepaid_never_goes_negative_through_spend_prepaid(
    credits: list[int], spends: list[int]
) -> None:
    entries: list[Money] = []
    for credit, spend in zip(credits, spends, strict=False):
        entries.append(Money(credit))
        balance = prepaid_balance(entries)
        try:
            after = spend_prepaid(balance, Money(spend))
        except RuleError:
            assert spend > balance.fen
            continue
        entries.append(-Money(spend))
        assert after == prepaid_balance(entries)
        assert after.fen >= 0
