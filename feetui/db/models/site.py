"""Master data of a community: the site, its units, the parties who own or rent them, vehicles.

Master data belongs to headquarters and is pulled by the counter (it may be updated there, so these
rows are not posted records). The search columns of :class:`Unit` (owner name, pinyin initials,
phone tail, plates) are filled when the unit is written, never at search time, and are indexed.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import record_id


class Site(Model):
    """A community (小区) with its service centre."""

    id = record_id()
    code = fields.CharField(max_length=32, unique=True)
    """Short code headquarters uses for the site."""
    name = fields.CharField(max_length=100)

    class Meta:
        table = "site"


class Party(Model):
    """A person or business who owns, rents or runs a shop in a unit."""

    id = record_id()
    site = fields.ForeignKeyField("models.Site", related_name="parties", on_delete=fields.RESTRICT)
    name = fields.CharField(max_length=100, db_index=True)
    phone = fields.CharField(max_length=32, default="")
    kind = fields.CharField(max_length=16, default="owner")
    """``owner``, ``tenant`` or ``shop`` (:class:`~feetui.db.models.base.PartyKind`)."""

    class Meta:
        table = "party"


class Unit(Model):
    """A billed flat, shop or parking space, room code "3-2-1502" is building-entrance-room."""

    id = record_id()
    site = fields.ForeignKeyField("models.Site", related_name="units", on_delete=fields.RESTRICT)
    code = fields.CharField(max_length=32)
    """Normalised room code: building-entrance-room, e.g. ``3-2-1502``."""
    building = fields.CharField(max_length=16)
    entrance = fields.CharField(max_length=16, default="")
    floor = fields.IntField(default=0)
    room = fields.CharField(max_length=16)
    area_centi_m2 = fields.IntField(default=0)
    """Billed area in hundredths of a square metre (123.45 m² is 12345)."""
    kind = fields.CharField(max_length=16, default="residential")
    """``residential``, ``shop`` or ``parking`` (:class:`~feetui.db.models.base.UnitKind`)."""
    owner = fields.ForeignKeyField(
        "models.Party", related_name="units", on_delete=fields.RESTRICT, null=True
    )
    tags = fields.CharField(max_length=200, default="")
    """Free tags separated by spaces (e.g. ``vacant elderly``)."""
    owner_name = fields.CharField(max_length=100, default="", db_index=True)
    """Search copy of the owner's name."""
    owner_initials = fields.CharField(max_length=32, default="", db_index=True)
    """Pinyin initials of the owner's name (zsf for 张三丰), computed when written."""
    phone_tail = fields.CharField(max_length=8, default="", db_index=True)
    """Last four digits of the owner's phone."""
    plates = fields.CharField(max_length=200, default="", db_index=True)
    """Car plates of the unit separated by spaces, upper case, no separators."""
    active = fields.BooleanField(default=True)

    class Meta:
        table = "unit"
        unique_together = (("site", "code"),)
        indexes = (("code",),)


class Vehicle(Model):
    """A car registered to a unit (for the plate search and parking fees)."""

    id = record_id()
    unit = fields.ForeignKeyField("models.Unit", related_name="vehicles", on_delete=fields.RESTRICT)
    plate = fields.CharField(max_length=16, db_index=True)
    """Upper case, no separators: ``京A12345``."""
    party = fields.ForeignKeyField(
        "models.Party", related_name="vehicles", on_delete=fields.RESTRICT, null=True
    )

    class Meta:
        table = "vehicle"
        indexes = (("unit_id",),)


__all__ = ["Party", "Site", "Unit", "Vehicle"]
