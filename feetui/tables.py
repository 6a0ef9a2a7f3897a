"""Reading the cells of the spreadsheets our users keep: CSV (UTF-8, with or without BOM) or XLSX.

One reader for headquarters' ``sync-server import-units`` and a standalone counter's ``feetui
import-units``, so both see the same text in the same cells (the server may import this module;
see the import contract in ``pyproject.toml``). What the cells mean is
:mod:`feetui.core.unit_import`'s business. Files are read whole; callers in a coroutine run this in
a thread.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from feetui.core.errors import N_, InputError

SUFFIXES = (".csv", ".xlsx")


def read_cells(path: Path) -> list[list[str]]:
    """Every row of the file (the first sheet of a workbook) as a list of cell texts.

    An empty XLSX cell is ``""``; a whole number stored as a float (``120.0``) reads ``120``.

    Args:
        path: a ``.csv`` or ``.xlsx`` file.

    Returns:
        The rows, header first, blank lines kept (so line numbers stay true).

    Raises:
        InputError: ``table_type`` for another kind of file, ``table_unreadable`` when the file
            is missing or is not what its name says (param ``file``, the file's name).
    """
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(
            "table_type", N_("{file}: use a .csv or .xlsx file"), file=path.name or str(path)
        )
    try:
        return _read_csv(path) if suffix == ".csv" else _read_xlsx(path)
    except (OSError, UnicodeDecodeError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise InputError(
            "table_unreadable",
            N_("{file} cannot be read: it must be an existing CSV (UTF-8) or XLSX file"),
            file=path.name,
        ) from error


def _read_csv(path: Path) -> list[list[str]]:
    text = path.read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.active
        if sheet is None:
            return []
        rows = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    return rows


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


__all__ = ["SUFFIXES", "read_cells"]
