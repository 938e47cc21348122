"""Word detectors of the redactor: e-mail, WeChat ids, contact ids, addresses and names.

They run on the half-width text (one character per original character, so their spans are
original offsets). Candidates are ``(rank, start, end, kind)`` as in `redact_numbers`.
"""

from __future__ import annotations

import re

from salesbrain.contact_cues import WECHAT, cue_spellings
from salesbrain.ingest.redact_names import cjk_excluding, name_candidates
from salesbrain.ingest.redact_numbers import RANK, Candidate

# Function words and verbs that sit right before an address (住在/寄到/改成/位于) but are
# not used in place names; 成 is among them, so 成都 is spelled out.
_PLACE_CHAR = cjk_excluding("在到是为住址寄送往至去成我你您们的给了有与还也就很又把被让从来说"
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
    rf"(?:(?:{_PLACE}|[A-Za-z]){{1,10}}?(?:{_ESTATE_END})"
    # a phase or block of the estate: 翠苑一区, 万科城二期
    rf"(?:{_PLACE}{{0,6}}?(?:{_ESTATE_END})|[一二三四五六七八九十\d]{{1,2}}[区期])*)"
)
_BUILDING = (
    r"(?:(?:[A-Za-z]|[A-Za-z]?\d{1,4}|[东西南北中])(?:号楼|栋|幢|座) ?(?:\d{3,5}(?![\d号室]))?)"
)
# What follows the street or compound down to the door: 2单元, 501室, 27F, 5-402, 3-2-501, 12舍,
# B1203, or a bare room number after a building (南座 3801). A bare number is not followed by a
# unit of something else (元, 件, 码, 斤 ...), so "张杨路500号 2件" keeps its quantity.
_UNIT = (
    r"(?: ?(?:[-#]?[A-Za-z]?\d{1,5}(?:单元|楼|层|室|号(?!楼)|户|舍)|-\d{1,5}(?:-\d{1,5})?"
    r"|\d{1,3}[Ff](?![A-Za-z])|\d{1,4}(?:-\d{1,5}){1,2}(?![\d-])"
    r"|[A-Za-z]\d{3,4}(?![\dA-Za-z])|\d{3,5}(?![\d元块件个码号位斤%.年月日天折岁cmkg])))"
)
_ADDRESS_BODY = (
    rf"{_ADMIN}*(?:{_STREET}{_HOUSE_NO}+{_ESTATE}?{_BUILDING}?{_UNIT}*"
    rf"|{_ESTATE}(?:{_BUILDING}{_UNIT}*|{_UNIT}+)|{_BUILDING}{_UNIT}+)"
)
# Start only where a run of place characters starts (or at a building number): a regex tried at
# every character of a long run costs several times more and finds nothing the run start misses.
_ADDRESS = re.compile(rf"(?:(?<!{_PLACE_CHAR})|(?=[A-Za-z\d])){_ADDRESS_BODY}")
# After an explicit cue two place components are enough (淄博市朱台镇宁王村), numbers or not.
ADDRESS_CUE = "地址|住址|住在|寄到|送到|发到|寄往|寄至|送至"
_ADDRESS_CUED = re.compile(
    rf"(?:{ADDRESS_CUE})[\s:：是为在]*(?P<addr>{_ADDRESS_BODY}"
    rf"|(?:{_ADMIN}|{_STREET}|{_ESTATE}){{2,}}{_HOUSE_NO}*{_BUILDING}?{_UNIT}*)"
)
# What an older redactor left after its placeholder ([地址]5-402, [地址]一区27F): the stored text
# no longer holds the street, so the rest of the address is recognised by the placeholder.
_ADDRESS_REST = re.compile(
    rf"\[地址\](?:{_ESTATE}?(?:{_BUILDING}|{_UNIT}|[一二三四五六七八九十\d]{{1,2}}[区期])+)"
)
ADDRESS_HINT = re.compile(r"[\dA-Za-z] ?(?:号|弄|栋|幢|座|单元|楼|层|室|户|舍|[Ff]|-\d)"
                          r"|[东西南北中]座")

_EMAIL = re.compile(
    r"[A-Za-z0-9][A-Za-z0-9._%+-]*\s?@\s?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# An address spelled out so that filters miss it: name艾特163.com, x at qq dot com,
# name(at)sina.com, name[at]126点com. The domain ends in a common top-level domain; after a
# plain English " at " (look at this dot com) it must also be a mail provider's.
_DOT = r"(?:\.|点|\s?\((?i:dot)\)\s?|\s(?i:dot)\s)"
_EMAIL_SPELLED = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*"
    r"\s?(?:艾特|圈a|\((?i:at)\)|\[(?i:at)\]|(?P<word>\s(?i:at)\s))\s?"
    rf"(?P<domain>[A-Za-z0-9-]+)(?:{_DOT}[A-Za-z0-9-]+)*?{_DOT}(?i:com|cn|net|org|edu|hk)"
    r"(?![A-Za-z])"
)
_MAIL_PROVIDERS = frozenset({
    "qq", "163", "126", "139", "189", "sina", "sohu", "foxmail", "yeah", "gmail", "hotmail",
    "outlook", "live", "yahoo", "icloud", "aliyun"})
