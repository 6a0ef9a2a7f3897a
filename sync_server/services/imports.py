"""Import units, owners, areas, phones and plates from the spreadsheets our users keep (CSV/XLSX).

All or nothing: every row is checked first and any bad row is reported (row number, column,
reason) with nothing imported; a clean file is applied in one transaction. Units are matched by
site and canonical room code (``3栋2单元1502`` and ``3-2-1502`` are the same unit), so importing
the same file twice updates the same rows and creates none. Each upsert goes to the change log, and
so to the site's counters. The checks are :mod:`feetui.core.unit_import` and the file is read by
:mod:`feetui.tables`, the code a standalone counter's ``feetui import-units`` runs too.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from feetui.core.errors import FeeError
from feetui.core.unit_import import RowProblem, UnitRow, check_table
from feetui.tables import read_cells
from sync_server.clock import iso
from sync_server.db.connection import Database, Tx
from sync_server.services.changes import append_change

# Fixed namespace: the owner of a unit always gets the same party id, so re-imports update it.
OWNER_NAMESPACE = uuid.UUID("6f1c3a52-8d0e-4a51-9b7e-2f4c1d0e9a11")


@dataclass
class ImportReport:
    """What an import did, or why it did nothing."""

    errors: list[str] = field(default_factory=list)
    units_created: int = 0
    units_updated: int = 0
    vehicles: int = 0

    @property
    def ok(self) -> bool:
        """True when the file was imported."""
        return not self.errors


def render_problem(problem: RowProblem, file_name: str) -> str:
    """One problem in English: ``row 3: unit: 3-2-1502 repeats row 2`` (HQ prints English)."""
    if problem.line == 0:
        return f"{file_name}: {problem.english()}"
    if not problem.column:
        return f"header: {problem.english()}"
    return f"row {problem.line}: {problem.column}: {problem.english()}"


async def import_units(db: Database, path: Path, *, now: datetime) -> ImportReport:
    """Check the whole file, then import it in one transaction (or report and import nothing)."""
    try:
        cells = await asyncio.to_thread(read_cells, path)  # a workbook takes a while to read
    except FeeError as error:
        return ImportReport(errors=[str(error)])
    async with db.transaction() as tx:
        sites = {r["code"]: r["id"] for r in await tx.fetch("SELECT id, code FROM sites")}
        good, problems = check_table(cells, set(sites))
        if problems:
            return ImportReport(errors=[render_problem(p, path.name) for p in problems])
        report = ImportReport()
        for row in good:
            await _apply(tx, row, sites[row.site_code], iso(now), report)
    return report


async def _apply(tx: Tx, row: UnitRow, site_id: str, at: str, report: ImportReport) -> None:
    building, entrance, room = row.parts
    unit_id = await tx.fetchval(
        "SELECT id FROM units WHERE site_id = ? AND code = ?", site_id, row.code
    )
    if unit_id is None:
        unit_id = str(uuid.uuid4())
        report.units_created += 1
    else:
        report.units_updated += 1
    await tx.execute(
        "INSERT INTO units (id, site_id, code, building, entrance, room, area_centi_m2, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
        " area_centi_m2 = excluded.area_centi_m2, updated_at = excluded.updated_at",
        unit_id, site_id, row.code, building, entrance, room, row.area_centi_m2, at,
    )  # fmt: skip
    party_id = str(uuid.uuid5(OWNER_NAMESPACE, unit_id))
    await tx.execute(
        "INSERT INTO parties (id, site_id, unit_id, role, name, phone, updated_at)"
        " VALUES (?, ?, ?, 'owner', ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
        " name = excluded.name, phone = excluded.phone, updated_at = excluded.updated_at",
        party_id, site_id, unit_id, row.owner, row.phone, at,
    )  # fmt: skip
    unit: dict[str, Any] = {
        "id": unit_id, "site_id": site_id, "code": row.code, "building": building,
        "entrance": entrance, "room": room, "area_centi_m2": row.area_centi_m2,
        "owner_name": row.owner, "phone": row.phone, "plates": list(row.plates),
    }  # fmt: skip
    await append_change(tx, site_id=site_id, entity="unit", entity_id=unit_id, data=unit, at=at)
    party = {"id": party_id, "site_id": site_id, "unit_id": unit_id, "role": "owner",
             "name": row.owner, "phone": row.phone}  # fmt: skip
    await append_change(tx, site_id=site_id, entity="party", entity_id=party_id, data=party, at=at)
    for plate in row.plates:
        await _vehicle(tx, site_id, unit_id, plate, at)
        report.vehicles += 1


async def _vehicle(tx: Tx, site_id: str, unit_id: str, plate: str, at: str) -> None:
    vehicle_id = await tx.fetchval(
        "SELECT id FROM vehicles WHERE site_id = ? AND plate = ?", site_id, plate
    ) or str(uuid.uuid4())
    await tx.execute(
        "INSERT INTO vehicles (id, site_id, unit_id, plate, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id,"
        " updated_at = excluded.updated_at",
        vehicle_id, site_id, unit_id, plate, at,
    )  # fmt: skip
    data = {"id": vehicle_id, "unit_id": unit_id, "plate": plate}
    await append_change(
        tx, site_id=site_id, entity="vehicle", entity_id=vehicle_id, data=data, at=at
    )


__all__ = ["ImportReport", "import_units", "render_problem"]
