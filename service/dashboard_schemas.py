"""What the manager's dashboard reads: a guide's chart series, a labelled conversation and
coaching pairs laid side by side."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from service.schemas import CoachingGap, HitOut

# ---- guide drill-down -------------------------------------------------------------------------


class ScorePoint(BaseModel):
    period: str
    score: float | None
    score_low: float | None
    score_high: float | None
    n_conversations: int


class Bin(BaseModel):
    label: str
    low_s: float
    high_s: float | None = Field(description="None: no upper bound")
    count: int


class ResponseTimes(BaseModel):
    n: int = Field(description="answered customer questions")
    median_s: float | None
    bins: list[Bin]


class Share(BaseModel):
    key: str
    name: str
    count: int
    share: float
    brand_share: float = Field(description="the same share over the whole brand")


class FunnelStep(BaseModel):
    key: str
    name: str
    count: int


class SalesPoint(BaseModel):
    period: str
    gmv: float
    purchased: int = Field(description="conversations credited with an order")


class ConversationRow(BaseModel):
    conversation_id: str
    started_at: datetime
    intent: str | None
    outcome: str
    gmv: float
    compliance_hits: int


class ComponentRow(BaseModel):
    key: str
    name: str
    value: float | None
    low: float | None
    high: float | None
    n: int
    points: float | None


class GuideDrilldown(BaseModel):
    guide_id: str
    name: str
    store_id: str
    region: str
    period_kind: Literal["week", "month", "all"]
    scores: list[ScorePoint] = Field(description="oldest period first")
    components: list[ComponentRow] = Field(description="the latest period's scorecard")
    notes: list[str] = Field(description="the latest scorecard's notes")
    response_times: ResponseTimes
    intents: list[Share]
    funnel: list[FunnelStep]
    sales: list[SalesPoint] = Field(description="attributed sales per period, oldest first")
    conversations: list[ConversationRow] = Field(description="her newest conversations")


# ---- conversation viewer ----------------------------------------------------------------------


class LabelledMessage(BaseModel):
    msgid: str
    role: str
    ts: datetime
    type: str
    text: str = Field(description="redacted: personal data appears as placeholders, e.g. [手机号]")
    recalled: bool
    redactions: list[str]
    intent: str | None
    probability: float | None
    uncertain: bool | None
    sentiment: float | None
    compliance: list[HitOut]


class LabelledConversation(BaseModel):
    conversation_id: str
    guide_id: str
    guide_name: str
    customer_id: str
    analysed: bool = Field(description="false until `salesbrain analyze` has labelled it")
    outcome: str | None
    outcome_source: str | None
    sentiment: float | None
    quality: float | None
    compliance_hits: int
    messages: list[LabelledMessage]


# ---- coaching side by side --------------------------------------------------------------------


class TurnOut(BaseModel):
    role: str
    texts: list[str]
    started_at: datetime
    delay_s: float | None
    intents: list[str]
    compliance_hits: int


class AlignedRow(BaseModel):
    index: int
    guide: TurnOut | None
    champion: TurnOut | None
    reasons: list[str] = Field(description="why the row diverges; empty: it does not")


class CoachingPair(CoachingGap):
    pair_id: int
    guide_conversation_id: str
    guide_outcome: str | None
    champion_conversation_id: str
    champion_guide_id: str
    champion_name: str
    champion_outcome: str | None
    first_divergence: int | None
    rows: list[AlignedRow]


class CoachingPairs(BaseModel):
    guide_id: str
    pairs: list[CoachingPair] = Field(description="largest expected gain first")
