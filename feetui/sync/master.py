"""Master data pulled from headquarters, written into the counter's tables.

Each pulled change names an entity (``site``, ``unit``, ``party``, ``vehicle``, ``fee_item``,
``user``, ``charge``) and carries the record as ``data``. Master data is upserted by id: HQ owns
it and may change it. A ``delete`` never removes a row other rows may point at: units, fee items
and users become inactive, vehicles go, a party is unlinked. Charges are posted records: written
once, never changed (a second upsert of a known charge is ignored).

``data`` fields read (unknown fields are ignored, missing optional ones take the default):

* site: ``id, code, name``
* unit: ``id, site_id, code, building, room`` + ``entrance, floor, area_centi_m2, kind, tags,
  owner_id, active``; the optional fields are written only when present (a unit re-published
  without tags keeps the tags the counters set), and the counters' own tags (the vocabulary of
  :mod:`feetui.core.tags`) always follow the unit's latest tag change
* party: ``id, site_id, name`` + ``phone, kind`` (or ``role``), ``unit_id`` (with kind/role
  ``owner`` it becomes the unit's owner)
* vehicle: ``id, unit_id, plate`` + ``party_id``
* fee_item: ``id, site_id, code, name, kind`` + ``rate_fen, months_per_bill, unit_label,
  late_fee_daily_ppm, late_fee_grace_days, late_fee_cap_percent, due_day, scope, active``; the
  optional fields
  are written only when present (an older HQ without them leaves the counter's values alone)
* user: ``id, code, name, role, pin_hash`` + ``disabled`` (or ``active``)
* charge: ``id, unit_id, fee_item_id, period, amount_fen, due_date`` + ``source, period_start,
  period_end, parent_id, note, created_at``

A change that cannot be read (a missing field, a wrong type) raises :class:`MasterDataError`; the
puller skips it with a warning rather than block every later change behind it.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.core.errors import N_, FeeError, InputError
from feetui.db.models import Charge, FeeItem, Party, Site, Unit, User, Vehicle
from feetui.db.unit_tags import settle_unit_tags

log = logging.getLogger(__name__)

MASTER_ENTITIES = ("site", "unit", "party", "vehicle", "fee_item", "user", "charge")


class MasterDataError(InputError):
    """A pulled change this counter cannot read."""


def _bad(entity: str, field: str) -> MasterDataError:
    return MasterDataError(
        "master_data_unreadable",
        N_("Headquarters sent a {entity} this counter cannot read (field {field})."),
        entity=entity,
        field=field,
    )


class _Reader:
    """Typed access to one change's ``data``, naming the field that is wrong."""

    def __init__(self, entity: str, data: dict[str, Any]) -> None:
        self.entity = entity
        self.data = data

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if value is None and default is not None:
            return default
        if not isinstance(value, str) or (default is None and not value):
            raise _bad(self.entity, key)
        return value

    def optional_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise _bad(self.entity, key)
        return value

    def integer(self, key: str, default: int | None = None) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise _bad(self.entity, key)
        return value

    def present(self, keys: tuple[str, ...], read: Any) -> dict[str, Any]:
        """``{key: read(key)}`` for each key of ``keys`` that ``data`` has (null is absent)."""
        return {key: read(key) for key in keys if self.data.get(key) is not None}

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise _bad(self.entity, key)
        return value

    def day(self, key: str, *, required: bool = True) -> date | None:
        value = self.data.get(key)
        if value is None and not required:
            return None
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            raise _bad(self.entity, key) from None

    def instant(self, key: str, fallback: datetime) -> datetime:
        value = self.data.get(key)
        if not isinstance(value, str):
            return fallback
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return fallback
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


async def apply_master_change(
    conn: BaseDBAsyncClient, entity: str, op: str, data: dict[str, Any], *, now: datetime
) -> set[str]:
    """Write one pulled master-data change in ``conn``'s transaction.

    Args:
        conn: the page's transaction.
        entity: one of :data:`MASTER_ENTITIES`.
        op: ``upsert`` or ``delete``.
        data: the record as HQ sent it.
        now: stands in for a missing ``created_at`` of a charge.

    Returns:
        Ids of units whose search entry must be rebuilt.

    Raises:
        MasterDataError: the change cannot be read.
    """
    reader = _Reader(entity, data)
    record_id = reader.text("id")
    if op == "delete":
        return await _delete(conn, entity, record_id)
    return await _UPSERTS[entity](conn, reader, record_id, now)


