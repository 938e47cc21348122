"""Scorecards, leaderboard and coaching from salesbrain.scoring on a small simulated brand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from eval.serving import seed_brand
from salesbrain.db import Database
from salesbrain.security import create_api_key
from tests.service.world import build_client


@pytest.fixture(scope="module")
def brand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    tmp_path = tmp_path_factory.mktemp("brand")
    store = Database.open(f"sqlite:///{tmp_path / 'brand.db'}", tenant="brand")
    seed_brand(store, tmp_path / "files", guides=8, customers=160, days=21)
    client, _ = build_client(store, tmp_path, None)
    guides = store.guides()
    manager = create_api_key(store, "manager", store_ids=[guides[0].store_id])
    headers = {"manager": {"X-API-Key": manager},
               "admin": {"X-API-Key": create_api_key(store, "admin")}}
    with client:
        yield client, store, headers


def test_scorecard_has_components_band_and_history(brand: tuple) -> None:
    client, store, headers = brand
    guide = store.guides()[0].guide_id
    card = client.get(f"/v1/guides/{guide}/scorecard?period=week", headers=headers["admin"])
    assert card.status_code == 200, card.text
    body = card.json()
    latest = body["latest"]
    assert body["period_kind"] == "week" and latest["guide_id"] == guide
    assert latest["score_low"] <= latest["score"] <= latest["score_high"]
    assert latest["n_conversations"] > 0 and "conversion_rate" in latest["components"]
    assert [h["period"] for h in body["history"]] == sorted(
        (h["period"] for h in body["history"]), reverse=True)


def test_leaderboard_is_limited_to_the_managers_store(brand: tuple) -> None:
    client, store, headers = brand
    store_id = store.guides()[0].store_id
    everyone = client.get("/v1/leaderboard?period=all", headers=headers["admin"]).json()
    mine = client.get("/v1/leaderboard?period=all", headers=headers["manager"]).json()
    assert [r["rank"] for r in everyone["rows"]] == sorted(r["rank"] for r in everyone["rows"])
    assert len(everyone["rows"]) == len(store.guides())
    assert {r["store_id"] for r in mine["rows"]} == {store_id}
    assert 0 < len(mine["rows"]) < len(everyone["rows"])


def test_coaching_and_cache_refresh(brand: tuple) -> None:
    client, store, headers = brand
    guide = store.guides()[0].guide_id
    coaching = client.get(f"/v1/coaching/{guide}", headers=headers["admin"])
    assert coaching.status_code == 200 and coaching.json()["guide_id"] == guide
    before = client.get("/v1/leaderboard?period=all", headers=headers["admin"]).json()
    n_before = {r["guide_id"]: r["n_conversations"] for r in before["rows"]}
    record = {"guide_id": guide, "customer_id": "wm_new_customer", "role": "customer",
              "ts": "2026-10-20T10:00:00+08:00", "text": "这款还有吗"}
    client.post("/v1/messages", json={"format": "plain", "records": [record]},
                headers=headers["admin"])
    after = client.get("/v1/leaderboard?period=all", headers=headers["admin"]).json()
    n_after = {r["guide_id"]: r["n_conversations"] for r in after["rows"]}
    assert n_after[guide] == n_before[guide] + 1


def test_unknown_guide_has_no_scorecard(brand: tuple, tmp_path: Path) -> None:
    client, _, headers = brand
    response = client.get("/v1/guides/nobody/scorecard", headers=headers["admin"])
    assert response.status_code == 404 and "guide_id" in response.json()["detail"]
