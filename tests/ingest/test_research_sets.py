"""The real JDDC sample and STC-3 file load completely as conversations."""

from __future__ import annotations

import json
from pathlib import Path

from salesbrain.ingest.pipeline import Ingestor
from salesbrain.store import Store


def test_jddc_sample_loads_every_session(shared_data: Path, store: Store) -> None:
    path = shared_data / "jddc2019" / "chat_sample.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    sessions = {line.split("\t", 1)[0] for line in lines}
    summary = Ingestor(store).ingest_messages(path, "jddc")
    assert summary.quarantined == 0 and summary.stored == len(lines)
    assert store.count("conversations") == len(sessions)


def test_stc3_loads_every_dialogue(shared_data: Path, store: Store) -> None:
    path = shared_data / "stc3" / "train_data_cn.json"
    dialogues = json.loads(path.read_text(encoding="utf-8"))
    summary = Ingestor(store).ingest_messages(path)
    assert summary.quarantined == 0
    assert summary.stored == sum(len(d["turns"]) for d in dialogues)
    assert store.count("conversations") == len(dialogues)
