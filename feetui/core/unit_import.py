"""The unit import's rules: which columns a spreadsheet of units has, and what a good row is.

The rule: a file is imported whole or not at all. Every row is checked first and every problem is
reported as data -- a :class:`RowProblem` with its line, its column and an English message id
marked with :func:`~feetui.core.errors.N_` and ``{named}`` params -- so the counter words it in
its cashier's language and headquarters prints it in English. Units are keyed by their canonical
room code (``3栋2单元1502`` and ``3-2-1502`` are one unit), so a unit or a plate given twice in one
file is a problem, and importing the same file again updates the same units.

Headquarters (``sync-server import-units``) and a standalone counter (``feetui import-units``)
both check their files here; reading the cells of a CSV or XLSX file is :mod:`feetui.tables`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from feetui.core.errors import N_, FeeError
from feetui.core.parse import parse_area
from feetui.core.unitcode import parse_room_code

COLUMNS: dict[str, tuple[str, ...]] = {
    "site": ("site", "小区"),
    "unit": ("unit", "房号"),
    "area": ("area", "面积"),
    "owner": ("owner", "业主"),
    "phone": ("phone", "电话"),
    "plates": ("plates", "车牌"),
}
"""Each column and the header titles it may have (English or Chinese, any letter case)."""
COLUMN_LABELS = {
    "site": N_("site"),
    "unit": N_("unit"),
    "area": N_("area"),
    "owner": N_("owner"),
    "phone": N_("phone"),
    "plates": N_("plates"),
}
"""The name of each column for people (message ids)."""
REQUIRED = ("site", "unit", "area", "owner")
MAX_OWNER = 50
PHONE = re.compile(r"^[0-9+\-]{5,20}$")
PLATE = re.compile(r"^[0-9A-Z\u4e00-\u9fff]{5,10}$")
PLATE_SPLIT = re.compile(r"[\s,;，；、]+")

NO_SITE = N_("no site with code '{site}'")
"""Headquarters' words for a site it does not know (params ``site``, ``sites``)."""
EMPTY_FILE = N_("the file is empty")
NO_UNITS = N_("the file has no units under its header")
MISSING_COLUMNS = N_("missing column(s) {columns}")
BAD_UNIT = N_("'{value}' is not building-entrance-room")
REPEATED_UNIT = N_("{code} repeats row {first}")
BAD_OWNER = N_("give a name of 1 to {limit} characters")
BAD_PHONE = N_("'{value}' is not a phone number")
BAD_PLATE = N_("'{value}' is not a plate")
REPEATED_PLATE = N_("{plate} repeats row {first}")


@dataclass(frozen=True, slots=True)
class UnitRow:
    """One good row of the file.

    Attributes:
        line: its line in the file (the header is line 1).
        site_code: the site's code as written.
        code: the canonical room code, ``3-2-1502``.
        area_centi_m2: billed area in hundredths of a square metre.
        owner: the owner's name.
        phone: the owner's phone as written (may be empty).
        plates: car plates, upper case, in file order.
    """

    line: int
    site_code: str
    code: str
    area_centi_m2: int
    owner: str
    phone: str
    plates: tuple[str, ...]

    @property
    def parts(self) -> tuple[str, str, str]:
        """Building, entrance and room of :attr:`code`."""
        building, entrance, room = self.code.split("-")
        return building, entrance, room


@dataclass(frozen=True, slots=True)
class RowProblem:
    """Why a file cannot be imported, as data.

    Attributes:
        line: the line in the file (1 is the header; 0 is the file as a whole).
        column: one of :data:`COLUMNS`, or ``""`` for the header or the file.
        code: a stable snake_case code (``unit_invalid``, ``plate_repeated`` ...).
        message: English message id with ``{named}`` placeholders, marked with ``N_``.
        params: values for the placeholders.
    """

    line: int
    column: str
    code: str
    message: str
    params: dict[str, str | int] = field(default_factory=dict)

    def english(self) -> str:
        """The message in English, its placeholders filled (headquarters prints this)."""
        return self.message.format(**self.params)


def column_of(title: str) -> str:
    """The column a header title names (``房号`` and ``Unit`` are ``unit``), else the title."""
    clean = title.strip().lower()
    for column, names in COLUMNS.items():
        if clean in names:
            return column
    return clean


def table_rows(cells: Sequence[Sequence[str]]) -> tuple[list[str], list[dict[str, str]]]:
    """The columns of the header row and each later row as column → stripped text.

    Args:
        cells: the file's rows of cell texts, header first (may be empty).

    Returns:
        The header's columns and the data rows (a short row lacks its last columns).
    """
    if not cells:
        return [], []
    header = [column_of(title) for title in cells[0]]
    rows = [dict(zip(header, (c.strip() for c in row), strict=False)) for row in cells[1:]]
    return header, rows


