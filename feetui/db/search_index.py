"""The unit search index: keys and list cards written when units, parties or vehicles are written.

Three tables of our own (:mod:`feetui.db.models.search`, migration ``0003_search_index``), none
of them posted records:

* ``search_key (key, unit_id)`` -- every key of :mod:`feetui.core.search` for each active unit;
  its unique ``(key, unit_id)`` index is the sorted index every search scans (and covers it);
* ``search_unit`` -- what the lookup list shows of a unit (code, owner, masked phone, plates,
  tags), so a search reads two narrow tables and never the wide master data;
* ``unit_balance`` -- what each unit owes and holds in prepaid balance, kept current by
  ``AFTER INSERT`` triggers on charges, allocations, adjustments and prepaid entries. Posted rows
  are only ever inserted, so the triggers see every change, whoever writes it: the services, the
  demo's bulk path or the sync puller.

Whoever writes units, parties or vehicles calls :func:`index_units` with the ids it touched (in
its own transaction, if it has one); :func:`rebuild_search_index` redoes everything. Pinyin
initials are computed here, at write time (:mod:`feetui.db.pinyin`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from tortoise.transactions import in_transaction

from feetui.core.search import mask_phone, normalise_name, normalise_plate, unit_keys
from feetui.db.pinyin import name_initials

_BATCH = 500

_UNITS_SQL = """
SELECT u.id, u.code, u.kind, u.tags, u.active, COALESCE(p.name, u.owner_name, ''),
       COALESCE(p.phone, ''), COALESCE(p.kind, 'owner'), u.plates
FROM unit u LEFT JOIN party p ON p.id = u.owner_id
WHERE u.id IN ({marks})
"""
_VEHICLES_SQL = """
SELECT v.unit_id, v.plate, COALESCE(p.name, ''), COALESCE(p.phone, ''), COALESCE(p.kind, '')
FROM vehicle v LEFT JOIN party p ON p.id = v.party_id
WHERE v.unit_id IN ({marks})
ORDER BY v.unit_id, v.plate
"""
_DELETE_KEYS = "DELETE FROM search_key WHERE unit_id IN ({marks})"
_DELETE_CARDS = "DELETE FROM search_unit WHERE unit_id IN ({marks})"
_INSERT_KEY = "INSERT OR IGNORE INTO search_key (key, unit_id) VALUES (?, ?)"
_INSERT_CARD = (
    "INSERT INTO search_unit (unit_id, code, owner_name, phone_masked, plates, tags) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_ALL_UNITS = "SELECT id FROM unit ORDER BY id"
_REBUILD_BALANCES = (
    "DELETE FROM unit_balance",
    """INSERT INTO unit_balance (unit_id, arrears_fen, prepaid_fen)
    SELECT u.id,
      COALESCE((SELECT SUM(c.amount_fen) FROM charge c WHERE c.unit_id = u.id), 0)
      - COALESCE((SELECT SUM(a.amount_fen) FROM allocation a JOIN charge c ON c.id = a.charge_id
                  WHERE c.unit_id = u.id), 0)
      - COALESCE((SELECT SUM(j.amount_fen) FROM adjustment j JOIN charge c ON c.id = j.charge_id
                  WHERE c.unit_id = u.id AND j.kind <> 'late_fee_waiver'), 0),
      COALESCE((SELECT SUM(e.amount_fen) FROM prepaid_entry e WHERE e.unit_id = u.id), 0)
    FROM unit u""",
)


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """What the index needs to know of one unit, read from the master data.

    Attributes:
        unit_id: the unit's id.
        code: its canonical room code.
        kind: ``residential``, ``shop`` or ``parking``.
        tags: its free tags, space separated.
        active: whether it is still in use (inactive units are not found).
        people: ``(name, phone, party kind)`` of the owner first, then of the vehicles' parties.
        plates: its vehicles' plates.
    """

    unit_id: str
    code: str
    kind: str
    tags: str
    active: bool
    people: tuple[tuple[str, str, str], ...]
    plates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IndexRows:
    """Rows to write for some units: ``(key, unit_id)`` and the cards of ``search_unit``."""

    keys: list[tuple[str, str]]
    cards: list[tuple[str, str, str, str, str, str]]


def unit_tags(kind: str, tags: str) -> tuple[str, ...]:
    """The stable tag codes the list shows: the unit's kind unless residential, then its tags."""
    result = [kind] if kind and kind != "residential" else []
    result.extend(t for t in tags.split() if t not in result)
    return tuple(result)


def _unit_rows(unit: UnitFacts) -> tuple[list[str], tuple[str, str, str, str, str, str]]:
    """The keys and the card of one active unit."""
    initials: list[str] = []
    for name, _, party_kind in unit.people:
        if name:
            initials.extend(name_initials(name, person=party_kind != "shop"))
    plates = tuple(dict.fromkeys(normalise_plate(p) for p in unit.plates if p))
    keys = unit_keys(
        code=unit.code,
        names=[normalise_name(name) for name, _, _ in unit.people if name],
        initials=initials,
        phones=[phone for _, phone, _ in unit.people if phone],
        plates=plates,
    )
    owner_name, owner_phone, _ = unit.people[0] if unit.people else ("", "", "")
    card = (
        unit.unit_id,
        unit.code,
        owner_name,
        mask_phone(owner_phone) if owner_phone else "",
        " ".join(plates),
        " ".join(unit_tags(unit.kind, unit.tags)),
    )
    return keys, card


