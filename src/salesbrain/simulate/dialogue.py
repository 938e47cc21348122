"""The mechanics of one conversation: who says what when, and how a guide's skills show.

Scenario scripts (conversations.py) call `exchange(intent)` and friends; this class turns that
into archive records with realistic timing and keeps the ground truth beside them.
- speed: the guide's reply latency (log-normal around a median set by the skill, < 90 min);
- coverage: whether a customer turn gets any answer at all;
- persuasion and talent: champion-tier replies (specific, warm, cards and photos) vs plain ones,
  and the conversion odds of the conversation;
- compliance: whether a violation slips into the chat.
"""

from __future__ import annotations

import math
import random

from salesbrain.simulate import phrasing, records, replies
from salesbrain.simulate.brand import Customer, Guide
from salesbrain.simulate.records import MsgIds, Record
from salesbrain.simulate.slots import Slots

ATTRIBUTION_MS = 7 * 86_400_000
MEDIA_INTENTS = frozenset({"product_inquiry", "return_exchange", "complaint", "stock_availability"})
CARD_INTENTS = frozenset({"product_inquiry", "stock_availability", "purchase_intent",
                          "price_promotion"})
PHOTO_INTENTS = frozenset({"product_inquiry", "stock_availability", "size_fit"})
VIOLATION_TRIGGERS = CARD_INTENTS | {"size_fit"}
QUIET_INTENTS = frozenset({"thanks_closing", "other"})  # nobody chases an unanswered "ok"
VIOLATION_KINDS = ("off_platform", "off_campaign_discount", "pressure", "customer_data")
VIOLATION_WEIGHTS = (0.45, 0.3, 0.2, 0.05)


class ConversationCut(Exception):
    """The conversation reached its deadline: the next session or the end of the export."""


