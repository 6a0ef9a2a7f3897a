"""Room codes: what a cashier types for a unit, turned into the canonical ``3-2-1502``.

The rule: a unit's code is ``building-entrance-room``, each part upper-case letters and digits with
no leading zeros on numbers (``3-2-1502``, ``A-1-301``, ``S1-1-105``). Cashiers type the same room
in many ways -- ``3-2-1502``, ``3栋2单元1502``, ``3号楼2单元1502室``, ``3 2 1502``,
``3/2/1502``, ``３－２－１５０２``, ``三栋二单元1502``, ``3#2-1502``, or just ``1502`` -- and
:func:`parse_room_code` reads every one of them into a :class:`RoomCode` holding whichever
parts were given. Building and entrance are always taken as typed, exactly; only the room may
still be half typed, so search treats the room as a prefix (``3-2-15`` finds 1501 … 1599).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from feetui.core.errors import N_, InputError

#: Dashes and slashes people type between parts, beyond the ASCII ones NFKC leaves us.
_DASHES = "‐‑‒–—―﹣−－~～"
_SEPARATOR = re.compile(r"[-/\\._,，、\s]+")
_BUILDING_MARKS = ("号楼", "#楼", "栋", "幢", "座", "楼", "#", "区")
_ENTRANCE_MARKS = ("单元", "门", "单")
_ROOM_MARKS = ("室", "房", "户")
# "号" is a building mark before more parts ("3号2单元") and a room mark at the end ("1502号").
_NUMBER_MARK = "号"
_TOKEN = re.compile(
    r"[0-9A-Z]+|号楼|#楼|单元|[栋幢座楼#区门单室房户号]|" + _SEPARATOR.pattern,
)
_CHINESE_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CHINESE_NUMBER = re.compile(r"[零〇一二两三四五六七八九十]+(?=号楼|单元|[栋幢座楼号门单])")
_MAX_PART = 8
_PART = re.compile(r"[0-9A-Z]{1,8}")
_VALUE = re.compile(r"[0-9A-Z]+")
_MAX_TEXT = 40


@dataclass(frozen=True, slots=True)
class RoomCode:
    """The parts of a room code a cashier typed; missing parts are ``None``.

    Attributes:
        building: building (楼栋), e.g. ``"3"`` or ``"A"``.
        entrance: entrance (单元), e.g. ``"2"``.
        room: room (房号), e.g. ``"1502"``; may be the first digits of a room still being typed.
    """

    building: str | None = None
    entrance: str | None = None
    room: str | None = None

    @property
    def is_complete(self) -> bool:
        """True when building, entrance and room are all given."""
        return None not in (self.building, self.entrance, self.room)

    @property
    def canonical(self) -> str | None:
        """The full canonical code ``3-2-1502`` when all three parts are given, else ``None``."""
        if not self.is_complete:
            return None
        return f"{self.building}-{self.entrance}-{self.room}"

    @property
    def code_prefix(self) -> str | None:
        """The start every matching canonical code has (``"3-2-"``, ``"3-"``), or ``None``.

        Only a query that names the building can be answered by a prefix of the code; the room
        part, when present, is left open so that a half-typed room still matches.
        """
        if self.building is None:
            return None
        if self.entrance is None:
            return f"{self.building}-" if self.room is None else None
        return f"{self.building}-{self.entrance}-{self.room or ''}"


def normalise_text(text: str) -> str:
    """Fold what a keyboard or scanner produced into plain form.

    Full-width digits and letters become ASCII (NFKC), every kind of dash becomes ``-``, ASCII
    letters become upper case and the ends are trimmed.
    """
    folded = unicodedata.normalize("NFKC", text)
    for dash in _DASHES:
        folded = folded.replace(dash, "-")
    return folded.strip().upper()


def canonical_part(part: str) -> str:
    """One part of a code in canonical form: upper case, a number without leading zeros.

    Raises:
        InputError: ``unit_code_part_invalid`` when the part is empty or holds anything but
            letters and digits (at most eight).
    """
    value = normalise_text(part)
    if not _PART.fullmatch(value):
        raise InputError(
            "unit_code_part_invalid",
            N_("A room code part must be 1 to 8 letters or digits, not '{part}'."),
            part=part,
        )
    return str(int(value)) if value.isdigit() else value


def canonical_code(building: str, entrance: str, room: str) -> str:
    """The canonical code of a unit from its three parts: ``canonical_code("03","2","1502")``.

    Raises:
        InputError: ``unit_code_part_invalid`` for a part that is not letters and digits.
    """
    return "-".join(canonical_part(p) for p in (building, entrance, room))


def split_code(code: str) -> RoomCode:
    """The parts of a stored canonical code (``"3-2-1502"``) or a two-part one (``"S-12"``).

    Raises:
        InputError: ``unit_code_invalid`` when the code does not have two or three parts.
    """
    parts = code.split("-")
    if len(parts) == 3:
        return RoomCode(*(canonical_part(p) for p in parts))
    if len(parts) == 2:
        return RoomCode(building=canonical_part(parts[0]), room=canonical_part(parts[1]))
    raise InputError(
        "unit_code_invalid",
        N_("'{text}' is not a room code like 3-2-1502."),
        text=code,
    )


def _chinese_to_int(text: str) -> int:
    """一 → 1, 十二 → 12, 二十 → 20, 二十三 → 23 (building and entrance numbers are small)."""
    if "十" not in text:
        return int("".join(str(_CHINESE_DIGITS[c]) for c in text))
    tens, _, units = text.partition("十")
    tens_value = _CHINESE_DIGITS[tens] if tens else 1
    return tens_value * 10 + (_CHINESE_DIGITS[units] if units else 0)


def _fold_chinese_numbers(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        try:
            return str(_chinese_to_int(match.group()))
        except (KeyError, ValueError):
            return match.group()

    return _CHINESE_NUMBER.sub(replace, text)


def _tokens(text: str) -> list[str] | None:
    """Split into values, marks and separators; ``None`` when anything else is in the text."""
    tokens: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            return None
        tokens.append(match.group())
        position = match.end()
    return tokens


def _role_of_mark(mark: str, is_last: bool) -> str | None:
    if mark in _BUILDING_MARKS:
        return "building"
    if mark in _ENTRANCE_MARKS:
        return "entrance"
    if mark in _ROOM_MARKS:
        return "room"
    if mark == _NUMBER_MARK:
        return "room" if is_last else "building"
    return None


def _read_values(tokens: list[str]) -> tuple[list[tuple[str, str | None]], bool] | None:
    """Pair each value with the role its mark gives it (``None``: no mark). Also: any mark?"""
    values: list[tuple[str, str | None]] = []
    marked = False
    for index, token in enumerate(tokens):
        if _SEPARATOR.fullmatch(token):
            continue
        if _VALUE.fullmatch(token):
            if len(token) > _MAX_PART:
                return None
            values.append((token, None))
            continue
        if not values or values[-1][1] is not None:
            return None  # a mark with no value before it ("栋3") is not a room code
        is_last = all(_SEPARATOR.fullmatch(t) for t in tokens[index + 1 :])
        values[-1] = (values[-1][0], _role_of_mark(token, is_last))
        marked = True
    return values, marked


_ORDER = ("building", "entrance", "room")


def _assign(values: list[tuple[str, str | None]], marked: bool) -> dict[str, str] | None:
    """Give every value a role: marked ones keep theirs, the rest follow in building-entrance-room
    order; a lone unmarked number after a building is the room when it is long enough to be one."""
    if not marked:
        return _assign_unmarked([v for v, _ in values])
    parts: dict[str, str] = {}
    next_role = 0
    for position, (value, role) in enumerate(values):
        if role is None:
            if next_role >= len(_ORDER):
                return None
            role = _ORDER[next_role]
            is_last = position == len(values) - 1
            if role == "entrance" and is_last and len(value) >= 3:
                role = "room"  # "3栋1502": a three-digit value is a room, not an entrance
        if role in parts or _ORDER.index(role) < next_role:
            return None
        parts[role] = value
        next_role = _ORDER.index(role) + 1
    return parts


def _assign_unmarked(values: list[str]) -> dict[str, str] | None:
    if not any(c.isdigit() for value in values for c in value):
        return None  # "zs f" is somebody's initials, not a room
    if len(values) == 3:
        return dict(zip(_ORDER, values, strict=True))
    if len(values) == 2:
        # "3-1502" is building and room; "3-2" is building and entrance, room still to come.
        if len(values[1]) >= 3:
            return {"building": values[0], "room": values[1]}
        return {"building": values[0], "entrance": values[1]}
    if len(values) == 1:
        return {"room": values[0]}
    return None


def parse_room_code(text: str) -> RoomCode | None:
    """Read a room code in any common form; ``None`` when the text is not a room code at all.

    ``"3-2-1502"``, ``"3栋2单元1502"``, ``"3号楼2单元1502室"``, ``"3 2 1502"``, ``"3/2/1502"``,
    ``"３－２－１５０２"`` all give ``RoomCode("3", "2", "1502")``; ``"1502"`` gives a room-only
    code, ``"3栋"`` a building-only one, ``"3栋1502"`` building and room. Text with letters only, or
    with anything that is not a value, a mark or a separator (a name, a plate), gives ``None``.

    Args:
        text: what the cashier typed.

    Returns:
        The parts that were typed, canonical (upper case, numbers without leading zeros).
    """
    folded = normalise_text(text)
    if not folded or len(folded) > _MAX_TEXT:
        return None
    tokens = _tokens(_fold_chinese_numbers(folded))
    if tokens is None:
        return None
    read = _read_values(tokens)
    if read is None or not read[0]:
        return None
    parts = _assign(*read)
    if not parts:
        return None
    return RoomCode(**{role: canonical_part(value) for role, value in parts.items()})


__all__ = [
    "RoomCode",
    "canonical_code",
    "canonical_part",
    "normalise_text",
    "parse_room_code",
    "split_code",
]
