"""The dashboard `analyze` materialises: the pages read it instead of scoring the brand, give
the same answers as scoring on request, and stop reading it once the data changed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import service.core.facts
from salesbrain.db import Database
from salesbrain.db.snapshots import current_stamp, read_snapshot, write_snapshots
from salesbrain.scoring import facts_from_store
from salesbrain.scoring.materialise import (
    ensure_materialised,
    facts_from_payload,
    facts_payload,
    materialise_dashboard,
    read_materialised,
)
from salesbrain.security import create_api_key
from service.core.facts import StampedCache
from tests.service.brand import labelled_brand
from tests.service.world import build_client

ROUTES = ("/v1/leaderboard?period=week", "/v1/leaderboard?period=month", "/v1/segments",
          "/v1/trends?period=week")


@pytest.fixture(scope="module")
def brand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp_path = tmp_path_factory.mktemp("materialised-brand")
    store = Database.open(f"sqlite:///{tmp_path / 'brand.db'}", tenant="brand")
    labelled_brand(store, tmp_path / "files", guides=6, customers=120, days=14)
    yield {"store": store, "tmp": tmp_path, "admin": create_api_key(store, "admin"),
           "guide_id": store.guides()[0].guide_id}


def answers(brand: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """Every route's JSON from a freshly started service (nothing cached in memory)."""
    client, _ = build_client(brand["store"], tmp_path, None)
    headers = {"X-API-Key": brand["admin"]}
    paths = (*ROUTES, f"/v1/guides/{brand['guide_id']}/drilldown")
    with client:
        responses = {path: client.get(path, headers=headers) for path in paths}
    assert all(r.status_code == 200 for r in responses.values()), responses
    return {path: r.json() for path, r in responses.items()}


def count_facts_passes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every pass over the store's conversations the service makes."""
    calls: list[str] = []

    def counted(store: Database, *args: Any, **kwargs: Any) -> Any:
        calls.append(store.tenant)
        return facts_from_store(store, *args, **kwargs)

    monkeypatch.setattr(service.core.facts, "facts_from_store", counted)
    return calls


def test_facts_survive_the_snapshot_column_for_column(brand: dict[str, Any]) -> None:
    facts = facts_from_store(brand["store"])
    facts.task_ids = facts.task_ids or ["t-1"] * len(facts.task_guide)
    again = facts_from_payload(facts_payload(facts))
    for field in fields(facts):
        mine, theirs = getattr(facts, field.name), getattr(again, field.name)
        if isinstance(mine, np.ndarray):
            assert theirs.dtype == mine.dtype and np.array_equal(mine, theirs, equal_nan=True), \
                field.name
        else:
            assert theirs == mine, field.name


def test_an_id_with_a_nul_character_is_refused_by_field(brand: dict[str, Any]) -> None:
    facts = facts_from_store(brand["store"])
    facts.guide_ids = [*facts.guide_ids[:-1], "bad\x00id"]
    with pytest.raises(ValueError, match="guide_ids"):
        facts_payload(facts)


def test_pages_read_the_snapshot_and_answer_as_scoring_on_request(
        brand: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    passes = count_facts_passes(monkeypatch)
    computed = answers(brand, tmp_path / "computed")
    assert passes == ["brand"]  # one pass, shared by every route
    report = materialise_dashboard(brand["store"])
    assert report["conversations"] == len(facts_from_store(brand["store"]))
    assert ensure_materialised(brand["store"]) is None  # current: not done twice
    passes.clear()
    served = answers(brand, tmp_path / "served")
    assert passes == []  # a restarted service scored nothing itself
    assert served == computed


def test_a_change_in_the_data_makes_the_snapshot_stale(
        brand: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = brand["store"]
    materialise_dashboard(store)
    guide = store.guides()[0]
    store.upsert_rows("guides", [{"guide_id": "g-new", "name": "新导购",
                                  "store_id": guide.store_id, "region": guide.region}])
    assert read_snapshot(store, "facts", current_stamp(store)) is None
    passes = count_facts_passes(monkeypatch)
    answers(brand, tmp_path)
    assert passes == ["brand"]  # computed again, from the store
    assert ensure_materialised(store) is not None
    assert read_snapshot(store, "facts", current_stamp(store)) is not None


def test_analyze_materialises_the_dashboard(brand: dict[str, Any], tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """`analyze_store` ends by materialising, also when no conversation changed."""
    from salesbrain import analysis

    store = brand["store"]
    store.upsert_rows("guides", [{"guide_id": "g-other", "name": "又一位",
                                  "store_id": "s-x", "region": "华东"}])
    monkeypatch.setattr(analysis, "Brain", _NoBrain)
    monkeypatch.setattr(analysis, "pending_conversations", lambda store, version: [])
    report = analysis.analyze_store(store, tmp_path)
    assert report["conversations"] == 0 and report["dashboard"]["conversations"] > 0
    assert read_snapshot(store, "scores:month", current_stamp(store)) is not None
    assert analysis.analyze_store(store, tmp_path)["dashboard"] is None


class _NoBrain:
    """A brain with nothing to analyse (the stages are not what this test is about)."""

    version = "v-none"
    stages: dict[str, Any] = {}

    @classmethod
    def from_pretrained(cls, directory: Path, precision: str | None = None) -> _NoBrain:
        return cls()


def test_the_cache_computes_once_per_data_change_and_forgets_older_values(
        store: Database) -> None:
    cache = StampedCache()
    calls: list[str] = []

    def compute(kind: str) -> str:
        calls.append(kind)
        return f"{kind}@{len(calls)}"

    assert cache.get(store, "recall:2026-10", lambda: compute("a")) == "a@1"
    assert cache.get(store, "recall:2026-10", lambda: compute("a")) == "a@1"
    store.upsert_rows("guides", [{"guide_id": "g1", "name": "王", "store_id": "s1",
                                  "region": "华东"}])
    assert cache.get(store, "recall:2026-11", lambda: compute("b")) == "b@2"
    assert ("acme", "recall:2026-10") not in cache._cache  # stale: dropped, not kept forever
    assert cache.get(store, "recall:2026-10", lambda: compute("a")) == "a@3"


def test_an_unreadable_snapshot_is_computed_afresh(brand: dict[str, Any], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    store = brand["store"]
    materialise_dashboard(store)
    stamp = current_stamp(store)
    write_snapshots(store, stamp, {"facts": b"not an npz", "scores:week": b"\x1f\x8bgarbage"})
    assert read_materialised(store, "facts", stamp) is None
    passes = count_facts_passes(monkeypatch)
    answers(brand, tmp_path)
    assert passes == ["brand"]