async def _upsert(
    conn: BaseDBAsyncClient, model: Any, record_id: str, values: dict, unique: tuple = ()
) -> None:
    """Update the row with ``record_id`` or create it (master data is mutable).

    HQ's record wins a clash on ``unique`` (e.g. a fee item re-created under the same code with a
    new id): the local row holding that code steps aside, renamed and inactive, never deleted.
    """
    if unique:
        clash = model.filter(**{key: values[key] for key in unique}).exclude(id=record_id)
        for row in await clash.using_db(conn):
            width = model._meta.fields_map["code"].max_length
            aside: dict[str, Any] = {"code": f"{row.code}~{row.id[-6:]}"[-width:]}
            if "active" in model._meta.fields_map:
                aside["active"] = False
            await model.filter(id=row.id).using_db(conn).update(**aside)
    updated = await model.filter(id=record_id).using_db(conn).update(**values)
    if not updated:
        await model.create(using_db=conn, id=record_id, **values)


async def _site(conn: BaseDBAsyncClient, r: _Reader, record_id: str, now: datetime) -> set[str]:
    values = {"code": r.text("code"), "name": r.text("name")}
    await _upsert(conn, Site, record_id, values, unique=("code",))
    return set()


async def _unit(conn: BaseDBAsyncClient, r: _Reader, record_id: str, now: datetime) -> set[str]:
    values: dict[str, Any] = {
        "site_id": r.text("site_id"),
        "code": r.text("code"),
        "building": r.text("building"),
        "room": r.text("room"),
        "active": r.flag("active", True),
    }
    # Only what HQ sent: a re-import or a re-snapshot without tags, kind or floor must not wipe
    # what the counter has (tags set at the counters above all); a new row takes the defaults.
    values.update(r.present(("entrance", "kind", "tags"), lambda key: r.text(key, "")))
    values.update(r.present(("floor", "area_centi_m2"), r.integer))
    owner_id = r.optional_text("owner_id")
    if owner_id is not None and await Party.filter(id=owner_id).using_db(conn).exists():
        values.update(await _owner_copy(conn, owner_id))
    await _upsert(conn, Unit, record_id, values, unique=("site_id", "code"))
    if "tags" in values:
        # HQ's tags are the unit's own (``vacant``); the counters' tags are those of the unit's
        # latest tag change, whenever HQ's copy of the unit was made.
        try:
            await settle_unit_tags(conn, record_id)
        except FeeError as error:
            log.warning("unit %s keeps HQ's tags: %s", record_id, error.code)
    return {record_id}


async def _owner_copy(conn: BaseDBAsyncClient, party_id: str) -> dict[str, Any]:
    """The unit columns that copy its owner (the search reads them)."""
    party = await Party.get(id=party_id).using_db(conn)
    digits = "".join(ch for ch in party.phone if ch.isdigit())
    return {"owner_id": party.id, "owner_name": party.name, "phone_tail": digits[-4:]}


async def _party(conn: BaseDBAsyncClient, r: _Reader, record_id: str, now: datetime) -> set[str]:
    kind = r.optional_text("kind") or r.optional_text("role") or "owner"
    values = {
        "site_id": r.text("site_id"),
        "name": r.text("name"),
        "phone": r.text("phone", ""),
        "kind": kind,
    }
    await _upsert(conn, Party, record_id, values)
    touched = {u.id for u in await Unit.filter(owner_id=record_id).using_db(conn)}
    unit_id = r.optional_text("unit_id")
    if unit_id and kind == "owner" and await Unit.filter(id=unit_id).using_db(conn).exists():
        await Unit.filter(id=unit_id).using_db(conn).update(**await _owner_copy(conn, record_id))
        touched.add(unit_id)
    for other in touched - ({unit_id} if unit_id else set()):
        await Unit.filter(id=other).using_db(conn).update(**await _owner_copy(conn, record_id))
    return touched


async def _vehicle(conn: BaseDBAsyncClient, r: _Reader, record_id: str, now: datetime) -> set[str]:
    unit_id = r.text("unit_id")
    previous = await Vehicle.get_or_none(id=record_id).using_db(conn)
    values = {"unit_id": unit_id, "plate": r.text("plate"), "party_id": r.optional_text("party_id")}
    await _upsert(conn, Vehicle, record_id, values)
    return {unit_id} | ({previous.unit_id} if previous is not None else set())  # type: ignore[attr-defined]


