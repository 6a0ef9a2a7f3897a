"""Reminder notices (催缴通知单) drawn on A4 as one PDF, with reportlab: one sheet per unit.

Fonts, the rule: Latin text (anything Windows-1252 can encode: digits, ¥, English words) is set
in Helvetica and everything else (Chinese) in STSong-Light, one of the CID fonts every PDF reader
carries for Adobe-GB1, written with the UniGB-UCS2-H encoding. Neither font is embedded: the file
stays a few kilobytes a page and we ship no font file, yet Chinese names and the amount in
capitals print on any reader or sheet printer (docs/ARCHITECTURE.md says why). Each string is
split into runs of one font or the other, so an English notice keeps its Helvetica and a Chinese
owner's name still prints.

A sheet: company, site and title, notice number and date, unit, owner and the date counted to, the
company's wording, the table of charges (fee item, period, amount, late fee, subtotal) with its
totals, the total in figures and in capitals, the date to pay by, whom to contact, and the
company's name and date at the foot. A unit with more charges than a page holds continues on the
next page under a short heading; the totals always follow the last row. Every page carries the
notice number and "page N of M" of the whole file. The file is the same bytes for the same sheets
(reportlab's invariant mode: no timestamps or random ids inside).

reportlab is imported only when a notice is drawn, so the counter starts no slower.
"""

from __future__ import annotations

import contextlib
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from feetui.core.errors import N_, RuleError, StorageError
from feetui.core.notice import ReminderSheet
from feetui.core.receipt import printed_money
from feetui.printing.text import colon

CJK_FONT = "STSong-Light"
LATIN_FONT = "Helvetica"
LATIN_BOLD = "Helvetica-Bold"
ELLIPSIS = "…"

MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 210 * MM, 297 * MM  # A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 20 * MM, 18 * MM, 22 * MM
WIDTH = PAGE_WIDTH - 2 * MARGIN_X
# Fractions of the width taken by the table's columns: item, period, amount, late fee, subtotal.
COLUMNS = (0.32, 0.2, 0.16, 0.16, 0.16)
ROW, TABLE_HEAD, TOTAL_ROW = 19.0, 22.0, 22.0
BODY_SIZE, BODY_LEADING = 11.0, 17.0
# Past these a company's wording or contact is cut short: a notice always fits its first page.
MAX_WORDING_LINES, MAX_CONTACT_LINES = 12, 3


@dataclass(frozen=True, slots=True)
class _Page:
    """One page of a sheet: which rows of its table it carries."""

    sheet: ReminderSheet
    first: bool
    last: bool
    rows: range
    wording: tuple[str, ...]
    """The sheet's wording as wrapped lines (drawn on its first page)."""


def render_notices(sheets: Sequence[ReminderSheet], *, title: str = "") -> bytes:
    """Draw ``sheets`` as one A4 PDF, each starting on a new page.

    Args:
        sheets: the notices, in the order to print them.
        title: the document title readers show (the first sheet's title when empty).

    Returns:
        The PDF file's bytes.

    Raises:
        RuleError: ``no_notices`` when there is nothing to draw.
    """
    if not sheets:
        raise RuleError("no_notices", N_("No unit owes anything: no notice was written."))
    from reportlab.pdfgen.canvas import Canvas

    _register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=1, pageCompression=1)
    first = sheets[0]
    canvas.setTitle(title or first.labels.reminder_title)
    canvas.setAuthor(first.company)
    canvas.setCreator("feetui")
    pages = [page for sheet in sheets for page in _paginate(sheet)]
    for number, page in enumerate(pages, start=1):
        _draw_page(_Pen(canvas), page, number, len(pages))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _register_fonts() -> None:
    from reportlab import rl_config
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    # Binary streams, not ASCII85 text: a fifth smaller, and reportlab's pure-Python encoder was a
    # tenth of the drawing time. Only feetui draws PDFs in this process.
    rl_config.useA85 = 0
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))


# ---------------------------------------------------------------- text in two fonts


@lru_cache(maxsize=8192)
def _is_latin(char: str) -> bool:
    """Whether Helvetica can set ``char`` (reportlab writes it in Windows-1252)."""
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _clean(text: str) -> str:
    """Control characters (a tab or newline in a name) become spaces."""
    return "".join(" " if unicodedata.category(c).startswith("C") else c for c in text)


