"""Conversation scripts: what customers of each segment come for, and how it ends.

A script walks a customer through a goal (shopping, a store visit, a parcel, a return, a
complaint, membership questions) or answers a guide's outreach, and returns the outcome of the
taxonomy. Orders it causes are placed inside the attribution window of the conversation.
"""

from __future__ import annotations

from collections.abc import Callable

from salesbrain.simulate import catalog, phrasing, replies
from salesbrain.simulate.dialogue import ConversationCut, Dialogue

DAY_MS = 86_400_000
TZ_OFFSET_MS = 8 * 3_600_000
SCENARIOS: dict[str, tuple[tuple[str, ...], tuple[float, ...]]] = {
    "regular": (("shopping", "store", "logistics", "returns", "complaint", "membership",
                 "order_help", "chitchat"), (0.42, 0.10, 0.12, 0.09, 0.05, 0.07, 0.07, 0.08)),
    "new_member": (("shopping", "membership", "store", "order_help", "logistics", "chitchat"),
                   (0.40, 0.25, 0.10, 0.10, 0.07, 0.08)),
    "birthday": (("membership", "shopping", "store", "chitchat"), (0.35, 0.40, 0.12, 0.13)),
    "same_period_last_year": (
        ("shopping", "store", "logistics", "returns", "membership", "complaint", "chitchat"),
        (0.55, 0.12, 0.10, 0.08, 0.05, 0.03, 0.07)),
    "dormant": (("shopping", "membership", "complaint", "returns", "chitchat"),
                (0.40, 0.20, 0.10, 0.10, 0.20)),
}
OUTREACH_REPLY_RATE = {"birthday": 0.55, "same_period_last_year": 0.45, "dormant_recall": 0.15,
                       "new_member_welcome": 0.5, "campaign": 0.35, "proactive": 0.4}
OUTREACH_FOLLOW_UPS = ("{cust}看到了吗？有需要随时找我哦", "亲，有空回复一下哦", "在吗{cust}？")
SIDE_QUESTIONS = ("product_inquiry", "price_promotion", "stock_availability", "size_fit")
Order = tuple[int, int, float, str]  # (ts_ms, customer index, amount, channel)


