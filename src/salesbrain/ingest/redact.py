"""Replace personal data in chat messages with typed placeholders before anything is stored.

>>> r = redact("我叫王小明，电话138 0013 8000，寄到上海市浦东新区张杨路500号3楼")
>>> r.text
'我叫[姓名]，电话[手机号]，寄到[地址]'
>>> [(s.kind, s.start, s.end) for s in r.spans]
[('person_name', 2, 5), ('mobile', 8, 21), ('address', 24, 40)]

Scope decisions (rule-based, no model, so that ingestion stays fast):

- mobile: mainland numbers 1[3-9]x, optional +86/86/0086, spaces or dashes in 3-4-4 groups.
  Numbers already masked by a platform (138****5678) and "尾号5678" are left alone.
- landline: area code (010, 02x, 0[3-9]xx) plus a 7-8 digit local number, or a bare local number
  after 电话/座机/固话/tel. 400/800 and 95xxx numbers are company hotlines, not personal data,
  and are kept so that replies stay useful.
- id_card: 18 digits with a valid ISO 7064 MOD 11-2 check digit and a plausible birth date; the
  old 15-digit format is not detected.
- bank_card: 16-19 digits (optionally in groups of four) that pass the Luhn check.
- email: ASCII local part and dotted domain.
- wechat_id: an id that follows a cue (微信/vx/v信/威信/薇信/wx/加微...) and starts with a letter,
  as WeChat ids do, or any ``wxid_`` id. A bare id without a cue cannot be told from an English
  word or a product code and is not detected. A phone number given as a WeChat id is a mobile.
- order_no: an id after 订单号/单号/运单号/快递单号..., or any bare run of 11+ digits that is
  not a phone, ID card or bank card. Letter-prefixed codes without a cue (SF1234567890) and
  numbers after SKU/货号/款号/型号/条码 are product or parcel codes and are kept.
- address: needs a street with a house number (张杨路500号) or an estate/building with unit
  numbers (阳光小区3栋2单元501室); the province/city/district before it is included. After a
  cue (地址/住在/寄到/送到...) two place components suffice (淄博市朱台镇宁王村). A city or
  district alone is not personal data. Store addresses are redacted too: they cannot be told
  apart from a customer's. Addresses written only in Chinese numerals are missed.
- person_name: a common surname plus 1-2 characters after 叫/我是/收件人/联系人/姓名..., a surname
  after 我姓, a surname (or, at a boundary, a full name) before 先生/女士/小姐 and a surname
  before the shop salutations 总/姐/哥 (the title is kept: 王先生 -> [姓名]先生), and a bare
  full name that is one field of a contact block (王秀英 13965001234, 石磊收). Other bare names
  (我朋友周雨也想要) are not detected.

Prices, sizes, dates, times, quantities, heights, weights, coupon amounts and the placeholders
already in the JDDC data ([数字x], [订单x], [地址x], [姓名x]) pass through unchanged.
Offsets always refer to the original text: normalisation (full-width digits and letters) maps
one character to one character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDERS: dict[str, str] = {
    "mobile": "[手机号]",
    "landline": "[电话]",
    "id_card": "[身份证]",
    "bank_card": "[银行卡]",
    "email": "[邮箱]",
    "wechat_id": "[微信号]",
    "order_no": "[订单号]",
    "address": "[地址]",
    "person_name": "[姓名]",
}


@dataclass(frozen=True, slots=True)
class RedactedSpan:
    """One replaced piece of personal data; `start`/`end` index the original text."""

    kind: str
    start: int
    end: int
    placeholder: str


@dataclass(frozen=True, slots=True)
class Redaction:
    """The redacted text and what was replaced, ordered by position."""

    text: str
    spans: tuple[RedactedSpan, ...]


_NORMALISE = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        "＠": "@", "＋": "+", "－": "-", "—": "-", "（": "(", "）": ")", "＃": "#",
        "．": ".", "＿": "_", "\u3000": " ",
    }
)


def _cjk_excluding(chars: str) -> str:
    """A character class of CJK ideographs minus `chars` (re has no set subtraction)."""
    parts, low = [], 0x4E00
    for code in sorted({ord(c) for c in chars}):
        if code > low:
            parts.append(f"\\u{low:04x}-\\u{code - 1:04x}")
        low = code + 1
    parts.append(f"\\u{low:04x}-\\u9fff")
    return "[" + "".join(parts) + "]"


# Function words and verbs that sit right before an address (住在/寄到/改成/位于) but are
# not used in place names; 成 is among them, so 成都 is spelled out.
_PLACE_CHAR = _cjk_excluding("在到是为住址寄送往至去成我你您们的给了有与还也就很又把被让从来说"
                             "要想看位于后面边个这那")
_PLACE = f"(?:成都|{_PLACE_CHAR})"
_ADMIN = rf"(?:{_PLACE}{{1,7}}?(?:自治区|特别行政区|省|市|区|县|旗|街道|镇|乡))"
# 道 only after a direction or numeral (鞍山西道, 海德三道), so 知道/味道 never start a street.
_STREET = rf"(?:{_PLACE}{{1,8}}?(?:大道|大街|路|街|巷|弄|胡同|[东西南北中一二三四五六七八九十]道))"
_HOUSE_NO = (
    r"(?:(?:[一二三四五六七八九十\d]{1,3}段)? ?[甲乙丙丁A-Za-z]?\d{1,5} ?"
    r"(?:号院|号(?![楼院])|弄|支弄))"
)
_ESTATE_END = "小区|花园|公寓|大厦|家园|新村|广场|中心|大楼|大学|学院|校区|医院|苑|城|园|庭|村"
_ESTATE = (
    rf"(?:(?:{_PLACE}|[A-Za-z]){{1,10}}?(?:{_ESTATE_END})(?:{_PLACE}{{0,6}}?(?:{_ESTATE_END}))*)"
)
_BUILDING = r"(?:(?:[A-Za-z]|[A-Za-z]?\d{1,4})(?:号楼|栋|幢|座)(?:\d{3,5}(?![\d号室]))?)"
_UNIT = r"(?:[-#]?[A-Za-z]?\d{1,5}(?:单元|楼|层|室|号(?!楼)|户)|-\d{1,5}(?:-\d{1,5})?)"
_ADDRESS_BODY = (
    rf"{_ADMIN}*(?:{_STREET}{_HOUSE_NO}+{_ESTATE}?{_BUILDING}?{_UNIT}*"
    rf"|{_ESTATE}(?:{_BUILDING}{_UNIT}*|{_UNIT}+)|{_BUILDING}{_UNIT}+)"
)
# Start only where a run of place characters starts (or at a building number): a regex tried at
# every character of a long run costs several times more and finds nothing the run start misses.
_ADDRESS = re.compile(rf"(?:(?<!{_PLACE_CHAR})|(?=[A-Za-z\d])){_ADDRESS_BODY}")
# After an explicit cue two place components are enough (淄博市朱台镇宁王村), numbers or not.
_ADDRESS_CUE = "地址|住址|住在|寄到|送到|发到|寄往|寄至|送至"
_ADDRESS_CUED = re.compile(
    rf"(?:{_ADDRESS_CUE})[\s:：是为在]*(?P<addr>{_ADDRESS_BODY}"
    rf"|(?:{_ADMIN}|{_STREET}|{_ESTATE}){{2,}}{_HOUSE_NO}*{_BUILDING}?{_UNIT}*)"
)

_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(
    r"(?<!\d)(?:\((?:010|02\d|0[3-9]\d\d)\)|(?:010|02\d|0[3-9]\d\d))[- ]?[2-9]\d{2,3}[- ]?\d{4}"
    r"(?:[-转]\d{1,5})?(?!\d)"
    r"|(?i:电话|座机|固话|tel)[\s:：是为]*(?P<local>[2-9]\d{6,7})(?!\d)"
)
_ID_CARD = re.compile(r"(?<!\d)[1-8]\d{5} ?(?:19|20)\d{6} ?\d{3}[\dXx](?![\dA-Za-z])")
_BANK_CARD = re.compile(r"(?<!\d)(?:\d{16,19}|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?)(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_WECHAT = re.compile(
    r"(?i:(?<![a-z])wxid_[a-z0-9_-]{4,30})"
    r"|(?i:微信号?|威信|薇信|v信|(?<![a-z])(?:vx|wx|weixin|wechat)|加微|加v)"
    r"[\s:：]*(?:号)?[\s:：]*(?:是|为)?[\s:：]*(?P<id>[A-Za-z][A-Za-z0-9_-]{5,19})(?![A-Za-z0-9_-])"
)
_ORDER_CUED = re.compile(
    r"(?:订单编号|订单号|运单号|快递单号|物流单号|快递号|单号|订单)[\s:：#]*(?:是|为)?[\s:：#]*"
    r"(?P<id>[A-Za-z]{0,4}\d{6,30})(?![\dA-Za-z])"
)
_LONG_DIGITS = re.compile(
    r"(?P<product>(?i:sku|isbn|货号|款号|商品编号|商品id|型号|条码|编码|id)[\s:：#]*)?"
    r"(?<![\dA-Za-z])(?P<id>\d{11,30})(?![\dA-Za-z])"
)

# Top surnames minus ones that are mostly ordinary words (和 时 全 应 明 路 安 关 向 常 ...).
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛"
    "郝龚邵万钱严覃武戴莫孔汤温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳祝"
    "包宁尚舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝辛靳柴蒙鲍喻祁蒲房滕屈饶牟艾尤穆卓缪褚娄"
    "窦戚岑费卜冷晏席卫柏宗瞿桂佟臧闵邬卞姬栾隋刁巫寇桑郎甄丛仲虞敖巩佘迟邝"
)
_COMPOUND = "欧阳|司马|诸葛|上官|东方|皇甫|尉迟|公孙|慕容|令狐|宇文|长孙|司徒|夏侯|端木"
# Given-name characters exclude particles, shop words and numerals so that 我是黄皮, 我是江苏的
# and 周六 13800138000 stay untouched.
_GIVEN = _cjk_excluding("的了是在我你您他她们这那有和就都也还很吗呢吧啊呀哦哈嘛噢喔好谢请问给"
                        "想要买个件款码色号皮肤领人客天到说过完老收一二三四五六七八九十日末")
_CJK = r"[\u4e00-\u9fff]"
_NAME_END = r"(?=$|[^\u4e00-\u9fff]|电话|手机|联系|地址|身份证|先生|女士|小姐|[呀啊哈哦呢噢喔嘛吧])"
# Everyday words that begin with a surname character and would otherwise pass as names.
_NOT_NAMES = (
    "凌晨|舒服|舒适|高兴|高端|高档|方便|方法|温柔|温暖|蒙牛|马上|黄金|白金|钱包|包包|万一|于是|程序"
)
_SURNAME = rf"(?!{_NOT_NAMES})(?:{_COMPOUND}|[{_SURNAMES}])"
_FULL_NAME = rf"{_SURNAME}{_GIVEN}{{1,2}}"
_NAME_CUED = re.compile(
    r"(?:叫我|叫|我是|本人|收件人|收货人|联系人|寄件人|签收人|姓名|名字)[\s:：]*(?:是|叫)?[\s:：]*"
    rf"(?P<name>{_FULL_NAME}){_NAME_END}|我姓(?P<surname>{_SURNAME})"
)
# 王总/李姐/张哥, but not 总是/总裁, 姐姐 or 哥们.
_SHOP_TITLE = rf"总(?=[您你好]|(?!{_CJK}))|姐(?![姐妹夫])|哥(?![哥们])"
_NAME_TITLED = re.compile(
    rf"(?<!{_CJK})(?P<name>{_FULL_NAME})(?=先生|女士|小姐)"
    # 谢谢姐 and 明白姐 are thanks and assent, not 谢/白 the surname.
    rf"|(?!(?<=谢)谢|(?<=明)白)(?P<surname>{_SURNAME})(?=先生|女士|小姐|{_SHOP_TITLE})"
)
# A bare name as one field of a contact block that holds a long number:
# 王秀英 13965001234 / 石磊收 / ...2345 670，黄丽
_NAME_IN_CONTACT = re.compile(
    rf"(?<!{_CJK})(?P<name>{_FULL_NAME})(?=收(?!{_CJK})|[\s,，、;；]*(?:\+?86)?[\s-]*\d{{7}})"
    rf"|(?<=\d{{3}}[\s,，、;；])(?P<surname>{_FULL_NAME})(?=$|[\s,，。;；!！])"
)

# One cheap scan says which detectors can fire at all; most chat lines hit none of these.
_HINTS = re.compile(
    r"(?P<digit>\d+)|(?P<at>@)|(?P<wide>[０-９Ａ-Ｚａ-ｚ＠])"
    r"|(?P<wechat>微信|威信|薇信|加微|(?i:wxid|weixin|wechat|vx|wx|v信|加v))"
    r"|(?P<name_cue>叫|我是|我姓|本人|件人|货人|系人|收人|姓名|名字)"
    r"|(?P<title>先生|女士|小姐|总|姐|哥)"
    rf"|(?P<place>{_ADDRESS_CUE})"
)
# The first characters of every hint: a single character class scans several times faster.
_HINT_START = re.compile(r"[\d@０-９Ａ-Ｚａ-ｚ＠微威薇加wWvV我叫本件货系收姓名先女小总姐哥"
                         r"地住寄送发]")
_ADDRESS_HINT = re.compile(r"[\dA-Za-z] ?(?:号|弄|栋|幢|座|单元|楼|层|室|户)")

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Lower rank wins an overlap: specific, validated patterns before loose, cue-free ones.
_Candidate = tuple[int, int, int, str]  # (rank, start, end, kind)


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


def _digit_candidates(norm: str, digit_count: int) -> list[_Candidate]:
    """Numeric detectors, skipping those that need more digits than the message has."""
    found: list[_Candidate] = []
    if digit_count >= 6:
        found += [(1, *m.span("id"), "order_no") for m in _ORDER_CUED.finditer(norm)]
        for m in _LANDLINE.finditer(norm):
            found.append((6, *(m.span("local") if m.group("local") else m.span()), "landline"))
    if digit_count >= 11:
        found += _long_number_candidates(norm)
    if _ADDRESS_HINT.search(norm):
        found += [(9, *m.span(), "address") for m in _ADDRESS.finditer(norm)]
    return found


def _long_number_candidates(norm: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    for m in _ID_CARD.finditer(norm):
        if _id_card_valid(m.group().replace(" ", "")):
            found.append((3, *m.span(), "id_card"))
    for m in _BANK_CARD.finditer(norm):
        digits = m.group().replace(" ", "").replace("-", "")
        if len(digits) <= 19 and _luhn_valid(digits):
            found.append((4, *m.span(), "bank_card"))
    found += [(5, *m.span(), "mobile") for m in _MOBILE.finditer(norm)]
    for m in _LONG_DIGITS.finditer(norm):
        # A run of one repeated digit (66666666666) is emphasis, not an id.
        if not m.group("product") and len(set(m.group("id"))) > 1:
            found.append((8, *m.span("id"), "order_no"))
    return found


def _text_candidates(norm: str, hints: set[str | None]) -> list[_Candidate]:
    found: list[_Candidate] = []
    if "at" in hints:
        found += [(0, *m.span(), "email") for m in _EMAIL.finditer(norm)]
    if "wechat" in hints:
        for m in _WECHAT.finditer(norm):
            cued = m.group("id") is not None
            found.append((7 if cued else 2, *m.span("id" if cued else 0), "wechat_id"))
    if "place" in hints:
        found += [(9, *m.span("addr"), "address") for m in _ADDRESS_CUED.finditer(norm)]
    for pattern, hint in ((_NAME_CUED, "name_cue"), (_NAME_TITLED, "title")):
        if hint in hints:
            found += _name_candidates(pattern, norm)
    return found


def _name_candidates(pattern: re.Pattern[str], norm: str) -> list[_Candidate]:
    return [(10, *m.span("name" if m.group("name") else "surname"), "person_name")
            for m in pattern.finditer(norm)]


def _resolve(candidates: list[_Candidate]) -> list[_Candidate]:
    """Keep the best-ranked, then longest, candidates that do not overlap one another."""
    kept: list[_Candidate] = []
    for cand in sorted(candidates, key=lambda c: (c[0], c[1] - c[2], c[1])):
        if all(cand[2] <= k[1] or cand[1] >= k[2] for k in kept):
            kept.append(cand)
    return sorted(kept, key=lambda c: c[1])


def redact(text: str) -> Redaction:
    """Replace personal data in one message; see the module docstring for what counts."""
    found = _scan_hints(text)
    if not found:
        return Redaction(text, ())
    hints = {m.lastgroup for m in found}
    norm = text.translate(_NORMALISE) if "digit" in hints or "wide" in hints else text
    if "wide" in hints:
        found = _scan_hints(norm)
        hints = {m.lastgroup for m in found}
    candidates = _text_candidates(norm, hints)
    digit_count = sum(len(m.group()) for m in found if m.lastgroup == "digit")
    if digit_count:
        candidates += _digit_candidates(norm, digit_count)
    if digit_count >= 7:
        candidates += _name_candidates(_NAME_IN_CONTACT, norm)
    if not candidates:
        return Redaction(text, ())
    return _apply(text, _resolve(candidates))


def _scan_hints(text: str) -> list[re.Match[str]]:
    """Like `_HINTS.finditer`, but only tries positions where a hint can start."""
    found: list[re.Match[str]] = []
    end = 0
    for start in _HINT_START.finditer(text):
        if start.start() >= end and (m := _HINTS.match(text, start.start())):
            found.append(m)
            end = m.end()
    return found


def _apply(text: str, kept: list[_Candidate]) -> Redaction:
    pieces: list[str] = []
    spans: list[RedactedSpan] = []
    cursor = 0
    for _, start, end, kind in kept:
        pieces += [text[cursor:start], PLACEHOLDERS[kind]]
        spans.append(RedactedSpan(kind, start, end, PLACEHOLDERS[kind]))
        cursor = end
    pieces.append(text[cursor:])
    return Redaction("".join(pieces), tuple(spans))
