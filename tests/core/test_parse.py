"""Parsing what a cashier types: amounts, counts and areas, with every refusal named."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feetui.core.errors import InputError
from feetui.core.money import Money
from feetui.core.parse import (
    DEFAULT_CEILING,
    centi_text,
    format_yuan,
    normalise_digits,
    parse_amount,
    parse_area,
    parse_count,
)

FULL_WIDTH = str.maketrans("0123456789.,-¥", "０１２３４５６７８９．，－￥")


def _code(call, *args, **kwargs) -> str:
    with pytest.raises(InputError) as caught:
        call(*args, **kwargs)
    return caught.value.code


# normalise_digits


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("１２３", "123"),
        ("０１２３４５６７８９", "0123456789"),
        ("１２．５０", "12.50"),
        ("１，２３４", "1,234"),
        ("－５", "-5"),
        ("＋５", "+5"),
        ("￥１２", "¥12"),
        ("12。5", "12.5"),
        ("\u3000１２\u3000", "12"),
        ("\u00a012\u2009", "12"),
        (" \t12\r\n", "12"),
        ("1\u200b2", "12"),
        ("\ufeff12", "12"),
        ("１\u3000２", "1 2"),
        ("ａｂｃ", "ａｂｃ"),  # full-width letters stay letters and are refused as such
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise_digits_maps_full_width_to_ascii_and_strips(text: str, expected: str) -> None:
    assert normalise_digits(text) == expected


# parse_amount: accepted forms


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("12", 1200),
        ("12.5", 1250),
        ("12.50", 1250),
        ("12.05", 1205),
        ("0.01", 1),
        ("0.1", 10),
        (".5", 50),
        ("12.", 1200),
        ("¥1,234.50", 123450),
        ("123,456.78", 12345678),
        ("¥ 12", 1200),
        ("￥12", 1200),
        ("１２３", 12300),
        ("１２．５", 1250),
        ("１，２３４．５０", 123450),
        ("12。5", 1250),
        (" 12 ", 1200),
        ("\u300012\u3000", 1200),
        ("007", 700),
        ("1000000", 100_000_000),
        ("1,000,000.00", 100_000_000),
    ],
)
def test_parse_amount_reads_what_cashiers_type(text: str, fen: int) -> None:
    assert parse_amount(text) == Money(fen)


# parse_amount: every refusal


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "amount_empty"),
        ("   ", "amount_empty"),
        ("\u3000", "amount_empty"),
        ("¥", "amount_empty"),
        ("￥ ", "amount_empty"),
        ("12a", "amount_has_letters"),
        ("a12", "amount_has_letters"),
        ("1O0", "amount_has_letters"),  # a letter O typed for a zero
        ("12元", "amount_has_letters"),
        ("ＲＭＢ12", "amount_has_letters"),
        ("12e3", "amount_has_letters"),
        ("1e-3", "amount_has_letters"),
        ("inf", "amount_has_letters"),
        ("NaN", "amount_has_letters"),
        ("12$", "amount_has_letters"),
        ("+12", "amount_has_letters"),
        ("12%", "amount_has_letters"),
        ("1_000", "amount_has_letters"),
        ("12¥", "amount_has_letters"),
        ("¥¥12", "amount_has_letters"),
        ("1\t2", "amount_has_letters"),
        ("٣", "amount_has_letters"),  # an Arabic-Indic digit is not one of ours
        ("²", "amount_has_letters"),
        ("-12", "amount_negative"),
        ("-0.01", "amount_negative"),
        ("-¥12", "amount_negative"),
        ("¥-12", "amount_negative"),
        ("－１２", "amount_negative"),
        ("−12", "amount_negative"),
        ("- 12", "amount_negative"),
        ("-0", "amount_negative"),
        ("-12.345", "amount_negative"),
        ("12.345", "amount_too_many_decimals"),
        ("0.001", "amount_too_many_decimals"),
        ("12.500", "amount_too_many_decimals"),
        ("1,234.567", "amount_too_many_decimals"),
        ("1000000.01", "amount_above_ceiling"),
        ("1,000,001", "amount_above_ceiling"),
        ("9" * 40, "amount_above_ceiling"),
        ("9" * 5000, "amount_above_ceiling"),  # longer than int() would convert
        ("0", "amount_zero"),
        ("0.00", "amount_zero"),
        ("000", "amount_zero"),
        ("¥0.0", "amount_zero"),
        ("1.2.3", "amount_malformed"),
        ("1,23", "amount_malformed"),
        ("12,34.5", "amount_malformed"),
        ("1,2345", "amount_malformed"),
        ("1234,567", "amount_malformed"),
        ("0,123", "amount_malformed"),
        (",123", "amount_malformed"),
        ("1,", "amount_malformed"),
        (".", "amount_malformed"),
        (",", "amount_malformed"),
        ("..5", "amount_malformed"),
        ("12.5.", "amount_malformed"),
        ("1.2,3", "amount_malformed"),
        ("1 234", "amount_malformed"),
        ("12 .5", "amount_malformed"),
        ("-", "amount_malformed"),
        ("--12", "amount_malformed"),
        ("-¥-12", "amount_malformed"),
        ("12-3", "amount_malformed"),
        ("12-", "amount_malformed"),
        ("-1.2.3", "amount_malformed"),
    ],
)
def test_parse_amount_refuses_with_a_stable_code(text: str, code: str) -> None:
    assert _code(parse_amount, text) == code


def test_parse_amount_names_the_ceiling_as_yuan_text() -> None:
    with pytest.raises(InputError) as caught:
        parse_amount("5000.01", ceiling=Money(500_000))
    assert caught.value.code == "amount_above_ceiling"
    assert caught.value.params == {"ceiling": "5,000.00"}
    assert "{ceiling}" in caught.value.message
    assert "5,000.00" in str(caught.value)


def test_parse_amount_ceiling_is_inclusive_and_configurable() -> None:
    assert parse_amount("1,234,567.89", ceiling=Money(10**12)) == Money(123456789)
    assert parse_amount("5000", ceiling=Money(500_000)) == Money(500_000)
    assert _code(parse_amount, "5000.01", ceiling=Money(500_000)) == "amount_above_ceiling"
    assert parse_amount("0.01", ceiling=Money(1)) == Money(1)
    assert _code(parse_amount, "0.02", ceiling=Money(1)) == "amount_above_ceiling"
    assert DEFAULT_CEILING.fen == 100_000_000


def test_parse_amount_accepts_zero_only_when_allowed() -> None:
    assert parse_amount("0", allow_zero=True) == Money(0)
    assert parse_amount("0.00", allow_zero=True) == Money(0)
    assert _code(parse_amount, "-0", allow_zero=True) == "amount_negative"
    assert _code(parse_amount, "", allow_zero=True) == "amount_empty"


def test_parse_amount_error_messages_are_english_ids_with_named_params() -> None:
    with pytest.raises(InputError) as caught:
        parse_amount("12a")
    assert caught.value.message.startswith("Amount has letters")
    assert caught.value.params == {}


# parse_amount: properties

amounts = st.integers(min_value=1, max_value=DEFAULT_CEILING.fen).map(Money)


@settings(max_examples=200)
@given(amounts)
def test_parse_amount_reads_back_format_yuan(amount: Money) -> None:
    assert parse_amount(format_yuan(amount)) == amount


@settings(max_examples=200)
@given(amounts)
def test_parse_amount_reads_grouped_full_width_and_padded_forms(amount: Money) -> None:
    grouped = "¥" + amount.yuan_text(grouping=True)
    assert parse_amount(grouped) == amount
    assert parse_amount(grouped.translate(FULL_WIDTH)) == amount
    assert parse_amount(f"\u3000 {format_yuan(amount)}\t") == amount


@settings(max_examples=200)
@given(
    st.text(alphabet="0123456789", min_size=0, max_size=6),
    st.text(alphabet="0123456789", min_size=0, max_size=2),
)
def test_parse_amount_agrees_with_decimal_on_plain_numbers(whole: str, frac: str) -> None:
    text = f"{whole}.{frac}" if frac else whole
    if not whole and not frac:
        return
    expected = int(Decimal(text if whole else "0" + text) * 100)
    assert parse_amount(text, allow_zero=True) == Money(expected)


@settings(max_examples=300)
@given(st.text(max_size=30))
def test_parse_amount_either_reads_a_valid_amount_or_raises_input_error(text: str) -> None:
    try:
        amount = parse_amount(text)
    except InputError as error:
        assert error.code.startswith("amount_")
    else:
        assert 0 < amount.fen <= DEFAULT_CEILING.fen


@settings(max_examples=200)
@given(st.integers(0, 10**6), st.characters(categories=["Lu", "Ll", "Lo"]), st.integers(0, 8))
def test_parse_amount_refuses_any_letter_anywhere(value: int, letter: str, where: int) -> None:
    digits = str(value)
    where = min(where, len(digits))
    assert _code(parse_amount, digits[:where] + letter + digits[where:]) == "amount_has_letters"


@settings(max_examples=200)
@given(st.integers(1, 10**6), st.text(alphabet="0123456789", min_size=3, max_size=6))
def test_parse_amount_refuses_three_or_more_decimals(whole: int, frac: str) -> None:
    assert _code(parse_amount, f"{whole}.{frac}") == "amount_too_many_decimals"


# format_yuan


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "0.00"), (1, "0.01"), (10, "0.10"), (123450, "1234.50"), (-5, "-0.05")],
)
def test_format_yuan_is_plain_two_decimal_text(fen: int, text: str) -> None:
    assert format_yuan(Money(fen)) == text


# parse_count


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("", 0),
        ("  ", 0),
        ("0", 0),
        ("5", 5),
        ("007", 7),
        ("１２", 12),
        (" 3 ", 3),
        ("100000", 100000),
    ],
)
def test_parse_count_reads_whole_counts_and_empty_as_zero(text: str, count: int) -> None:
    assert parse_count(text) == count


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("a", "count_has_letters"),
        ("1a", "count_has_letters"),
        ("张", "count_has_letters"),
        ("1,000", "count_has_letters"),
        ("+3", "count_has_letters"),
        ("¥5", "count_has_letters"),
        ("-", "count_has_letters"),
        (".", "count_has_letters"),
        ("1 2", "count_has_letters"),
        ("-3", "count_negative"),
        ("－３", "count_negative"),
        ("-0", "count_negative"),
        ("1.5", "count_not_whole"),
        ("2.0", "count_not_whole"),
        (".5", "count_not_whole"),
        ("100001", "count_too_large"),
        ("9" * 5000, "count_too_large"),
    ],
)
def test_parse_count_refuses_with_a_stable_code(text: str, code: str) -> None:
    assert _code(parse_count, text) == code


def test_parse_count_maximum_is_inclusive_and_named() -> None:
    assert parse_count("50", maximum=50) == 50
    with pytest.raises(InputError) as caught:
        parse_count("51", maximum=50)
    assert caught.value.code == "count_too_large"
    assert caught.value.params == {"maximum": "50"}


@settings(max_examples=200)
@given(st.integers(0, 100_000))
def test_parse_count_reads_back_its_decimal_text(count: int) -> None:
    assert parse_count(str(count)) == count
    assert parse_count(str(count).translate(FULL_WIDTH)) == count


# parse_area


@pytest.mark.parametrize(
    ("text", "centi"),
    [
        ("89.5", 8950),
        ("89.50", 8950),
        ("89", 8900),
        ("0.01", 1),
        (".5", 50),
        ("１２０．３５", 12035),
        (" 60 ", 6000),
        ("1,234.5", 123450),
        ("1000000", 100_000_000),
    ],
)
def test_parse_area_reads_hundredths_of_a_square_metre(text: str, centi: int) -> None:
    assert parse_area(text) == centi


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "area_empty"),
        ("\u3000", "area_empty"),
        ("abc", "area_malformed"),
        ("89.5m2", "area_malformed"),
        ("1.2.3", "area_malformed"),
        (".", "area_malformed"),
        ("1,23", "area_malformed"),
        ("-", "area_malformed"),
        ("89.555", "area_too_many_decimals"),
        ("0.001", "area_too_many_decimals"),
        ("0", "area_not_positive"),
        ("0.00", "area_not_positive"),
        ("-5", "area_not_positive"),
        ("-0.5", "area_not_positive"),
        ("1000000.01", "area_too_large"),
        ("9" * 5000, "area_too_large"),
    ],
)
def test_parse_area_refuses_with_a_stable_code(text: str, code: str) -> None:
    assert _code(parse_area, text) == code


@settings(max_examples=200)
@given(st.integers(1, 100_000_000))
def test_parse_area_reads_back_centi_text(centi: int) -> None:
    assert parse_area(centi_text(centi)) == centi
    assert parse_area(centi_text(centi, grouping=True)) == centi


def test_centi_text_formats_hundredths() -> None:
    assert centi_text(8950) == "89.50"
    assert centi_text(1) == "0.01"
    assert centi_text(-1) == "-0.01"
    assert centi_text(100_000_000, grouping=True) == "1,000,000.00"