class Script:
    """Runs one planned conversation on a Dialogue and collects the orders it causes."""

    def __init__(self, dialogue: Dialogue, order_limit_ms: int, start_ms: int) -> None:
        self.d, self.rng = dialogue, dialogue.rng
        self.order_limit_ms = order_limit_ms
        self.start_ms = start_ms  # of the export, to look up the running campaign
        self.orders: list[Order] = []

    def run(self, kind: str, task_kind: str, end_ms: int) -> str:
        try:
            if kind == "inbound":
                names, weights = SCENARIOS[self.d.customer.segment]
                return self._scenario(self.rng.choices(names, weights)[0])()
            if kind == "group":
                return self.group_chat()
            return self.outreach(task_kind)
        except ConversationCut:
            if self.orders:
                return "purchased"
            return "ongoing" if self.d.deadline >= end_ms else "lost"

    # -- helpers -------------------------------------------------------------------------------
    def _scenario(self, name: str) -> Callable[[], str]:
        return {"shopping": self.shopping, "store": self.store, "logistics": self.logistics,
                "returns": self.returns, "complaint": self.complaint,
                "membership": self.membership, "order_help": self.order_help,
                "chitchat": self.chitchat}[name]

    def _say(self, intent: str, bank: tuple[str, ...]) -> list[str]:
        return phrasing.customer_turn(self.rng, intent, self.d.slots, bank)

    def _maybe_greet(self, p: float = 0.45) -> bool:
        if self.rng.random() >= p:
            return True
        if not self.d.exchange("greeting"):
            return False
        self.d.customer_thinks()
        return True

    def _close(self, p: float = 0.7) -> None:
        if self.rng.random() < p:
            self.d.customer_thinks()
            self.d.exchange("thanks_closing")

    def _place_order(self, ts: int, channel: str) -> None:
        day = (ts - self.start_ms) // DAY_MS
        discount = catalog.campaign_on(day).discount
        quantity = self.rng.choices((1, 2, 3), (0.75, 0.2, 0.05))[0]
        amount = float(self.d.slots["price"]) * quantity * discount
        if self.rng.random() < 0.2:
            amount += self.rng.choice(catalog.PRODUCTS).price * discount
        self.orders.append((ts, self.d.customer.index, round(amount, 2), channel))

    # -- customer-initiated ----------------------------------------------------------------------
    def shopping(self, opened: bool = False) -> str:
        d, rng = self.d, self.rng
        if not opened and not self._maybe_greet():
            return "lost"
        tail = [i for i in ("size_fit", "stock_availability", "price_promotion")
                if rng.random() < 0.65]
        rng.shuffle(tail)
        head = ["product_inquiry"] * (rng.random() < 0.35) + ["product_inquiry"]
        steps = (head if not opened or rng.random() < 0.7 else []) + tail
        for intent in steps:
            d.customer_thinks()
            if not d.exchange(intent) or d.customer_leaves():
                return "lost"
            if rng.random() < 0.05:
                d.customer_thinks()
                d.exchange("other")
        return self.decide_sale(0.45)

    def decide_sale(self, base: float) -> str:
        self.d.customer_thinks()
        if self.rng.random() < self.d.p_convert(base):
            return self.visit() if self.rng.random() < 0.33 else self.buy_online()
        return self.decline()

    def decline(self) -> str:
        d, roll = self.d, self.rng.random()
        if roll < 0.35:
            d.exchange("price_promotion", self._say("price_promotion", phrasing.OBJECTIONS))
            d.customer_thinks()
        if roll < 0.8:
            d.customer_turn("thanks_closing", self._say("thanks_closing", phrasing.HESITATIONS))
            if self.rng.random() < 0.5:
                d.guide_answers("thanks_closing")
        return "lost"

    def buy_online(self) -> str:
        d, rng = self.d, self.rng
        if not d.exchange("purchase_intent"):
            return "lost"
        if rng.random() < 0.6:
            d.send_card()
        window = d.order_window(self.order_limit_ms)
        if window is None:
            return "ongoing"
        channel = rng.choices(catalog.ONLINE_CHANNELS, catalog.ONLINE_CHANNEL_WEIGHTS)[0]
        if rng.random() < 0.75:
            d.customer_thinks()
            self._place_order(min(d.t, window[1]), channel)
            if rng.random() < 0.55:
                d.exchange("order_payment", self._say("order_payment", phrasing.ORDER_FOLLOW_UPS))
            else:
                d.guide_waits()
                d.guide_text(rng.choice(replies.ORDER_CONFIRMATIONS))
        else:
            later = rng.randint(min(window[0] + 3_600_000, window[1]), window[1])
            self._place_order(later, channel)
        self._close(0.6)
        d.maybe_redpacket()
        return "purchased"

    def visit(self) -> str:
        d, rng = self.d, self.rng
        if not d.exchange("store_visit", self._say("store_visit", phrasing.VISIT_BOOKINGS)):
            return "lost"
        if d.last_tier == replies.PLAIN and rng.random() < 0.5:
            d.later(5, 60)
            d.guide_text(rng.choice(replies.VISIT_CONFIRMATIONS).format_map(d.slots))
        self._close(0.5)
        window = d.order_window(self.order_limit_ms)
        if window and rng.random() < 0.45 + 0.35 * d.guide.skills["persuasion"]:
            visit = window[0] + rng.randint(1, 4) * DAY_MS
            visit -= (visit + TZ_OFFSET_MS) % DAY_MS - rng.randint(11 * 3_600_000, 21 * 3_600_000)
            if window[0] < visit <= window[1]:
                self._place_order(visit, "store")
                return "purchased"
        return "store_visit"

    def store(self) -> str:
        if not self._maybe_greet(0.3) or not self.d.exchange("store_visit"):
            return "lost"
        if self.rng.random() < 0.5:
            self.d.customer_thinks()
            self.d.exchange(self.rng.choice(("store_visit", "stock_availability", "size_fit")))
        if self.rng.random() < self.d.p_convert(0.6):
            self.d.customer_thinks()
            return self.visit()
        self._close()
        return "resolved"

    def logistics(self) -> str:
        return self._service("logistics", "logistics", 0.08, 0.3)

    def returns(self) -> str:
        return self._service("return_exchange", "return_exchange", 0.12, 0.35)

    def order_help(self) -> str:
        return self._service("order_payment", "order_payment", 0.03, 0.1)

    def _service(self, intent: str, follow_up: str, angry_good: float, angry_plain: float) -> str:
        d = self.d
        if not self._maybe_greet(0.3) or not d.exchange(intent):
            return self.complaint() if self.rng.random() < 0.5 else "lost"
        if self.rng.random() < 0.4:
            d.customer_thinks()
            if not d.exchange(self.rng.choice((intent, follow_up))):
                return "lost"
        angry = angry_good if d.last_tier == replies.GOOD else angry_plain
        if self.rng.random() < angry:
            return self.complaint()
        self._close(0.75)
        return "resolved"

    def complaint(self) -> str:
        d = self.d
        for _ in range(3):
            d.customer_thinks()
            answered = d.exchange("complaint")
            if answered and d.last_tier == replies.GOOD and self.rng.random() < 0.8:
                self._close(0.8)
                return "resolved"
            if not answered and self.rng.random() < 0.5:
                break
        return "complaint_open"

    def membership(self) -> str:
        if not self._maybe_greet(0.35) or not self.d.exchange("membership"):
            return "lost"
        if self.rng.random() < 0.35:
            self.d.customer_thinks()
            if not self.d.exchange("membership"):
                return "lost"
        if self.rng.random() < 0.3:
            return self.shopping(opened=True)
        self._close()
        return "resolved"

    def chitchat(self) -> str:
        if not self.d.exchange("greeting"):
            return "lost"
        self.d.customer_thinks()
        self.d.exchange("other")
        if self.rng.random() < 0.3:
            return self.shopping(opened=True)
        self._close(0.4)
        return "resolved"

    # -- guide-initiated ------------------------------------------------------------------------
    def outreach(self, kind: str) -> str:
        d, rng = self.d, self.rng
        tier = d.tier()
        d.guide_text(replies.outreach_opener(rng, kind, tier, d.slots))
        if kind in ("campaign", "same_period_last_year", "proactive") and rng.random() < (
                0.5 if tier == replies.GOOD else 0.15):
            d.send_card()
        if kind == "birthday":
            d.maybe_redpacket()
        if d.violation_kind and rng.random() < 0.4:
            d.commit_violation()
        if rng.random() >= OUTREACH_REPLY_RATE[kind] * (1.25 if tier == replies.GOOD else 0.8):
            if rng.random() < 0.25:
                d.later(1800, 5400)
                d.guide_text(rng.choice(OUTREACH_FOLLOW_UPS).format_map(d.slots))
            return "no_reply"
        d.t += int(min(6000.0, rng.lognormvariate(6.4, 1.0)) * 1000)
        return self._answer_outreach(kind)

    def _answer_outreach(self, kind: str) -> str:
        d, rng = self.d, self.rng
        if kind in ("campaign", "same_period_last_year", "proactive"):
            return self.shopping(opened=True)
        thanks = self._say("thanks_closing", phrasing.OUTREACH_ACKS)
        acknowledged = d.exchange("thanks_closing", thanks)
        if kind == "dormant_recall":
            return self.shopping(opened=True) if rng.random() < 0.5 else "lost"
        if rng.random() < 0.6:
            d.customer_thinks()
            acknowledged = d.exchange("membership")
        if kind == "birthday":
            return self.decide_sale(0.35)
        if rng.random() < 0.4:
            return self.shopping(opened=True)
        return "resolved" if acknowledged else "lost"

    def group_chat(self) -> str:
        d, rng = self.d, self.rng
        d.guide_text(rng.choice(replies.GROUP_OPENERS[d.tier()]).format_map(d.slots))
        d.send_card()
        asked = answered = 0
        for member in d.members:
            if rng.random() < 0.35:
                d.later(30, 1800)
                intent = rng.choice(SIDE_QUESTIONS)
                d.customer_turn(intent, who=member)
                asked += 1
                answered += d.guide_answers(intent)
        if not asked:
            return "no_reply"
        return "resolved" if answered == asked else "lost"
