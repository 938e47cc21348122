"""API schemas: what goes over the wire, kept apart from the library's internal types.

Field limits here are the contract a client can read in /docs; limits that operators tune
(batch size, body size) live in the settings and are checked by the routes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from salesbrain.ingest.batch import has_nul

TEXT_LIMIT = 2000
TURN_LIMIT = 50


class Strict(BaseModel):
    """Request bodies: unknown fields and NUL characters (PostgreSQL cannot store) refused."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name != "records" and has_nul(value):
            raise ValueError("NUL characters are not allowed")
        return value


# ---- ingestion --------------------------------------------------------------------------------


class MessageBatch(Strict):
    format: Literal["wecom", "plain"] = Field(
        description="`wecom`: decrypted WeCom archive messages; `plain`: the plain message schema"
    )
    # Items are checked one by one, so one bad record is reported by index, not a 422.
    records: list[Any] = Field(min_length=1, description="JSON objects, one per message")
    batch_id: str | None = Field(
        default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$",
        description="names the batch in quarantine; default: a digest of the records",
    )


class RecordErrorOut(BaseModel):
    index: int = Field(description="0-based position of the record in the batch")
    reason: str


class IngestResult(BaseModel):
    batch_id: str
    read: int
    stored: int
    duplicates: int
    quarantined: int
    redacted: int
    events: int
    errors: list[RecordErrorOut]
    errors_truncated: bool = False


# ---- suggestion, feedback, analysis -----------------------------------------------------------


class TurnIn(Strict):
    role: Literal["customer", "guide"]
    text: str = Field(max_length=TEXT_LIMIT)


class ConversationRef(Strict):
    """Either a stored conversation or the recent messages themselves (e.g. from the sidebar)."""

    conversation_id: str | None = Field(default=None, min_length=1, max_length=160)
    messages: list[TurnIn] | None = Field(default=None, min_length=1, max_length=TURN_LIMIT)
    guide_id: str | None = Field(
        default=None, min_length=1, max_length=128,
        description="the guide the inline messages belong to (a guide key implies her own)",
    )

    @model_validator(mode="after")
    def _one_source(self) -> ConversationRef:
        if (self.conversation_id is None) == (self.messages is None):
            raise ValueError("give exactly one of conversation_id or messages")
        if self.conversation_id is not None and self.guide_id is not None:
            raise ValueError("guide_id goes with messages only")
        return self


class SuggestRequest(ConversationRef):
    k: int = Field(default=3, ge=1, le=10)


class SuggestionOut(BaseModel):
    suggestion_id: str = Field(description="send it back with POST /v1/feedback")
    text: str
    score: float
    source: str = Field(description="champion (冠军回复), script (话术库) or generated (生成)")
    source_label: str = Field(description="the source as the guide reads it: 冠军回复/话术库/生成")
    intent: str | None = Field(description="the customer intent the reply answers")
    bank_reply_id: str | None
    script_id: str | None = None
    confident: bool = Field(default=True, description="false for the ranker's best guess, "
                            "offered only when neither it nor the scripts were sure")


class SuggestResponse(BaseModel):
    conversation_id: str | None
    intent: str | None
    brain_version: str
    needs_reply: bool = Field(
        default=True, description="false when the last turn asks for no reply (the guide spoke "
        "last, media only, or the customer thanked after the guide's reply)")
    suggestions: list[SuggestionOut]


class FeedbackRequest(Strict):
    suggestion_id: str = Field(min_length=1, max_length=64)
    action: Literal["display", "accept", "edit", "ignore"] = Field(
        description="display: shown on the page; accept: used as drafted; edit: used after an "
                    "edit (send sent_text); ignore: dismissed")
    sent_text: str | None = Field(default=None, min_length=1, max_length=TEXT_LIMIT)

    @model_validator(mode="after")
    def _text_with_edit(self) -> FeedbackRequest:
        if self.action == "edit" and self.sent_text is None:
            raise ValueError("sent_text is required when action is 'edit'")
        if self.action != "edit" and self.sent_text is not None:
            raise ValueError("sent_text goes with action 'edit' only")
        return self


class FeedbackResponse(BaseModel):
    suggestion_id: str
    action: str
    recorded: bool = True


class AnalyzeRequest(ConversationRef):
    pass


class IntentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    msgid: str
    intent: str
    probability: float
    uncertain: bool


class HitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    rule: str
    category: str
    severity: str
    start: int
    end: int
    matched: str


class ComplianceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    msgid: str
    hits: list[HitOut]


class AnalysisOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    conversation_id: str
    brain_version: str = ""
    intents: list[IntentOut]
    sentiment: float | None
    compliance: list[ComplianceOut]
    outcome: str | None
    outcome_source: str | None
    quality: float | None


# ---- conversations ----------------------------------------------------------------------------


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    msgid: str
    role: str
    ts: datetime
    type: str
    text: str
    recalled: bool
    redactions: list[str]
    intent: str | None = Field(default=None, description="a customer message's stored intent")
    sentiment: float | None = Field(default=None, description="its stored sentiment, -1..1")


class ConversationOut(BaseModel):
    conversation_id: str
    guide_id: str
    customer_id: str
    room_id: str
    source: str
    messages: list[MessageOut]


class CustomerTagsOut(BaseModel):
    last_purchase_at: datetime | None
    last_purchase_amount: float | None
    recall_group: str | None = Field(
        description="this month's recall group: birthday, same_period_last_year, "
                    "lapsed_two_years")


