"""Signing in with a code and PIN, and the lockout after wrong PINs.

Rule: five wrong PINs in a row lock that user's code on this counter for one minute. The count and
the end of the lock are stored (:class:`~feetui.db.models.PinLockout`), so restarting the app does
not reset them. A right PIN clears the count. While locked, even the right PIN is refused, and the
message says how many seconds are left. PINs are checked against slow hashes in a worker thread,
so the event loop never waits on the hash.
"""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from feetui.core.errors import N_, InputError, PermissionError_
from feetui.core.pin import verify_pin
from feetui.db.models import PinLockout, User
from feetui.db.models.base import Role
from feetui.services.container import Services

log = logging.getLogger(__name__)

MAX_WRONG_PINS = 5
"""Wrong PINs in a row that lock a code."""
LOCKOUT = timedelta(minutes=1)
"""How long a code stays locked."""
_LOCKED_MESSAGE = N_(
    "Code {user_code} is locked after too many wrong PINs. Try again in {seconds} seconds."
)


@dataclass(frozen=True, slots=True)
class SignedInUser:
    """Who is at the counter (or who approved something)."""

    id: str
    code: str
    name: str
    role: str

    @property
    def is_supervisor(self) -> bool:
        """True for supervisors and admins, who may approve voids and waivers."""
        return self.role in (Role.SUPERVISOR, Role.ADMIN)


async def sign_in(services: Services, *, code: str, pin: str) -> SignedInUser:
    """Check ``code`` and ``pin`` and count a wrong PIN towards the lockout.

    Args:
        services: the use-case context (its clock decides when a lock ends).
        code: the user's code as typed.
        pin: the PIN as typed (never stored or logged).

    Returns:
        The signed-in user.

    Raises:
        InputError: ``code_empty`` or ``pin_empty``.
        PermissionError_: ``user_unknown``, ``code_locked`` (param ``seconds``) or ``pin_wrong``
            (param ``left``: tries before the lock).
    """
    code, pin = code.strip(), pin.strip()
    if not code:
        raise InputError("code_empty", N_("Type your code."))
    if not pin:
        raise InputError("pin_empty", N_("Type your PIN."))
    user = await User.get_or_none(code=code, active=True)
    if user is None:
        raise PermissionError_(
            "user_unknown", N_("No active user has the code {user_code}."), user_code=code
        )
    now = services.clock.now()
    lockout = await PinLockout.get_or_none(user_id=user.id)
    _refuse_if_locked(lockout, code=code, now=now)
    if not await asyncio.to_thread(verify_pin, pin, user.pin_hash):
        left = await _count_wrong_pin(user.id, now=now)
        _raise_wrong_pin(code=code, left=left)
    if lockout is not None and (lockout.failed_attempts or lockout.locked_until is not None):
        await PinLockout.filter(user_id=user.id).update(failed_attempts=0, locked_until=None)
    log.info("user %s signed in", code)
    return _signed_in(user)


async def get_user(services: Services, *, user_id: str) -> SignedInUser:
    """The user with ``user_id`` (the one who just signed in, usually)."""
    return _signed_in(await User.get(id=user_id))


def _signed_in(user: User) -> SignedInUser:
    return SignedInUser(id=user.id, code=user.code, name=user.name, role=user.role)


def _refuse_if_locked(lockout: PinLockout | None, *, code: str, now: datetime) -> None:
    """Raise ``code_locked`` while the lock has not run out."""
    if lockout is None or lockout.locked_until is None or lockout.locked_until <= now:
        return
    seconds = math.ceil((lockout.locked_until - now).total_seconds())
    raise PermissionError_(
        "code_locked",
        _LOCKED_MESSAGE,
        user_code=code,
        seconds=seconds,
    )


async def _count_wrong_pin(user_id: str, *, now: datetime) -> int:
    """Add one wrong PIN; lock the code at the limit. Returns the tries left (0 when locked)."""
    async with in_transaction():
        lockout, _created = await PinLockout.get_or_create(user_id=user_id)
        expired = lockout.locked_until is not None and lockout.locked_until <= now
        failed = (0 if expired else lockout.failed_attempts) + 1
        if failed >= MAX_WRONG_PINS:
            lockout.failed_attempts, lockout.locked_until = 0, now + LOCKOUT
        else:
            lockout.failed_attempts, lockout.locked_until = failed, None
        await lockout.save()
    return 0 if failed >= MAX_WRONG_PINS else MAX_WRONG_PINS - failed


def _raise_wrong_pin(*, code: str, left: int) -> None:
    if left == 0:
        raise PermissionError_(
            "code_locked",
            _LOCKED_MESSAGE,
            user_code=code,
            seconds=int(LOCKOUT.total_seconds()),
        )
    raise PermissionError_(
        "pin_wrong",
        N_("Wrong PIN. {left} more wrong tries lock this code for a minute."),
        left=left,
    )


__all__ = ["LOCKOUT", "MAX_WRONG_PINS", "SignedInUser", "get_user", "sign_in"]
