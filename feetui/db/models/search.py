"""The unit search index and the per-unit balance summary (written by feetui/db/search_index.py).

None of these rows is posted: the index is rewritten whenever a unit, party or vehicle changes, and
``unit_balance`` is kept by ``AFTER INSERT`` triggers on the posted tables (migration
``0003_search_index``) and can always be rebuilt from them.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from feetui.db.models.base import ID_LENGTH, money


class SearchKey(Model):
    """One key a unit is found by (``c:3-2-1502``, ``n:张三丰``, ``i:zsf`` ...).

    Every search is a range scan of the ``(key, unit_id)`` index, which covers the query.
    """

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64)
    unit_id = fields.CharField(max_length=ID_LENGTH, db_index=True)

    class Meta:
        table = "search_key"
        unique_together = (("key", "unit_id"),)


class SearchUnit(Model):
    """What the lookup list shows of a unit: code, owner, masked phone, plates and tags."""

    unit_id = fields.CharField(max_length=ID_LENGTH, primary_key=True)
    code = fields.CharField(max_length=32)
    owner_name = fields.CharField(max_length=100, default="")
    phone_masked = fields.CharField(max_length=32, default="")
    plates = fields.CharField(max_length=200, default="")
    """Normalised plates separated by spaces."""
    tags = fields.CharField(max_length=200, default="")
    """Stable tag codes separated by spaces (``shop``, the unit's own tags)."""

    class Meta:
        table = "search_unit"


class UnitBalance(Model):
    """What a unit owes now and the prepaid balance it holds, kept current by triggers."""

    unit_id = fields.CharField(max_length=ID_LENGTH, primary_key=True)
    arrears_fen = money(default=0)
    """Σ charges − Σ allocations − Σ waivers and discounts (late-fee waivers excepted)."""
    prepaid_fen = money(default=0)
    """Σ prepaid entries."""

    class Meta:
        table = "unit_balance"


__all__ = ["SearchKey", "SearchUnit", "UnitBalance"]
