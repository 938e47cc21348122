"""A plain-digit view of a message for the number detectors, mapped back to the original.

Customers write numbers in ways a plain ``\\d`` misses: Chinese and financial digits
(一三八, 幺八五, 壹叁捌), circled and keycap digits (①, 1️⃣), and groups broken by spaces, dots,
slashes, dashes, emoji or a short filler (139🌸2465🌸0817, 138后面是2749 6150). `digit_view`
rewrites each such run into ASCII digits, drops the separators between its groups and keeps, for
every character of the view, the index of the original character it came from.

>>> view = digit_view("电话一三八 1234🌸5678")
>>> view.text
'电话13812345678'
>>> view.span(2, 13)
(2, 15)

What it will not join: digits inside a price, date, time, hotline, size or product code (they
never become part of an id: 2026-11-11 10:00, ¥1399, 400-820-8820, 160/84A, 货号A2309-1), two
groups of which one is already longer than 8 digits (two phone numbers side by side stay two),
and lists of same-width short groups (160 165 170 175, 199/299/399). Number words inside
ordinary text (一件, 三个月, 两天, 一二三楼) are rewritten too, but they are short runs and the
detectors need 5 or more digits after a cue, 9 or more without one, 11 with a mobile prefix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_DIGIT_VALUES = {
    **{str(i): str(i) for i in range(10)},
    **dict.fromkeys("零〇⓪O", "0"),  # a capital O typed for zero: 138 O214 77O6
    **dict.fromkeys("一壹幺①", "1"),
    **dict.fromkeys("二贰貳两②", "2"),
    **dict.fromkeys("三叁參③", "3"),
    **dict.fromkeys("四肆④", "4"),
    **dict.fromkeys("五伍⑤", "5"),
    **dict.fromkeys("六陆陸⑥", "6"),
    **dict.fromkeys("七柒⑦", "7"),
    **dict.fromkeys("八捌⑧", "8"),
    **dict.fromkeys("九玖⑨", "9"),
}
_DIGIT = "[" + "".join(sorted(_DIGIT_VALUES)) + "]"
# Between digits: spacing, punctuation people group numbers with, emoji and their joiners,
# variation selectors and the keycap mark (1️⃣ is '1' U+FE0F U+20E3).
_SEPARATOR = (
    "[ \\t.·•…/\\-_\\u200b\\u200d\\ufe0f\\u20e3\\u2600-\\u27bf\\u2b00-\\u2bff"
    "\\U0001f000-\\U0001faff]"
)
_FILLER = ("后面是|后面|后边是|后边|再然后是|再然后|然后再|然后是|然后|接着是|接着|接下来是|接下来|"
           "之后是|开头|中间是|中间|尾号是|尾号|尾数是|尾数|后四位是|后四位|最后是|最后|"
           "再加上|再加|加上|嗯|呃")  # 嗯, 呃: a pause in a voice message typed out
# One or two fillers (189开头 中间3027 尾号6615) with the spacing around them.
_GAP = f"(?:{_SEPARATOR}{{1,4}}|(?:{_SEPARATOR}?(?:{_FILLER})){{1,2}}{_SEPARATOR}?)"
# A comma, full stop or enumeration mark also splits a mobile number (138，0013，8000 or
# 138。后面0013。8000), but it separates numbers far more often (3件，5折): such a gap joins
# groups only where the whole reads as a mobile number, 1[3-9]x and eleven digits in 3-4-4,
# 3-8 or 7-4 groups, with nothing numeric right after, and a phone cue shortly before it
# (价格138，2999，1999 is three prices).
_WEAK_SEPARATOR = "[,，。、;；]"
_WEAK_GAP = (f"(?:{_SEPARATOR}{{0,2}}{_WEAK_SEPARATOR}{_SEPARATOR}{{0,2}}"
             f"(?:(?:{_FILLER}){_SEPARATOR}?)?)")


def _digit_class(values: str) -> str:
    return "[" + "".join(sorted(c for c, v in _DIGIT_VALUES.items() if v in values)) + "]"


def _split_mobile() -> re.Pattern[str]:
    d, gap = _DIGIT, f"(?:{_GAP}|{_WEAK_GAP})"
    head = f"{_digit_class('1')}{_digit_class('3456789')}{d}"
    groups = f"{gap}{d}{{4}}{gap}{d}{{4}}|{gap}{d}{{8}}|{d}{{4}}{gap}{d}{{4}}"  # 3-4-4, 3-8, 7-4
    return re.compile(f"(?<!{d}){head}(?:{groups})(?!{_GAP}?{d})")


_SPLIT_MOBILE = _split_mobile()
_PHONE_CUE = re.compile(
    "电话|手机|号码|联系|致电|打给|打我|回电|来电|微信|薇信|(?i:tel|call|phone|vx)")
_CUE_REACH = 12  # how far before the number its cue may stand
_HAS_WEAK_SEPARATOR = re.compile(_WEAK_SEPARATOR)
# A run worth a look has at least five digits: fewer cannot make any number the detectors want.
_RUN = re.compile(f"{_DIGIT}(?:{_GAP}?{_DIGIT}){{4,}}")
_GROUP = re.compile(f"{_DIGIT}+")
_MASK = "\ue000"  # stands in for a digit that belongs to a safe span

# Numbers that are not personal data and must never join an id. Applied to the normalised text.
_SAFE = re.compile(
    # every alternative starts with one of these: a cheap test before the costly ones
    r"(?=[\d¥￥$A-Za-z货款商型条编产])(?:"
    # prices and discounts: ¥1399, 1,399.00元, 3件5折
    r"[¥￥$]\s?\d[\d,]*(?:\.\d+)?|\d[\d,]*(?:\.\d+)?\s?(?:元|块|折|rmb|RMB|万)"
    # dates and times: 2026-11-11, 2026/11/11, 2026.11.11, 11月11日, 10:00
    r"|(?<!\d)(?:19|20)\d\d[-/.年]\d{1,2}(?:[-/.月]\d{1,2}[日号]?)?(?!\d)"
    r"|\d{1,2}月\d{1,2}[日号]?|(?<!\d)\d{1,2}[:：]\d\d(?:[:：]\d\d)?"
    # company hotlines: 400-820-8820, 800 810 8888, 95588, 95105105, QQ's enterprise 800010000,
    # and a carrier's service number behind an area code (0755-10000)
    r"|(?<!\d)[48]00[- ]?\d{3}[- ]?\d{4}(?!\d)|(?<!\d)95\d{3}(?:\d{3})?(?!\d)"
    r"|(?<!\d)800\d{6}(?!\d)|(?<!\d)0\d{2,3}-?1(?:0000|0086|0010|2315)(?!\d)"
    # web links: item.jd.com/1640472728.html
    r"|(?i:(?:https?://|www\.)[A-Za-z0-9_./?=&%#:-]+"
    r"|[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|cn|net)/[A-Za-z0-9_./?=&%#:-]*)"
    # national and trade standards on a label: GB/T 22849-2014, GB 18401-2010, FZ/T 73020-2019
    r"|(?<![A-Za-z])(?:GB|FZ|QB)(?:/T)?\s?\d{3,5}(?:\.\d{1,2})?-(?:19|20)\d\d(?!\d)"
    # sizes and measures: 160/84A, 165cm, 38码
    r"|(?<!\d)\d{2,3}/\d{2,3}[A-Za-z]|\d{2,3}\s?(?:cm|CM|mm|kg|KG|斤|码|公斤|厘米|ml|ML)"
    # product codes after their cue: SKU 100012043978, 货号A2309-1, 条形码 6901234567892
    # (but not an ID card given after "ID": 110105-19900307-1234)
    r"|(?:(?<![A-Za-z])(?i:sku|isbn|ean|id|barcode)|货号|款号|商品编号|产品编号|商品id|型号|条码"
    r"|条形码|编码)"
    r"[\s:：#是]*"
    r"(?![1-8]\d{5}[ -]?(?:19|20)\d{6}[ -]?\d{3}[\dXx])[A-Za-z0-9][A-Za-z0-9-]*)"
)


@dataclass(frozen=True, slots=True)
class DigitView:
    """`text` with spelled digits as ASCII and joined groups; `origin[i]` is the original index
    of `text[i]`."""

    text: str
    origin: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of `text[start:end]`."""
        return self.origin[start], self.origin[end - 1] + 1


