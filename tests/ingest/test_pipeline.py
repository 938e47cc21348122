"""Ingestion end to end on small files the tests write: good, broken, repeated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesbrain.db import Database
from salesbrain.ingest.pipeline import Ingestor, detect_format
from salesbrain.ingest.records import MAX_TEXT_CHARS
from salesbrain.ingest.tables import GUIDES, ORDERS, TASKS
from salesbrain.schema import MessageType, Role

GUIDE = "guide_zhangsan"
CUSTOMER = "wmAbC123"
T0 = 1_700_000_000_000


def wecom(
    msgid: str, sender: str, to: str, ts: int, msgtype: str = "text", **payload: object
) -> dict:
    record = {
        "msgid": msgid,
        "action": "send",
        "from": sender,
        "tolist": [to],
        "roomid": "",
        "msgtime": ts,
        "msgtype": msgtype,
    }
    record.update(payload or {"text": {"content": "这款有39码吗？"}})
    return record


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def encode(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False).encode()


@pytest.fixture
def roster(tmp_path: Path, any_store: Database) -> Database:
    path = tmp_path / "guides.csv"
    path.write_text(f"guide_id,name,store_id,region\n{GUIDE},张三,s1,华东\n", encoding="utf-8")
    Ingestor(any_store).ingest_table(path, GUIDES)
    return any_store


def test_good_and_broken_records(tmp_path: Path, roster: Database) -> None:
    lines = [
        encode(wecom("m1", CUSTOMER, GUIDE, T0)),
        b'{"msgid": "m2", "action": "send", "from": ',  # malformed JSON
        encode(wecom("m3", CUSTOMER, GUIDE, T0 + 1000, "hologram", hologram={})),  # unknown type
        encode({k: v for k, v in wecom("m4", CUSTOMER, GUIDE, T0).items() if k != "from"}),
        "这是坏的编码".encode("gbk"),  # not UTF-8
        encode(
            wecom("m6", CUSTOMER, GUIDE, T0 + 2000, text={"content": "啊" * (MAX_TEXT_CHARS + 1)})
        ),
        encode(
            wecom(
                "m7", GUIDE, CUSTOMER, T0 + 60_000, text={"content": "有的亲，我的电话13812345678"}
            )
        ),
    ]
    summary = Ingestor(roster).ingest_messages(write_lines(tmp_path / "a.jsonl", lines), "wecom")
    assert summary.as_dict() == {
        "read": 7,
        "stored": 2,
        "duplicates": 0,
        "quarantined": 5,
        "redacted": 1,
        "events": 0,
    }
    reasons = {row["line"]: row["reason"] for row in roster.quarantined()}
    assert reasons[2].startswith("malformed JSON")
    assert "unknown message type 'hologram'" in reasons[3]
    assert "missing field 'from'" in reasons[4]
    assert reasons[5].startswith("invalid UTF-8")
    assert "exceeds" in reasons[6]
    conversation = next(roster.conversations())
    assert [m.msgid for m in conversation.messages] == ["m1", "m7"]
    assert conversation.messages[1].role is Role.GUIDE
    assert "13812345678" not in conversation.messages[1].text
    assert conversation.messages[1].redactions == ("mobile",)


def test_reingest_is_idempotent_and_quarantine_not_doubled(tmp_path: Path,
                                                          roster: Database) -> None:
    path = write_lines(tmp_path / "a.jsonl", [encode(wecom("m1", CUSTOMER, GUIDE, T0)), b"{bad"])
    Ingestor(roster).ingest_messages(path)
    again = Ingestor(roster).ingest_messages(path)
    assert (again.stored, again.duplicates) == (0, 1)
    assert roster.count("messages") == 1
    assert len(roster.quarantined()) == 1


def test_sessions_split_by_gap_and_seconds_normalised(tmp_path: Path, roster: Database) -> None:
    hour = 3_600_000
    lines = [
        encode(wecom("a", CUSTOMER, GUIDE, T0)),
        encode(wecom("b", GUIDE, CUSTOMER, (T0 + hour) // 1000)),  # epoch seconds
        encode(wecom("c", CUSTOMER, GUIDE, T0 + 10 * hour)),  # after the 6 h gap
    ]
    Ingestor(roster).ingest_messages(write_lines(tmp_path / "a.jsonl", lines))
    conversations = list(roster.conversations())
    assert [[m.msgid for m in c.messages] for c in conversations] == [["a", "b"], ["c"]]
    assert conversations[0].messages[1].ts.timestamp() == (T0 + hour) / 1000


def test_sessions_continue_across_runs(tmp_path: Path, roster: Database) -> None:
    Ingestor(roster).ingest_messages(
        write_lines(tmp_path / "1.jsonl", [encode(wecom("a", CUSTOMER, GUIDE, T0))])
    )
    Ingestor(roster).ingest_messages(
        write_lines(tmp_path / "2.jsonl", [encode(wecom("b", GUIDE, CUSTOMER, T0 + 5000))])
    )
    conversations = list(roster.conversations())
    assert len(conversations) == 1 and len(conversations[0].messages) == 2


def test_consent_refusal_scrubs_text(tmp_path: Path, roster: Database) -> None:
    lines = [
        encode(wecom("a", CUSTOMER, GUIDE, T0)),
        encode(
            {
                "msgid": "d1",
                "action": "send",
                "from": CUSTOMER,
                "tolist": [GUIDE],
                "roomid": "",
                "msgtime": T0 + 10,
                "msgtype": "disagree",
                "disagree": {"userid": CUSTOMER, "disagree_time": T0 + 10},
            }
        ),
        encode(wecom("b", CUSTOMER, GUIDE, T0 + 20)),
    ]
    summary = Ingestor(roster).ingest_messages(write_lines(tmp_path / "a.jsonl", lines))
    assert summary.events == 1
    messages = next(roster.conversations()).messages
    assert [(m.text, m.redactions) for m in messages] == [("", ("no_consent",))] * 2


def test_recall_marks_message_and_media_are_placeholders(tmp_path: Path, roster: Database) -> None:
    lines = [
        encode(wecom("a", CUSTOMER, GUIDE, T0)),
        encode(
            wecom("img", CUSTOMER, GUIDE, T0 + 5, "image", image={"md5sum": "x", "filesize": 10})
        ),
        encode(
            {
                "msgid": "r",
                "action": "recall",
                "from": CUSTOMER,
                "tolist": [GUIDE],
                "roomid": "",
                "msgtime": T0 + 9,
                "msgtype": "revoke",
                "revoke": {"pre_msgid": "a"},
            }
        ),
    ]
    Ingestor(roster).ingest_messages(write_lines(tmp_path / "a.jsonl", lines))
    first, image = next(roster.conversations()).messages
    assert first.recalled and first.text == "这款有39码吗？"
    assert (
        image.type is MessageType.IMAGE and image.text == "[图片]" and image.meta["filesize"] == 10
    )


def test_group_chat_is_one_conversation_per_room(tmp_path: Path, roster: Database) -> None:
    room = {"roomid": "wrRoom1"}
    lines = [
        encode({**wecom("g1", CUSTOMER, GUIDE, T0), **room}),
        encode({**wecom("g2", "wmOther", GUIDE, T0 + 1), **room}),
        encode({**wecom("g3", GUIDE, "wmOther", T0 + 2), **room}),
    ]
    Ingestor(roster).ingest_messages(write_lines(tmp_path / "a.jsonl", lines))
    conversations = list(roster.conversations())
    assert len(conversations) == 1
    assert [m.customer_id for m in conversations[0].messages] == [
        CUSTOMER,
        "wmOther",
        "room:wrRoom1",
    ]


def test_json_array_and_envelope_are_streamed(tmp_path: Path, roster: Database) -> None:
    records = [wecom(f"m{i}", CUSTOMER, GUIDE, T0 + i) for i in range(50)]
    array = tmp_path / "a.json"
    array.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    envelope = tmp_path / "b.json"
    envelope.write_text(json.dumps({"errcode": 0, "chatdata": records[:10]}), encoding="utf-8")
    assert Ingestor(roster).ingest_messages(array).stored == 50
    assert Ingestor(roster).ingest_messages(envelope).duplicates == 10


def test_plain_csv_and_jsonl(tmp_path: Path, roster: Database) -> None:
    csv_path = tmp_path / "m.csv"
    csv_path.write_text(
        "guide_id,customer_id,role,ts,text\n"
        f'{GUIDE},c1,customer,2026-10-01T10:00:00+08:00,"你好,在吗"\n'
        f"{GUIDE},c1,guide,2026-10-01T10:01:00+08:00,在的\n"
        f"{GUIDE},c1,robot,2026-10-01T10:02:00+08:00,?\n",
        encoding="utf-8",
    )
    summary = Ingestor(roster).ingest_messages(csv_path)
    assert (summary.stored, summary.quarantined) == (2, 1)
    assert "role must be" in roster.quarantined()[0]["reason"]
    assert Ingestor(roster).ingest_messages(csv_path).stored == 0
    jsonl = tmp_path / "m.jsonl"
    jsonl.write_text(
        json.dumps(
            {
                "guide_id": GUIDE,
                "customer_id": "c2",
                "role": "customer",
                "ts": 1700000000,
                "text": "好的",
                "conversation_id": "x1",
            }
        )
        + "\n"
    )
    assert detect_format(jsonl) == "jsonl"
    Ingestor(roster).ingest_messages(jsonl)
    assert roster.conversation("x1") is not None


def test_orders_and_tasks_tables(tmp_path: Path, roster: Database) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "order_id,customer_id,ts,amount,channel\n"
        "o1,c1,2026-10-02T12:00:00+08:00,199.00,store\n"
        "o2,c1,2026-10-02T12:00:00+08:00,abc,store\n",
        encoding="utf-8",
    )
    tasks = tmp_path / "tasks.csv"
    tasks.write_text(
        "task_id,guide_id,customer_id,kind,assigned_ts,due_ts\n"
        f"t1,{GUIDE},c1,birthday,2026-10-01T09:00:00+08:00,2026-10-03T09:00:00+08:00\n",
        encoding="utf-8",
    )
    ingestor = Ingestor(roster)
    assert ingestor.ingest_table(orders, ORDERS).as_dict()["quarantined"] == 1
    assert ingestor.ingest_table(tasks, TASKS).stored == 1
    assert [o.amount for o in roster.orders()] == [199.0]
    assert roster.outreach_tasks()[0].kind == "birthday"


def test_tenants_do_not_see_each_other(tmp_path: Path, roster: Database) -> None:
    Ingestor(roster).ingest_messages(
        write_lines(tmp_path / "a.jsonl", [encode(wecom("a", CUSTOMER, GUIDE, T0))])
    )
    other = roster.for_tenant(roster.tenant + "_other")
    assert other.count("messages") == 0 and list(other.conversations()) == []
    assert other.conversation(next(roster.conversations()).conversation_id) is None


def test_nul_characters_are_quarantined_not_stored(tmp_path: Path, roster: Database) -> None:
    lines = [
        encode(wecom("a", CUSTOMER, GUIDE, T0, text={"content": "坏\u0000字"})),
        encode(wecom("b", CUSTOMER, GUIDE, T0 + 1)),
    ]
    summary = Ingestor(roster).ingest_messages(write_lines(tmp_path / "a.jsonl", lines))
    assert (summary.stored, summary.quarantined) == (1, 1)
    assert "NUL" in roster.quarantined()[0]["reason"]
