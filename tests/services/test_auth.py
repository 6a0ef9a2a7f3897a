"""Signing in with code and PIN, and the stored lockout after five wrong PINs."""

from __future__ import annotations

import os

import pytest

from feetui.core.errors import FeeError
from feetui.core.pin import hash_pin
from feetui.db.models import PinLockout, User
from feetui.services.auth import MAX_WRONG_PINS, sign_in


async def _user(svc, code: str, pin: str, role: str = "cashier", active: bool = True) -> User:
    return await User.create(
        id=svc.ids.new_str(),
        code=code,
        name=f"user {code}",
        role=role,
        pin_hash=hash_pin(pin, salt=os.urandom(16)),
        active=active,
    )


async def _refused(svc, code: str, pin: str) -> FeeError:
    with pytest.raises(FeeError) as caught:
        await sign_in(svc, code=code, pin=pin)
    return caught.value


async def test_sign_in_returns_the_user_for_the_right_pin(svc) -> None:
    user = await _user(svc, "1001", "1234")
    signed = await sign_in(svc, code=" 1001 ", pin="1234")
    assert (signed.id, signed.code, signed.is_supervisor) == (user.id, "1001", False)


async def test_sign_in_refuses_empty_fields_unknown_and_inactive_codes(svc) -> None:
    await _user(svc, "1002", "1234", active=False)
    assert (await _refused(svc, "", "1234")).code == "code_empty"
    assert (await _refused(svc, "1001", "")).code == "pin_empty"
    assert (await _refused(svc, "4040", "1234")).code == "user_unknown"
    assert (await _refused(svc, "1002", "1234")).code == "user_unknown"


async def test_sign_in_counts_wrong_pins_and_says_how_many_tries_are_left(svc) -> None:
    user = await _user(svc, "1001", "1234")
    error = await _refused(svc, "1001", "0000")
    assert error.code == "pin_wrong"
    assert error.params["left"] == MAX_WRONG_PINS - 1
    assert (await PinLockout.get(user_id=user.id)).failed_attempts == 1


async def test_sign_in_locks_the_code_for_a_minute_after_five_wrong_pins(svc, clock) -> None:
    user = await _user(svc, "1001", "1234")
    for _ in range(MAX_WRONG_PINS - 1):
        assert (await _refused(svc, "1001", "0000")).code == "pin_wrong"
    locked = await _refused(svc, "1001", "0000")
    assert (locked.code, locked.params["seconds"]) == ("code_locked", 60)
    # The right PIN is refused while locked, and the lock is stored, not kept in memory.
    clock.advance(seconds=30)
    still = await _refused(svc, "1001", "1234")
    assert (still.code, still.params["seconds"]) == ("code_locked", 30)
    assert (await PinLockout.get(user_id=user.id)).locked_until is not None
    clock.advance(seconds=31)
    assert (await sign_in(svc, code="1001", pin="1234")).id == user.id
    lockout = await PinLockout.get(user_id=user.id)
    assert (lockout.failed_attempts, lockout.locked_until) == (0, None)


async def test_sign_in_starts_counting_again_after_a_lock_has_run_out(svc, clock) -> None:
    await _user(svc, "1001", "1234")
    for _ in range(MAX_WRONG_PINS):
        await _refused(svc, "1001", "0000")
    clock.advance(minutes=2)
    error = await _refused(svc, "1001", "0000")
    assert (error.code, error.params["left"]) == ("pin_wrong", MAX_WRONG_PINS - 1)