EMAIL_HINT_WORDS = ("@", "艾特", "圈a")  # the rest: `spelled_at`, a plain substring test


def spelled_at(norm: str) -> bool:
    """Whether `norm` may spell an @ in English (x at qq dot com, x(at)sina.com): a substring
    test, cheaper than adding a word that starts with a space to the hint gate."""
    return "at" in norm or "AT" in norm or "At" in norm


def _wechat_cue() -> str:
    """Every spelling of 微信 from the shared list, plus 加V / ➕V / +v and a bare V: before
    a separator, 是 or 我 (V: amy_2023, v是 jiajia-sh, 有事v我 amy_zhang77)."""
    spellings = sorted(cue_spellings(WECHAT), key=len, reverse=True)
    latin = [re.escape(s) for s in spellings if s.isascii()]
    other = [re.escape(s) for s in spellings if not s.isascii()]
    add = "[加伽+➕]"
    return (rf"(?:{'|'.join(other)})(?:号)?|(?<![a-z])(?:{'|'.join(latin)})"
            rf"|{add} ?(?:[微威薇徽]|v(?![a-z]))|(?<![a-z0-9])v(?=[\s:：是我]|-[a-z])")


# Slang for WeChat that also means something else (卫星 "satellite", 绿色软件 "the green app"):
# a cue only before an id that looks made for an account (letters with an underscore or digits).
_WECHAT_SLANG = ("卫星", "绿色软件", "绿色app", "绿软")
# Any of these may start a WeChat cue: the gate in `redact` looks for them before the pattern.
# (the gate also tries each word in capitals and capitalised; WeChat is written camel-case)
WECHAT_HINT_WORDS = (*sorted(cue_spellings(WECHAT)), *_WECHAT_SLANG, "WeChat", "wxid", "v",
                     "加微", "加薇", "加威", "伽微")
# An account-like id: starts with a letter, joins parts with _ or - or carries two digits.
_ACCOUNT_ID = (r"[A-Za-z](?=[A-Za-z0-9]*[_-]|(?:[A-Za-z_-]*\d){2})[A-Za-z0-9_-]{5,19}"
               r"(?![A-Za-z0-9_-])")
# The id further from its cue: after the WeChat name or a phone number (微信名叫小熊软糖，号是
# xiongruantang_1; wx同手机号186...，或者fengfeng_88), after slang (卫星haohao_0731), or before
# the cue (runner_hao是我V).
_WECHAT_LOOSE = tuple(re.compile(pattern) for pattern in (
    rf"(?i:{_wechat_cue()})[^A-Za-z\n]{{0,24}}?(?:号是|号为|id是|或者|或是)[\s:：]*(?P<id>{_ACCOUNT_ID})",
    rf"(?:{'|'.join(_WECHAT_SLANG)})(?:号)?[\s:：]*(?:是|加)?[\s:：]*(?P<id>{_ACCOUNT_ID})",
    rf"(?<![A-Za-z0-9_-])(?P<id>{_ACCOUNT_ID})\s*就?是我的?(?:(?i:{_wechat_cue()})|[Vv](?![A-Za-z]))",
))
# Substring tests that rule each loose pattern out on most lines before it runs.
_WECHAT_LOOSE_GATES = (
    lambda norm: "号" in norm or "或" in norm or "id" in norm,
    lambda norm: any(slang in norm for slang in _WECHAT_SLANG),
    lambda norm: "是我" in norm,
)
_WECHAT = re.compile(
    r"(?i:(?<![a-z])wxid_[a-z0-9_-]{4,30})"
    # the cue may close a sentence first: 加我微信吧 amy_2023, 绿泡泡聊吧，amy_2023, V-amy_2023
    rf"|(?i:{_wechat_cue()})\ufe0f?(?:搜索|搜|号)?(?:聊|联系)?(?:吧|呀|哈|哦)?[\s:：,，-]*(?:号)?[\s:：]*"
    r"(?:是|为|我)?[\s:：]*"
    r"(?P<id>[A-Za-z][A-Za-z0-9_-]{5,19}(?![A-Za-z0-9_-])"
    # an id typed one character at a time: l i n d a 0 6 2 1
    r"|[A-Za-z](?: [A-Za-z0-9_-]){5,19}(?![A-Za-z0-9_-]))"
    # a V glued to the id (Vkeke_0618, 加Vzjy-guomao01, ➕VChloe_0101): the id joins words or
    # digits with _ or -, and does not open with a capitalised abbreviation, so Vivian, V领 or
    # VIP-2024 never read as one
    r"|(?<![A-Za-z0-9])(?:[加伽+➕] ?)?[Vv](?![A-Z]{2,}[_-])"
    r"(?P<glued>[A-Za-z][A-Za-z0-9]*[_-][A-Za-z0-9_-]{2,18})"
    r"(?![A-Za-z0-9_-])"
)
_HOLDS_PHONE = re.compile(r"1[3-9]\d{9}")
# An id-like token (letters and at least three digits, or letters joined by an underscore) after
# a contact cue, also to a second account (加我小号 amy_2); no telling which app.
CONTACT_CUE = "联系方式|联系我|加我|找我|账号|小红书号|抖音号|ins|ig"
_CONTACT_ID = re.compile(
    rf"(?i:{CONTACT_CUE})(?:小号|大号|新号)?[\s:：]*(?:是|为)?[\s:：]*"
    r"(?P<id>(?=[A-Za-z0-9_.-]*[A-Za-z])(?=(?:[A-Za-z_.-]*\d){3}|[A-Za-z0-9]+_[A-Za-z0-9])"
    r"[A-Za-z0-9][A-Za-z0-9_.-]{5,19})"
    r"(?![A-Za-z0-9_.-])"
)


