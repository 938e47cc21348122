"""Suggestions are recorded per serving; feedback is checked, redacted and tenant-scoped."""

from __future__ import annotations

from sqlalchemy import select

from salesbrain.db import tables as t
from salesbrain.db.access import feedback_rows, suggestion_row
from tests.service.world import T0, World, customer_of


def suggest(world: World, body: dict, tag: str = "甲", role: str = "guide") -> dict:
    response = world.client.post("/v1/suggest", json=body, headers=world.headers(tag, role))
    assert response.status_code == 200, response.text
    return response.json()


def test_each_suggestion_served_is_recorded_with_a_fresh_id(api: World) -> None:
    conversation_id = api.conversations["甲"]["g1"]
    first = suggest(api, {"conversation_id": conversation_id, "k": 2})
    second = suggest(api, {"conversation_id": conversation_id, "k": 2})
    assert first["brain_version"] == "v1" and first["intent"] == "size_fit"
    assert [s["bank_reply_id"] for s in first["suggestions"]] == ["r0", "r1"]
    ids = [s["suggestion_id"] for s in first["suggestions"] + second["suggestions"]]
    assert len(set(ids)) == 4
    row = suggestion_row(api.stores["甲"], ids[0])
    assert (row.guide_id, row.conversation_id, row.brain_version) == ("g1", conversation_id, "v1")
    assert row.text == first["suggestions"][0]["text"]


def test_inline_messages_are_the_guides_own_and_redacted(api: World) -> None:
    body = {"messages": [{"role": "customer", "text": "我电话13812345678，有39码吗"}]}
    result = suggest(api, body)
    assert result["conversation_id"] is None
    assert "13812345678" not in result["suggestions"][0]["text"]
    served_id = result["suggestions"][0]["suggestion_id"]
    assert suggestion_row(api.stores["甲"], served_id).guide_id == "g1"
    other = api.client.post("/v1/suggest", json={**body, "guide_id": "g3"},
                            headers=api.headers("甲", "guide"))
    assert other.status_code == 403


def test_feedback_accept_edit_ignore(api: World) -> None:
    served = suggest(api, {"conversation_id": api.conversations["甲"]["g1"], "k": 3})
    ids = [s["suggestion_id"] for s in served["suggestions"]]
    headers = api.headers("甲", "guide")
    bodies = [{"suggestion_id": ids[0], "action": "accept"},
              {"suggestion_id": ids[1], "action": "edit", "sent_text": "有的，电话13812345678"},
              {"suggestion_id": ids[2], "action": "ignore"}]
    for body in bodies:
        response = api.client.post("/v1/feedback", json=body, headers=headers)
        assert response.status_code == 201, response.text
    store = api.stores["甲"]
    assert [r["action"] for r in feedback_rows(store, ids[0])] == ["accept"]
    edited = feedback_rows(store, ids[1])[0]
    assert edited["guide_id"] == "g1" and "13812345678" not in edited["sent_text"]
    missing_text = api.client.post("/v1/feedback", headers=headers,
                                   json={"suggestion_id": ids[1], "action": "edit"})
    assert missing_text.status_code == 422 and "sent_text" in missing_text.text
    from_rival = api.client.post("/v1/feedback", json=bodies[0], headers=api.headers("乙", "admin"))
    assert from_rival.status_code == 404
    with store.engine.connect() as conn:
        rows = conn.execute(select(t.feedback.c.tenant).where(t.feedback.c.suggestion_id == ids[0]))
        assert [r.tenant for r in rows] == [store.tenant]


def test_request_limits_name_the_field(world: World) -> None:
    headers = world.headers("甲", "guide")
    cases = [
        ({"messages": [{"role": "customer", "text": "长" * 2001}]}, "body.messages.0.text"),
        ({"conversation_id": "x", "k": 11}, "body.k"),
        ({"messages": [{"role": "robot", "text": "hi"}]}, "body.messages.0.role"),
        ({"messages": [{"role": "customer", "text": "hi"}] * 51}, "body.messages"),
        ({}, "body"),
    ]
    for body, field in cases:
        response = world.client.post("/v1/suggest", json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["field"] == field


def test_analyze_credits_an_attributed_order(api: World) -> None:
    store = api.stores["甲"]
    store.upsert_rows("orders", [{"order_id": "o1", "customer_id": customer_of("甲", "g3"),
                                  "ts_ms": T0 + 3600_000, "amount": 99.0, "channel": "app"}])
    body = {"conversation_id": api.conversations["甲"]["g3"]}
    analysed = api.client.post("/v1/analyze", json=body, headers=api.headers("甲", "admin"))
    assert analysed.json()["outcome"] == "purchased"
    body = {"conversation_id": api.conversations["甲"]["g1"]}
    other = api.client.post("/v1/analyze", json=body, headers=api.headers("甲", "admin"))
    assert other.json()["outcome"] == "ongoing"


def test_analyze_inline_and_stored(world: World) -> None:
    headers = world.headers("甲", "manager")
    inline = world.client.post("/v1/analyze", headers=headers, json={
        "messages": [{"role": "customer", "text": "在吗"}, {"role": "guide", "text": "加我微信"}]})
    assert inline.status_code == 200, inline.text
    result = inline.json()
    assert [i["msgid"] for i in result["intents"]] == ["m0"]
    assert result["compliance"][0]["hits"][0]["category"] == "off_platform"
    stored = world.client.post("/v1/analyze", headers=headers,
                               json={"conversation_id": world.conversations["甲"]["g1"]})
    assert stored.json()["brain_version"] == "v1"
    assert stored.json()["outcome"] == "ongoing"  # no order for this customer