class Dialogue:
    """One conversation being written: records in time order plus their ground truth."""

    def __init__(self, rng: random.Random, ids: MsgIds, guide: Guide, members: list[Customer],
                 roomid: str, start_ms: int, deadline_ms: int, slots: Slots) -> None:
        self.rng, self.ids, self.guide, self.slots = rng, ids, guide, slots
        self.members, self.customer, self.roomid = members, members[0], roomid
        self.t, self.deadline = start_ms, deadline_ms
        self._people = [guide.guide_id] + [m.customer_id for m in members]
        self._latency_mu = math.log(guide.reply_median_s)
        self.records: list[Record] = []
        self.customer_texts: list[tuple[str, str]] = []  # (msgid, intent)
        self.violations: list[tuple[str, str]] = []  # (msgid, kind)
        self.intents: list[str] = []
        self.first_msgid = self.last_msgid = ""
        self.first_touch: int | None = None
        self.last_touch: int | None = None
        self.missed = self.replies = self.good = 0
        self._used_replies: set[str] = set()
        self.last_tier = ""  # tier of the guide's latest answer, "" when the turn went unanswered
        self.violation_kind = (rng.choices(VIOLATION_KINDS, VIOLATION_WEIGHTS)[0]
                               if rng.random() < guide.p_violation else "")

    # -- records -------------------------------------------------------------------------------
    def emit(self, sender: str, msgtype: str, payload: dict, action: str = "send") -> str:
        if self.t > self.deadline:
            raise ConversationCut
        msgid = self.ids.next(self.t)
        receivers = [p for p in self._people if p != sender]
        self.records.append(records.record(msgid, sender, receivers, self.roomid, self.t,
                                           msgtype, payload, action))
        if msgtype != "revoke":
            self.first_msgid = self.first_msgid or msgid
            self.last_msgid = msgid
        if sender == self.guide.guide_id:
            self.first_touch = self.first_touch or self.t
            self.last_touch = self.t
        return msgid

    def later(self, lo_s: float, hi_s: float) -> None:
        self.t += self.rng.randint(int(lo_s * 1000), int(hi_s * 1000))

    # -- customer side -------------------------------------------------------------------------
    def customer_turn(self, intent: str, texts: list[str] | None = None,
                      who: Customer | None = None) -> None:
        """A turn of 1-3 messages; sometimes a photo or a recalled-and-resent message."""
        who = who or self.customer
        if texts is None:
            bank = phrasing.SIZE_FIT[self.slots.size_system] if intent == "size_fit" else None
            texts = phrasing.customer_turn(self.rng, intent, self.slots, bank)
        for i, text in enumerate(texts):
            if i:
                self.later(2, 25)
            self.customer_text(intent, text, who)
        if intent in MEDIA_INTENTS and self.rng.random() < 0.1:
            self.later(3, 40)
            self.emit(who.customer_id, "image", records.image(self.rng))
        elif self.rng.random() < 0.01:
            self.later(3, 40)
            self.emit(who.customer_id, "voice", records.voice(self.rng))

    def customer_text(self, intent: str, text: str, who: Customer | None = None) -> None:
        sender = (who or self.customer).customer_id
        if intent in MEDIA_INTENTS and self.rng.random() < 0.04:
            msgid = self.emit(sender, "mixed", records.mixed(self.rng, text))
        else:
            msgid = self.emit(sender, "text", {"content": text})
        self._label(msgid, intent)
        if self.rng.random() < 0.02:
            self.later(3, 60)
            self.emit(sender, "revoke", {"pre_msgid": msgid}, action="recall")
            self.later(4, 30)
            self._label(self.emit(sender, "text", {"content": text}), intent)

    def _label(self, msgid: str, intent: str) -> None:
        self.customer_texts.append((msgid, intent))
        if intent not in self.intents:
            self.intents.append(intent)

    def customer_thinks(self) -> None:
        seconds = min(3600.0, max(3.0, self.rng.lognormvariate(3.8, 1.0)))
        self.t += int(seconds * 1000)

    def customer_leaves(self) -> bool:
        """Plain answers lose customers mid-way more often than warm, specific ones."""
        return self.rng.random() < 0.04 + 0.1 * (1.0 - self.good_share)

    # -- guide side ----------------------------------------------------------------------------
    def guide_waits(self) -> int:
        seconds = min(5400.0, max(4.0, self.rng.lognormvariate(self._latency_mu, 0.9)))
        self.t += int(seconds * 1000)
        return int(seconds)

    def guide_text(self, text: str) -> str:
        return self.emit(self.guide.guide_id, "text", {"content": text})

    def tier(self) -> str:
        return replies.GOOD if self.rng.random() < self.guide.p_good_reply else replies.PLAIN

    def guide_answers(self, intent: str) -> bool:
        """The guide's reply to the last customer turn, or nothing (a coverage miss)."""
        if self.rng.random() >= self.guide.p_answer:
            self.missed += 1
            self.last_tier = ""
            return False
        waited = self.guide_waits()
        tier = self.last_tier = self.tier()
        text = replies.guide_reply(self.rng, intent, tier, self.slots, self._used_replies,
                                   self.slots.size_system)
        if tier == replies.GOOD and waited > 1200:
            text = self.rng.choice(replies.LATE_PREFIXES) + text
        self.guide_text(text)
        self.replies += 1
        self.good += tier == replies.GOOD
        self._reply_extras(intent, tier)
        if self.violation_kind and intent in VIOLATION_TRIGGERS:
            self.commit_violation()
        return True

    def _reply_extras(self, intent: str, tier: str) -> None:
        good = tier == replies.GOOD
        if intent in CARD_INTENTS and self.rng.random() < (0.45 if good else 0.1):
            self.send_card()
        elif intent in PHOTO_INTENTS and self.rng.random() < (0.2 if good else 0.03):
            self.later(5, 40)
            self.emit(self.guide.guide_id, "image", records.image(self.rng))
        elif self.rng.random() < 0.03:
            self.later(2, 20)
            self.emit(self.guide.guide_id, "emotion", records.emotion(self.rng))

    def send_card(self) -> None:
        self.later(5, 60)
        product, guide_id = self.slots["product"], self.guide.guide_id
        if self.rng.random() < 0.4:
            self.emit(guide_id, "link", records.link(self.rng, product, self.slots["colour"],
                                                     guide_id))
        else:
            self.emit(guide_id, "weapp", records.weapp(self.rng, product))

    def commit_violation(self) -> None:
        kind, self.violation_kind = self.violation_kind, ""
        self.later(10, 120)
        msgid = self.guide_text(replies.violation(self.rng, kind, self.slots))
        self.violations.append((msgid, kind))
        if self.rng.random() < 0.25:
            self.later(10, 90)
            self.emit(self.guide.guide_id, "revoke", {"pre_msgid": msgid}, action="recall")

    def maybe_redpacket(self) -> None:
        if self.rng.random() < 0.004 + 0.04 * (1.0 - self.guide.skills["compliance"]):
            self.later(10, 300)
            msgtype = "redpacket" if self.rng.random() < 0.7 else "external_redpacket"
            wish = self.rng.choice(replies.REDPACKET_WISHES)
            self.emit(self.guide.guide_id, msgtype, records.redpacket(self.rng, wish))

    # -- turns -----------------------------------------------------------------------------------
    def exchange(self, intent: str, texts: list[str] | None = None) -> bool:
        """Customer turn, then the guide's answer; an unanswered customer may nudge once."""
        self.customer_turn(intent, texts)
        if self.guide_answers(intent):
            if self.rng.random() < 0.04:
                self.later(3, 60)
                self.emit(self.customer.customer_id, "emotion", records.emotion(self.rng))
            return True
        if intent not in QUIET_INTENTS and self.rng.random() < 0.65:
            self.later(180, 3000)
            nudge_intent, template = self.rng.choice(phrasing.NUDGES)
            text = phrasing.decorate(self.rng, template.format_map(self.slots), nudge_intent)
            self.customer_text(nudge_intent, text)
            return self.guide_answers(intent)
        return False

    @property
    def good_share(self) -> float:
        return self.good / self.replies if self.replies else 0.0

    def p_convert(self, base: float) -> float:
        persuasion = self.guide.skills["persuasion"]
        p = base * (0.3 + 1.2 * persuasion) * (0.75 + 0.5 * self.good_share) * 0.75 ** self.missed
        return min(0.9, p)

    def order_window(self, limit_ms: int) -> tuple[int, int] | None:
        """Where an order attributed to this conversation may fall (after a touch, < 7 days)."""
        if self.last_touch is None:
            return None
        hi = min(self.last_touch + ATTRIBUTION_MS - 60_000, limit_ms)
        return (self.last_touch + 1000, hi) if hi > self.last_touch + 60_000 else None