def check_table(
    cells: Sequence[Sequence[str]], site_codes: Collection[str], *, site_message: str = NO_SITE
) -> tuple[list[UnitRow], list[RowProblem]]:
    """Check a whole file: its header, every row, and units or plates given twice.

    Args:
        cells: the file's rows of cell texts, header first.
        site_codes: the codes a row's site may have.
        site_message: the message id for any other site (params ``site``, the row's, and
            ``sites``, the codes allowed).

    Returns:
        The good rows and every problem; the file may be imported only when there is none.
        Blank rows are skipped.
    """
    if not any(cell.strip() for row in cells for cell in row):
        return [], [RowProblem(0, "", "file_empty", EMPTY_FILE)]
    header, rows = table_rows(cells)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        columns = ", ".join("/".join(COLUMNS[c]) for c in missing)
        return [], [RowProblem(1, "", "columns_missing", MISSING_COLUMNS, {"columns": columns})]
    good: list[UnitRow] = []
    problems: list[RowProblem] = []
    seen = _Seen()
    for line, raw in enumerate(rows, start=2):
        if not any(raw.values()):
            continue
        row, found = check_row(line, raw, site_codes, site_message=site_message)
        if row is not None:
            found += seen.repeats(row)
        problems += found
        if row is not None and not found:
            good.append(row)
    if not good and not problems:
        problems.append(RowProblem(0, "", "file_without_units", NO_UNITS))
    return good, problems


@dataclass(slots=True)
class _Seen:
    """The first line of each unit and plate met so far in a file."""

    units: dict[tuple[str, str], int] = field(default_factory=dict)
    plates: dict[str, int] = field(default_factory=dict)

    def repeats(self, row: UnitRow) -> list[RowProblem]:
        """Problems for a unit or plate of ``row`` met on an earlier line; remembers the rest."""
        found = []
        first = self.units.setdefault((row.site_code, row.code), row.line)
        if first != row.line:
            params = {"code": row.code, "first": first}
            found.append(RowProblem(row.line, "unit", "unit_repeated", REPEATED_UNIT, params))
        for plate in row.plates:
            first = self.plates.setdefault(plate, row.line)
            if first != row.line:
                params = {"plate": plate, "first": first}
                found.append(
                    RowProblem(row.line, "plates", "plate_repeated", REPEATED_PLATE, params)
                )
        return found


def check_row(
    line: int, raw: dict[str, str], site_codes: Collection[str], *, site_message: str = NO_SITE
) -> tuple[UnitRow | None, list[RowProblem]]:
    """Check one row of a file, every column of it.

    Args:
        line: the row's line in the file.
        raw: column → stripped cell text.
        site_codes: the codes the site may have.
        site_message: the message id for any other site (params ``site`` and ``sites``).

    Returns:
        The row when it is good, else ``None``; and its problems (at most one per column, one
        per bad plate).
    """
    problems: list[RowProblem] = []

    def problem(column: str, code: str, message: str, **params: str | int) -> None:
        problems.append(RowProblem(line, column, code, message, params))

    site = raw.get("site", "")
    if site not in site_codes:
        problem(
            "site", "site_unknown", site_message, site=site, sites=", ".join(sorted(site_codes))
        )
    parsed = parse_room_code(raw.get("unit", ""))
    code = parsed.canonical if parsed is not None else None
    if code is None:
        problem("unit", "unit_invalid", BAD_UNIT, value=raw.get("unit", ""))
    area = 0
    try:
        area = parse_area(raw.get("area", ""))
    except FeeError as error:
        problem("area", error.code, error.message, **error.params)
    owner = raw.get("owner", "")
    if not owner or len(owner) > MAX_OWNER:
        problem("owner", "owner_invalid", BAD_OWNER, limit=MAX_OWNER)
    phone = raw.get("phone", "")
    if phone and not PHONE.match(phone):
        problem("phone", "phone_invalid", BAD_PHONE, value=phone)
    plates = tuple(p.upper() for p in PLATE_SPLIT.split(raw.get("plates", "")) if p)
    for plate in plates:
        if not PLATE.match(plate):
            problem("plates", "plate_invalid", BAD_PLATE, value=plate)
    if problems or code is None:
        return None, problems
    return UnitRow(line, site, code, area, owner, phone, plates), []


__all__ = [
    "COLUMNS",
    "COLUMN_LABELS",
    "NO_SITE",
    "REQUIRED",
    "RowProblem",
    "UnitRow",
    "check_row",
    "check_table",
    "column_of",
    "table_rows",
]
