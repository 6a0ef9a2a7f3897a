"""Splitting a payment across fee items × tender methods: tenders pay the lines in order."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.crosstab import Cell, negated, split
from feetui.core.errors import IntegrityError_
from feetui.core.money import Money


def _cells(cells: list[Cell]) -> list[tuple[str, str, int]]:
    return [(c.line, c.method, c.amount.fen) for c in cells]


def test_split_fills_the_first_line_from_the_first_tender() -> None:
    lines = [("property", Money(40000)), ("parking", Money(10000))]
    tenders = [("cash", Money(30000)), ("wechat", Money(20000))]
    assert _cells(split(lines, tenders)) == [
        ("property", "cash", 30000),
        ("property", "wechat", 10000),
        ("parking", "wechat", 10000),
    ]


def test_split_of_one_tender_gives_one_cell_per_line() -> None:
    lines = [("water", Money(1873)), ("rubbish", Money(1000))]
    assert _cells(split(lines, [("card", Money(2873))])) == [
        ("water", "card", 1873),
        ("rubbish", "card", 1000),
    ]


def test_split_skips_zero_lines_and_zero_tenders() -> None:
    lines = [("a", Money(0)), ("b", Money(500))]
    tenders = [("cash", Money(0)), ("card", Money(500))]
    assert _cells(split(lines, tenders)) == [("b", "card", 500)]


def test_split_of_nothing_is_empty() -> None:
    assert split([], []) == []


def test_split_refuses_sides_that_differ() -> None:
    with pytest.raises(IntegrityError_) as caught:
        split([("a", Money(100))], [("cash", Money(99))])
    assert caught.value.code == "split_does_not_add_up"
    assert caught.value.params == {"paid": "1.00", "tendered": "0.99"}


def test_split_refuses_negative_amounts() -> None:
    with pytest.raises(IntegrityError_):
        split([("a", Money(-100)), ("b", Money(200))], [("cash", Money(100))])


def test_negated_turns_every_sign() -> None:
    cells = split([("a", Money(300))], [("cash", Money(100)), ("card", Money(200))])
    assert _cells(negated(cells)) == [("a", "cash", -100), ("a", "card", -200)]


amounts = st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(line_fen=amounts, cuts=st.lists(st.integers(min_value=0, max_value=10**8), max_size=5))
def test_split_rows_and_columns_always_add_up(line_fen: list[int], cuts: list[int]) -> None:
    whole = sum(line_fen)
    # Random tenders of the same total: cut points inside [0, whole].
    points = sorted({0, whole, *(c % (whole + 1) for c in cuts)})
    tender_fen = [b - a for a, b in pairwise(points)] or [0]
    lines = [(f"item{i}", Money(f)) for i, f in enumerate(line_fen)]
    tenders = [(f"method{i}", Money(f)) for i, f in enumerate(tender_fen)]
    cells = split(lines, tenders)
    by_line: dict[str, int] = defaultdict(int)
    by_method: dict[str, int] = defaultdict(int)
    for cell in cells:
        assert cell.amount.fen > 0
        by_line[cell.line] += cell.amount.fen
        by_method[cell.method] += cell.amount.fen
    assert {k: v for k, v in by_line.items()} == {k: a.fen for k, a in lines if a.fen}
    assert {k: v for k, v in by_method.items()} == {k: a.fen for k, a in tenders if a.fen}