def runs(text: str) -> list[tuple[bool, str]]:
    """``text`` split into runs of Latin (``True``) and Chinese (``False``) characters."""
    found: list[tuple[bool, str]] = []
    for char in _clean(text):
        latin = _is_latin(char)
        if found and found[-1][0] == latin:
            found[-1] = (latin, found[-1][1] + char)
        else:
            found.append((latin, char))
    return found


def _font(latin: bool, bold: bool) -> str:
    if latin:
        return LATIN_BOLD if bold else LATIN_FONT
    return CJK_FONT  # no bold face: bold Chinese is drawn filled and stroked


class _Pen:
    """Draws text in the two fonts on a reportlab canvas; measures, cuts and wraps it."""

    def __init__(self, canvas: Any) -> None:
        self.canvas = canvas

    @staticmethod
    def width(text: str, size: float, bold: bool = False) -> float:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return sum(stringWidth(run, _font(latin, bold), size) for latin, run in runs(text))

    def text(
        self, x: float, y: float, text: str, size: float, *, bold: bool = False, align: str = "l"
    ) -> None:
        """Draw ``text`` with its baseline at ``y``, starting at ``x`` (``align`` ``l``), ending
        at ``x`` (``r``) or centred on ``x`` (``c``)."""
        if align != "l":
            shift = self.width(text, size, bold)
            x -= shift if align == "r" else shift / 2
        canvas = self.canvas
        canvas.saveState()
        canvas.setLineWidth(size * 0.035)
        obj = canvas.beginText(x, y)
        for latin, run in runs(text):
            obj.setFont(_font(latin, bold), size)
            obj.setTextRenderMode(2 if bold and not latin else 0)
            obj.textOut(run)
        canvas.drawText(obj)
        canvas.restoreState()

    def fit(self, text: str, size: float, room: float, bold: bool = False) -> str:
        """``text`` cut to ``room`` points, ending in … when something was cut."""
        text = _clean(text)
        if self.width(text, size, bold) <= room:
            return text
        room -= self.width(ELLIPSIS, size, bold)
        kept, used = "", 0.0
        for char in text:  # widths add up: neither font is kerned here
            used += self.width(char, size, bold)
            if used > room:
                break
            kept += char
        return kept + ELLIPSIS

    def wrap(self, text: str, size: float, room: float) -> list[str]:
        """Break ``text`` into lines of at most ``room`` points; a newline starts a new line.

        Chinese breaks between any two characters; a Latin word moves to the next line whole.
        Widths add up token by token, so a paragraph is measured once.
        """
        lines: list[str] = []
        for paragraph in text.splitlines() or [""]:
            line, used = "", 0.0
            for token in _tokens(paragraph):
                width = self.width(token, size)
                if line and used + width > room:
                    lines.append(line.rstrip())
                    token = token.lstrip()
                    line, used, width = "", 0.0, self.width(token, size)
                while width > room:  # one word longer than a whole line
                    cut = self.fit(token, size, room)[:-1] or token[:1]
                    lines.append(cut)
                    token = token[len(cut) :]
                    width = self.width(token, size)
                line, used = line + token, used + width
            lines.append(line.rstrip())
        return lines


def _tokens(text: str) -> list[str]:
    """Latin words with their following spaces, and single Chinese characters."""
    tokens: list[str] = []
    for char in _clean(text):
        joins = tokens and _is_latin(char) and _is_latin(tokens[-1][-1])
        if joins and not (tokens[-1].endswith(" ") and char != " "):
            tokens[-1] += char
        else:
            tokens.append(char)
    return tokens


# ---------------------------------------------------------------- pages


def _wording(sheet: ReminderSheet) -> list[str]:
    lines = _Pen(None).wrap(sheet.body, BODY_SIZE, WIDTH)
    if len(lines) > MAX_WORDING_LINES:
        lines = [*lines[: MAX_WORDING_LINES - 1], lines[MAX_WORDING_LINES - 1] + ELLIPSIS]
    return lines


def _contact(sheet: ReminderSheet) -> list[str]:
    if not sheet.contact:
        return []
    lines = _Pen(None).wrap(_field(sheet.labels.contact, sheet.contact), BODY_SIZE, WIDTH)
    return lines[:MAX_CONTACT_LINES]


def _head_height(sheet: ReminderSheet, wording: Sequence[str], first: bool) -> float:
    if not first:
        return 52.0
    site = 16.0 if sheet.site else 0.0
    return 24.0 + site + 40.0 + 20.0 + 2 * 20.0 + 8.0 + len(wording) * BODY_LEADING + 10.0


