"""Importing units, owners, areas, phones and plates on a standalone counter (``import-units``).

The file is read by :mod:`feetui.tables` and checked by :mod:`feetui.core.unit_import`, the same
code headquarters' ``sync-server import-units`` runs, with one difference: the only site a row
may name is the counter's own. Any problem and nothing is written; a clean file is applied in one
transaction. A unit is matched by its site and canonical room code, so a re-import updates it
(area, owner, phone) and adds plates; nothing is created twice and nothing is deleted. Units,
owners and vehicles are written the way demo data and pulled master data write them, search
copies included (owner name, pinyin initials, phone tail, plates), and re-indexed in the same
transaction, so an imported unit is found by room, owner, initials, phone tail and plate at once.
Only master data is written: no posted record is touched.

On an enrolled counter units are headquarters' master data and arrive by pull; importing here
would be overwritten, so it is refused.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tortoise.backends.base.client import BaseDBAsyncClient

from feetui.core.errors import N_, RuleError
from feetui.core.search import normalise_phone
from feetui.core.unit_import import RowProblem, UnitRow, check_table
from feetui.db.models import Device, Party, Site, Unit, Vehicle
from feetui.db.models.base import PartyKind
from feetui.db.pinyin import name_initials
from feetui.db.search_index import index_units
from feetui.services.container import Services
from feetui.services.master_data import own_site
from feetui.services.posting import posting
from feetui.tables import read_cells

OTHER_SITE = N_("'{site}' is not this counter's site: use {sites}")


@dataclass(frozen=True, slots=True)
class UnitImport:
    """What an import did, or why it did nothing.

    Attributes:
        problems: every problem of the file; when there is any, nothing was written.
        units_created: units new to the counter.
        units_updated: units already there, updated.
        vehicles: plates in the file (each now on its row's unit).
    """

    problems: tuple[RowProblem, ...] = ()
    units_created: int = 0
    units_updated: int = 0
    vehicles: int = 0

    @property
    def ok(self) -> bool:
        """True when the file was imported."""
        return not self.problems


async def import_units(svc: Services, *, path: Path) -> UnitImport:
    """Check the whole file, then import it in one transaction (or report and write nothing).

    Args:
        svc: the services context.
        path: a ``.csv`` or ``.xlsx`` file with the columns of
            :data:`feetui.core.unit_import.COLUMNS`.

    Returns:
        The counts, or the problems (nothing written).

    Raises:
        RuleError: ``units_by_hq`` on an enrolled counter, ``own_site_unknown`` when the
            counter has no site of its own (``feetui sites add``).
        InputError: ``table_type``, ``table_unreadable``.
        StorageError: the database refused the write (nothing written).
    """
    site = await _own_site(svc)
    cells = await asyncio.to_thread(read_cells, path)
    rows, problems = check_table(cells, {site.code}, site_message=OTHER_SITE)
    if problems:
        return UnitImport(problems=tuple(problems))
    async with posting() as conn:
        writer = await _Writer.load(conn, svc, site.id)
        for row in rows:
            await writer.apply(row)
        await writer.finish()
    return UnitImport(
        units_created=writer.created,
        units_updated=writer.updated,
        vehicles=sum(len(row.plates) for row in rows),
    )


async def _own_site(svc: Services) -> Site:
    """The counter's one site (:func:`feetui.services.master_data.own_site`), not enrolled."""
    device = await Device.get(id=svc.device_id)
    if device.sync_token:
        raise RuleError(
            "units_by_hq",
            N_(
                "This counter is enrolled: units are headquarters' master data; import them "
                "there (sync-server import-units)."
            ),
        )
    return await own_site(svc)


@dataclass(slots=True)
class _Writer:
    """Writes checked rows into one site inside the import's transaction."""

    conn: BaseDBAsyncClient
    svc: Services
    site_id: str
    units: dict[str, Unit]
    vehicles: dict[str, Vehicle]
    owners: Counter[str]
    touched: set[str] = field(default_factory=set)
    created: int = 0
    updated: int = 0

    @classmethod
    async def load(cls, conn: BaseDBAsyncClient, svc: Services, site_id: str) -> _Writer:
        """The site's units by code, its vehicles by plate and how many units each owner has."""
        units = await Unit.filter(site_id=site_id).using_db(conn)
        vehicles = await Vehicle.filter(unit__site_id=site_id).using_db(conn)
        return cls(
            conn=conn,
            svc=svc,
            site_id=site_id,
            units={unit.code: unit for unit in units},
            vehicles={vehicle.plate: vehicle for vehicle in vehicles},
            owners=Counter(u.owner_id for u in units if u.owner_id),  # type: ignore[attr-defined]
        )

    async def apply(self, row: UnitRow) -> None:
        """Create or update the row's unit, its owner and its vehicles."""
        unit = self.units.get(row.code)
        owner = await self._owner(unit, row)
        owner_id = owner.id
        initials = name_initials(row.owner, person=owner.kind != PartyKind.SHOP)
        values = {
            "area_centi_m2": row.area_centi_m2,
            "owner_id": owner_id,
            "owner_name": row.owner,
            "owner_initials": initials[0] if initials else "",
            "phone_tail": normalise_phone(row.phone)[-4:],
        }
        if unit is None:
            building, entrance, room = row.parts
            unit = await Unit.create(
                using_db=self.conn, id=self.svc.ids.new_str(), site_id=self.site_id,
                code=row.code, building=building, entrance=entrance, room=room, **values,
            )  # fmt: skip
            self.units[row.code] = unit
            self.created += 1
        else:
            await Unit.filter(id=unit.id).using_db(self.conn).update(**values)
            self.updated += 1
        self.touched.add(unit.id)
        for plate in row.plates:
            await self._vehicle(unit.id, owner_id, plate)

    async def _owner(self, unit: Unit | None, row: UnitRow) -> Party:
        """The owner party: the unit's own owner updated, or a new party.

        An owner who also owns other units is left as they are when the row names someone else
        (a new party is made), so an import never renames the owner of another unit.
        """
        current = unit.owner_id if unit is not None else None  # type: ignore[attr-defined]
        if current is not None:
            party = await Party.get(id=current).using_db(self.conn)
            if (party.name, party.phone) == (row.owner, row.phone):
                return party
            if self.owners[current] <= 1:
                party.name, party.phone = row.owner, row.phone
                await party.save(using_db=self.conn, update_fields=["name", "phone"])
                return party
            self.owners[current] -= 1
        party = await Party.create(
            using_db=self.conn, id=self.svc.ids.new_str(), site_id=self.site_id,
            name=row.owner, phone=row.phone, kind=PartyKind.OWNER,
        )  # fmt: skip
        self.owners[party.id] += 1
        return party

    async def _vehicle(self, unit_id: str, owner_id: str, plate: str) -> None:
        """Put ``plate`` on the unit: a new vehicle, or one of the site's moved here."""
        vehicle = self.vehicles.get(plate)
        if vehicle is None:
            self.vehicles[plate] = await Vehicle.create(
                using_db=self.conn, id=self.svc.ids.new_str(), unit_id=unit_id, plate=plate,
                party_id=owner_id,
            )  # fmt: skip
        elif vehicle.unit_id != unit_id:  # type: ignore[attr-defined]
            self.touched.add(vehicle.unit_id)  # type: ignore[attr-defined]
            await (
                Vehicle.filter(id=vehicle.id)
                .using_db(self.conn)
                .update(unit_id=unit_id, party_id=owner_id)
            )
            vehicle.unit_id = unit_id  # type: ignore[attr-defined]

    async def finish(self) -> None:
        """Refresh the plates copy of every touched unit, then its search rows.

        The copy keeps the order it had (demo data lists a unit's cars in their order) and adds
        new plates after, sorted.
        """
        for unit_id in sorted(self.touched):
            vehicles = Vehicle.filter(unit_id=unit_id).using_db(self.conn)
            plates = set(await vehicles.values_list("plate", flat=True))
            unit = await Unit.get(id=unit_id).using_db(self.conn)
            kept = [p for p in unit.plates.split() if p in plates]
            copy = " ".join(kept + sorted(plates - set(kept)))[:200]
            if copy != unit.plates:
                await Unit.filter(id=unit_id).using_db(self.conn).update(plates=copy)
        await index_units(sorted(self.touched))


__all__ = ["OTHER_SITE", "UnitImport", "import_units"]
