"""`salesbrain analyze`: labels what changed since the brain last saw it, in a chosen precision."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesbrain.analysis import analyze_store
from salesbrain.brain import Brain, write_manifest
from salesbrain.db import Database
from salesbrain.db.labels import message_intents
from salesbrain.encoder import resolve_precision
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.jobs.train_compliance import run as train_compliance
from salesbrain.stages.intent import IntentStage
from tests.stages.test_intent import TINY_SETTINGS, tiny_examples

CHATS = [
    ("cv1", "customer", "2026-10-01T10:00:00+08:00", "我的快递到哪了"),
    ("cv1", "guide", "2026-10-01T10:01:00+08:00", "亲，已经发货了，加我私人微信发你单号"),
    ("cv2", "customer", "2026-10-02T11:00:00+08:00", "能便宜点吗"),
    ("cv2", "guide", "2026-10-02T11:02:00+08:00", "今天有满减活动哦"),
]


def write_chats(path: Path, rows: list[tuple[str, str, str, str]]) -> Path:
    lines = [json.dumps({"conversation_id": cid, "guide_id": "g1", "customer_id": f"c-{cid}",
                         "role": role, "ts": ts, "text": text}, ensure_ascii=False)
             for cid, role, ts, text in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_tiny_brain(directory: Path) -> Path:
    """Compliance rules and a tiny intent model."""
    train_compliance("small", directory, directory)
    inputs, intents = tiny_examples()
    IntentStage({**TINY_SETTINGS, "epochs": 3}).fit(inputs, intents).save_pretrained(
        directory / "intent")
    write_manifest(directory, "v1", ["compliance", "intent"], {})
    return directory


@pytest.fixture(scope="module")
def brain_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_brain(tmp_path_factory.mktemp("brain"))


@pytest.mark.slow  # the brain fixture fine-tunes a tiny intent model
def test_analyze_labels_only_what_changed(brain_dir: Path, tmp_path: Path) -> None:
    store = Database.open(f"sqlite:///{tmp_path}/s.db", "acme")
    Ingestor(store).ingest_messages(write_chats(tmp_path / "a.jsonl", CHATS), "jsonl")

    first = analyze_store(store, brain_dir)
    assert (first["conversations"], first["messages"]) == (2, 4)
    labels = message_intents(store)
    intents = {msgid: intent for msgid, intent in labels.items() if intent}
    assert len(intents) == 2 and set(intents.values()) <= set(tiny_examples()[1])
    assert len(labels) == 3  # two customer intents and the guide message with a compliance hit

    assert analyze_store(store, brain_dir)["conversations"] == 0
    later = [("cv2", "customer", "2026-10-02T11:05:00+08:00", "我要换货")]
    Ingestor(store).ingest_messages(write_chats(tmp_path / "b.jsonl", later), "jsonl")
    again = analyze_store(store, brain_dir)
    assert (again["conversations"], again["messages"]) == (1, 3)
    assert len(message_intents(store)) == 4


@pytest.mark.slow  # the brain fixture fine-tunes a tiny intent model
def test_encoder_precision_is_chosen_at_load(brain_dir: Path, tmp_path: Path) -> None:
    assert Brain.from_pretrained(brain_dir).stages["intent"].precision_ == resolve_precision("auto")
    store = Database.open(f"sqlite:///{tmp_path}/s.db", "acme")
    Ingestor(store).ingest_messages(write_chats(tmp_path / "a.jsonl", CHATS), "jsonl")
    report = analyze_store(store, brain_dir, precision="int8")
    assert report["intent_precision"] == "int8" and report["conversations"] == 2
    with pytest.raises(Exception, match="precision must be"):
        Brain.from_pretrained(brain_dir, precision="fp8")
