"""Laid-out documents turned into ESC/POS bytes through python-escpos.

Chinese text is sent by us, not by python-escpos: its ``text()`` never switches the printer's
Chinese mode on and sends CP437 for chunks it does not recognise as Chinese, so "：" or "￥" would
come out as '?'. We encode each line ourselves with the printer's encoding (GB18030 by default),
wrap it in ``FS &`` … ``FS .`` when the profile says the printer has a Chinese mode to switch, and
write it with ``_raw``. A character the encoding cannot carry raises :class:`UnprintableTextError`
before a byte is sent: never a '?' on paper. Styling, QR codes, the drawer kick and the cut use
python-escpos's own commands on its ``Dummy`` printer, so the bytes are the same everywhere.

python-escpos is imported lazily (its import costs ~0.3 s, calls ``logging.basicConfig()`` and
re-parses its capabilities file unless ``ESCPOS_CAPABILITIES_PICKLE_DIR`` points somewhere lasting).
"""

from __future__ import annotations

import codecs
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from feetui.core.errors import N_, InputError
from feetui.core.receipt import PrintDocument
from feetui.printing.layout import (
    COLUMN_CHOICES,
    PrintLayout,
    QrBlock,
    TextLine,
    layout_document,
)

FS_CHINESE_ON = b"\x1c&"
FS_CHINESE_OFF = b"\x1c."
CASH_DRAWER_PIN = 2


class PrinterSettings(Protocol):
    """The printer fields of ``feetui.config.Settings`` (printing does not import config)."""

    printer_columns: int
    printer_encoding: str
    printer_chinese_mode: bool
    printer_profile: str


@dataclass(frozen=True, slots=True)
class PrintProfile:
    """What the renderer needs to know about the printer.

    Attributes:
        columns: characters per line: 32 (58 mm), 42 or 48 (80 mm).
        encoding: codec for non-ASCII text, ``gb18030`` for Chinese printers.
        chinese_mode: send ``FS &``/``FS .`` around Chinese text.
        profile_name: python-escpos capability profile (``default``, ``TM-T88V`` ...).
    """

    columns: int = 32
    encoding: str = "gb18030"
    chinese_mode: bool = True
    profile_name: str = "default"

    def __post_init__(self) -> None:
        if self.columns not in COLUMN_CHOICES:
            raise InputError(
                "printer_columns_unsupported",
                N_("The printer width must be 32, 42 or 48 characters, not {columns}."),
                columns=self.columns,
            )
        try:
            codecs.lookup(self.encoding)
        except LookupError:
            raise InputError(
                "printer_encoding_unknown",
                N_("The printer encoding {encoding} is not known."),
                encoding=self.encoding,
            ) from None

    @classmethod
    def from_settings(cls, settings: PrinterSettings) -> PrintProfile:
        """The profile configured in ``settings`` (``feetui.config.Settings``)."""
        return cls(
            columns=settings.printer_columns,
            encoding=settings.printer_encoding,
            chinese_mode=settings.printer_chinese_mode,
            profile_name=settings.printer_profile,
        )


class UnprintableTextError(InputError):
    """A character the printer's encoding cannot carry (it would print as '?')."""


def load_escpos() -> ModuleType:
    """Import ``escpos.printer`` once, quietly, with its capabilities cache in a lasting folder."""
    if "ESCPOS_CAPABILITIES_PICKLE_DIR" not in os.environ:
        from platformdirs import user_cache_dir

        folder = Path(user_cache_dir("feetui", appauthor=False)) / "escpos"
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = str(folder)
    root = logging.getLogger()
    # python-escpos calls logging.basicConfig() on import; a handler already in place makes that a
    # no-op, so it cannot start writing log lines over the Textual screen.
    guard = logging.NullHandler()
    root.addHandler(guard)
    try:
        import escpos.printer
    finally:
        root.removeHandler(guard)
    return escpos.printer


def encode_text(text: str, profile: PrintProfile) -> bytes:
    """The bytes of one line of text for the printer, in and out of Chinese mode as needed.

    Raises:
        UnprintableTextError: a character the encoding cannot carry, or one that needs a
            four-byte GB18030 sequence (GBK printers print those as garbage).
    """
    if text.isascii():
        return text.encode("ascii")
    chunks = []
    for char in text:
        try:
            encoded = char.encode(profile.encoding)
        except UnicodeEncodeError:
            encoded = b""
        if not encoded or len(encoded) > 2:
            raise UnprintableTextError(
                "unprintable_text",
                N_("The printer cannot print the character {char} in: {text}"),
                char=char,
                text=text,
            )
        chunks.append(encoded)
    body = b"".join(chunks)
    return FS_CHINESE_ON + body + FS_CHINESE_OFF if profile.chinese_mode else body


def render(layout: PrintLayout, profile: PrintProfile) -> bytes:
    """The ESC/POS bytes of ``layout`` for a printer with ``profile``.

    Args:
        layout: the laid-out document (its columns must match the profile's).
        profile: the printer's width, encoding, Chinese mode and capability profile.

    Returns:
        Bytes to send to the printer as they are.

    Raises:
        UnprintableTextError: some text cannot be printed with the profile's encoding.
        ValueError: the layout was made for another width.
    """
    if layout.columns != profile.columns:
        raise ValueError(f"layout is {layout.columns} columns, printer {profile.columns}")
    printer = _dummy(profile)
    printer.hw("INIT")
    for block in layout.blocks:
        if isinstance(block, QrBlock):
            printer.set(align="center")
            printer.qr(block.payload, size=block.size, native=True)
            printer.set(align="left")
            continue
        _text_line(printer, block, profile)
    if layout.kick_drawer:
        printer.cashdraw(CASH_DRAWER_PIN)
    if layout.cut:
        printer.cut()
    return bytes(printer.output)


def _text_line(printer: Any, line: TextLine, profile: PrintProfile) -> None:
    """One line of text with its style switched on before and off after.

    Double size uses ``GS !``, which scales Chinese characters too (``ESC !`` would not).
    """
    text = encode_text(line.text, profile)
    if line.bold:
        printer.set(bold=True)
    if line.double:
        printer.set(custom_size=True, width=2, height=2)
    printer._raw(text + b"\n")
    if line.double:
        printer.set(custom_size=True, width=1, height=1)
    if line.bold:
        printer.set(bold=False)


def _dummy(profile: PrintProfile) -> Any:
    """A python-escpos Dummy printer with the profile's capabilities."""
    printer_module = load_escpos()
    try:
        return printer_module.Dummy(profile=profile.profile_name)
    except KeyError as error:
        raise InputError(
            "printer_profile_unknown",
            N_("The printer profile {profile} is not known."),
            profile=profile.profile_name,
        ) from error


def render_document(doc: PrintDocument, profile: PrintProfile) -> bytes:
    """Lay out and render any printable document (receipt, void slip, reports, notice)."""
    return render(layout_document(doc, profile.columns), profile)


render_receipt = render_document


__all__ = [
    "PrintProfile",
    "PrinterSettings",
    "UnprintableTextError",
    "encode_text",
    "load_escpos",
    "render",
    "render_document",
    "render_receipt",
]
