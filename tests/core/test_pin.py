"""PINs: 4 to 8 digits, stored as a salted scrypt hash, verified in constant time."""

from __future__ import annotations

import hashlib

import pytest

from feetui.core.errors import InputError
from feetui.core.pin import check_pin_format, hash_pin, verify_pin

SALT = bytes(range(16))


@pytest.fixture(scope="module")
def stored() -> str:
    """One real hash, made once: scrypt at full cost is deliberately slow."""
    return hash_pin("4826", salt=SALT)


def test_hash_pin_has_the_documented_layout(stored: str) -> None:
    prefix, n, r, p, salt_hex, hash_hex = stored.split("$")
    assert (prefix, n, r, p) == ("scrypt", "16384", "8", "1")
    assert bytes.fromhex(salt_hex) == SALT
    expected = hashlib.scrypt(b"4826", salt=SALT, n=2**14, r=8, p=1, dklen=32)
    assert bytes.fromhex(hash_hex) == expected
    assert "4826" not in stored


def test_verify_pin_accepts_the_right_pin_and_refuses_others(stored: str) -> None:
    assert verify_pin("4826", stored) is True
    assert verify_pin("４８２６", stored) is True  # full-width digits are the same PIN
    assert verify_pin(" 4826 ", stored) is True
    assert verify_pin("4827", stored) is False
    assert verify_pin("48260", stored) is False


@pytest.mark.parametrize("pin", ["", "482", "4826a", "123456789", "48 26"])
def test_verify_pin_never_matches_a_malformed_pin(stored: str, pin: str) -> None:
    assert verify_pin(pin, stored) is False


def test_hash_pin_depends_on_the_salt() -> None:
    cheap = "scrypt$16$1$1${}${}"
    # Same PIN, two salts, computed cheaply with the stored-parameter path of verify_pin.
    one = cheap.format(SALT.hex(), hashlib.scrypt(b"1234", salt=SALT, n=16, r=1, p=1).hex())
    other_salt = bytes(16)
    two = cheap.format(
        other_salt.hex(), hashlib.scrypt(b"1234", salt=other_salt, n=16, r=1, p=1).hex()
    )
    assert one != two
    assert verify_pin("1234", one) and verify_pin("1234", two)
    assert hash_pin("1234", salt=SALT) != hash_pin("1234", salt=other_salt)


def test_verify_pin_uses_the_parameters_stored_with_the_hash() -> None:
    digest = hashlib.scrypt(b"90210", salt=SALT, n=32, r=2, p=1, dklen=48)
    stored = f"scrypt$32$2$1${SALT.hex()}${digest.hex()}"
    assert verify_pin("90210", stored) is True
    assert verify_pin("90211", stored) is False


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "bcrypt$16$1$1$00$00",
        "scrypt$16$1$1$zz$00",
        "scrypt$16$1$1$" + SALT.hex(),
        "scrypt$15$1$1$" + SALT.hex() + "$" + "00" * 32,  # n not a power of two
        "scrypt$16$0$1$" + SALT.hex() + "$" + "00" * 32,
        "scrypt$1048576$64$16$" + SALT.hex() + "$" + "00" * 32,  # absurd memory
        "scrypt$16$1$1$" + SALT.hex() + "$" + "00" * 4,  # hash too short
        "scrypt$16$1$1$00$" + "00" * 32,  # salt too short
    ],
)
def test_verify_pin_refuses_a_damaged_stored_hash(stored: str) -> None:
    with pytest.raises(ValueError):
        verify_pin("1234", stored)


@pytest.mark.parametrize("pin", ["1234", "12345678", "０１２３", " 5678 "])
def test_check_pin_format_accepts_4_to_8_digits(pin: str) -> None:
    check_pin_format(pin)


@pytest.mark.parametrize(
    "pin", ["", "123", "123456789", "12a4", "12 34", "-1234", "١٢٣٤", "12.34", "ＡＢＣＤ"]
)
def test_check_pin_format_refuses_anything_else_without_echoing_it(pin: str) -> None:
    with pytest.raises(InputError) as caught:
        check_pin_format(pin)
    assert caught.value.code == "pin_invalid"
    assert caught.value.params == {}


def test_hash_pin_refuses_a_malformed_pin_and_a_short_salt() -> None:
    with pytest.raises(InputError):
        hash_pin("12", salt=SALT)
    with pytest.raises(ValueError):
        hash_pin("1234", salt=b"short")
    with pytest.raises(ValueError):
        hash_pin("1234", salt="0123456789abcdef")  # type: ignore[arg-type]
