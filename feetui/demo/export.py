"""The demo's master data as the spreadsheet headquarters imports (``sync-server import-units``).

One row per unit, UTF-8 with a byte-order mark (so Excel opens the Chinese right), columns named
as the importer reads them: ``site, unit, area, owner, phone, plates`` plus ``building,
entrance, floor, room, kind`` for people reading the file (the importer ignores them). Plates are
separated by spaces; areas are in m² with two decimals.
"""

from __future__ import annotations

import csv
from pathlib import Path

from feetui.core.parse import centi_text
from feetui.db.connection import raw_connection

COLUMNS = (
    "site", "unit", "building", "entrance", "floor", "room", "area", "kind", "owner", "phone",
    "plates",
)  # fmt: skip

_UNITS = """
SELECT s.code, u.code, u.building, u.entrance, u.floor, u.room, u.area_centi_m2, u.kind,
       COALESCE(p.name, u.owner_name), COALESCE(p.phone, ''),
       COALESCE((SELECT GROUP_CONCAT(plate, ' ') FROM
                  (SELECT v.plate FROM vehicle v WHERE v.unit_id = u.id ORDER BY v.plate)), '')
FROM unit u JOIN site s ON s.id = u.site_id LEFT JOIN party p ON p.id = u.owner_id
WHERE u.active
ORDER BY s.code, u.building, u.entrance, u.floor, u.room
"""


def export_units(db_path: str | Path, out_path: str | Path) -> int:
    """Write every active unit of the database at ``db_path`` to the CSV file ``out_path``.

    Args:
        db_path: a counter database (the demo's, or any other).
        out_path: the CSV file to write (replaced if it exists).

    Returns:
        How many units were written.
    """
    connection = raw_connection(db_path)
    try:
        rows = connection.execute(_UNITS).fetchall()
    finally:
        connection.close()
    with Path(out_path).open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            area = centi_text(row[6])
            writer.writerow([*row[:6], area, *row[7:]])
    return len(rows)


__all__ = ["COLUMNS", "export_units"]
