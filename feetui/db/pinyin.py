"""Pinyin initials of people's names (张三丰 → zsf), with the surname readings libraries get wrong.

pypinyin reads a surname as an ordinary word: 单 comes out ``dan`` where the surname is ``Shan``,
曾 ``ceng`` not ``Zeng``, 解 ``jie`` not ``Xie``. Cashiers type what they hear, so the surname --
one character or a compound such as 欧阳 or 尉迟 -- is read from :data:`SURNAME_INITIALS` first,
and only the given name goes to pypinyin. Where a character of the given name has several
readings (乐 le/yue), each reading's initials are a variant, so either finds the person.

pypinyin takes a fraction of a second to import and ~50 µs a name, so it is imported on first use
(never at start-up) and initials are computed when a name is written, not when it is searched.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

#: Surname → the initials a cashier types for it. Compound surnames first (longest match wins).
#: A surname with two common readings (乐: Yue or Le) lists both.
SURNAME_INITIALS: dict[str, tuple[str, ...]] = {
    # Compound surnames (复姓).
    "欧阳": ("oy",),
    "上官": ("sg",),
    "司马": ("sm",),
    "司徒": ("st",),
    "司空": ("sk",),
    "诸葛": ("zg",),
    "东方": ("df",),
    "皇甫": ("hf",),
    "夏侯": ("xh",),
    "公孙": ("gs",),
    "慕容": ("mr",),
    "宇文": ("yw",),
    "尉迟": ("yc",),
    "万俟": ("mq",),
    "长孙": ("zs",),
    "澹台": ("tt",),
    "令狐": ("lh",),
    "端木": ("dm",),
    "钟离": ("zl",),
    "独孤": ("dg",),
    "南宫": ("ng",),
    "西门": ("xm",),
    "赫连": ("hl",),
    "呼延": ("hy",),
    "轩辕": ("xy",),
    "申屠": ("st",),
    "太史": ("ts",),
    "公冶": ("gy",),
    "濮阳": ("py",),
    "拓跋": ("tb",),
    "百里": ("bl",),
    "闻人": ("wr",),
    "宗政": ("zz",),
    "仲孙": ("zs",),
    # Single surnames whose surname reading differs from the everyday one.
    "单": ("s",),  # Shàn, not dān
    "曾": ("z",),  # Zēng, not céng
    "解": ("x",),  # Xiè, not jiě
    "仇": ("q",),  # Qiú, not chóu
    "查": ("z",),  # Zhā, not chá
    "覃": ("q",),  # Qín, not tán
    "区": ("o",),  # Ōu, not qū
    "翟": ("z",),  # Zhái, not dí
    "朴": ("p",),  # Piáo
    "盖": ("g",),  # Gě
    "尉": ("y",),  # Yù, not wèi
    "缪": ("m",),  # Miào
    "繁": ("p",),  # Pó, not fán
    "召": ("s",),  # Shào, not zhào
    "折": ("s",),  # Shé, not zhé
    "种": ("c",),  # Chóng, not zhǒng
    "秘": ("b",),  # Bì, not mì
    "宓": ("f",),  # Fú, not mì
    "乜": ("n",),  # Niè, not miē
    "隗": ("w",),  # Wěi, not kuí
    "句": ("g",),  # Gōu, not jù
    "能": ("n",),  # Nài
    "黑": ("h",),  # Hè
    "谌": ("c",),  # Chén
    "冼": ("x",),  # Xiǎn
    "洗": ("x",),  # Xiǎn
    "员": ("y",),  # Yùn
    "蕃": ("p",),  # Pí, not fān
    "长": ("z",),  # Zhǎng
    "重": ("c",),  # Chóng
    "乐": ("y", "l"),  # Yuè and Lè are both surnames
    "褚": ("c",),  # Chǔ, not zhǔ
    "柏": ("b",),  # Bǎi
    "那": ("n",),  # Nā
    "燕": ("y",),  # Yān
    "任": ("r",),  # Rén
    "华": ("h",),  # Huà
    "纪": ("j",),  # Jǐ
    "沈": ("s",),  # Shěn
    "厍": ("s",),  # Shè
}

_MAX_VARIANTS = 8
_NOISE = re.compile(r"[\s·•・∙.\-_]+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


def split_surname(name: str) -> tuple[str, str]:
    """Split a person's name into surname and given name (a compound surname when one matches).

    A two-character name never has a compound surname: 欧阳 alone is surname 欧 and name 阳.
    """
    if len(name) >= 3 and name[:2] in SURNAME_INITIALS:
        return name[:2], name[2:]
    return name[:1], name[1:]


@lru_cache(maxsize=8192)
def _char_initials(char: str) -> tuple[str, ...]:
    """Every initial a character may be read with, most common reading first."""
    if not _HAN.fullmatch(char):
        return (char.lower(),) if char.isalnum() else ()
    from pypinyin import Style, pinyin  # imported on first use: slow to import

    readings = pinyin(char, style=Style.FIRST_LETTER, heteronym=True, errors="ignore")
    letters = [r[:1].lower() for r in (readings[0] if readings else []) if r]
    return tuple(dict.fromkeys(letters)) or ()


def _default_initials(text: str) -> str:
    """The initials pypinyin reads for ``text`` in context (its phrase table decides polyphones)."""
    if not text:
        return ""
    from pypinyin import Style, lazy_pinyin

    parts = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda s: list(s))
    return "".join(p[:1].lower() for p in parts if p[:1].isalnum())


@lru_cache(maxsize=65536)
def name_initials(name: str, *, person: bool = True) -> tuple[str, ...]:
    """Pinyin initials variants of a name, the most likely reading first.

    Args:
        name: a person's name (张三丰) or, with ``person=False``, an organisation's.
        person: read the first character(s) as a surname from :data:`SURNAME_INITIALS`.

    Returns:
        Up to eight variants, e.g. ``("zsf",)`` for 张三丰, ``("sth",)`` for 单田芳; empty for a
        name with no letters or Chinese characters.
    """
    text = _NOISE.sub("", name)
    if not text:
        return ()
    if not person:
        first = _default_initials(text)
        return (first,) if first else ()
    surname, given = split_surname(text)
    surname_options = SURNAME_INITIALS.get(surname) or (_default_initials(surname),)
    default_given = _default_initials(given)
    options = [surname_options, *(_char_initials(c) or ("",) for c in given)]
    variants = [s + default_given for s in surname_options]
    for combo in itertools.islice(itertools.product(*options), 64):
        variants.append("".join(combo))
    unique = [v for v in dict.fromkeys(variants) if v]
    return tuple(unique[:_MAX_VARIANTS])


__all__ = ["SURNAME_INITIALS", "name_initials", "split_surname"]
