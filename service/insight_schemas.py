"""What the manager's overview pages read: store segments, recall tasks, conversation search,
compliance alerts and weekly trends."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

# ---- store segments ---------------------------------------------------------------------------


class SegmentComponent(BaseModel):
    key: str
    name: str
    axis: Literal["willingness", "ability"]
    points: float | None = Field(description="0..100, 50 = brand average; None: no data")


class StoreSegmentOut(BaseModel):
    store_id: str
    region: str
    n_guides: int
    n_conversations: int
    willingness: float
    ability: float
    segment: str
    segment_name: str
    action: str
    action_name: str
    components: list[SegmentComponent]


class StoreSegments(BaseModel):
    threshold: float
    stores: list[StoreSegmentOut]


# ---- recall tasks -----------------------------------------------------------------------------


class Draft(BaseModel):
    text: str
    source: Literal["champion", "template"] = Field(
        description="champion: a store champion's opener; template: the brand's default")
    champion_id: str | None = None


class RecallTaskOut(BaseModel):
    task_id: str
    month: str
    guide_id: str = Field(description="'' for customers nobody talked to (cloud guides)")
    guide_name: str
    store_id: str
    customer_id: str
    group: str
    group_name: str
    reason: str
    last_purchase_at: datetime | None
    last_purchase_amount: float | None
    last_product: str | None
    status: Literal["open", "done", "skipped"]
    drafts: list[Draft]


class RecallRate(BaseModel):
    guide_id: str
    group: str
    tasks: int
    done: int
    skipped: int
    execution_rate: float = Field(description="done / tasks")


class RecallBoard(BaseModel):
    month: str
    tasks: list[RecallTaskOut]
    rates: list[RecallRate]


class RecallStatusIn(BaseModel):
    status: Literal["done", "skipped"]


# ---- search and compliance alerts -------------------------------------------------------------


class SearchHit(BaseModel):
    conversation_id: str
    guide_id: str
    store_id: str
    customer_id: str
    started_at: datetime
    ended_at: datetime
    n_messages: int
    snippet: str = Field(description="the first matching message, as redaction left it")
    intents: list[str]
    outcome: str | None
    sentiment: float | None
    compliance_hits: int


class SearchPage(BaseModel):
    total: int
    page: int
    page_size: int
    hits: list[SearchHit]


class ComplianceAlert(BaseModel):
    msgid: str
    conversation_id: str
    guide_id: str
    store_id: str
    ts: datetime
    category: str
    severity: str
    rule: str
    matched: str
    text: str


class ComplianceAlerts(BaseModel):
    total: int
    by_category: dict[str, int]
    alerts: list[ComplianceAlert]


# ---- trends -----------------------------------------------------------------------------------


class TrendPoint(BaseModel):
    period: str
    conversations: int
    intents: dict[str, int]
    outcomes: dict[str, int]
    median_response_s: float | None = Field(
        description="from a 96-bin log histogram of reply times: within about 7% of exact")
    replies: int
    purchased: int
    conversion_rate: float | None = Field(description="purchased / conversations")


class Trends(BaseModel):
    period_kind: Literal["week", "month"]
    points: list[TrendPoint]