def has_digit_run(text: str) -> bool:
    """Cheap gate: does `text` hold a run of five or more digits in any spelling, or a mobile
    number split by commas or single stars?"""
    return _RUN.search(text) is not None or (
        _HAS_WEAK_SEPARATOR.search(text) is not None and bool(_split_mobiles(text, []))) or (
        "*" in text and _STARRED_MOBILE.search(text) is not None)


# A mobile number grouped with single stars (135*8821*4460); a platform's mask (138****5678)
# hides digits and is not one.
_STARRED_MOBILE = re.compile(r"(?<![\d*])1[3-9]\d\*\d{4}\*\d{4}(?![\d*])")


def digit_view(norm: str) -> DigitView:
    """The view of `norm` (already half-width); identity where there is nothing to rewrite."""
    safe = [m.span() for m in _SAFE.finditer(norm)]
    bridges = _split_mobiles(norm, safe)
    pieces: list[str] = []
    origin: list[int] = []
    cursor = 0
    for start, end in _regions(norm, bridges):
        pieces.append(norm[cursor:start])
        origin.extend(range(cursor, start))
        _rewrite_run(norm, start, end, safe, pieces, origin, bridges)
        cursor = end
    pieces.append(norm[cursor:])
    origin.extend(range(cursor, len(norm)))
    return DigitView("".join(pieces), tuple(origin))