class InboxItem(BaseModel):
    conversation_id: str
    guide_id: str
    customer_id: str
    n_messages: int
    last_role: str
    last_text: str
    last_at: datetime
    waiting: bool = Field(description="the customer spoke last and waits for the guide's reply")
    waiting_since: datetime | None
    tags: CustomerTagsOut


class Inbox(BaseModel):
    items: list[InboxItem] = Field(description="latest activity first")


class StreamToken(BaseModel):
    token: str = Field(description="open GET /v1/stream?token=... with it (the key stays out "
                                   "of URLs)")
    expires_in: int = Field(description="seconds left to connect or reconnect with it")


class AcceptanceRow(BaseModel):
    key: str = Field(description="the guide id, intent or source this row counts")
    displayed: int
    inserted: int = Field(description="used as drafted")
    edited: int = Field(description="used after an edit")
    dismissed: int
    acceptance_rate: float | None = Field(description="(inserted + edited) / displayed")


class AssistedSales(BaseModel):
    guide_id: str
    conversations: int = Field(description="conversations where she used a suggestion")
    orders: int
    amount: float


class Acceptance(BaseModel):
    since: datetime | None
    by_guide: list[AcceptanceRow]
    by_intent: list[AcceptanceRow]
    by_source: list[AcceptanceRow]
    assisted_sales: list[AssistedSales] = Field(
        description="orders attributed to conversations in which the guide sent an accepted "
                    "suggestion")


class ConversationHead(BaseModel):
    conversation_id: str
    guide_id: str
    customer_id: str
    room_id: str
    started_at: datetime
    ended_at: datetime
    n_messages: int


# ---- models, keys, health ---------------------------------------------------------------------


class ModelsOut(BaseModel):
    serving: str
    live: str | None
    versions: list[str]
    stages: list[str]
    eval_results: dict[str, Any]


class ModelSwap(BaseModel):
    serving: str
    previous: str


class KeyCreate(Strict):
    role: Literal["guide", "manager", "admin"]
    guide_id: str | None = Field(default=None, min_length=1, max_length=128)
    store_ids: list[str] = Field(default_factory=list, max_length=200)
    label: str = Field(default="", max_length=200)


class KeyCreated(BaseModel):
    key_id: str
    secret: str = Field(description="shown once: store it now, it cannot be read back")


class KeyOut(BaseModel):
    key_id: str
    role: str
    guide_id: str | None
    store_ids: list[str]
    label: str
    created_ms: int
    revoked: bool


class Health(BaseModel):
    status: str
    brain_version: str | None = None
    live_version: str | None = None


class GuideOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    guide_id: str
    name: str
    store_id: str
    region: str


# ---- scorecards, leaderboard, coaching --------------------------------------------------------


class ComponentOut(BaseModel):
    value: float | None
    low: float | None
    high: float | None
    n: int
    points: float | None = Field(description="0..100, 50 = the period's brand average")


class ScorecardOut(BaseModel):
    guide_id: str
    period: str
    n_conversations: int
    score: float | None
    score_low: float | None
    score_high: float | None
    rank: int
    components: dict[str, ComponentOut | None]
    sentiment: float | None
    sentiment_trend: float | None
    notes: list[str]


class GuideScorecard(BaseModel):
    guide_id: str
    period_kind: Literal["week", "month", "all"]
    latest: ScorecardOut
    history: list[ScorecardOut] = Field(description="earlier periods, newest first")


class LeaderboardRow(ScorecardOut):
    name: str
    store_id: str
    region: str = ""
    trend: list[float | None] = Field(
        default_factory=list, description="her score in each of `Leaderboard.trend_periods`")


class Leaderboard(BaseModel):
    period_kind: Literal["week", "month", "all"]
    period: str | None
    rows: list[LeaderboardRow] = Field(description="by brand-wide rank; only guides in scope")
    trend_periods: list[str] = Field(default_factory=list,
                                     description="the periods of each row's trend, oldest first")
    total: int | None = Field(None, description="guides in scope; `rows` is the page from "
                                                "`offset` (all of them without `limit`)")
    offset: int = 0


class CoachingGap(BaseModel):
    """Where a guide trails the champions: one dimension's key, her rate and theirs."""

    dimension: str
    key: str
    n_conversations: int
    guide_rate: float | None
    champion_rate: float | None
    lag: float | None


class CoachingPointOut(CoachingGap):
    guide_examples: list[str]
    champion_example: str | None


class Coaching(BaseModel):
    guide_id: str
    points: list[CoachingPointOut] = Field(description="largest expected gain first")


# ---- the script library (话术库) ---------------------------------------------------------------

SCRIPT_TEXT_LIMIT = 300


class ScriptOut(BaseModel):
    script_id: str
    intent: str
    text: str
    tags: list[str]
    status: Literal["active", "retired"]
    source: Literal["mined", "manual"]
    uses: int = Field(description="how many champion replies a mined script stands for")
    created_at: datetime
    updated_at: datetime


class ScriptCreate(Strict):
    intent: str = Field(min_length=1, max_length=32)
    text: str = Field(min_length=1, max_length=SCRIPT_TEXT_LIMIT)
    tags: list[str] = Field(default_factory=list, max_length=10)


class ScriptEdit(Strict):
    intent: str | None = Field(default=None, min_length=1, max_length=32)
    text: str | None = Field(default=None, min_length=1, max_length=SCRIPT_TEXT_LIMIT)
    tags: list[str] | None = Field(default=None, max_length=10)


class ScriptRowError(BaseModel):
    line: int
    reason: str


class ScriptImport(BaseModel):
    imported: int = Field(description="new scripts stored")
    duplicates: int = Field(description="good rows the library already held")
    errors: list[ScriptRowError]