def _tail_height(sheet: ReminderSheet) -> float:
    deadline = 20.0 if sheet.deadline else 0.0
    return 16.0 + 2 * 22.0 + deadline + len(_contact(sheet)) * 16.0 + 24.0 + 2 * 18.0


def _paginate(sheet: ReminderSheet) -> list[_Page]:
    """Which rows go on which page: as many as fit, the totals and the tail after the last."""
    room = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    wording = tuple(_wording(sheet))
    end = TOTAL_ROW + _tail_height(sheet)
    count, start, first = len(sheet.items), 0, True
    plan: list[tuple[bool, range]] = []
    while True:
        space = room - _head_height(sheet, wording, first) - TABLE_HEAD
        left = count - start
        if left * ROW + end <= space:
            plan.append((first, range(start, count)))
            break
        take = min(int(space // ROW), left)
        if take == left:  # the rows fit but the totals do not: carry the last row over with them
            take -= 1
        plan.append((first, range(start, start + take)))
        start, first = start + take, False
    last = len(plan) - 1
    return [_Page(sheet, f, i == last, rows, wording) for i, (f, rows) in enumerate(plan)]


def _draw_page(pen: _Pen, page: _Page, number: int, pages: int) -> None:
    sheet, lab = page.sheet, page.sheet.labels
    y = PAGE_HEIGHT - MARGIN_TOP
    y = _draw_head(pen, sheet, page.wording, y) if page.first else _draw_continued(pen, sheet, y)
    y = _draw_table(pen, sheet, page.rows, y, totals=page.last)
    if page.last:
        _draw_tail(pen, sheet, y)
    bottom = MARGIN_BOTTOM - 12
    pen.text(MARGIN_X, bottom, _field(lab.notice_no, sheet.notice_no), 8)
    pen.text(PAGE_WIDTH / 2, bottom, lab.page_of.format(page=number, pages=pages), 9, align="c")


def _draw_head(pen: _Pen, sheet: ReminderSheet, wording: Sequence[str], y: float) -> float:
    lab, centre, right = sheet.labels, PAGE_WIDTH / 2, PAGE_WIDTH - MARGIN_X
    y -= 16
    pen.text(centre, y, pen.fit(sheet.company, 16, WIDTH, True), 16, bold=True, align="c")
    y -= 8
    if sheet.site:
        y -= 14
        pen.text(centre, y, pen.fit(sheet.site, 11, WIDTH), 11, align="c")
        y -= 2
    y -= 32
    pen.text(centre, y, lab.reminder_title, 22, bold=True, align="c")
    y -= 16
    pen.text(MARGIN_X, y, _field(lab.notice_no, sheet.notice_no), 10)
    pen.text(right, y, _field(lab.notice_date, sheet.issued_on), 10, align="r")
    y -= 8
    pen.canvas.line(MARGIN_X, y, right, y)
    y -= 18
    half = WIDTH / 2
    pen.text(MARGIN_X, y, pen.fit(_field(lab.unit, sheet.unit_code), 12, half - 6), 12)
    owner = pen.fit(_field(lab.owner, sheet.owner), 12, half)
    pen.text(MARGIN_X + half, y, owner, 12)
    y -= 20
    pen.text(MARGIN_X, y, _field(lab.as_of, sheet.as_of), 12)
    y -= 8
    for line in wording:
        y -= BODY_LEADING
        pen.text(MARGIN_X, y, line, BODY_SIZE)
    return y - 10


def _draw_continued(pen: _Pen, sheet: ReminderSheet, y: float) -> float:
    lab = sheet.labels
    y -= 14
    heading = f"{sheet.company}  {lab.reminder_title} {lab.continued}"
    pen.text(MARGIN_X, y, pen.fit(heading, 12, WIDTH, True), 12, bold=True)
    y -= 18
    who = f"{_field(lab.notice_no, sheet.notice_no)}   {_field(lab.unit, sheet.unit_code)}   "
    who += sheet.owner
    pen.text(MARGIN_X, y, pen.fit(who, 10, WIDTH), 10)
    return y - 20


def _field(label: str, value: str) -> str:
    """``label：value`` after a Chinese label, ``label: value`` after a Latin one."""
    return label + colon(label) + value


def _column_edges() -> list[float]:
    edges, x = [MARGIN_X], MARGIN_X
    for share in COLUMNS:
        x += share * WIDTH
        edges.append(x)
    return edges


def _row(pen: _Pen, y: float, cells: Sequence[str], size: float, bold: bool = False) -> None:
    """One table row with its baseline at ``y``: two text columns, three amounts right-aligned."""
    edges = _column_edges()
    for index, cell in enumerate(cells):
        left, right = edges[index] + 4, edges[index + 1] - 4
        text = pen.fit(cell, size, right - left, bold)
        if index >= 2:
            pen.text(right, y, text, size, bold=bold, align="r")
        else:
            pen.text(left, y, text, size, bold=bold)


def _draw_table(pen: _Pen, sheet: ReminderSheet, rows: range, y: float, *, totals: bool) -> float:
    lab, canvas = sheet.labels, pen.canvas
    right = PAGE_WIDTH - MARGIN_X
    canvas.saveState()
    canvas.setFillGray(0.9)
    canvas.rect(MARGIN_X, y - TABLE_HEAD, WIDTH, TABLE_HEAD, stroke=0, fill=1)
    canvas.restoreState()
    canvas.line(MARGIN_X, y, right, y)
    headers = (lab.item, lab.period, lab.amount, lab.late_fee, lab.subtotal)
    _row(pen, y - 15, headers, 10, bold=True)
    y -= TABLE_HEAD
    canvas.line(MARGIN_X, y, right, y)
    canvas.saveState()
    canvas.setLineWidth(0.3)
    canvas.setStrokeGray(0.6)
    for index in rows:
        item = sheet.items[index]
        cells = (item.name, item.period, _figure(item.amount), _figure(item.late_fee),
                 _figure(item.subtotal))  # fmt: skip
        _row(pen, y - 13.5, cells, 10)
        y -= ROW
        canvas.line(MARGIN_X, y, right, y)
    canvas.restoreState()
    if totals:
        cells = (lab.total, "", _figure(sheet.amounts), _figure(sheet.late_fees),
                 _figure(sheet.total))  # fmt: skip
        _row(pen, y - 15, cells, 10, bold=True)
        y -= TOTAL_ROW
        canvas.line(MARGIN_X, y, right, y)
    return y


def _figure(amount: Any) -> str:
    return amount.yuan_text(grouping=True)


def _draw_tail(pen: _Pen, sheet: ReminderSheet, y: float) -> None:
    lab, right = sheet.labels, PAGE_WIDTH - MARGIN_X
    y -= 16 + 4
    pen.text(MARGIN_X, y, _field(lab.amount_owed, printed_money(sheet.total)), 13, bold=True)
    y -= 22
    pen.text(MARGIN_X, y, _field(lab.capitals, sheet.total_in_capitals), 13, bold=True)
    if sheet.deadline:
        y -= 20
        pen.text(MARGIN_X, y, _field(lab.pay_by, sheet.deadline), 12)
    for line in _contact(sheet):
        y -= 16
        pen.text(MARGIN_X, y, line, BODY_SIZE)
    y -= 24 + 14
    pen.text(right, y, pen.fit(sheet.company, 12, WIDTH), 12, align="r")
    y -= 18
    pen.text(right, y, sheet.issued_on, 11, align="r")


# ---------------------------------------------------------------- files


def free_path(folder: Path, name: str) -> Path:
    """``folder / name``, or ``name`` with ``-2``, ``-3`` … before its suffix if that exists."""
    path = folder / name
    number = 2
    while path.exists():
        path = folder / f"{Path(name).stem}-{number}{Path(name).suffix}"
        number += 1
    return path


def write_file(path: Path, data: bytes, *, make_folder: bool = False) -> Path:
    """Write ``data`` to ``path`` whole or not at all (a temporary file renamed into place).

    Args:
        path: the file to write (replaced if it exists).
        data: its bytes.
        make_folder: create the folder first (the counter's own notices folder).

    Returns:
        The absolute path written.

    Raises:
        StorageError: ``file_not_written`` with the system's reason; nothing is left behind.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        if make_folder:
            path.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise StorageError(
            "file_not_written",
            N_("Could not write {path} ({reason}): nothing was written."),
            path=str(path),
            reason=error.strerror or type(error).__name__,
        ) from error
    return path.resolve()


def save_notices(sheets: Sequence[ReminderSheet], folder: Path, name: str) -> Path:
    """Draw ``sheets`` and write them as ``name`` in ``folder`` (made if missing), beside any
    earlier file of that name rather than over it. Blocking: run it in a thread.

    Returns:
        The absolute path written.

    Raises:
        RuleError: ``no_notices``.
        StorageError: ``file_not_written``.
    """
    data = render_notices(sheets)
    return write_file(free_path(folder, name), data, make_folder=True)


__all__ = ["free_path", "render_notices", "runs", "save_notices", "write_file"]
