"""People who sign in at the counter, and their PIN lock-out state.

``User`` is master data (headquarters may change a name, role or PIN); ``PinLockout`` is local,
mutable bookkeeping of failed PIN attempts and is never synced.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import record_id


class User(Model):
    """A cashier, supervisor or admin, with a slow hash of their PIN."""

    id = record_id()
    code = fields.CharField(max_length=16, unique=True)
    """What they type to sign in, e.g. ``1001``."""
    name = fields.CharField(max_length=100)
    role = fields.CharField(max_length=16)
    """``cashier``, ``supervisor`` or ``admin`` (:class:`~.base.Role`)."""
    pin_hash = fields.CharField(max_length=200)
    """``feetui.core.pin.hash_pin`` output (the PIN itself is never stored)."""
    active = fields.BooleanField(default=True)

    class Meta:
        table = "user"


class PinLockout(Model):
    """Failed PIN attempts of a user on this counter and when the lock ends (local only)."""

    user = fields.OneToOneField(
        "models.User", related_name="lockout", on_delete=fields.RESTRICT, primary_key=True
    )
    failed_attempts = fields.IntField(default=0)
    locked_until = fields.DatetimeField(null=True)

    class Meta:
        table = "pin_lockout"


__all__ = ["PinLockout", "User"]
