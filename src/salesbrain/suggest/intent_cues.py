"""Which intent a reply answers, by the words it uses: cheap cues for ranking replies down.

A reply that speaks only of logistics does not answer a size question. Bank replies carry no
intent of their own, so the cues below tell, for the intents with distinctive words, whether a
reply clearly belongs to another intent than the customer's last message. A reply with no cue,
or with a cue of the customer's intent, is not ranked down.

>>> answers_other_intent("快递已经发出了，明天到", "size_fit")
True
>>> answers_other_intent("M码偏大，建议拍S码", "size_fit")
False
>>> answers_other_intent("好的亲", "size_fit")
False
"""

from __future__ import annotations

import re

INTENT_CUES: dict[str, re.Pattern[str]] = {
    "size_fit": re.compile(r"尺码|码数|[SMLX]码|\d+码|偏大|偏小|身高|体重|腰围|胸围|合身|版型"),
    "price_promotion": re.compile(r"优惠|活动|折扣|打折|满减|满\d+减|券|促销|价格|降价|特价|赠品"),
    "stock_availability": re.compile(r"库存|有货|缺货|补货|到货|断码|现货|预售"),
    "logistics": re.compile(r"快递|物流|发货|配送|单号|签收|派送|揽收|顺丰|中通|圆通|韵达"),
    "return_exchange": re.compile(r"退货|退款|换货|退换|售后|七天无理由|寄回|退回"),
    "membership": re.compile(r"会员|积分|生日|等级|权益|礼遇"),
    "store_visit": re.compile(r"门店|到店|店里|营业时间|地址|试穿"),
    "order_payment": re.compile(r"下单|付款|支付|订单|拍下|改地址"),
    "complaint": re.compile(r"抱歉|不好意思|给您带来|投诉|处理"),
}
# Intents whose replies overlap others' words too much to judge by cues.
_LOOSE = {"greeting", "product_inquiry", "purchase_intent", "thanks_closing", "other"}


def cue_intents(text: str) -> set[str]:
    return {intent for intent, cue in INTENT_CUES.items() if cue.search(text)}


def answers_other_intent(reply: str, intent: str | None) -> bool:
    """Whether the reply's cues point only to intents other than `intent`."""
    if intent is None or intent in _LOOSE or intent not in INTENT_CUES:
        return False
    cues = cue_intents(reply)
    return bool(cues) and intent not in cues
