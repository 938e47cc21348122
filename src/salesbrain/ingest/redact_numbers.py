"""Number detectors of the redactor: phones, ID and bank cards, order, tracking and QQ numbers,
and the fallback for any other long number.

They run on a `DigitView` (spelled-out digits as ASCII, separators between groups dropped; see
`salesbrain.ingest.digits`) and report spans of the original text. Each candidate is
``(rank, start, end, kind)``; a lower rank wins an overlap (see `redact._resolve`).
"""

from __future__ import annotations

import re

from salesbrain.contact_cues import QQ, cue_spellings
from salesbrain.ingest.digits import DigitView

Candidate = tuple[int, int, int, str]  # (rank, start, end, kind)

# Ranks: specific, validated or cued patterns before loose, cue-free ones.
RANK = {
    "email": 0, "tracking_no": 1, "order_cued": 2, "qq_number": 2, "wxid": 3, "id_card": 4,
    "bank_card": 5, "mobile": 6, "landline": 7, "wechat_cued": 8, "order_no": 9,
    "address": 10, "person_name": 11, "number": 12,
}
# Only the safety net proposes candidates at these ranks: a bare 11+ digit run (order_no), a
# bare 9-10 digit run and an id-like token after a contact cue (number). A cued order number
# ranks as "order_cued", so a kept candidate's rank tells where it came from.
SAFETY_NET_RANKS = frozenset({RANK["order_no"], RANK["number"]})

# Groups may be split by a single star (135*8821*4460), never by a mask (138****5678).
_MOBILE = re.compile(
    r"(?<![\d+])(?:\(?(?:\+|00)?86\)?[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)"
    r"|(?<![\d*])1[3-9]\d\*\d{4}\*\d{4}(?![\d*])")
_LANDLINE = re.compile(
    r"(?<!\d)(?:\((?:010|02\d|0[3-9]\d\d)\)|(?:010|02\d|0[3-9]\d\d))[- ]?[2-9]\d{2,3}[- ]?\d{4}"
    r"(?:[-转]\d{1,5})?(?!\d)"
    r"|(?i:电话|座机|固话|tel)[\s:：是为]*(?P<local>[2-9]\d{6,7})(?!\d)"
)
_ID_CARD = re.compile(r"(?<!\d)[1-8]\d{5}[ -]?(?:19|20)\d{6}[ -]?\d{3}[\dXx](?![\dA-Za-z])")
# Card schemes issued in China start with 3 (JCB, Amex), 4 (Visa), 5 (Mastercard) or 6 (UnionPay).
_BANK_CARD = re.compile(
    r"(?<!\d)(?=[3-6])(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?!\d)"
)
_ORDER_CUED = re.compile(
    r"(?:订单编号|订单号码|订单号|售后单号|售后单|退款单号|单号|订单|(?i:order\s*(?:no\.?|number|id|#)))"
    r"[\s:：#]*(?:是|为)?[\s:：#]*"
    # a receipt's NO. prefix and a dated prefix (240918-5017362840) belong to the id
    r"(?P<id>(?:(?i:no)\.?)?[A-Za-z]{0,4}\d{6,30}(?:-\d{6,30})?)(?![\dA-Za-z])"
)
# Carrier names that are never anything else may stand alone before the number (已发顺丰 SF...);
# 京东, 邮政 and 天天 are also a shop, a bank and "every day", so they need 快递 or 单号 after them.
_CARRIERS = "顺丰|圆通|中通|申通|韵达|极兔|德邦|EMS|ems|百世|宅急送|优速|丰网"
_AMBIGUOUS_CARRIERS = "京东|邮政|天天"
_PARCEL_WORD = "快递|物流|速运|快运|速递"
_PARCEL_NO = "运单号|快递单号|单号"
# A carrier's own prefix: SF1234567890123, YT 1234 5678 9012 3, JDX001234567890, JT0001234567890
_CARRIER_PREFIX = r"SF|YTO?|JD[A-Z]{0,3}|ZTO|YD|EMS|STO|DBL|DPK|JT|ZJS|KYE|HTKY|UC|TT|BEST"
_TRACKING = re.compile(
    rf"(?<![A-Za-z])(?P<id>(?i:{_CARRIER_PREFIX})[ -]?\d{{8,20}}(?![\dA-Za-z])"
    r"|[A-Z]{2}\d{9}[A-Z]{2}(?![A-Za-z]))"
    rf"|(?:(?:{_CARRIERS})(?:{_PARCEL_WORD})?的?(?:{_PARCEL_NO}|号码|号)?"
    rf"|(?:{_AMBIGUOUS_CARRIERS})(?:(?:{_PARCEL_WORD})的?(?:{_PARCEL_NO})?|{_PARCEL_NO})"
    r"|运单号|快递单号|物流单号|快递号|运单)[\s:：#]*(?:是|为)?[\s:：#]*"
    r"(?P<cued>[A-Za-z]{0,4} ?\d{8,30})(?![\dA-Za-z])"
)
_QQ_CUE = "|".join(re.escape(s) for s in sorted(cue_spellings(QQ), key=len, reverse=True))
# A lone Q also names QQ before a number (Q 945286103, 加Q123456789); not inside a word.
_QQ = re.compile(
    rf"(?:(?i:{_QQ_CUE})|(?<![A-Za-z0-9])[Qq](?![A-Za-z]))(?:号码|号)?[\s:：]*(?:是|为)?[\s:：]*"
    r"(?P<id>[1-9]\d{4,10})(?!\d)"
)
# A number sent in two halves: 前面是6217 9958 3002，后面是7411686 / 前半截YT7531，后半截0927...
_HALVES = re.compile(
    r"前(?:面|半截|半段|半部分|几位|[\d一二三四五六七八]位)(?:是|为)?[\s:：]*"
    r"(?P<a>[A-Za-z]{0,4}\d{3,30})[^\d]{1,16}?"
    r"后(?:面|半截|半段|半部分|几位|[\d一二三四五六七八]位)(?:是|为)?[\s:：]*(?P<b>\d{3,30})(?!\d)"
)
# A mobile's first seven digits and, after a few words, its last four (139 1703 等下我看一下后面的
# 6624): the words before the second group say it continues the first.
_MOBILE_HEAD_TAIL = re.compile(
    r"(?<![\dA-Za-z])(?P<a>1[3-9]\d{5})(?!\d)[^\d]{1,16}?"
    r"(?:后面|后边|后四位|尾号|尾数|末四位)(?:的|是|为)?[\s:：]*(?P<b>\d{4})(?!\d)"
)
# The last four digits of a phone named as such (尾号6688, 手机尾号0921, 后四位8852): with a
# name or an order they pick out one customer. 1234 or 8888 is an example, not anybody's.
MOBILE_TAIL_CUE = re.compile(r"尾号|尾数|后四位|末四位")
_MOBILE_TAIL = re.compile(
    r"(?<!订单号)(?<!订单)(?<!单号)(?:尾号|尾数|后四位|末四位)(?:是|为)?[\s:：]*"
    r"(?P<id>\d{4})(?![\d.]|[A-Za-z]|元|块|号|年|月|天|件|个|%)"
)
_LONG_DIGITS = re.compile(r"(?<![\dA-Za-z])\d{9,30}(?![\dA-Za-z])")
_KEYCAP_TAIL = "\ufe0f\u20e3"

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def number_candidates(view: DigitView, text: str, norm: str) -> list[Candidate]:
    """Every number the detectors find in `view`, as spans of the original `text`.

    Landlines are also looked for in `norm`, where an extension keeps its dash
    (0571-88886666-8012 would read as one 16-digit number in the view)."""
    found = _cued_candidates(view.text) + _validated_candidates(view.text)
    found += _long_number_candidates(view.text)
    spans = [(rank, *_original_span(view, text, start, end), kind)
             for rank, start, end, kind in found]
    return spans + _landline_candidates(norm)


