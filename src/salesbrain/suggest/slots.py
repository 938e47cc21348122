"""Slots in bank replies: placeholders filled from what the conversation already said.

A bank reply may carry `{customer_name}`, `{product}`, `{size}`, `{price}` or `{coupon}`. The
value is the most recent mention in the conversation; a reply whose slot has no value is not
suggested (a guide must never be handed a made-up price), except the customer's name, which
falls back to the polite "亲" used in Chinese shop chat.

>>> from salesbrain.schema import Role, Turn
>>> turns = (Turn(Role.CUSTOMER, "这件连衣裙有M码吗，299元能用满300减50吗"),)
>>> fill_slots("{product}有{size}码的，用{coupon}更划算", extract_slots(turns))
'连衣裙有M码的，用满300减50更划算'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from salesbrain.schema import Role, Turn

SLOTS: tuple[str, ...] = ("customer_name", "product", "size", "price", "coupon")
# The names managers write in scripts (话术库); either spelling fills the same slot.
SLOT_LABELS: dict[str, str] = {"customer_name": "姓名", "product": "商品", "size": "尺码",
                               "price": "价格", "coupon": "优惠券"}
_SLOT_OF_LABEL = {label: slot for slot, label in SLOT_LABELS.items()}
NAME_FALLBACK = "亲"
_SLOT = re.compile(r"\{(" + "|".join((*SLOTS, *SLOT_LABELS.values())) + r")\}")

# Redaction and data-set placeholders that stand for a slot value.
PLACEHOLDER_SLOTS: dict[str, str] = {
    "[姓名]": "{customer_name}", "[姓名x]": "{customer_name}", "[金额x]": "{price}",
}

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_CATEGORIES = (
    "连衣裙|半身裙|衬衫|衬衣|T恤|卫衣|毛衣|针织衫|外套|夹克|风衣|大衣|羽绒服|西装|牛仔裤|休闲裤|"
    "阔腿裤|短裤|裤子|裙子|运动鞋|高跟鞋|凉鞋|靴子|板鞋|鞋子|包包|手提包|双肩包|钱包|面霜|"
    "精华液|精华|乳液|爽肤水|面膜|口红|粉底液|防晒霜|洗面奶|香水|眼霜|项链|手链|耳环|戒指|手表|"
    "帽子|围巾|袜子|内衣|睡衣|手机|耳机|充电器|数据线"
)
_PATTERNS: dict[str, re.Pattern[str]] = {
    "size": re.compile(
        r"(?<![A-Za-z])(XXXL|XXL|XL|XS|[SML])(?![A-Za-z])|(\d{2,3}/\d{2,3}[AB]?)|(\d{2,3}(?=码))"
        r"|(均码|大码|小码)"
    ),
    "price": re.compile(r"[¥￥]\s*(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:元|块)(?!券|优惠券)"),
    "coupon": re.compile(r"(满\d+减\d+|\d+元(?:优惠)?券|\d+-\d+(?:元)?(?:优惠)?券)"),
    "product": re.compile(
        r"((?:[黑白红蓝绿黄粉紫灰棕米卡其]色)?(?:" + _CATEGORIES + r"))"
    ),
}
_GUIDE_NAME = re.compile(r"([" + _SURNAMES + r"](?:先生|女士|小姐|姐|哥))")


def slots_in(text: str) -> set[str]:
    return {_SLOT_OF_LABEL.get(name, name) for name in _SLOT.findall(text)}


def labelled_slots(template: str) -> str:
    """The template with each slot under the name managers read ("{size}" -> "{尺码}")."""
    return _SLOT.sub(lambda m: "{" + SLOT_LABELS.get(m.group(1), m.group(1)) + "}", template)


_GENERALISED = ("coupon", "price", "size", "product")  # coupon first: it holds a price


def generalise_slots(text: str) -> str:
    """A sent reply as a template: names, coupons, prices, sizes and products become slots.

    >>> generalise_slots("[姓名]女士，这件连衣裙M码299元，可用满300减50")
    '{姓名}，这件{商品}{尺码}码{价格}，可用{优惠券}'
    """
    text = to_slot_template(text)
    for slot in _GENERALISED:
        text = _PATTERNS[slot].sub("{" + slot + "}", text)
    text = _GUIDE_NAME.sub("{customer_name}", text)
    return labelled_slots(text)


# Redaction keeps the title after a name ("王先生" -> "[姓名]先生"); the slot takes the title
# with it, since its value is itself a form of address ("李姐", or the fallback "亲").
_NAME_TITLE = re.compile(r"\{customer_name\}(?:先生|女士|小姐|姐姐|哥哥|总|姐|哥)")


def to_slot_template(text: str) -> str:
    """Rewrite redaction placeholders that name a slot value into the bank's slot syntax.

    >>> to_slot_template("[姓名]先生您好，[金额x]已退回")
    '{customer_name}您好，{price}已退回'
    """
    for placeholder, slot in PLACEHOLDER_SLOTS.items():
        text = text.replace(placeholder, slot)
    return _NAME_TITLE.sub("{customer_name}", text)


def _first_group(match: re.Match[str]) -> str:
    return next(g for g in match.groups() if g)


def _last_mention(turns: Sequence[Turn], pattern: re.Pattern[str]) -> str | None:
    for turn in reversed(turns):
        matches = list(pattern.finditer(turn.text))
        if matches:
            return _first_group(matches[-1])
    return None


def extract_slots(turns: Sequence[Turn]) -> dict[str, str]:
    """Slot values mentioned in the conversation, the most recent mention winning."""
    values: dict[str, str] = {}
    for slot, pattern in _PATTERNS.items():
        value = _last_mention(turns, pattern)
        if value is not None:
            values[slot] = value + ("元" if slot == "price" else "")
    guide_turns = [t for t in turns if t.role is Role.GUIDE]
    name = _last_mention(guide_turns, _GUIDE_NAME)
    if name is not None:
        values["customer_name"] = name
    return values


def fill_slots(template: str, values: dict[str, str]) -> str | None:
    """The reply with every slot filled, or None when a slot other than the name is unknown."""
    missing = slots_in(template) - set(values) - {"customer_name"}
    if missing:
        return None
    merged = {"customer_name": NAME_FALLBACK, **values}
    return _SLOT.sub(lambda m: merged[_SLOT_OF_LABEL.get(m.group(1), m.group(1))], template)