def _split_mobiles(norm: str, safe: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Mobile numbers split by a comma or full stop somewhere (see `_WEAK_GAP`); the cue may
    also be a split number right before (手机138，0013，8000，139，0013，9000)."""
    if not _HAS_WEAK_SEPARATOR.search(norm):
        return []
    found: list[tuple[int, int]] = []
    for m in _SPLIT_MOBILE.finditer(norm):
        after_another = bool(found) and m.start() - found[-1][1] <= 2
        cued = after_another or _PHONE_CUE.search(norm, max(0, m.start() - _CUE_REACH),
                                                  m.start())
        if (cued and _HAS_WEAK_SEPARATOR.search(m.group())
                and not any(a < m.end() and m.start() < b for a, b in safe)):
            found.append(m.span())
    return found


def _regions(norm: str, bridges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The digit runs, each merged with the split mobile numbers it overlaps."""
    regions = sorted([m.span() for m in _RUN.finditer(norm)] + bridges)
    merged: list[tuple[int, int]] = []
    for start, end in regions:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _rewrite_run(norm: str, start: int, end: int, safe: list[tuple[int, int]],
                 pieces: list[str], origin: list[int],
                 bridges: Sequence[tuple[int, int]] = ()) -> None:
    digits = [i for i in range(start, end)
              if norm[i] in _DIGIT_VALUES and (norm[i] != "O" or _zero_like(norm, i))]
    masked = {i for i in digits if any(a <= i < b for a, b in safe)}
    groups = _groups(digits, masked, norm)
    joined = _joinable_gaps(norm, groups, bridges)
    cursor = start
    for number, group in enumerate(groups):
        gap_end = group[0]
        if number == 0 or number - 1 not in joined:
            _copy(norm, cursor, gap_end, masked, pieces, origin)
        for i in group:
            pieces.append(_DIGIT_VALUES[norm[i]])
            origin.append(i)
        cursor = group[-1] + 1
    _copy(norm, cursor, end, masked, pieces, origin)


def _groups(digits: list[int], masked: set[int], norm: str) -> list[list[int]]:
    """Runs of adjacent unmasked digits of one script. Spelled digits touching ASCII ones on
    one side only are words, not digits (订单7712003456790一起发), and are left out; between
    ASCII digits on both sides they are digits (13九0二四87765)."""
    groups: list[list[int]] = []
    for i in digits:
        if i in masked:
            continue
        if groups and groups[-1][-1] == i - 1 and _ascii(norm, groups[-1][-1]) == _ascii(norm, i):
            groups[-1].append(i)
        else:
            groups.append([i])
    return [g for k, g in enumerate(groups)
            if _ascii(norm, g[0]) or _touches_ascii(groups, k) != 1 or _read_out(norm, g)]


def _read_out(norm: str, group: list[int]) -> bool:
    """Spelled digits that are a number read out even beside ASCII ones: four or more, or
    three with 幺 (the spoken 1 of phone numbers), as in 幺三九0 2381 7765."""
    return len(group) >= 4 or (len(group) == 3 and any(norm[i] == "幺" for i in group))


def _zero_like(norm: str, i: int) -> bool:
    """A capital O read as zero: beside a digit and not inside a word (77O6, not OPPO 12345)."""
    around = norm[i - 1:i] + norm[i + 1:i + 2]
    return any(c.isdigit() for c in around) and not any(c.isalpha() and c.isascii()
                                                        for c in around)


def _ascii(norm: str, i: int) -> bool:
    return norm[i].isascii()


def _touches_ascii(groups: list[list[int]], k: int) -> int:
    """On how many sides group k (spelled) touches a neighbouring group (ASCII: groups split
    only where the script changes or a gap is)."""
    before = k > 0 and groups[k - 1][-1] == groups[k][0] - 1
    after = k + 1 < len(groups) and groups[k + 1][0] == groups[k][-1] + 1
    return int(before) + int(after)


def _joinable_gaps(norm: str, groups: list[list[int]],
                   bridges: Sequence[tuple[int, int]] = ()) -> set[int]:
    """Indexes k such that the gap between group k and k+1 is dropped."""
    listed = _is_list(norm, groups)
    joined = set()
    for k in range(len(groups) - 1):
        left, right = groups[k], groups[k + 1]
        if any(a <= left[-1] and right[0] < b for a, b in bridges):
            joined.add(k)
            continue
        if listed and _ascii(norm, left[0]) and _ascii(norm, right[0]):
            continue
        gap = norm[left[-1] + 1 : right[0]]
        if not gap or (len(left) <= 8 and len(right) <= 8 and _GAP_ONLY.fullmatch(gap)):
            joined.add(k)
    return joined


_GAP_ONLY = re.compile(_GAP)


def _is_list(norm: str, groups: list[list[int]]) -> bool:
    """160 165 170 175 or 199/299/399: same-width short numbers side by side, not one id."""
    ascii_groups = [g for g in groups if _ascii(norm, g[0])]
    widths = {len(g) for g in ascii_groups}
    return len(ascii_groups) >= 3 and len(widths) == 1 and widths <= {2, 3}


def _copy(norm: str, start: int, end: int, masked: set[int], pieces: list[str],
          origin: list[int]) -> None:
    for i in range(start, end):
        pieces.append(_MASK if i in masked else norm[i])
        origin.append(i)
