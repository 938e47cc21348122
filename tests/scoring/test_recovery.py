"""A small simulated brand end to end: simulate -> ingest -> facts -> scorecards -> truth."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy.stats import spearmanr

from salesbrain.db import Database
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.scoring import FactsBuilder, facts_from_store, score_guides
from salesbrain.simulate import simulate_brand


@pytest.fixture(scope="module")
def brand(tmp_path_factory: pytest.TempPathFactory) -> tuple[Database, dict]:
    root = tmp_path_factory.mktemp("brand")
    simulate_brand(root / "sim", guides=15, customers=300, days=7, seed=1)
    store = Database.open(f"sqlite:///{root / 'store.db'}", tenant="acme")
    ingestor = Ingestor(store)
    ingestor.ingest_brand_tables(root / "sim")
    ingestor.ingest_messages(root / "sim" / "archive.jsonl")
    return store, json.loads((root / "sim" / "truth.json").read_text(encoding="utf-8"))


def test_composite_score_tracks_latent_talent(brand: tuple[Database, dict]) -> None:
    store, truth = brand
    table = score_guides(facts_from_store(store), store.guides(), {"period": "all"})
    talent = [truth["guides"][table.group_ids[g]]["talent"] for g in table.group]
    assert len(talent) == 15
    assert spearmanr(talent, table.score)[0] > 0.5


def test_task_execution_matches_the_simulated_truth(brand: tuple[Database, dict]) -> None:
    store, truth = brand
    facts = facts_from_store(store)
    executed = dict(zip(facts.task_ids, facts.task_executed.tolist(), strict=True))
    assert executed == {task_id: bool(done) for task_id, done in truth["tasks"].items()}


def test_lean_timeline_pass_equals_the_conversation_pass(brand: tuple[Database, dict]) -> None:
    store, _ = brand
    lean = facts_from_store(store)
    full = FactsBuilder(store.guides(), store.orders(), store.outreach_tasks()).add_all(
        store.conversations()).build()
    position = {cid: i for i, cid in enumerate(lean.conversation_ids)}
    order = [position[cid] for cid in full.conversation_ids]
    for name in ("questions", "answered", "guide_messages", "outcome", "gmv", "started_ms"):
        assert np.array_equal(getattr(lean, name)[order], getattr(full, name)), name
    assert sorted(lean.response_s.tolist()) == sorted(full.response_s.tolist())
