"""Per-conversation facts for scorecards, computed in one streaming pass over the store.

Scoring never holds conversations in memory: each one is reduced to a handful of numbers
(`ConversationFacts`, numpy columns) as it streams past, plus one float per answered customer
question (its reply time). Memory is O(guides + conversations + answered questions + orders +
tasks); the scorecard core works on these arrays only. The builder's core reads a
conversation as a *timeline* (who wrote when), so the store can feed it from a lean query
without building message objects.

Definitions (taxonomy v1, section 3):

- A customer *question* is a burst of consecutive customer messages, none more than
  `burst_s` (120 s) after the previous one: a customer who sends "在吗" and her question three
  seconds apart asked once, a nudge ten minutes later asks again.
- A question is *answered* when a guide message follows it before the customer's next
  question or the end of the conversation (reply coverage). Its reply time is the seconds from
  the question's first message to that guide message (first response). Unanswered questions
  count against coverage only, so slowness and silence are measured apart.
- A guide *touch* is a guide message that was not recalled; attribution credits an order to
  the last touch of any guide in the `attribution_days` before it (`salesbrain.attribution`).
  Only the touches that can win an order are kept (the first and last touch in each order's
  window, per conversation), which gives the same credit as passing every touch.
- An outreach task is executed when its guide messaged that customer one-to-one between the
  task's assigned and due times.
- Recalled and system messages are left out of every count.

Outcomes, compliance hits, quality, sentiment and intents come from the brain's stages: from
the labels `salesbrain analyze` stored (`labels_from_store`) or from mappings passed in;
scoring never runs a model. A conversation without labels has no compliance hits, quality,
sentiment or intent (counted in `ConversationFacts.unanalysed` by `facts_from_store`), and
one without an outcome label gets one by a documented rule, counted in
`ConversationFacts.inferred_outcomes`: an attributed order -> `purchased`, no customer
message -> `no_reply`, otherwise `lost`.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import cast

import numpy as np

from salesbrain.attribution import AttributionRule, Touch, attribute_orders
from salesbrain.db.activity import ConversationTimes
from salesbrain.db.database import from_ms, to_ms
from salesbrain.schema import Conversation, Guide, Order, OutreachTask, Role
from salesbrain.scoring.facts import (
    ConversationFacts,
    ConversationInputs,
    FactSettings,
    TaskBook,
    Vocabulary,
    orders_by_customer,
)
from salesbrain.taxonomy import INTENT_KEYS, OUTCOME_KEYS

NO_LABEL = -1


# A conversation as scoring reads it: who wrote when. The database streams the same shape.
Timeline = ConversationTimes


def timeline_of(conversation: Conversation) -> Timeline:
    kept = [m for m in conversation.messages if not m.recalled and m.role is not Role.SYSTEM]
    return Timeline(conversation.conversation_id, conversation.guide_id,
                    conversation.customer_id, conversation.room_id,
                    [m.role is Role.CUSTOMER for m in kept], [to_ms(m.ts) for m in kept])


class FactsBuilder:
    """Accumulates facts conversation by conversation; `build()` finishes attribution."""

    def __init__(
        self,
        guides: Sequence[Guide],
        orders: Iterable[Order],
        tasks: Iterable[OutreachTask],
        inputs: ConversationInputs | None = None,
        settings: FactSettings | None = None,
    ) -> None:
        self.settings = settings or FactSettings()
        self.inputs = inputs or ConversationInputs()
        self._window_ms = int(self.settings.attribution_days * 86_400_000)
        self._guides = Vocabulary(g.guide_id for g in guides)
        self._customers = Vocabulary()
        self._segments = Vocabulary()
        self._orders = orders_by_customer(orders)
        self._tasks = TaskBook(tasks)
        self._ids: list[str] = []
        self._columns = {name: array(code) for name, code in _COLUMN_CODES.items()}
        self._responses = (array("i"), array("f"))
        self._touches: list[Touch] = []

    # --- feeding ---------------------------------------------------------------------------
    def add_all(self, conversations: Iterable[Conversation]) -> FactsBuilder:
        """Add whole conversations (only who wrote when is read of them)."""
        return self.add_timelines(timeline_of(c) for c in conversations)

    def add_timelines(self, timelines: Iterable[Timeline]) -> FactsBuilder:
        """Add conversations read as timelines."""
        for timeline in timelines:
            self.add_timeline(timeline)
        return self

    def add_timeline(self, timeline: Timeline) -> None:
        if not timeline.ts_ms:
            return
        index, cid = len(self._ids), timeline.conversation_id
        self._ids.append(cid)
        touches = [ts for ts, c in zip(timeline.ts_ms, timeline.from_customer, strict=True)
                   if not c]
        questions, answered = self._questions(timeline, index)
        self._touches.extend(self._winning_touch_candidates(timeline, touches))
        if not timeline.room_id:
            self._tasks.mark_executed(timeline.guide_id, timeline.customer_id, touches)
        compliance_hits = int(self.inputs.compliance_hits.get(cid, 0))
        quality = float(self.inputs.quality.get(cid, np.nan))
        segment = self._segment(timeline.customer_id, timeline.ts_ms[0])
        row = (self._guides.index(timeline.guide_id), self._customers.index(timeline.customer_id),
               timeline.ts_ms[0], questions, answered, len(touches),
               _code(self.inputs.outcomes.get(cid), OUTCOME_KEYS), compliance_hits, quality,
               float(self.inputs.sentiment.get(cid, np.nan)),
               _code(self.inputs.intents.get(cid), INTENT_KEYS), self._segments.index(segment))
        for column, value in zip(self._columns.values(), row, strict=True):
            column.append(value)  # type: ignore[arg-type]  # "f" columns take floats

    def _questions(self, timeline: Timeline, index: int) -> tuple[int, int]:
        """Count customer questions (bursts) and record the reply time of answered ones."""
        burst_ms = self.settings.burst_s * 1000
        questions = answered = 0
        asked_ms = last_customer_ms = None
        for ts, from_customer in zip(timeline.ts_ms, timeline.from_customer, strict=True):
            if from_customer:
                if last_customer_ms is None or ts - last_customer_ms > burst_ms:
                    questions += 1
                    asked_ms = ts
                last_customer_ms = ts
            elif asked_ms is not None:
                answered += 1
                self._responses[0].append(index)
                self._responses[1].append((ts - asked_ms) / 1000)
                asked_ms = last_customer_ms = None
        return questions, answered

    def _winning_touch_candidates(self, timeline: Timeline, touches: list[int]) -> list[Touch]:
        book = self._orders.get(timeline.customer_id)
        if book is None or not touches:
            return []
        found: set[int] = set()
        lo = bisect_left(book.times, touches[0])
        hi = bisect_right(book.times, touches[-1] + self._window_ms)
        for order_ms in book.times[lo:hi]:
            last = bisect_right(touches, order_ms) - 1
            first = bisect_left(touches, order_ms - self._window_ms)
            if last >= first >= 0:
                found.update((touches[first], touches[last]))
        return [Touch(timeline.conversation_id, timeline.guide_id, timeline.customer_id,
                      from_ms(ms)) for ms in sorted(found)]

    def _segment(self, customer_id: str, started_ms: int) -> str:
        given = self.inputs.customer_segments.get(customer_id)
        if given:
            return given
        book = self._orders.get(customer_id)
        return "returning" if book and book.times[0] < started_ms else "new"

    # --- finishing -------------------------------------------------------------------------
    def build(self) -> ConversationFacts:
        columns = {name: np.frombuffer(values, dtype=values.typecode).copy()
                   for name, values in self._columns.items()}
        gmv = self._attributed_gmv()
        inferred = _infer_outcomes(columns, gmv)
        task_guide, task_assigned, task_executed = self._tasks.columns(self._guides)
        return ConversationFacts(
            conversation_ids=self._ids, guide_ids=self._guides.names,
            customer_ids=self._customers.names, segment_names=self._segments.names,
            gmv=gmv, inferred_outcomes=inferred, unanalysed=0, task_ids=self._tasks.ids(),
            response_conversation=np.frombuffer(self._responses[0], np.int32).copy(),
            response_s=np.frombuffer(self._responses[1], np.float32).copy(),
            task_guide=task_guide, task_assigned_ms=task_assigned, task_executed=task_executed,
            **columns,
        )

    def _attributed_gmv(self) -> np.ndarray:
        gmv = np.zeros(len(self._ids))
        orders = [o for book in self._orders.values() for o in book.orders]
        window = timedelta(days=self.settings.attribution_days)
        rule = cast(AttributionRule, self.settings.attribution_rule)
        credited = attribute_orders(self._touches, orders, window, rule)
        credited_ids = {a.conversation_id for a in credited}
        positions = {cid: i for i, cid in enumerate(self._ids) if cid in credited_ids}
        for attribution in credited:
            gmv[positions[attribution.conversation_id]] += attribution.amount
        return gmv


_COLUMN_CODES = {
    "guide": "i", "customer": "i", "started_ms": "q", "questions": "i", "answered": "i",
    "guide_messages": "i", "outcome": "b", "compliance_hits": "i", "quality": "f",
    "sentiment": "f", "intent": "h", "segment": "h",
}
_PURCHASED = OUTCOME_KEYS.index("purchased")
_NO_REPLY = OUTCOME_KEYS.index("no_reply")
_LOST = OUTCOME_KEYS.index("lost")


def _infer_outcomes(columns: dict[str, np.ndarray], gmv: np.ndarray) -> int:
    """Fill missing outcomes by the documented rule; returns how many were filled."""
    outcome = columns["outcome"]
    missing = outcome == NO_LABEL
    outcome[missing] = _LOST
    outcome[missing & (columns["questions"] == 0)] = _NO_REPLY
    outcome[missing & (gmv > 0)] = _PURCHASED
    return int(missing.sum())


def _code(key: str | None, keys: tuple[str, ...]) -> int:
    if key is None:
        return NO_LABEL
    if key not in keys:
        raise ValueError(f"unknown taxonomy key {key!r}; expected one of {', '.join(keys)}")
    return keys.index(key)
