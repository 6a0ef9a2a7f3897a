"""Users of a standalone counter: add one with a PIN, or disable one (``feetui users``).

On an enrolled counter users are headquarters' master data (``sync-server users``) and arrive by
pull; managing them here would be overwritten, so it is refused. A PIN is stored only as
:func:`feetui.core.pin.hash_pin` gives it, with a fresh random salt.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from feetui.core.errors import N_, InputError, RuleError
from feetui.core.pin import hash_pin
from feetui.db.models import Device, User
from feetui.db.models.base import Role
from feetui.services.container import Services
from feetui.services.posting import posting

MAX_CODE = 16
MAX_NAME = 100


@dataclass(frozen=True, slots=True)
class UserRow:
    """A user as the command prints it (never the PIN or its hash)."""

    user_id: str
    code: str
    name: str
    role: str
    active: bool


async def _require_standalone(svc: Services) -> None:
    device = await Device.get(id=svc.device_id)
    if device.sync_token:
        raise RuleError(
            "users_by_hq",
            N_("This counter is enrolled: users are managed at headquarters (sync-server users)."),
        )


def _check(code: str, name: str, role: str) -> tuple[str, str]:
    code, name = (code or "").strip(), (name or "").strip()
    if not code or len(code) > MAX_CODE or not code.isalnum():
        raise InputError(
            "user_code_invalid",
            N_("A sign-in code is 1 to {limit} letters or digits."),
            limit=MAX_CODE,
        )
    if not name or len(name) > MAX_NAME:
        raise InputError("user_name_invalid", N_("Enter the user's name (at most 100 characters)."))
    if role not in Role.ALL:
        raise InputError(
            "role_invalid", N_("The role must be one of: {roles}."), roles=", ".join(Role.ALL)
        )
    return code, name


async def add_user(svc: Services, *, code: str, name: str, role: str, pin: str) -> UserRow:
    """Add a user who signs in with ``code`` and ``pin``.

    Raises:
        InputError: ``user_code_invalid``, ``user_name_invalid``, ``role_invalid``,
            ``pin_invalid``.
        RuleError: ``users_by_hq`` on an enrolled counter, ``user_exists``.
    """
    code, name = _check(code, name, role)
    stored = hash_pin(pin, salt=os.urandom(16))
    await _require_standalone(svc)
    async with posting() as conn:
        if await User.filter(code=code).using_db(conn).exists():
            raise RuleError(
                "user_exists", N_("A user with code {user_code} exists."), user_code=code
            )
        user = await User.create(
            using_db=conn, id=svc.ids.new_str(), code=code, name=name, role=role, pin_hash=stored
        )
    return UserRow(user.id, code, name, role, True)


async def disable_user(svc: Services, *, code: str) -> UserRow:
    """Stop a user from signing in (the row stays: their records point at it).

    Raises:
        RuleError: ``users_by_hq`` on an enrolled counter, ``user_unknown``.
    """
    await _require_standalone(svc)
    async with posting() as conn:
        user = await User.get_or_none(code=(code or "").strip()).using_db(conn)
        if user is None:
            raise RuleError(
                "user_unknown", N_("There is no user with code {user_code}."), user_code=code
            )
        await User.filter(id=user.id).using_db(conn).update(active=False)
    return UserRow(user.id, user.code, user.name, user.role, False)


__all__ = ["UserRow", "add_user", "disable_user"]
