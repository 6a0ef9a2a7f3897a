"""Who lives in the demo community: Chinese names, mobile numbers, car plates and shop names.

Surnames follow their real frequency (王 李 张 刘 陈 lead), with the rare ones whose pinyin
libraries read wrong (单 曾 解 仇 查 覃 区 翟 朴 盖 ...) and compound surnames (欧阳 尉迟 万俟 长孙
...) mixed in so that the lookup screen meets them. Everything is drawn from a seeded
:class:`random.Random`, so the same seed gives the same people.
"""

from __future__ import annotations

import random

# (surname, weight): weights are rough shares per thousand people.
SURNAMES: tuple[tuple[str, float], ...] = (
    ("王", 71), ("李", 70), ("张", 68), ("刘", 53), ("陈", 46), ("杨", 31), ("黄", 23),
    ("赵", 22), ("吴", 20), ("周", 19), ("徐", 13), ("孙", 12), ("马", 12), ("朱", 11),
    ("胡", 10), ("郭", 10), ("何", 9), ("高", 9), ("林", 9), ("罗", 8), ("郑", 8), ("梁", 7),
    ("谢", 6), ("宋", 6), ("唐", 6), ("许", 5), ("韩", 5), ("冯", 5), ("邓", 5), ("曹", 5),
    ("彭", 4), ("曾", 4), ("肖", 4), ("田", 4), ("董", 4), ("袁", 4), ("潘", 3), ("于", 3),
    ("蒋", 3), ("蔡", 3), ("余", 3), ("杜", 3), ("叶", 3), ("程", 3), ("苏", 3), ("魏", 3),
    ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 2),
    ("钟", 2), ("谭", 2), ("陆", 2), ("汪", 2), ("范", 2), ("金", 2), ("石", 2), ("廖", 2),
    ("贾", 2), ("夏", 2), ("韦", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2), ("孟", 2),
    ("熊", 2), ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2),
    ("雷", 2), ("侯", 2), ("龙", 2), ("史", 2), ("陶", 1), ("黎", 1), ("贺", 1), ("顾", 1),
    ("毛", 1), ("郝", 1), ("龚", 1), ("邵", 1), ("万", 1), ("钱", 1), ("严", 1), ("武", 1),
    ("戴", 1), ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("常", 1), ("温", 1), ("康", 1),
    # Surnames read differently from the everyday character, and compound surnames.
    ("单", 1), ("解", 1), ("仇", 0.6), ("查", 0.6), ("覃", 1), ("区", 0.5), ("翟", 1),
    ("朴", 0.5), ("盖", 0.5), ("缪", 0.5), ("乐", 0.4), ("尉迟", 0.2), ("欧阳", 0.6),
    ("上官", 0.2), ("司马", 0.3), ("诸葛", 0.2), ("长孙", 0.1), ("万俟", 0.1), ("令狐", 0.1),
    ("东方", 0.1),
)  # fmt: skip

MALE_CHARS = (
    "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋峰建国志文海东亮成兵"
    "博晨睿哲轩然泽瑞昊天宏伟振兴德福荣"
)
FEMALE_CHARS = (
    "芳娜敏静丽艳娟霞秀玲桂英红燕萍琳雪慧婷倩颖晶洁蕾佳欣怡梅兰凤琴莉丹瑶萱涵雨彤悦婉馨月琪"
)

# Mobile prefixes of the three carriers (and a few virtual ones).
PHONE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "170",
    "171",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
]

HOME_PROVINCE = "鲁"
"""The community's province: most plates are local."""
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O on plates
OTHER_PROVINCES = "京津冀晋苏浙皖豫鄂粤川辽吉黑沪"

SHOP_TRADES = (
    "便利店", "超市", "面馆", "水饺馆", "烧烤", "药房", "理发店", "洗衣店", "干洗店",
    "水果店", "花店", "宠物店", "快递驿站", "房产中介", "五金店", "早餐店", "奶茶店",
    "烘焙坊", "诊所", "眼镜店", "文具店", "彩票站", "茶叶店", "粮油店", "牙科",
)  # fmt: skip
SHOP_PREFIXES = (
    "好邻居", "惠民", "佳和", "福满", "家家乐", "阳光", "鑫源", "金穗", "便民", "翠湖",
    "康宁", "顺心", "老街", "一品", "春风",
)  # fmt: skip


class PeopleSource:
    """Draws people for the demo from a seeded random source, never the same phone or plate twice.

    Args:
        rng: the seeded source every draw comes from.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._surnames = [s for s, _ in SURNAMES]
        self._weights = [w for _, w in SURNAMES]
        self._phones: set[str] = set()
        self._plates: set[str] = set()

    def name(self) -> str:
        """A person's name: a surname and one or two given-name characters."""
        rng = self._rng
        surname = rng.choices(self._surnames, self._weights)[0]
        pool = MALE_CHARS if rng.random() < 0.5 else FEMALE_CHARS
        # Compound surnames mostly take one given character; others two in three cases.
        size = 1 if len(surname) == 2 or rng.random() < 0.35 else 2
        return surname + "".join(rng.choice(pool) for _ in range(size))

    def phone(self) -> str:
        """A mobile number no one else in the community has."""
        while True:
            number = self._rng.choice(PHONE_PREFIXES) + f"{self._rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def plate(self) -> str:
        """A car plate (normalised, no dot) no other car of the community has.

        Mostly local (鲁A), some from elsewhere in the province or the country; one car in six
        is new-energy (a D or F after the city letter and five digits).
        """
        rng = self._rng
        while True:
            roll = rng.random()
            province = HOME_PROVINCE if roll < 0.9 else rng.choice(OTHER_PROVINCES)
            city = "A" if roll < 0.78 else rng.choice(PLATE_LETTERS[:12])
            if rng.random() < 1 / 6:
                tail = rng.choice("DF") + f"{rng.randrange(10**5):05d}"
            else:
                chars = [str(rng.randrange(10)) for _ in range(5)]
                for position in rng.sample(range(5), rng.choice((0, 1, 1, 2))):
                    chars[position] = rng.choice(PLATE_LETTERS)
                tail = "".join(chars)
            plate = f"{province}{city}{tail}"
            if plate not in self._plates:
                self._plates.add(plate)
                return plate

    def shop_name(self) -> str:
        """A shop's trading name, e.g. 好邻居便利店 or 张记面馆."""
        rng = self._rng
        if rng.random() < 0.3:
            surname = rng.choices(self._surnames, self._weights)[0]
            return f"{surname}记{rng.choice(SHOP_TRADES)}"
        return rng.choice(SHOP_PREFIXES) + rng.choice(SHOP_TRADES)


__all__ = ["HOME_PROVINCE", "SURNAMES", "PeopleSource"]
