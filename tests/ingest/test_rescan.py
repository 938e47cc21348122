import json
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from salesbrain.cli import app
from salesbrain.db import Database
from salesbrain.db import tables as t
from salesbrain.db.access import record_feedback, record_suggestions
from salesbrain.ingest.rescan import rescan_store

# What an older redactor let through: spelled-out and emoji-split phones, a QQ number, a room.
LEAKY = [
    ("m1", "c1", "我电话一三八一二三四五六七八"),
    ("m2", "c1", "好的亲，已经帮您备注了"),
    ("m3", "c2", "QQ 2847563910，139🌸2465🌸0817"),
    ("m4", "c2", "[手机号]，谢谢"),
    ("m5", "c3", "寄到杭州市西湖区文一路100号翠苑一区5-402"),
]


def _message(msgid: str, conversation_id: str, text: str) -> dict:
    return {"msgid": msgid, "conversation_id": conversation_id, "guide_id": "g1",
            "customer_id": f"u{conversation_id}", "role": "customer", "ts_ms": 1_000,
            "type": "text", "text": text, "room_id": "", "recalled": False,
            "redactions": "mobile" if "[手机号]" in text else "", "meta": None}


def _conversation(conversation_id: str) -> dict:
    return {"conversation_id": conversation_id, "guide_id": "g1",
            "customer_id": f"u{conversation_id}", "room_id": "", "started_ms": 1_000,
            "ended_ms": 1_000, "n_messages": 2, "source": "test"}


def _leaky_store(path: Path) -> Database:
    store = Database.open(f"sqlite:///{path / 'old.db'}", tenant="acme")
    store.write_batch([_message(*row) for row in LEAKY],
                      [_conversation(c) for c in ("c1", "c2", "c3")])
    with store.engine.begin() as conn:
        conn.execute(t.conversations.update().values(updated_ms=5))
        conn.execute(t.message_labels.insert(), [{
            "tenant": "acme", "msgid": "m1", "intent": "other", "probability": 0.5,
            "uncertain": False,
            "compliance": [{"rule": "r", "matched": "电话一三八一二三四五六七八"}],
            "brain_version": "v1"}])
    store.add_quarantine([{"source_file": "a.jsonl", "line": 3, "reason": "bad json",
                           "raw": '{"text": "加薇 amy_2023"'}])
    record_suggestions(store, [{"suggestion_id": "s1", "conversation_id": "c1", "guide_id": "g1",
                                "text": "顺丰单号SF1234567890123", "source": "bank", "score": 1.0,
                                "brain_version": "v1"}])
    record_feedback(store, "s1", "edit", "已发顺丰 SF 1234 5678 9012", "g1")
    return store


def _texts(store: Database) -> dict[str, str]:
    with store.engine.connect() as conn:
        return dict(conn.execute(select(t.messages.c.msgid, t.messages.c.text)).all())


def test_rescan_rewrites_messages_and_what_derives_from_them(tmp_path: Path) -> None:
    store = _leaky_store(tmp_path)
    summary = rescan_store(store, batch_size=2)
    assert summary.as_dict() == {
        "messages_scanned": 5, "messages_changed": 3,
        "spans_added": {"address": 1, "mobile": 2, "qq_number": 1},
        "rows_changed": {"feedback": 1, "message_labels": 1, "quarantine": 1,
                         "suggestions": 1},
        "changed_anything": True,
    }
    texts = _texts(store)
    assert texts["m1"] == "我电话[手机号]"
    assert texts["m3"] == "QQ [QQ号]，[手机号]"
    assert texts["m4"] == "[手机号]，谢谢"
    assert texts["m5"] == "寄到[地址]"
    with store.engine.connect() as conn:
        kinds = dict(conn.execute(select(t.messages.c.msgid, t.messages.c.redactions)).all())
        updated = dict(conn.execute(
            select(t.conversations.c.conversation_id, t.conversations.c.updated_ms)).all())
        hits = conn.scalar(select(t.message_labels.c.compliance))
        sent = conn.scalar(select(t.feedback.c.sent_text))
        served = conn.scalar(select(t.suggestions.c.text))
    assert kinds["m3"] == "mobile,qq_number"
    assert updated["c1"] > 5 and updated["c3"] > 5
    assert hits == [{"rule": "r", "matched": "电话[手机号]"}]
    assert (served, sent) == ("顺丰单号[快递单号]", "已发顺丰 [快递单号]")
    assert "amy_2023" not in store.quarantined()[0]["raw"]


def test_second_rescan_changes_nothing(tmp_path: Path) -> None:
    store = _leaky_store(tmp_path)
    rescan_store(store)
    before = _texts(store)
    again = rescan_store(store, batch_size=3)
    assert again.messages_scanned == 5
    assert again.as_dict()["changed_anything"] is False
    assert _texts(store) == before


def test_rescan_stays_within_the_tenant(tmp_path: Path) -> None:
    store = _leaky_store(tmp_path)
    other = store.for_tenant("other")
    other.ensure_tenant()
    assert rescan_store(other).messages_scanned == 0
    assert _texts(store)["m1"] == "我电话一三八一二三四五六七八"


def test_cli_rescan_prints_counts_and_says_when_nothing_changed(tmp_path: Path) -> None:
    _leaky_store(tmp_path)
    url = f"sqlite:///{tmp_path / 'old.db'}"
    runner = CliRunner()
    first = runner.invoke(app, ["redact", "--rescan", "--db", url, "--tenant", "acme"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout.splitlines()[-1])["messages_changed"] == 3
    second = runner.invoke(app, ["redact", "--rescan", "--db", url, "--tenant", "acme"])
    assert json.loads(second.stdout.splitlines()[-1])["messages_changed"] == 0
    assert "nothing changed" in second.stderr
    refused = runner.invoke(app, ["redact", "--db", url])
    assert refused.exit_code == 1
