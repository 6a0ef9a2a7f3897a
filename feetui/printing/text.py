"""Column arithmetic for receipt printers: display width, cleaning, wrapping and alignment.

The rule: on a receipt printer in Chinese mode every character sent as two GB18030 bytes takes two
columns and ASCII takes one. We count East Asian Wide, Full-width and Ambiguous characters as two
columns (ambiguous ones such as ×, ·, … come out of the printer's GB font full width) and the rest
as one, so a line we lay out never runs past the edge of the paper.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"


def char_width(char: str) -> int:
    """Columns ``char`` takes on paper: 1 for ASCII, 2 for wide, full-width and ambiguous ones."""
    if ord(char) < 0x80:
        return 1
    return 2 if unicodedata.east_asian_width(char) in ("W", "F", "A") else 1


def display_width(text: str) -> int:
    """Columns ``text`` takes on paper."""
    return sum(char_width(char) for char in text)


def clean(text: str) -> str:
    """Make text safe for paper: ¥ becomes ￥, and control characters become spaces.

    A control character in a name would otherwise reach the printer as a command.
    """
    text = text.replace("¥", "￥")
    return "".join(" " if unicodedata.category(char).startswith("C") else char for char in text)


def truncate(text: str, width: int) -> str:
    """``text`` cut to ``width`` columns, ending in … when something was cut."""
    text = clean(text)
    if display_width(text) <= width:
        return text
    room = width - display_width(ELLIPSIS)
    kept, used = "", 0
    for char in text:
        if used + char_width(char) > room:
            break
        kept += char
        used += char_width(char)
    return kept + ELLIPSIS if room >= 0 else kept


def wrap(text: str, width: int) -> list[str]:
    """Break ``text`` into lines of at most ``width`` columns.

    Chinese breaks anywhere; a Latin word or a number moves to the next line whole when it fits
    there. Leading spaces (an indent) are kept. Always returns at least one line.
    """
    if width < 2:
        raise ValueError("cannot wrap into fewer than 2 columns")
    lines: list[str] = []
    current = ""
    for char in clean(text):
        if display_width(current) + char_width(char) > width:
            head, current = _break_line(current, char)
            lines.append(head)
            if not current and char == " ":
                continue  # a space where a line breaks is not printed
        current += char
    lines.append(current.rstrip())
    return lines


def _break_line(current: str, next_char: str) -> tuple[str, str]:
    """Split a full line before ``next_char``, keeping words and Chinese punctuation rules.

    A Latin word, number or amount moves down whole; closing punctuation never starts a line
    (the character before it comes along) and opening brackets never end one.
    """
    start = len(current)
    if _is_word_char(next_char) or next_char in _NO_LINE_START:
        while start > 0 and _is_word_char(current[start - 1]):
            start -= 1
        if start == len(current) and next_char in _NO_LINE_START:
            start -= 1
    while start > 0 and current[start - 1] in _NO_LINE_END:
        start -= 1
    if 0 < start < len(current):
        return current[:start].rstrip(), current[start:]
    return current.rstrip(), ""


_NO_LINE_START = "，。、；：！？）》」』】,.;:!?)"
_NO_LINE_END = "（《「『【("


def _is_word_char(char: str) -> bool:
    """Characters of a Latin word, a number, an amount (￥1,234.50) or a time (9:00-17:30)."""
    return char == "￥" or (ord(char) < 0x80 and (char.isalnum() or char in ".,:~-_/@#%()*'"))


def pad_right(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` columns."""
    return text + " " * max(0, width - display_width(text))


def pad_left(text: str, width: int) -> str:
    """Spaces then ``text``, so that it ends at column ``width``."""
    return " " * max(0, width - display_width(text)) + text


def centred(text: str, width: int) -> list[str]:
    """``text`` wrapped and centred in ``width`` columns (no trailing spaces)."""
    return [
        " " * ((width - display_width(line)) // 2) + line if line else ""
        for line in wrap(text, width)
    ]


def pair(left: str, right: str, width: int) -> list[str]:
    """``left`` at the left edge and ``right`` flush with the right edge.

    ``left`` wraps when it is long; ``right`` (an amount) sits on its last line when there is
    room, otherwise on a line of its own. ``right`` never wraps: it is cut as a last resort.
    """
    right = truncate(right, width)
    right_width = display_width(right)
    lines = wrap(left, width)
    last = lines[-1]
    if display_width(last) + 1 + right_width <= width:
        lines[-1] = last + " " * (width - display_width(last) - right_width) + right
    else:
        lines.append(pad_left(right, width))
    return lines


def labelled(label: str, value: str, width: int) -> list[str]:
    """``label：value``, the value wrapping under itself (or indented by 2 if the label is long)."""
    prefix = label + colon(label)
    prefix_width = display_width(prefix)
    indent = prefix_width if prefix_width <= width // 2 else 2
    first, *rest = wrap(value, width - indent) if value else [""]
    if prefix_width > width // 2:
        return [*wrap(prefix, width), *(" " * indent + line for line in [first, *rest])]
    return [prefix + first, *(" " * indent + line for line in rest)]


def colon(label: str) -> str:
    """The colon that goes after ``label``: full-width after Chinese, ``": "`` after Latin."""
    return "：" if any(ord(char) >= 0x80 for char in label) else ": "


__all__ = [
    "ELLIPSIS",
    "centred",
    "char_width",
    "clean",
    "colon",
    "display_width",
    "labelled",
    "pad_left",
    "pad_right",
    "pair",
    "truncate",
    "wrap",
]
