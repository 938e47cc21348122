"""The compact per-conversation facts scoring works on, and the bookkeeping that fills them.

`ConversationFacts` holds numpy columns (one entry per conversation, per answered customer
question, per outreach task) and the vocabularies that map their small integer ids back to
guide, customer and segment names. See `salesbrain.scoring.features` for the definitions.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from salesbrain.db.database import to_ms
from salesbrain.schema import Order, OutreachTask


@dataclass(frozen=True, slots=True)
class FactSettings:
    burst_s: float = 120.0
    attribution_days: float = 7.0
    attribution_rule: str = "last_touch"  # or "first_touch" (see salesbrain.attribution)
    # "brand": reply quality calibrated on the brand's own outcomes when it has enough of them
    # (salesbrain.scoring.reply_quality), else the quality stage's labels; "stored": those labels
    reply_quality: str = "brand"


@dataclass(frozen=True)
class ConversationInputs:
    """Labels other stages produced, keyed by conversation id (segments by customer id)."""

    outcomes: Mapping[str, str] = field(default_factory=dict)
    compliance_hits: Mapping[str, int] = field(default_factory=dict)
    quality: Mapping[str, float] = field(default_factory=dict)
    sentiment: Mapping[str, float] = field(default_factory=dict)
    intents: Mapping[str, str] = field(default_factory=dict)
    customer_segments: Mapping[str, str] = field(default_factory=dict)

    def overridden_by(self, other: ConversationInputs) -> ConversationInputs:
        """These inputs with every mapping of `other` laid over them."""
        return ConversationInputs(*(
            {**getattr(self, name), **getattr(other, name)} for name in self.__dataclass_fields__
        ))


@dataclass
class ConversationFacts:
    """Columnar facts: one entry per conversation, per answered question, per task."""

    conversation_ids: list[str]
    guide_ids: list[str]
    customer_ids: list[str]
    segment_names: list[str]
    guide: np.ndarray  # int32 index into guide_ids
    customer: np.ndarray  # int32 index into customer_ids
    started_ms: np.ndarray  # int64
    questions: np.ndarray  # int32
    answered: np.ndarray  # int32
    guide_messages: np.ndarray  # int32
    outcome: np.ndarray  # int8 index into OUTCOME_KEYS
    compliance_hits: np.ndarray  # int32
    quality: np.ndarray  # float32, nan when unknown (0..100)
    sentiment: np.ndarray  # float32, nan when unknown
    gmv: np.ndarray  # float64 attributed order value
    intent: np.ndarray  # int16 index into INTENT_KEYS, -1 when unknown
    segment: np.ndarray  # int16 index into segment_names
    response_conversation: np.ndarray  # int32, one entry per answered question
    response_s: np.ndarray  # float32 reply seconds of that question
    task_guide: np.ndarray  # int32, one entry per outreach task
    task_assigned_ms: np.ndarray  # int64
    task_executed: np.ndarray  # bool
    task_ids: list[str] = field(default_factory=list)
    inferred_outcomes: int = 0
    unanalysed: int = 0  # conversations `salesbrain analyze` has not labelled (store passes)
    quality_source: str = field(default="stored", init=False)  # "brand": calibrated on outcomes

    def __len__(self) -> int:
        return len(self.guide)


class CustomerOrders:
    """A customer's orders sorted by time, as parallel lists for binary search."""

    def __init__(self) -> None:
        self.times: list[int] = []
        self.orders: list[Order] = []



class Vocabulary:
    """Stable string -> small integer ids."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names: list[str] = []
        self._ids: dict[str, int] = {}
        for name in names:
            self.index(name)

    def index(self, name: str) -> int:
        found = self._ids.get(name)
        if found is None:
            found = self._ids[name] = len(self.names)
            self.names.append(name)
        return found


class TaskBook:
    """Outreach tasks by (guide, customer), marked executed as touches stream past."""

    def __init__(self, tasks: Iterable[OutreachTask]) -> None:
        self.tasks = list(tasks)
        self.executed = np.zeros(len(self.tasks), dtype=bool)
        self.windows: dict[tuple[str, str], list[tuple[int, int, int]]] = defaultdict(list)
        for i, task in enumerate(self.tasks):
            window = (to_ms(task.assigned_ts), to_ms(task.due_ts), i)
            self.windows[(task.guide_id, task.customer_id)].append(window)

    def mark_executed(self, guide_id: str, customer_id: str, touches: list[int]) -> None:
        for assigned, due, i in self.windows.get((guide_id, customer_id), ()):
            j = bisect_left(touches, assigned)
            if j < len(touches) and touches[j] <= due:
                self.executed[i] = True

    def ids(self) -> list[str]:
        return [t.task_id for t in self.tasks]

    def columns(self, guides: Vocabulary) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        guide = np.array([guides.index(t.guide_id) for t in self.tasks], dtype=np.int32)
        assigned = np.array([to_ms(t.assigned_ts) for t in self.tasks], dtype=np.int64)
        return guide, assigned, self.executed.copy()


def orders_by_customer(orders: Iterable[Order]) -> dict[str, CustomerOrders]:
    books: dict[str, CustomerOrders] = defaultdict(CustomerOrders)
    for order in sorted(orders, key=lambda o: (o.ts, o.order_id)):
        book = books[order.customer_id]
        book.times.append(to_ms(order.ts))
        book.orders.append(order)
    return dict(books)