async def _fee_item(conn: BaseDBAsyncClient, r: _Reader, record_id: str, now: datetime) -> set[str]:
    values: dict[str, Any] = {
        "site_id": r.text("site_id"),
        "code": r.text("code"),
        "name": r.text("name"),
        "kind": r.text("kind"),
        "active": r.flag("active", True),
    }
    # Only what HQ sent: an HQ that does not know a field (an older version) leaves the counter's
    # value as it is, never zeroes it; a new row takes the model's default.
    values.update(r.present(_FEE_ITEM_INTEGERS, r.integer))
    values.update(r.present(("unit_label", "scope"), lambda key: r.text(key, "")))
    await _upsert(conn, FeeItem, record_id, values, unique=("site_id", "code"))
    return set()


_FEE_ITEM_INTEGERS = (
    "rate_fen",
    "months_per_bill",
    "late_fee_daily_ppm",
    "late_fee_grace_days",
    "late_fee_cap_percent",
    "due_day",
)


async def _user(conn: BaseDBAsyncClient, r: _Reader, record_id: str, now: datetime) -> set[str]:
    code = r.text("code")
    active = not r.flag("disabled", False) and r.flag("active", True)
    values = {
        "code": code,
        "name": r.text("name"),
        "role": r.text("role"),
        "pin_hash": r.text("pin_hash"),
        "active": active,
    }
    # HQ's users win: a local user holding the same sign-in code steps aside (kept, disabled).
    await _upsert(conn, User, record_id, values, unique=("code",))
    return set()


async def _charge(conn: BaseDBAsyncClient, r: _Reader, record_id: str, now: datetime) -> set[str]:
    if await Charge.filter(id=record_id).using_db(conn).exists():
        return set()  # posted: the first version stands
    unit_id = r.text("unit_id")
    await Charge.create(
        using_db=conn,
        id=record_id,
        unit_id=unit_id,
        fee_item_id=r.text("fee_item_id"),
        period=r.text("period"),
        period_start=r.day("period_start", required=False),
        period_end=r.day("period_end", required=False),
        amount_fen=r.integer("amount_fen"),
        due_date=r.day("due_date"),
        source=r.text("source", "bill"),
        parent_id=r.optional_text("parent_id"),
        note=r.text("note", ""),
        origin_device_id=r.optional_text("origin_device_id"),
        created_at=r.instant("created_at", now),
    )
    return set()


async def _delete(conn: BaseDBAsyncClient, entity: str, record_id: str) -> set[str]:
    """Retire a record without breaking what points at it."""
    if entity in ("unit", "fee_item", "user"):
        model = {"unit": Unit, "fee_item": FeeItem, "user": User}[entity]
        await model.filter(id=record_id).using_db(conn).update(active=False)
        return {record_id} if entity == "unit" else set()
    if entity == "vehicle":
        vehicle = await Vehicle.get_or_none(id=record_id).using_db(conn)
        if vehicle is None:
            return set()
        await Vehicle.filter(id=record_id).using_db(conn).delete()
        return {vehicle.unit_id}  # type: ignore[attr-defined]
    if entity == "party":
        touched = {u.id for u in await Unit.filter(owner_id=record_id).using_db(conn)}
        await (
            Unit.filter(owner_id=record_id)
            .using_db(conn)
            .update(owner_id=None, owner_name="", phone_tail="")
        )
        await Vehicle.filter(party_id=record_id).using_db(conn).update(party_id=None)
        return touched
    return set()  # sites and charges are never deleted


_UPSERTS = {
    "site": _site,
    "unit": _unit,
    "party": _party,
    "vehicle": _vehicle,
    "fee_item": _fee_item,
    "user": _user,
    "charge": _charge,
}


async def retire_master_data(conn: BaseDBAsyncClient) -> None:
    """Before a fresh snapshot (HQ restored from a backup): everything HQ sends again comes back
    to life; what it no longer has stays inactive. Posted rows are never touched.

    Local admins stay active: HQ never sends admins, and the counter must stay manageable.
    """
    await Unit.all().using_db(conn).update(active=False)
    await FeeItem.all().using_db(conn).update(active=False)
    await User.exclude(role="admin").using_db(conn).update(active=False)
    await Vehicle.all().using_db(conn).delete()


__all__ = ["MASTER_ENTITIES", "MasterDataError", "apply_master_change", "retire_master_data"]
