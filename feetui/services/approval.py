"""Who is acting: the active user a use case names, and a supervisor's code and PIN.

A PIN is checked with a slow hash, so the check runs in a worker thread and before the posting
transaction starts (the transaction holds the database for everyone else).
"""

from __future__ import annotations

import asyncio

from feetui.core.errors import N_, PermissionError_
from feetui.core.pin import verify_pin
from feetui.db.models import User
from feetui.db.models.base import Role

_SUPERVISING_ROLES = (Role.SUPERVISOR, Role.ADMIN)


async def get_active_user(user_id: str) -> User:
    """The user with ``user_id``, if active.

    Raises:
        PermissionError_: ``user_unknown`` when there is no such active user.
    """
    user = await User.get_or_none(id=user_id, active=True)
    if user is None:
        raise PermissionError_(
            "user_unknown", N_("This user is unknown or disabled: sign in again.")
        )
    return user


async def check_supervisor(*, code: str, pin: str) -> User:
    """The supervisor whose ``code`` and ``pin`` were typed.

    The PIN is checked before the role, so a wrong PIN never tells whether a code exists.

    Raises:
        PermissionError_: ``pin_wrong`` for an unknown code or a wrong PIN;
            ``supervisor_required`` (param ``name``) when the user is not a supervisor.
    """
    user = await User.get_or_none(code=(code or "").strip(), active=True)
    matches = user is not None and await asyncio.to_thread(verify_pin, pin, user.pin_hash)
    if user is None or not matches:
        raise PermissionError_("pin_wrong", N_("The code or PIN is wrong."))
    if user.role not in _SUPERVISING_ROLES:
        raise PermissionError_(
            "supervisor_required",
            N_("{name} is not a supervisor: a supervisor must enter their code and PIN."),
            name=user.name,
        )
    return user


__all__ = ["check_supervisor", "get_active_user"]
