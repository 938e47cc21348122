"""Service test helpers: a tiny fake brain, fake reports, and two tenants of seeded data.

Every text the fake brain and reports return carries the tenant's and guide's marker
(`机密甲g1`: tenant 甲, guide g1), so a test sees at once whose data a response leaked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from salesbrain.brain import (
    ConversationAnalysis,
    MessageCompliance,
    MessageIntent,
    SuggestionResult,
    write_manifest,
)
from salesbrain.db import Database
from salesbrain.ingest.batch import ingest_records, parse_records, staff_of
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.ingest.tables import GUIDES
from salesbrain.registry import BrainRegistry
from salesbrain.schema import Conversation, Role, Turn
from salesbrain.stages.compliance import ComplianceHit
from salesbrain.suggest.types import Suggestion
from service.api.deps import get_brain_slot
from service.api.routes.guides import get_reports
from service.core.brains import BrainSlot
from service.core.config import Settings
from service.main import create_app
from service.schemas import (
    Coaching,
    CoachingPointOut,
    GuideScorecard,
    Leaderboard,
    LeaderboardRow,
    ScorecardOut,
)

PG_URL = __import__("os").environ.get("SALESBRAIN_TEST_PG_URL")
ROSTER = {"g1": "s1", "g2": "s1", "g3": "s2"}
T0 = 1_700_000_000_000


class FakeBrain:
    """Answers like a Brain, echoing the conversation's text so leaks are visible."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.stage_names = ("compliance", "suggest")

    def suggest(self, turns: Sequence[Turn], k: int = 3) -> SuggestionResult:
        last = turns[-1].text if turns else ""
        replies = [Suggestion(f"b{i}", f"回复{i}：{last}", 0.9 - i / 10, "bank", f"r{i}")
                   for i in range(k)]
        return SuggestionResult("size_fit", replies)

    def analyze(self, conversation: Conversation, *, attributed_order: bool = False,
                now: Any = None) -> ConversationAnalysis:
        guide = [m for m in conversation.messages if m.role is Role.GUIDE]
        hits = [MessageCompliance(m.msgid, (ComplianceHit("r", "off_platform", "high", 0, 2,
                                                          m.text),)) for m in guide]
        intents = [MessageIntent(m.msgid, "size_fit", 0.8, False)
                   for m in conversation.customer_messages()]
        outcome = "purchased" if attributed_order else "ongoing"
        return ConversationAnalysis(conversation.conversation_id, intents, {}, 0.5, hits,
                                    outcome, "rule", 70.0)

    def eval_results(self) -> dict[str, Any]:
        return {"intent@x": {"macro_f1": 0.5}}


class FakeReports:
    """Scorecards built from the roster, each carrying its tenant and guide marker."""

    def __init__(self, tags: dict[str, str]) -> None:
        self.tags = tags

    def _card(self, store: Database, guide_id: str) -> ScorecardOut | None:
        if guide_id not in {g.guide_id for g in store.guides()}:
            return None
        return ScorecardOut(guide_id=guide_id, period="2026-10", n_conversations=3, score=50.0,
                            score_low=30.0, score_high=70.0, rank=1, components={},
                            sentiment=None, sentiment_trend=None,
                            notes=[marker(self.tags[store.tenant], guide_id)])

    def scorecard(self, store: Database, guide_id: str, period: str) -> GuideScorecard | None:
        card = self._card(store, guide_id)
        return card and GuideScorecard(guide_id=guide_id, period_kind="month", latest=card,
                                       history=[])

    def leaderboard(self, store: Database, guide_ids: frozenset[str] | None,
                    period: str, limit: int | None = None, offset: int = 0) -> Leaderboard:
        rows = [LeaderboardRow(**card.model_dump(), name=g.name, store_id=g.store_id)
                for g in store.guides() if (card := self._card(store, g.guide_id))
                and (guide_ids is None or g.guide_id in guide_ids)]
        return Leaderboard(period_kind="month", period="2026-10", rows=rows)

    def coaching(self, store: Database, guide_id: str) -> Coaching:
        tag = self.tags[store.tenant]
        point = CoachingPointOut(dimension="intent", key="size_fit", n_conversations=5,
                                 guide_rate=0.2, champion_rate=0.6, lag=0.4,
                                 guide_examples=[marker(tag, guide_id)], champion_example=None)
        return Coaching(guide_id=guide_id, points=[point])


