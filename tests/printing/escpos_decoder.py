"""A small ESC/POS reader for tests: bytes back into the lines a person would read on paper.

It knows only the commands feetui sends and fails on anything else, so a new command cannot slip
into a golden file unread. Widths come from the bytes (one column per single-byte character, two
per GB18030 multi-byte character, doubled under ``GS !`` double size), independently of the
layout's own width arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class DecodeError(AssertionError):
    """The bytes hold something a receipt printer would not print as we meant."""


@dataclass
class Line:
    """A printed line: its text, its width in columns, and its style."""

    text: str
    width: int
    bold: bool = False
    double: bool = False


@dataclass
class Paper:
    """Everything that came out of the printer."""

    lines: list[Line] = field(default_factory=list)
    qr_codes: list[str] = field(default_factory=list)
    drawer_kicks: int = 0
    cuts: int = 0

    def texts(self) -> list[str]:
        """The text of each line."""
        return [line.text for line in self.lines]

    def dump(self) -> str:
        """A readable picture of the paper, for assertion messages."""
        rows = [
            f"{'B' if ln.bold else ' '}{'2' if ln.double else ' '} {ln.width:>2} |{ln.text}"
            for ln in self.lines
        ]
        rows.append(f"qr={self.qr_codes} kicks={self.drawer_kicks} cuts={self.cuts}")
        return "\n".join(rows)


@dataclass
class _State:
    paper: Paper = field(default_factory=Paper)
    text: str = ""
    width: int = 0
    bold: bool = False
    double: bool = False
    chinese: bool = False
    qr_data: str = ""

    def end_line(self) -> None:
        self.paper.lines.append(Line(self.text, self.width, self.bold, self.double))
        self.text, self.width = "", 0


def decode(data: bytes) -> Paper:
    """Read ESC/POS ``data`` into :class:`Paper`.

    Raises:
        DecodeError: an unknown command, a stray non-ASCII byte outside Chinese mode, or text
            left unterminated at the end.
    """
    state = _State()
    i = 0
    while i < len(data):
        byte = data[i]
        if byte == 0x1B:
            i = _esc(data, i, state)
        elif byte == 0x1D:
            i = _gs(data, i, state)
        elif byte == 0x1C:
            i = _fs(data, i, state)
        elif byte == 0x0A:
            state.end_line()
            i += 1
        else:
            i = _char(data, i, state)
    if state.text:
        raise DecodeError(f"text without a line feed at the end: {state.text!r}")
    return state.paper


def _char(data: bytes, i: int, state: _State) -> int:
    byte = data[i]
    if 0x20 <= byte < 0x7F:
        state.text += chr(byte)
        state.width += 2 if state.double else 1
        return i + 1
    if byte < 0x80 or not state.chinese:
        raise DecodeError(f"byte {byte:#04x} at {i} outside Chinese mode")
    size = 4 if 0x30 <= data[i + 1] <= 0x39 else 2
    state.text += data[i : i + size].decode("gb18030")
    state.width += 4 if state.double else 2
    return i + size


def _esc(data: bytes, i: int, state: _State) -> int:
    command = data[i + 1]
    if command == ord("@"):
        state.bold = state.double = state.chinese = False
        return i + 2
    if command == ord("E"):
        state.bold = bool(data[i + 2] & 1)
        return i + 3
    if command in (ord("a"), ord("!")):
        if command == ord("!") and data[i + 2]:
            raise DecodeError("ESC ! size does not scale Chinese text; use GS !")
        return i + 3
    if command == ord("d"):
        for _ in range(data[i + 2]):
            state.end_line()
        return i + 3
    if command == ord("p"):
        state.paper.drawer_kicks += 1
        return i + 5
    raise DecodeError(f"unknown ESC {command:#04x} at {i}")


def _gs(data: bytes, i: int, state: _State) -> int:
    command = data[i + 1]
    if command == ord("!"):
        size = data[i + 2]
        if size not in (0x00, 0x11):
            raise DecodeError(f"unexpected character size {size:#04x}")
        state.double = size == 0x11
        return i + 3
    if command == ord("V"):
        state.paper.cuts += 1
        return i + (4 if data[i + 2] in (65, 66) else 3)
    if command == ord("(") and data[i + 2] == ord("k"):
        length = data[i + 3] + 256 * data[i + 4]
        body = data[i + 5 : i + 5 + length]
        _qr(body, state)
        return i + 5 + length
    raise DecodeError(f"unknown GS {command:#04x} at {i}")


def _qr(body: bytes, state: _State) -> None:
    if body[:1] != b"1":
        raise DecodeError(f"2D code other than QR: {body!r}")
    function = body[1]
    if function == 80:  # store the data (after the m byte)
        state.qr_data = body[3:].decode("utf-8")
    elif function == 81:  # print what was stored
        state.paper.qr_codes.append(state.qr_data)
        state.paper.lines.append(Line(f"[QR {state.qr_data}]", 0))


def _fs(data: bytes, i: int, state: _State) -> int:
    command = data[i + 1]
    if command == ord("&"):
        state.chinese = True
    elif command == ord("."):
        state.chinese = False
    else:
        raise DecodeError(f"unknown FS {command:#04x} at {i}")
    return i + 2
