"""The workbench API: inbox, labelled chat, feedback only from the key served, acceptance."""

from __future__ import annotations

from salesbrain.db.access import feedback_rows
from salesbrain.db.labels import replace_labels
from salesbrain.security import create_api_key
from tests.service.world import T0, World, customer_of, marker


def inbox(world: World, tag: str = "甲", role: str = "guide", query: str = "") -> list[dict]:
    response = world.client.get("/v1/inbox" + query, headers=world.headers(tag, role))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_inbox_shows_only_the_keys_conversations_latest_first(api: World) -> None:
    store = api.stores["甲"]
    store.upsert_rows("orders", [{"order_id": "o1", "customer_id": customer_of("甲", "g1"),
                                  "ts_ms": T0 - 86_400_000, "amount": 399.0, "channel": "app"}])
    [mine] = inbox(api)
    assert (mine["guide_id"], mine["customer_id"]) == ("g1", customer_of("甲", "g1"))
    assert mine["waiting"] and mine["last_role"] == "customer"
    assert mine["waiting_since"] == mine["last_at"]  # only the last customer message waits
    assert mine["tags"]["last_purchase_amount"] == 399.0
    assert [i["guide_id"] for i in inbox(api, role="manager")] == ["g1"]  # store s1
    assert sorted(i["guide_id"] for i in inbox(api, role="admin")) == ["g1", "g3"]
    assert all(marker("甲", "g1") not in i["last_text"] for i in inbox(api, "乙", "admin"))


def test_inbox_search_reads_redacted_text_and_ids(api: World) -> None:
    assert len(inbox(api, role="admin", query="?q=39码")) == 2
    assert [i["guide_id"] for i in inbox(api, role="admin", query="?q=wmA_g3")] == ["g3"]
    assert inbox(api, role="admin", query="?q=没有这句话") == []
    assert inbox(api, query="?q=g3") == []  # a guide never finds another guide's chat
    assert inbox(api, role="admin", query="?q=%25") == []  # % is a character, not a wildcard


def test_chat_shows_each_customer_messages_intent_and_sentiment(api: World) -> None:
    store = api.stores["甲"]
    conversation = store.conversation(api.conversations["甲"]["g1"])
    assert conversation is not None
    rows = [{"msgid": m.msgid, "intent": "size_fit", "probability": 0.9, "uncertain": False,
             "sentiment": -0.5, "compliance": None, "brain_version": "v1"}
            for m in conversation.customer_messages()]
    replace_labels(store, [], rows)
    response = api.client.get(f"/v1/conversations/{conversation.conversation_id}",
                              headers=api.headers("甲", "guide"))
    messages = response.json()["messages"]
    assert [(m["role"], m["intent"], m["sentiment"]) for m in messages] == [
        ("customer", "size_fit", -0.5), ("guide", None, None), ("customer", "size_fit", -0.5)]


def served_ids(world: World, role: str = "guide", guide: str = "g1") -> list[str]:
    response = world.client.post("/v1/suggest", headers=world.headers("甲", role),
                                 json={"conversation_id": world.conversations["甲"][guide]})
    assert response.status_code == 200, response.text
    return [s["suggestion_id"] for s in response.json()["suggestions"]]


def test_feedback_from_a_key_never_served_is_refused_and_not_recorded(api: World) -> None:
    [first, *_] = served_ids(api)
    other_key = create_api_key(api.stores["甲"], "guide", guide_id="g1", label="phone")
    for headers in ({"Authorization": f"Bearer {other_key}"}, api.headers("甲", "manager"),
                    api.headers("甲", "admin")):
        for action in ("display", "accept"):
            response = api.client.post("/v1/feedback", headers=headers,
                                       json={"suggestion_id": first, "action": action})
            assert response.status_code == 404, response.text
            assert "served to this key" in response.text
    assert feedback_rows(api.stores["甲"], first) == []
    assert api.client.get("/v1/acceptance", headers=api.headers("甲", "admin")).json()[
        "by_guide"] == []


def give(world: World, suggestion_id: str, action: str, text: str | None = None) -> None:
    body = {"suggestion_id": suggestion_id, "action": action}
    if text is not None:
        body["sent_text"] = text
    response = world.client.post("/v1/feedback", json=body, headers=world.headers("甲", "guide"))
    assert response.status_code == 201, response.text


def test_acceptance_per_guide_intent_and_source_and_assisted_sales(api: World) -> None:
    ids = served_ids(api)
    for suggestion_id in ids:
        give(api, suggestion_id, "display")
    give(api, ids[0], "edit", "有的，39码有货")
    give(api, ids[1], "ignore")
    # The guide's reply (a touch) came before this order: it is credited to her conversation.
    api.stores["甲"].upsert_rows("orders", [{
        "order_id": "o9", "customer_id": customer_of("甲", "g1"), "ts_ms": T0 + 3600_000,
        "amount": 259.0, "channel": "store"}])
    report = api.client.get("/v1/acceptance", headers=api.headers("甲", "manager")).json()
    [guide] = report["by_guide"]
    assert (guide["key"], guide["displayed"], guide["edited"], guide["dismissed"]) == (
        "g1", 3, 1, 1)
    assert guide["acceptance_rate"] == 1 / 3
    assert [r["key"] for r in report["by_intent"]] == ["size_fit"]
    assert [r["key"] for r in report["by_source"]] == ["champion"]
    assert report["assisted_sales"] == [{"guide_id": "g1", "conversations": 1, "orders": 1,
                                         "amount": 259.0}]
    rival = api.client.get("/v1/acceptance", headers=api.headers("乙", "admin")).json()
    assert rival["by_guide"] == [] and rival["assisted_sales"] == []


def test_a_guide_sees_only_her_own_acceptance(api: World) -> None:
    for suggestion_id in served_ids(api, role="admin", guide="g3"):
        response = api.client.post("/v1/feedback", headers=api.headers("甲", "admin"),
                                   json={"suggestion_id": suggestion_id, "action": "display"})
        assert response.status_code == 201
    as_admin = api.client.get("/v1/acceptance", headers=api.headers("甲", "admin")).json()
    assert [r["key"] for r in as_admin["by_guide"]] == ["g3"]
    as_guide = api.client.get("/v1/acceptance", headers=api.headers("甲", "guide")).json()
    assert as_guide["by_guide"] == []


def test_acceptance_narrows_to_one_visible_guide(api: World) -> None:
    ids = served_ids(api)
    give(api, ids[0], "display")
    def report(role: str, guide_id: str) -> tuple[int, dict]:
        response = api.client.get(f"/v1/acceptance?guide_id={guide_id}",
                                  headers=api.headers("甲", role))
        return response.status_code, response.json()
    status, body = report("manager", "g1")
    assert status == 200 and [r["key"] for r in body["by_guide"]] == ["g1"]
    assert report("manager", "g3")[0] == 404  # g3 works in another manager's store
    assert report("guide", "g2")[0] == 404  # a guide reads only her own acceptance
    assert report("admin", "g3")[1]["by_guide"] == []  # nothing served to g3 yet
