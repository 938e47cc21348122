"""The overview routes on a small simulated brand labelled with its truth (real scoring)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np
import pytest

from salesbrain.db import Database
from salesbrain.scoring.outreach import BRAND_TZ, RECALL_GROUPS
from salesbrain.scoring.segments import ACTIONS
from salesbrain.security import create_api_key
from service.core.recall import default_rules
from tests.service.brand import labelled_brand
from tests.service.world import build_client

MONTH = "2026-11"  # the simulated brand's conversations end in October 2026


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture(scope="module")
def brand(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp_path = tmp_path_factory.mktemp("overview-brand")
    store = Database.open(f"sqlite:///{tmp_path / 'brand.db'}", tenant="brand")
    truth = labelled_brand(store, tmp_path / "files")
    client, _ = build_client(store, tmp_path, None)
    guides = store.guides()
    first_store = guides[0].store_id
    keys = {"admin": create_api_key(store, "admin"),
            "manager": create_api_key(store, "manager", store_ids=[first_store])}
    for guide in guides:
        keys[guide.guide_id] = create_api_key(store, "guide", guide_id=guide.guide_id)
    with client:
        yield {"client": client, "store": store, "guides": guides, "truth": truth,
               "first_store": first_store,
               "headers": {who: {"X-API-Key": key} for who, key in keys.items()}}


def get(brand: dict[str, Any], path: str, who: str = "admin") -> Any:
    response = brand["client"].get(path, headers=brand["headers"][who])
    assert response.status_code == 200, response.text
    return response.json() if "format=csv" not in path else rows_of(response.text)


def test_segments_follow_from_their_components(brand: dict[str, Any]) -> None:
    body = get(brand, "/v1/segments")
    assert {s["store_id"] for s in body["stores"]} == {g.store_id for g in brand["guides"]}
    for row in body["stores"]:
        for axis in ("willingness", "ability"):
            points = [c["points"] for c in row["components"]
                      if c["axis"] == axis and c["points"] is not None]
            assert row[axis] == pytest.approx(np.mean(points) if points else 50.0, abs=0.06)
        willing, able = row["willingness"] >= 50, row["ability"] >= 50
        assert row["segment"] == {(True, True): "willing_and_able",
                                  (True, False): "willing_not_able",
                                  (False, True): "able_not_willing",
                                  (False, False): "neither"}[(willing, able)]
        assert row["action"] == ACTIONS[row["segment"]] and row["action_name"]
    mine = get(brand, "/v1/segments", "manager")
    assert [s["store_id"] for s in mine["stores"]] == [brand["first_store"]]
    exported = get(brand, "/v1/segments?format=csv")
    assert len(exported) == len(body["stores"]) and "task_execution_rate" in exported[0]


def test_trends_add_up_to_the_brands_conversations(brand: dict[str, Any]) -> None:
    conversations = brand["truth"]["conversations"]
    body = get(brand, "/v1/trends?period=week")
    periods = [p["period"] for p in body["points"]]
    assert periods == sorted(periods) and len(periods) >= 3
    assert sum(p["conversations"] for p in body["points"]) == len(conversations)
    assert sum(p["purchased"] for p in body["points"]) == sum(
        c["outcome"] == "purchased" for c in conversations)
    for point in body["points"]:
        assert sum(point["outcomes"].values()) == point["conversations"]
        if point["conversations"]:
            assert point["conversion_rate"] == pytest.approx(
                point["purchased"] / point["conversations"])
    guide = brand["guides"][0].guide_id
    hers = get(brand, f"/v1/trends?guide_id={guide}")
    assert sum(p["conversations"] for p in hers["points"]) == sum(
        c["guide_id"] == guide for c in conversations)
    assert len(get(brand, "/v1/trends?format=csv")) == len(body["points"])


def test_compliance_alerts_are_the_flagged_messages(brand: dict[str, Any]) -> None:
    violated = set(brand["truth"]["violations"])
    body = get(brand, "/v1/compliance/alerts?limit=1000")
    assert body["total"] == len(body["alerts"]) > 0
    assert {a["msgid"] for a in body["alerts"]} <= violated
    assert sum(body["by_category"].values()) == body["total"]
    times = [a["ts"] for a in body["alerts"]]
    assert times == sorted(times, reverse=True)
    category = next(iter(body["by_category"]))
    narrowed = get(brand, f"/v1/compliance/alerts?category={category}")
    assert narrowed["total"] == body["by_category"][category]
    store_of = {g.guide_id: g.store_id for g in brand["guides"]}
    mine = get(brand, "/v1/compliance/alerts", "manager")
    assert all(store_of[a["guide_id"]] == brand["first_store"] for a in mine["alerts"])
    assert mine["total"] == sum(store_of[a["guide_id"]] == brand["first_store"]
                                for a in body["alerts"])


def test_search_finds_every_conversation_with_the_words(brand: dict[str, Any]) -> None:
    store: Database = brand["store"]
    for term in ("羽绒服", "码"):  # a trigram lookup, and a scan for a short word
        expected = {c.conversation_id for c in store.conversations()
                    if any(term in m.text for m in c.messages)}
        first = get(brand, f"/v1/conversations/search?q={term}&page_size=200")
        assert first["total"] == len(expected) > 0
        assert {h["conversation_id"] for h in first["hits"]} == expected
        assert all(term in h["snippet"] for h in first["hits"])
    pages = [get(brand, f"/v1/conversations/search?q=羽绒服&page_size=5&page={n}")
             for n in (1, 2)]
    ids = [[h["conversation_id"] for h in p["hits"]] for p in pages]
    assert len(ids[0]) == 5 and not set(ids[0]) & set(ids[1])


def test_search_filters_by_labels(brand: dict[str, Any]) -> None:
    conversations = brand["truth"]["conversations"]
    bought = get(brand, "/v1/conversations/search?outcome=purchased&page_size=200")
    assert bought["total"] == sum(c["outcome"] == "purchased" for c in conversations)
    assert all(h["outcome"] == "purchased" for h in bought["hits"])
    flagged = get(brand, "/v1/conversations/search?compliance=true&page_size=200")
    assert flagged["total"] > 0 and all(h["compliance_hits"] > 0 for h in flagged["hits"])
    asked = get(brand, "/v1/conversations/search?intent=product_inquiry&page_size=200")
    assert asked["total"] > 0
    assert all("product_inquiry" in h["intents"] for h in asked["hits"])
    exported = get(brand, "/v1/conversations/search?outcome=purchased&page_size=200&format=csv")
    assert {r["conversation_id"] for r in exported} == {
        h["conversation_id"] for h in bought["hits"]}


def test_recall_tasks_carry_reasons_purchases_and_compliant_drafts(
        brand: dict[str, Any]) -> None:
    body = get(brand, f"/v1/recall-tasks?month={MONTH}")
    tasks = body["tasks"]
    assert tasks and len({t["customer_id"] for t in tasks}) == len(tasks)
    month_start = datetime(2026, 11, 1, tzinfo=BRAND_TZ)
    rules = default_rules()
    for task in tasks:
        assert task["group_name"] == RECALL_GROUPS[task["group"]] and task["reason"]
        assert task["status"] == "open"
        bought = task["last_purchase_at"]
        assert bought is not None or task["group"] == "birthday"  # a member may never have bought
        if bought is not None:
            assert datetime.fromisoformat(bought) < month_start
        assert 1 <= len(task["drafts"]) <= 3
        for draft in task["drafts"]:
            assert "{" not in draft["text"] and not rules.predict([draft["text"]])[0]
            assert (draft["champion_id"] is not None) == (draft["source"] == "champion")
    assert any(d["source"] == "champion" for t in tasks for d in t["drafts"])
    exported = get(brand, f"/v1/recall-tasks?month={MONTH}&format=csv")
    assert [r["task_id"] for r in exported] == [t["task_id"] for t in tasks]


def test_the_birthday_group_lists_the_member_files_birthdays(brand: dict[str, Any]) -> None:
    tasks = get(brand, "/v1/recall-tasks?month=2026-10&group=birthday")["tasks"]
    birthdays = brand["store"].birthdays()
    assert {t["customer_id"] for t in tasks} == {c for c, (month, _) in birthdays.items()
                                                 if month == 10}
    for task in tasks:
        assert task["group"] == "birthday" and task["group_name"] == "生日当月"
        assert task["reason"] == "生日 {:02d}-{:02d}".format(*birthdays[task["customer_id"]])
        assert 1 <= len(task["drafts"]) <= 3
    segment = {c for c, info in brand["truth"]["customers"].items() if "birthday" in info}
    assert segment & {t["customer_id"] for t in tasks if t["guide_id"]}
    guide = next(t["guide_id"] for t in tasks if t["guide_id"])
    hers = get(brand, "/v1/recall-tasks?month=2026-10&group=birthday", guide)["tasks"]
    assert hers and hers == [t for t in tasks if t["guide_id"] == guide]


def test_a_guide_marks_her_tasks_and_the_execution_rate_follows(brand: dict[str, Any]) -> None:
    tasks = get(brand, f"/v1/recall-tasks?month={MONTH}")["tasks"]
    guide = next(t["guide_id"] for t in tasks if t["guide_id"])
    hers = get(brand, f"/v1/recall-tasks?month={MONTH}", guide)["tasks"]
    assert hers == [t for t in tasks if t["guide_id"] == guide]
    other = next(t for t in tasks if t["guide_id"] not in (guide, ""))
    client, headers = brand["client"], brand["headers"][guide]
    refused = client.post(f"/v1/recall-tasks/{other['task_id']}/status",
                          json={"status": "done"}, headers=headers)
    assert refused.status_code == 404
    assert client.post(f"/v1/recall-tasks/{hers[0]['task_id']}/status",
                       json={"status": "done"}, headers=headers).status_code == 200
    after = get(brand, f"/v1/recall-tasks?month={MONTH}&guide_id={guide}")
    statuses = {t["task_id"]: t["status"] for t in after["tasks"]}
    assert statuses[hers[0]["task_id"]] == "done"
    assert sum(status == "done" for status in statuses.values()) == 1
    unchanged = get(brand, f"/v1/recall-tasks?month={MONTH}&guide_id={other['guide_id']}")
    assert all(t["status"] == "open" for t in unchanged["tasks"])
    group = hers[0]["group"]
    rate = next(r for r in after["rates"] if r["guide_id"] == guide and r["group"] == group)
    in_group = [t for t in hers if t["group"] == group]
    assert rate["tasks"] == len(in_group) and rate["done"] == 1
    assert rate["execution_rate"] == pytest.approx(1 / len(in_group))
