"""POST /v1/messages: per-record errors, idempotency, streaming in chunks, limits, tenancy."""

from __future__ import annotations

import json
from pathlib import Path

from tests.service.conftest import make_world
from tests.service.world import World

T0 = 1_700_000_000_000


def wecom(msgid: str, sender: str, to: str, offset_s: int, text: str = "这款有39码吗？") -> dict:
    return {"msgid": msgid, "action": "send", "from": sender, "tolist": [to], "roomid": "",
            "msgtime": T0 + offset_s * 1000, "msgtype": "text", "text": {"content": text}}


def batch() -> list[dict]:
    return [
        wecom("w1", "wmCust1", "g2", 0),
        {"msgid": "w2", "action": "send", "from": "wmCust1", "msgtype": "text"},  # no tolist
        wecom("w3", "g2", "wmCust1", 60, "有的，电话13812345678"),
        "not an object",
        wecom("w5", "wmCust1", "g2", 120, "好的谢谢"),
    ]


def post(world: World, body: dict, role: str = "admin") -> dict:
    response = world.client.post("/v1/messages", json=body, headers=world.headers("甲", role))
    assert response.status_code == 200, response.text
    return response.json()


def test_batch_reports_each_bad_record_and_resend_stores_nothing_twice(api: World) -> None:
    store = api.stores["甲"]
    before = store.count("messages")
    first = post(api, {"format": "wecom", "records": batch()})
    assert (first["read"], first["stored"], first["quarantined"]) == (5, 3, 2)
    assert first["errors"] == [{"index": 1, "reason": "missing field 'tolist'"},
                               {"index": 3, "reason": "expected a JSON object"}]
    again = post(api, {"format": "wecom", "records": batch()})
    assert (again["stored"], again["duplicates"], again["batch_id"]) == (0, 3, first["batch_id"])
    assert store.count("messages") == before + 3
    assert len([q for q in store.quarantined() if q["source_file"].startswith("api:")]) == 2
    stored = next(c for c in store.conversations(guide_id="g2"))
    assert [m.msgid for m in stored.messages] == ["w1", "w3", "w5"]
    assert "13812345678" not in stored.messages[1].text


def test_ndjson_stream_is_chunked_and_indexes_errors_across_chunks(tmp_path: Path) -> None:
    world = make_world("sqlite", tmp_path, ingest_chunk_records=2, max_batch_records=2)
    lines = [json.dumps(r, ensure_ascii=False) for r in batch()] + [""]  # blank line: no record
    lines[3] = '{"msgid": "w4", '
    body = "\n".join(lines).encode()
    with world.client as client:
        response = client.post("/v1/messages?format=wecom", content=body, headers={
            **world.headers("甲", "admin"), "Content-Type": "application/x-ndjson"})
        assert response.status_code == 200, response.text
        result = response.json()
        assert (result["read"], result["stored"]) == (5, 3)
        assert [e["index"] for e in result["errors"]] == [1, 3]
        assert result["errors"][1]["reason"].startswith("malformed JSON")
        too_many = client.post("/v1/messages", json={"format": "wecom", "records": batch()},
                               headers=world.headers("甲", "admin"))
        assert too_many.status_code == 413 and "records" in too_many.json()["detail"]


def test_limits_and_validation_name_the_field(tmp_path: Path) -> None:
    world = make_world("sqlite", tmp_path, max_body_bytes=2000)
    headers = world.headers("甲", "admin")
    with world.client as client:
        big = client.post("/v1/messages", headers=headers, json={
            "format": "plain", "records": [{"text": "长" * 3000}]})
        assert big.status_code == 413 and big.json()["detail"].startswith("body")
        missing = client.post("/v1/messages", headers=headers, json={"records": [{}]})
        assert missing.status_code == 422
        assert missing.json()["detail"][0]["field"] == "body.format"
        stream = client.post("/v1/messages", content=b"{}", headers={
            **headers, "Content-Type": "application/x-ndjson"})
        assert stream.status_code == 422 and stream.json()["detail"].startswith("format")
        garbage = client.post("/v1/messages", content=b"{", headers=headers)
        assert garbage.status_code == 422


def test_ingest_lands_in_the_callers_tenant_only(api: World) -> None:
    records = [{"guide_id": "g1", "customer_id": "wmX", "role": "customer", "ts": T0,
                "text": "在吗", "msgid": "only-in-yi"}]
    response = api.client.post("/v1/messages", json={"format": "plain", "records": records},
                               headers=api.headers("乙", "admin"))
    assert response.json()["stored"] == 1
    assert api.stores["乙"].existing_msgids(["only-in-yi"]) == {"only-in-yi"}
    assert api.stores["甲"].existing_msgids(["only-in-yi"]) == set()




def test_nul_characters_are_refused_not_fatal(api: World) -> None:
    """PostgreSQL text cannot hold U+0000: refuse it at the edge instead of failing with a 500."""
    headers = api.headers("甲", "admin")
    record = {"guide_id": "g1", "customer_id": "wm\x00x", "role": "customer", "ts": T0,
              "text": "a\x00b"}
    ingested = api.client.post("/v1/messages", headers=headers,
                               json={"format": "plain", "records": [record]})
    assert ingested.status_code == 200 and ingested.json()["errors"][0]["reason"].startswith(
        "contains a NUL")
    for path in ("/v1/conversations/a%00b", "/v1/conversations?customer_id=%00"):
        assert api.client.get(path, headers=headers).status_code == 422
    feedback = api.client.post("/v1/feedback", headers=headers, json={
        "suggestion_id": "sg_x", "action": "edit", "sent_text": "好\x00的"})
    assert feedback.status_code == 422 and "NUL" in feedback.text