def _original_span(view: DigitView, text: str, start: int, end: int) -> tuple[int, int]:
    start, end = view.span(start, end)
    while end < len(text) and text[end] in _KEYCAP_TAIL:  # the keycap mark of the last digit
        end += 1
    return start, end


def _cued_candidates(norm: str) -> list[Candidate]:
    found: list[Candidate] = []
    for m in _TRACKING.finditer(norm):
        found.append((RANK["tracking_no"], *m.span("id" if m.group("id") else "cued"),
                      "tracking_no"))
    found += [(RANK["order_cued"], *m.span("id"), "order_no") for m in _ORDER_CUED.finditer(norm)]
    found += [(RANK["qq_number"], *m.span("id"), "qq_number") for m in _QQ.finditer(norm)]
    for m in _HALVES.finditer(norm):
        found += [(RANK["order_cued"], *m.span(half), "number") for half in ("a", "b")]
    for m in _MOBILE_HEAD_TAIL.finditer(norm):
        found += [(RANK["mobile"], *m.span(half), "mobile") for half in ("a", "b")]
    return found + _landline_candidates(norm)


def mobile_tail_candidates(norm: str) -> list[Candidate]:
    """Phone tails after 尾号/后四位 (see `_MOBILE_TAIL`); run on the text itself, since four
    digits are too few for the digit view's gate."""
    return [(RANK["mobile"], *m.span("id"), "mobile") for m in _MOBILE_TAIL.finditer(norm)
            if not _looks_made_up(m.group("id"))]


def _landline_candidates(norm: str) -> list[Candidate]:
    return [(RANK["landline"], *(m.span("local") if m.group("local") else m.span()), "landline")
            for m in _LANDLINE.finditer(norm)]


def _validated_candidates(norm: str) -> list[Candidate]:
    found: list[Candidate] = []
    for m in _ID_CARD.finditer(norm):
        if _id_card_valid(m.group().replace(" ", "")):
            found.append((RANK["id_card"], *m.span(), "id_card"))
    for m in _BANK_CARD.finditer(norm):
        digits = m.group().replace(" ", "").replace("-", "")
        if len(digits) <= 19 and _luhn_valid(digits):
            found.append((RANK["bank_card"], *m.span(), "bank_card"))
    found += [(RANK["mobile"], *m.span(), "mobile") for m in _MOBILE.finditer(norm)]
    return found


def _long_number_candidates(norm: str) -> list[Candidate]:
    """Safety net: 11+ digits are most likely an order number, 9-10 some other id (`number`).
    Safe numbers (prices, dates, hotlines, product codes) were masked out of the view."""
    found: list[Candidate] = []
    for m in _LONG_DIGITS.finditer(norm):
        if _looks_made_up(m.group()):
            continue
        kind = "order_no" if len(m.group()) >= 11 else "number"
        found.append((RANK[kind], *m.span(), kind))
    return found


def _looks_made_up(digits: str) -> bool:
    """66666666666 or 123456789 is emphasis or a placeholder, not anybody's id."""
    steps = {int(b) - int(a) for a, b in zip(digits, digits[1:], strict=False)}
    return len(steps) == 1 and steps <= {-1, 0, 1}


def _id_card_valid(digits: str) -> bool:
    total = sum(int(d) * w for d, w in zip(digits[:17], _ID_WEIGHTS, strict=True))
    month, day = int(digits[10:12]), int(digits[12:14])
    return 1 <= month <= 12 and 1 <= day <= 31 and _ID_CHECK[total % 11] == digits[17].upper()


def _luhn_valid(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0
