"""The real sets (skipped when absent): ingestion and the dataset readers read them whole."""

from __future__ import annotations

import json
from pathlib import Path

from salesbrain.datasets import stc3
from salesbrain.datasets.dialogues import pairs_of, read_dialogues
from salesbrain.datasets.sources import SOURCES, load_conversations
from salesbrain.datasets.splits import is_held_out, split_of
from salesbrain.datasets.stc3 import read_quality_examples
from salesbrain.db import Database
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.schema import Role


def test_jddc_sample_loads_every_session(shared_data: Path, store: Database) -> None:
    path = shared_data / "jddc2019" / "chat_sample.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    sessions = {line.split("\t", 1)[0] for line in lines}
    summary = Ingestor(store).ingest_messages(path, "jddc")
    assert summary.quarantined == 0 and summary.stored == len(lines)
    assert store.count("conversations") == len(sessions)


def test_stc3_loads_every_dialogue(shared_data: Path, store: Database) -> None:
    path = shared_data / "stc3" / "train_data_cn.json"
    dialogues = json.loads(path.read_text(encoding="utf-8"))
    summary = Ingestor(store).ingest_messages(path)
    assert summary.quarantined == 0
    assert summary.stored == sum(len(d["turns"]) for d in dialogues)
    assert store.count("conversations") == len(dialogues)


def test_every_set_reads_into_customer_and_guide_turns(shared_data: Path) -> None:
    for name in SOURCES:
        conversations = load_conversations(name, shared_data)
        roles = {turn.role for turns in conversations.values() for turn in turns}
        assert len(conversations) > 50 and roles == {Role.CUSTOMER, Role.GUIDE}, name


def test_new_sets_give_guide_replies_to_customer_context(shared_data: Path) -> None:
    for name in ("jddc2018", "fosaed", "jddc21rec"):
        pairs = [p for d in read_dialogues(name, shared_data) for p in pairs_of(d)
                 if p["reply_role"] == "guide"]
        assert len(pairs) > 1000, name
        assert all(p["reply"].strip() and p["context"] for p in pairs), name


def test_quality_test_dialogues_are_the_intent_test_ones(shared_data: Path) -> None:
    examples = read_quality_examples(shared_data / stc3.FILE)
    held = [e.dialogue_id for e in examples if is_held_out("quality", e.dialogue_id)]
    assert 0.17 < len(held) / len(examples) < 0.23
    assert all(split_of("intent", i, "stc3") == "test" for i in held)
