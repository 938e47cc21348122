"""Scoring reads the labels `analyze` stored and says which conversations have none."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from salesbrain.analysis import analyze_store
from salesbrain.brain import write_manifest
from salesbrain.db import Database
from salesbrain.db.labels import conversation_labels
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.scoring import facts_from_store
from salesbrain.stages.compliance import ComplianceStage
from tests.test_analysis import CHATS, write_chats

VIOLATIONS = [
    ("cv3", "customer", "2026-10-03T10:00:00+08:00", "能便宜点吗"),
    ("cv3", "guide", "2026-10-03T10:01:00+08:00", "加我vx，私下给你打五折"),
]


def compliance_brain(directory: Path) -> Path:
    ComplianceStage().fit().save_pretrained(directory / "compliance")
    write_manifest(directory, "rules", ["compliance"], {})
    return directory


def test_scoring_counts_compliance_as_analyze_stored_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = Database.open(f"sqlite:///{tmp_path}/s.db", "acme")
    Ingestor(store).ingest_messages(write_chats(tmp_path / "a.jsonl", CHATS + VIOLATIONS), "jsonl")
    with caplog.at_level(logging.WARNING, logger="salesbrain.scoring.labels"):
        unlabelled = facts_from_store(store)
    assert unlabelled.unanalysed == 3 and "salesbrain analyze" in caplog.text
    assert unlabelled.compliance_hits.tolist() == [0, 0, 0]  # no model runs in scoring

    analyze_store(store, compliance_brain(tmp_path / "brain"))
    stored = {row.conversation_id: row.compliance_hits for row in conversation_labels(store)}
    facts = facts_from_store(store)
    assert facts.unanalysed == 0
    assert dict(zip(facts.conversation_ids, facts.compliance_hits.tolist(), strict=True)) == stored
    assert sorted(stored.values()) == [0, 1, 2]