def email_candidates(norm: str) -> list[Candidate]:
    found = [(RANK["email"], *m.span(), "email") for m in _EMAIL.finditer(norm)]
    return found + [(RANK["email"], *m.span(), "email") for m in _EMAIL_SPELLED.finditer(norm)
                    if not m.group("word") or m.group("domain").lower() in _MAIL_PROVIDERS]


def wechat_candidates(norm: str) -> list[Candidate]:
    found: list[Candidate] = []
    for m in _WECHAT.finditer(norm):
        cued = m.group("id") is not None or m.group("glued") is not None
        # an id that holds a phone number (a13651829907) is one id, not a letter and a mobile
        rank = RANK["wechat_cued" if cued and not _HOLDS_PHONE.search(m.group()) else "wxid"]
        found.append((rank, *m.span(("id" if m.group("id") else "glued") if cued else 0),
                      "wechat_id"))
    found += [(RANK["wechat_cued"], *m.span("id"), "wechat_id")
              for gate, pattern in zip(_WECHAT_LOOSE_GATES, _WECHAT_LOOSE, strict=True)
              if gate(norm) for m in pattern.finditer(norm)]
    return found


def contact_id_candidates(norm: str) -> list[Candidate]:
    return [(RANK["number"], *m.span("id"), "number") for m in _CONTACT_ID.finditer(norm)]


# A shop's floor in a mall (国贸商城B1层, 万达广场3楼, 万象城L3层325号铺, 太古里北区2层) is a
# public place where customers meet the guide, not where anyone lives: a mall name and a floor
# (and a shop number) with no street, building or room is not redacted as an address.
_SHOP_FLOOR = re.compile(
    r"[\u4e00-\u9fffA-Za-z]{0,6}?(?:商城|广场|购物中心|大悦城|万象城|太古里|商场|百货|奥莱|天地)"
    r"[东西南北中]?区?(?:\s?(?:[BLF]\d{1,2}|\d{1,2}[Ff]|[BL]?\d{1,2}[楼层]))+(?:\d{1,4}号)?")
_NOT_SHOP_FLOOR = re.compile(r"[路街道巷弄栋幢座单元室]")


def shop_floor(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is only a mall, its floor and a shop number (see above)."""
    return (_SHOP_FLOOR.fullmatch(text, start, end) is not None
            and _NOT_SHOP_FLOOR.search(text, start, end) is None)


def address_candidates(norm: str, cued: bool) -> list[Candidate]:
    found: list[Candidate] = []
    if cued:
        found += [(RANK["address"], *m.span("addr"), "address")
                  for m in _ADDRESS_CUED.finditer(norm)]
    if ADDRESS_HINT.search(norm):
        found += [(RANK["address"], *m.span(), "address") for m in _ADDRESS.finditer(norm)]
    if "[地址]" in norm:
        found += [(RANK["address"], *m.span(), "address") for m in _ADDRESS_REST.finditer(norm)]
    return [c for c in found if not shop_floor(norm, c[1], c[2])]


__all__ = ["address_candidates", "shop_floor", "contact_id_candidates", "email_candidates",
           "name_candidates", "wechat_candidates"]
