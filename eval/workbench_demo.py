"""The workbench on the simulated demo brand: seven typical first questions and its own chats.

The brand (`salesbrain.simulate`, 20 guides, 400 customers, 14 days, seed 0) is ingested into a
scratch database; the simulator's true intents and outcomes stand in for `analyze`'s labels.
The script library is mined from the champions' well-ended conversations exactly as
`salesbrain scripts mine` does (`salesbrain.jobs.scripts.mine_library`), tier 1 is the suggest
stage's encoder-free path fitted on the champions' replies (the tenant's own bank, nothing
public), and the other guides' customer turns are served. Inline questions get the intent of
the TF-IDF intent baseline.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from salesbrain.db import Database
from salesbrain.db.database import now_ms
from salesbrain.db.labels import replace_labels
from salesbrain.db.scripts import list_scripts
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.jobs.champion_replies import champion_pairs
from salesbrain.jobs.scripts import mine_library
from salesbrain.schema import Conversation, Role, Turn
from salesbrain.simulate.simulation import simulate_brand
from salesbrain.stages.intent_network import IntentInput
from salesbrain.stages.suggest import SuggestStage
from salesbrain.suggest.tiers import TieredSuggestion, needs_reply, tiered_suggestions
from salesbrain.suggest.types import SuggestInput, Suggestion

QUESTIONS = ("这件外套有M码吗", "双十一有什么优惠活动吗", "我上周买的裙子想退货",
             "会员生日有什么福利", "这个颜色显黑吗，有没有实拍图")
BRAND = {"guides": 20, "customers": 400, "days": 14, "seed": 0}
MIN_CONVERSATIONS = 10  # a champion's volume on a brand this small
Intents = Callable[[Sequence[IntentInput]], list[str]]


def truthful_store(work: Path) -> tuple[Database, dict[str, str]]:
    """The brand ingested, labelled with the simulator's truth; returns the message intents."""
    simulate_brand(work / "brand", **BRAND)
    store = Database.open(f"sqlite:///{work / 'demo.db'}", "demo")
    ingestor = Ingestor(store)
    ingestor.ingest_brand_tables(work / "brand")
    ingestor.ingest_messages(work / "brand" / "archive.jsonl", "wecom")
    truth = json.loads((work / "brand" / "truth.json").read_text(encoding="utf-8"))
    outcome_of = {c["first_msgid"]: c["outcome"] for c in truth["conversations"]}
    conversations, messages = [], []
    for conversation in store.conversations():
        outcome = next((outcome_of[m.msgid] for m in conversation.messages
                        if m.msgid in outcome_of), "ongoing")
        conversations.append({"conversation_id": conversation.conversation_id,
                              "outcome": outcome, "outcome_source": "truth", "sentiment": None,
                              "quality": None, "compliance_hits": 0, "analyzed_ms": now_ms(),
                              "brain_version": "truth"})
        messages += [{"msgid": m.msgid, "intent": truth["messages"][m.msgid], "probability": 1.0,
                      "uncertain": False, "sentiment": None, "compliance": None,
                      "brain_version": "truth"}
                     for m in conversation.messages if m.msgid in truth["messages"]]
    replace_labels(store, conversations, messages)
    return store, truth["messages"]


def customer_turns(conversations: Sequence[Conversation], intents: dict[str, str]
                   ) -> list[tuple[tuple[Turn, ...], str]]:
    """(turns up to a customer message, its intent) for every labelled customer message."""
    served = []
    for conversation in conversations:
        turns: list[Turn] = []
        for message in conversation.messages:
            if not message.text or message.recalled or message.role is Role.SYSTEM:
                continue
            turns.append(Turn(message.role, message.text))
            if message.role is Role.CUSTOMER and message.msgid in intents:
                served.append((tuple(turns), intents[message.msgid]))
    return served


def served(stage: SuggestStage, scripts: list, turns: tuple[Turn, ...], intent: str,
           today: Sequence[Suggestion]) -> list[TieredSuggestion]:
    def unsure() -> Sequence[Suggestion]:
        return stage.top_replies([SuggestInput(turns, 3)], parts="lexical", generate=False,
                                 include_public=False)[0]

    return tiered_suggestions(turns, intent, today, scripts, k=3, unsure=unsure)


def answered(stage: SuggestStage, scripts: list, asked: Sequence[tuple[tuple[Turn, ...], str]]
             ) -> dict[str, Any]:
    shown = stage.predict([SuggestInput(turns, 3) for turns, _ in asked], parts="lexical",
                          generate=False)
    needing = tiers = 0
    by_tier: dict[str, int] = {}
    for (turns, intent), today in zip(asked, shown, strict=True):
        if not needs_reply(turns, intent):
            continue
        needing += 1
        listed = served(stage, scripts, turns, intent, today)
        if listed:
            tiers += 1
            tier = listed[0].source if listed[0].confident else "unsure"
            by_tier[tier] = by_tier.get(tier, 0) + 1
    today_count = sum(1 for (t, i), s in zip(asked, shown, strict=True) if s and needs_reply(t, i))
    return {"turns": len(asked), "need_reply": needing,
            "answered": round(tiers / needing, 4) if needing else 0.0,
            "answered_today": round(today_count / needing, 4) if needing else 0.0,
            "first_reply_tier": by_tier}


def demo_report(log: Callable[[str], None], intents: Intents) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as scratch:
        store, truth = truthful_store(Path(scratch))
        mined = mine_library(store, min_conversations=MIN_CONVERSATIONS)
        log(f"demo: {mined['added']} scripts mined from {mined['replies']} champion replies")
        pairs = champion_pairs(store, MIN_CONVERSATIONS)
        stage = SuggestStage({"use_dense": False}).fit(pairs, [p.reply for p in pairs])
        scripts = list_scripts(store, status="active")
        champion_ids = {p.conversation_id for p in pairs}
        others = [c for c in store.conversations() if c.conversation_id not in champion_ids]
        inline = [((Turn(Role.CUSTOMER, q),), intent) for q, intent in
                  zip(QUESTIONS, intents([IntentInput(q) for q in QUESTIONS]), strict=True)]
        report = {"scripts": len(scripts), "champion_pairs": len(pairs),
                  "questions": answered(stage, scripts, inline),
                  "own_conversations": answered(stage, scripts, customer_turns(others, truth))}
        report["question_suggestions"] = {
            q: [(s.source, s.confident, s.text) for s in served(
                stage, scripts, turns, intent, stage.predict(
                    [SuggestInput(turns, 3)], parts="lexical", generate=False)[0])]
            for q, (turns, intent) in zip(QUESTIONS, inline, strict=True)}
        report["question_intents"] = dict(zip(QUESTIONS, (i for _, i in inline), strict=True))
        store.engine.dispose()
    return report