def build_rows(units: Iterable[UnitFacts]) -> IndexRows:
    """The index rows of ``units`` (pure apart from pinyin; inactive units get none).

    Args:
        units: facts of the units to index.

    Returns:
        The keys and cards to insert once the units' old rows are deleted.
    """
    rows = IndexRows(keys=[], cards=[])
    for unit in units:
        if unit.active:
            keys, card = _unit_rows(unit)
            rows.keys.extend((key, unit.unit_id) for key in keys)
            rows.cards.append(card)
    return rows


def _facts(unit_rows: Sequence[Sequence], vehicle_rows: Sequence[Sequence]) -> list[UnitFacts]:
    """Join unit rows (with owner) and vehicle rows (with party) into :class:`UnitFacts`."""
    plates: dict[str, list[str]] = {}
    people: dict[str, list[tuple[str, str, str]]] = {}
    for unit_id, plate, name, phone, party_kind in vehicle_rows:
        plates.setdefault(unit_id, []).append(plate)
        if name:
            people.setdefault(unit_id, []).append((name, phone, party_kind))
    facts = []
    for unit_id, code, kind, tags, active, name, phone, party_kind, unit_plates in unit_rows:
        owner = [(name, phone, party_kind)] if name else []
        # The unit's own search copy of its plates counts too (master data may carry only it).
        plates.setdefault(unit_id, []).extend((unit_plates or "").split())
        others = [p for p in people.get(unit_id, []) if p not in owner]
        facts.append(
            UnitFacts(
                unit_id=unit_id,
                code=code,
                kind=kind or "",
                tags=tags or "",
                active=bool(active),
                people=tuple(owner + list(dict.fromkeys(others))),
                plates=tuple(plates.get(unit_id, ())),
            )
        )
    return facts


def _chunks(items: Sequence[str], size: int = _BATCH) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _marks(count: int) -> str:
    return ",".join("?" * count)


async def index_units(unit_ids: Iterable[str]) -> int:
    """Rewrite the search rows of these units from the master data, in one transaction.

    Joins the caller's transaction when there is one (the units and their index then commit
    together). Unknown ids simply lose their rows.

    Args:
        unit_ids: ids of units whose code, owner, phone, tags, activity or vehicles changed.

    Returns:
        How many units are now indexed among those given.
    """
    ids = list(dict.fromkeys(unit_ids))
    indexed = 0
    async with in_transaction() as connection:
        for chunk in _chunks(ids):
            marks = _marks(len(chunk))
            _, unit_rows = await connection.execute_query(_UNITS_SQL.format(marks=marks), chunk)
            _, vehicle_rows = await connection.execute_query(
                _VEHICLES_SQL.format(marks=marks), chunk
            )
            rows = build_rows(_facts(unit_rows, vehicle_rows))
            await connection.execute_query(_DELETE_KEYS.format(marks=marks), chunk)
            await connection.execute_query(_DELETE_CARDS.format(marks=marks), chunk)
            if rows.keys:
                await connection.execute_many(_INSERT_KEY, rows.keys)
            if rows.cards:
                await connection.execute_many(_INSERT_CARD, rows.cards)
            indexed += len(rows.cards)
    return indexed


async def rebuild_search_index() -> int:
    """Index every unit again and recompute every balance from the posted rows.

    Returns:
        How many units are indexed.
    """
    async with in_transaction() as connection:
        _, rows = await connection.execute_query(_ALL_UNITS)
        await connection.execute_query("DELETE FROM search_key")
        await connection.execute_query("DELETE FROM search_unit")
        count = await index_units([row[0] for row in rows])
        for statement in _REBUILD_BALANCES:
            await connection.execute_query(statement)
    return count


def index_units_sqlite(connection: sqlite3.Connection, unit_ids: Sequence[str] | None) -> int:
    """:func:`index_units` for a plain ``sqlite3`` connection (the demo's bulk path), no commit.

    Args:
        connection: an open connection, inside the caller's transaction.
        unit_ids: the units to index; ``None`` indexes every unit.

    Returns:
        How many units are now indexed among those given.
    """
    if unit_ids is None:
        unit_ids = [row[0] for row in connection.execute(_ALL_UNITS)]
    indexed = 0
    for chunk in _chunks(list(unit_ids)):
        marks = _marks(len(chunk))
        unit_rows = connection.execute(_UNITS_SQL.format(marks=marks), chunk).fetchall()
        vehicle_rows = connection.execute(_VEHICLES_SQL.format(marks=marks), chunk).fetchall()
        rows = build_rows(_facts(unit_rows, vehicle_rows))
        connection.execute(_DELETE_KEYS.format(marks=marks), chunk)
        connection.execute(_DELETE_CARDS.format(marks=marks), chunk)
        connection.executemany(_INSERT_KEY, rows.keys)
        connection.executemany(_INSERT_CARD, rows.cards)
        indexed += len(rows.cards)
    return indexed


def rebuild_balances_sqlite(connection: sqlite3.Connection) -> None:
    """Recompute ``unit_balance`` from the posted rows on a plain connection, no commit."""
    for statement in _REBUILD_BALANCES:
        connection.execute(statement)


__all__ = [
    "IndexRows",
    "UnitFacts",
    "build_rows",
    "index_units",
    "index_units_sqlite",
    "rebuild_balances_sqlite",
    "rebuild_search_index",
    "unit_tags",
]
