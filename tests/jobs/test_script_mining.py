"""Mining the script library from a store: champions' replies, with the intents stored."""

from __future__ import annotations

from pathlib import Path

from salesbrain.db import Database
from salesbrain.db.database import now_ms
from salesbrain.db.labels import replace_labels
from salesbrain.db.scripts import list_scripts
from salesbrain.ingest.batch import ingest_records, parse_records, staff_of
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.ingest.tables import GUIDES
from salesbrain.jobs.scripts import mine_library

T0 = 1_700_000_000_000
# guide -> (customer question, guide reply) per conversation; g1 sells, g2 does not
CHATS = {
    "g1": [
        ("这件外套有M码吗", "王女士，这件外套M码有货的"),
        ("连衣裙有S码吗", "李小姐，这件连衣裙S码有货的"),
        ("衬衫有L码吗", "这件衬衫L码有货的哦"),
        ("双十一有活动吗", "[订单x]"),
    ],
    "g2": [("有M码吗", "不清楚"), ("有S码吗", "不清楚")],
}


def seeded_store(tmp_path: Path) -> Database:
    store = Database.open(f"sqlite:///{tmp_path / 'mine.db'}", "acme")
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "guide_id,name,store_id,region\ng1,甲,s1,华东\ng2,乙,s1,华东\n", encoding="utf-8"
    )
    Ingestor(store).ingest_table(roster, GUIDES)
    records = []
    for guide, chats in CHATS.items():
        for n, (question, reply) in enumerate(chats):
            for i, (role, text) in enumerate((("customer", question), ("guide", reply))):
                records.append(
                    {
                        "msgid": f"{guide}-{n}-{i}",
                        "guide_id": guide,
                        "customer_id": f"wm_{guide}_{n}",
                        "role": role,
                        "ts": T0 + (n * 10 + i) * 60_000,
                        "text": text,
                    }
                )
    ingest_records(store, parse_records(records, "plain", staff_of(store)), "seed", "plain")
    label_everything(store)
    return store


def label_everything(store: Database) -> None:
    conversations, messages = [], []
    for conversation in store.conversations():
        sold = conversation.guide_id == "g1"
        conversations.append(
            {
                "conversation_id": conversation.conversation_id,
                "outcome": "purchased" if sold else "lost",
                "outcome_source": "rule",
                "sentiment": None,
                "quality": None,
                "compliance_hits": 0,
                "analyzed_ms": now_ms(),
                "brain_version": "t",
            }
        )
        for m in conversation.customer_messages():
            intent = "price_promotion" if "活动" in m.text else "size_fit"
            messages.append(
                {
                    "msgid": m.msgid,
                    "intent": intent,
                    "probability": 1.0,
                    "uncertain": False,
                    "sentiment": None,
                    "compliance": None,
                    "brain_version": "t",
                }
            )
    replace_labels(store, conversations, messages)


def test_champions_replies_become_generalised_scripts_once(tmp_path: Path) -> None:
    store = seeded_store(tmp_path)
    summary = mine_library(store, min_conversations=1)
    assert summary["replies"] == 4 and summary["added"] == 1
    [script] = list_scripts(store)
    assert (script.intent, script.source, script.status, script.uses) == (
        "size_fit",
        "mined",
        "active",
        3,
    )
    assert "{商品}" in script.text and "{尺码}码有货" in script.text and "王" not in script.text
    assert mine_library(store, min_conversations=1)["added"] == 0
