"""The dashboard routes on a small simulated brand labelled with its truth (real reports)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from salesbrain.db import Database
from salesbrain.security import create_api_key
from tests.service.brand import labelled_brand
from tests.service.world import build_client


@pytest.fixture(scope="module")
def brand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp_path = tmp_path_factory.mktemp("dashboard-brand")
    store = Database.open(f"sqlite:///{tmp_path / 'brand.db'}", tenant="brand")
    truth = labelled_brand(store, tmp_path / "files")
    client, _ = build_client(store, tmp_path, None)
    guides = store.guides()
    admin = {"X-API-Key": create_api_key(store, "admin")}
    manager = {"X-API-Key": create_api_key(store, "manager", store_ids=[guides[0].store_id])}
    with client:
        yield {"client": client, "store": store, "guides": guides, "truth": truth,
               "admin": admin, "manager": manager, "dir": tmp_path / "files"}


def test_leaderboard_rows_carry_a_trend_over_the_periods(brand: dict[str, Any]) -> None:
    board = brand["client"].get("/v1/leaderboard?period=week", headers=brand["admin"]).json()
    assert len(board["trend_periods"]) >= 3
    for row in board["rows"]:
        assert len(row["trend"]) == len(board["trend_periods"])
        assert row["trend"][-1] == pytest.approx(row["score"])
    regions = {g.region for g in brand["guides"]}
    region = sorted(regions)[0]
    narrowed = brand["client"].get(f"/v1/leaderboard?period=week&region={region}",
                                   headers=brand["admin"]).json()
    expected = {g.guide_id for g in brand["guides"] if g.region == region}
    assert {r["guide_id"] for r in narrowed["rows"]} == expected


def test_the_leaderboard_pages_through_its_rows_in_rank_order(brand: dict[str, Any]) -> None:
    client, admin = brand["client"], brand["admin"]
    whole = client.get("/v1/leaderboard?period=month", headers=admin).json()
    assert whole["total"] == len(whole["rows"]) >= 4 and whole["offset"] == 0
    ranks = [row["rank"] for row in whole["rows"]]
    assert ranks == sorted(ranks)
    pages = [client.get(f"/v1/leaderboard?period=month&limit=3&offset={offset}",
                        headers=admin).json() for offset in range(0, whole["total"], 3)]
    assert all(page["total"] == whole["total"] and len(page["rows"]) <= 3 for page in pages)
    assert [row for page in pages for row in page["rows"]] == whole["rows"]
    for bad in ("limit=0", "offset=-1", "limit=many"):
        response = client.get(f"/v1/leaderboard?{bad}", headers=admin)
        assert response.status_code == 422 and bad.split("=")[0] in response.text


def test_drilldown_series_add_up_to_the_guides_conversations(brand: dict[str, Any]) -> None:
    guide = brand["guides"][0]
    body = brand["client"].get(f"/v1/guides/{guide.guide_id}/drilldown?period=week",
                               headers=brand["manager"]).json()
    mine = [c for c in brand["truth"]["conversations"] if c["guide_id"] == guide.guide_id]
    funnel = {step["key"]: step["count"] for step in body["funnel"]}
    assert funnel["conversations"] == len(mine)
    assert funnel["conversations"] >= funnel["customer_asked"] >= funnel["answered"]
    assert funnel["good_outcome"] >= funnel["purchased"]
    assert funnel["purchased"] == sum(c["outcome"] == "purchased" for c in mine)
    assert sum(b["count"] for b in body["response_times"]["bins"]) == body["response_times"]["n"]
    assert sum(s["count"] for s in body["intents"]) <= len(mine)
    assert [s["period"] for s in body["scores"]] == sorted(s["period"] for s in body["scores"])
    assert sum(s["purchased"] for s in body["sales"]) == funnel["purchased"]
    card = brand["client"].get(f"/v1/guides/{guide.guide_id}/scorecard?period=week",
                               headers=brand["manager"]).json()["latest"]
    assert {c["key"]: c["value"] for c in body["components"]} == {
        k: c["value"] for k, c in card["components"].items() if c is not None}
    assert body["scores"][-1]["score"] == pytest.approx(card["score"])


def test_the_viewer_shows_intents_hits_and_placeholders(brand: dict[str, Any]) -> None:
    store: Database = brand["store"]
    violated = set(brand["truth"]["violations"])
    conversation = next(c for c in store.conversations()
                        if any(m.msgid in violated for m in c.messages))
    body = brand["client"].get(f"/v1/conversations/{conversation.conversation_id}/labels",
                               headers=brand["admin"]).json()
    by_id = {m["msgid"]: m for m in body["messages"]}
    assert body["analysed"] and body["outcome"]
    for msgid, intent in brand["truth"]["messages"].items():
        if msgid in by_id:
            assert by_id[msgid]["intent"] == intent
    assert all(by_id[m]["compliance"] for m in violated if m in by_id)
    redacted = next(c for c in store.conversations()
                    if any(m.redactions and m.text for m in c.messages))
    shown = brand["client"].get(f"/v1/conversations/{redacted.conversation_id}/labels",
                                headers=brand["admin"]).json()["messages"]
    assert any(m["redactions"] and "[" in m["text"] for m in shown)


def test_coaching_pairs_line_up_turns_and_mark_the_first_divergence(
        brand: dict[str, Any]) -> None:
    found = [brand["client"].get(f"/v1/coaching/{g.guide_id}/pairs",
                                 headers=brand["admin"]).json() for g in brand["guides"]]
    pairs = [p for f in found for p in f["pairs"]]
    assert pairs, "the brand should have at least one coaching pair"
    for pair in pairs:
        assert pair["guide_conversation_id"] != pair["champion_conversation_id"]
        diverging = [r["index"] for r in pair["rows"] if r["reasons"]]
        assert pair["first_divergence"] == (diverging[0] if diverging else None)
        assert [r["index"] for r in pair["rows"]] == list(range(len(pair["rows"])))
    intent_pairs = [p for p in pairs if p["dimension"] == "intent"]
    assert all(p["key"] in json.dumps(brand["truth"]["messages"]) for p in intent_pairs)


def test_coaching_pairs_export_one_row_per_turn(brand: dict[str, Any]) -> None:
    guide = next(g.guide_id for g in brand["guides"]
                 if brand["client"].get(f"/v1/coaching/{g.guide_id}/pairs",
                                        headers=brand["admin"]).json()["pairs"])
    found = brand["client"].get(f"/v1/coaching/{guide}/pairs", headers=brand["admin"]).json()
    exported = brand["client"].get(f"/v1/coaching/{guide}/pairs?format=csv",
                                   headers=brand["admin"])
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == sum(len(p["rows"]) for p in found["pairs"])
    assert exported.headers["content-disposition"].endswith(f'coaching-{guide}.csv"')


def test_the_manager_pages_are_served(brand: dict[str, Any], tmp_path: Path) -> None:
    client = brand["client"]
    page = client.get("/")
    assert page.status_code == 200 and "/web/manager.js" in page.text
    for asset in ("charts.js", "manager.js", "manager-views.js", "manager.css"):
        assert client.get(f"/web/{asset}").status_code == 200, asset
