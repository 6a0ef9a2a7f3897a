"""Import units, owners, areas, phones and plates from the spreadsheets our users keep (CSV/XLSX).

All or nothing: every row is checked first and any bad row is reported (row number, column,
reason) with nothing imported; a clean file is applied in one transaction. Units are matched by
site and canonical room code (``3栋2单元1502`` and ``3-2-1502`` are the same unit), so importing
the same file twice updates the same rows and creates none. Each upsert goes to the change log, and
so to the site's counters.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from feetui.core.errors import FeeError
from feetui.core.parse import parse_area
from feetui.core.unitcode import parse_room_code
from sync_server.clock import iso
from sync_server.db.connection import Database, Tx
from sync_server.services.changes import append_change

COLUMNS = {
    "site": ("site", "小区"),
    "unit": ("unit", "房号"),
    "area": ("area", "面积"),
    "owner": ("owner", "业主"),
    "phone": ("phone", "电话"),
    "plates": ("plates", "车牌"),
}
REQUIRED = ("site", "unit", "area", "owner")
PHONE = re.compile(r"^[0-9+\-]{5,20}$")
PLATE = re.compile(r"^[0-9A-Z\u4e00-\u9fff]{5,10}$")
PLATE_SPLIT = re.compile(r"[\s,;，；、]+")
# Fixed namespace: the owner of a unit always gets the same party id, so re-imports update it.
OWNER_NAMESPACE = uuid.UUID("6f1c3a52-8d0e-4a51-9b7e-2f4c1d0e9a11")


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One checked row of the file."""

    line: int
    site_code: str
    code: str
    area_centi_m2: int
    owner: str
    phone: str
    plates: tuple[str, ...]


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


def read_table(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8, with or without BOM) or XLSX file as header → text dicts.

    Raises:
        ValueError: an unsupported file type or a file without a header row.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        rows = [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]
    else:
        raise ValueError(f"{path.name}: use a .csv or .xlsx file")
    if not rows:
        raise ValueError(f"{path.name}: the file is empty")
    header = [_column_of(name) for name in rows[0]]
    return [dict(zip(header, (c.strip() for c in row), strict=False)) for row in rows[1:]]


def _column_of(title: str) -> str:
    clean = title.strip().lower()
    for column, names in COLUMNS.items():
        if clean in names:
            return column
    return clean


def check_rows(rows: list[dict[str, str]], site_codes: set[str]) -> tuple[list[UnitRow], list[str]]:
    """Every row checked; returns the good rows and one message per problem."""
    good: list[UnitRow] = []
    errors: list[str] = []
    if rows:
        missing = [c for c in REQUIRED if c not in rows[0]]
        if missing:
            return [], [f"header: missing column(s) {', '.join(missing)}"]
    seen_units: dict[tuple[str, str], int] = {}
    seen_plates: dict[str, int] = {}
    for index, raw in enumerate(rows, start=2):
        if not any(raw.values()):
            continue
        row, problems = _check_row(index, raw, site_codes)
        if row is not None:
            key = (row.site_code, row.code)
            if key in seen_units:
                problems.append(f"row {index}: unit: {row.code} repeats row {seen_units[key]}")
            seen_units.setdefault(key, index)
            for plate in row.plates:
                if plate in seen_plates:
                    problems.append(
                        f"row {index}: plates: {plate} repeats row {seen_plates[plate]}"
                    )
                seen_plates.setdefault(plate, index)
        errors += problems
        if row is not None and not problems:
            good.append(row)
    return good, errors


def _check_row(
    line: int, raw: dict[str, str], site_codes: set[str]
) -> tuple[UnitRow | None, list[str]]:
    problems = []
    site = raw.get("site", "")
    if site not in site_codes:
        problems.append(f"row {line}: site: no site with code {site!r}")
    parsed = parse_room_code(raw.get("unit", ""))
    code = parsed.canonical if parsed is not None else None
    if code is None:
        problems.append(f"row {line}: unit: {raw.get('unit', '')!r} is not building-entrance-room")
    area = 0
    try:
        area = parse_area(raw.get("area", ""))
    except FeeError as error:
        problems.append(f"row {line}: area: {error}")
    owner = raw.get("owner", "")
    if not owner or len(owner) > 50:
        problems.append(f"row {line}: owner: give a name of 1 to 50 characters")
    phone = raw.get("phone", "")
    if phone and not PHONE.match(phone):
        problems.append(f"row {line}: phone: {phone!r} is not a phone number")
    plates = tuple(p.upper() for p in PLATE_SPLIT.split(raw.get("plates", "")) if p)
    problems += [f"row {line}: plates: {p!r} is not a plate" for p in plates if not PLATE.match(p)]
    if problems or code is None:
        return None, problems
    return UnitRow(line, site, code, area, owner, phone, plates), []


async def import_units(db: Database, path: Path, *, now: datetime) -> ImportReport:
    """Check the whole file, then import it in one transaction (or report and import nothing)."""
    try:
        rows = read_table(path)
    except (ValueError, OSError) as error:
        return ImportReport(errors=[str(error)])
    async with db.transaction() as tx:
        sites = {r["code"]: r["id"] for r in await tx.fetch("SELECT id, code FROM sites")}
        good, errors = check_rows(rows, set(sites))
        if errors:
            return ImportReport(errors=errors)
        report = ImportReport()
        for row in good:
            await _apply(tx, row, sites[row.site_code], iso(now), report)
    return report


async def _apply(tx: Tx, row: UnitRow, site_id: str, at: str, report: ImportReport) -> None:
    building, entrance, room = row.code.split("-")
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


__all__ = ["ImportReport", "check_rows", "import_units", "read_table"]