def marker(tag: str, guide_id: str) -> str:
    return f"机密{tag}{guide_id}"


def customer_of(tag: str, guide: str) -> str:
    return f"wm{'AB'[tag != '甲']}_{guide}"


def plain(msgid: str, guide: str, customer: str, role: str, offset_s: int,
          text: str) -> dict[str, Any]:
    return {"msgid": msgid, "guide_id": guide, "customer_id": customer, "role": role,
            "ts": T0 + offset_s * 1000, "text": text}


def seed_tenant(store: Database, tag: str, tmp_path: Path) -> dict[str, str]:
    """Roster, one conversation for g1 and g3; returns each guide's conversation id."""
    roster = tmp_path / f"roster-{tag}.csv"
    roster.write_text("guide_id,name,store_id,region\n" + "".join(
        f"{g},导购{g},{s},华东\n" for g, s in ROSTER.items()), encoding="utf-8")
    Ingestor(store).ingest_table(roster, GUIDES)
    # Message ids repeat across tenants on purpose: each tenant keeps its own.
    records = [plain(f"{g}-{i}", g, customer_of(tag, g), role, i * 60,
                     f"{marker(tag, g)} 这款有39码吗")
               for g in ("g1", "g3") for i, role in enumerate(("customer", "guide", "customer"))]
    ingest_records(store, parse_records(records, "plain", staff_of(store)), "seed", "plain")
    return {c.guide_id: c.conversation_id for c in store.conversations()}


def db_url(store: Database) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def make_registry(root: Path) -> BrainRegistry:
    registry = BrainRegistry(root)
    for version in ("v1", "v2"):
        write_manifest(root / "brains" / version, version, ["compliance"], {})
    registry.promote("v1")
    return registry


def build_client(store: Database, tmp_path: Path, tags: dict[str, str] | None,
                 **settings: Any) -> tuple[TestClient, BrainSlot]:
    """An app on `store`'s database with a fake brain and fake reports (lifespan runs)."""
    options: dict[str, Any] = {"db_url": db_url(store), "models_root": tmp_path / "models",
                               "operator_tenant": store.tenant, "rate_per_second": 10_000,
                               "rate_burst": 10_000, **settings}
    app = create_app(Settings(**options))
    slot = BrainSlot(FakeBrain("v1"), make_registry(tmp_path / "models"), loader=load_fake,
                     on_swap=lambda brain: app.state.metrics.set_brain(brain.version))
    app.dependency_overrides[get_brain_slot] = lambda: slot
    if tags is not None:  # None: the real reports from salesbrain.scoring
        app.dependency_overrides[get_reports] = lambda: FakeReports(tags)
    return TestClient(app), slot


def load_fake(directory: Path) -> FakeBrain:
    return FakeBrain(directory.name)


@dataclass
class World:
    """Two tenants (甲 serves as the operator) with keys of every role."""

    client: TestClient
    slot: BrainSlot
    stores: dict[str, Database]  # tag -> store
    conversations: dict[str, dict[str, str]]  # tag -> guide -> conversation id
    keys: dict[tuple[str, str], str]  # (tag, role) -> secret

    def headers(self, tag: str, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[(tag, role)]}"}


def open_backend(backend: str, tmp_path: Path, tenant: str) -> Database:
    if backend == "sqlite":
        return Database.open(f"sqlite:///{tmp_path / 'api.db'}", tenant=tenant)
    if not PG_URL:
        pytest.skip("no PostgreSQL: set SALESBRAIN_TEST_PG_URL to run the Postgres variant")
    return Database.open(PG_URL, tenant=tenant)


def lapsed_orders(store: Database, tag: str) -> None:
    """Orders from June 2021 for the customers of g1 and g3: lapsed two years from mid-2023 on."""
    ms = int(datetime(2021, 6, 1, tzinfo=UTC).timestamp() * 1000)
    store.upsert_rows("orders", [
        {"order_id": f"o-{g}", "customer_id": customer_of(tag, g), "ts_ms": ms, "amount": 399.0,
         "channel": ""} for g in ("g1", "g3")])
