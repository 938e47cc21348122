"""In-memory record ingestion: the file pipeline's guarantees, record indexes for errors."""

from __future__ import annotations

from salesbrain.db import Database
from salesbrain.ingest.batch import RecordIngestion, ingest_records, parse_records, staff_of

T0 = 1_700_000_000_000


def wecom(msgid: str, sender: str, to: str, offset_s: int, **extra: object) -> dict:
    record = {"msgid": msgid, "action": "send", "from": sender, "tolist": [to], "roomid": "",
              "msgtime": T0 + offset_s * 1000, "msgtype": "text", "text": {"content": "有货吗"}}
    return {**record, **extra}


def records() -> list[object]:
    return [
        wecom("a1", "wmC", "guide_1", 0),
        b'{"msgid": ',
        wecom("a2", "guide_1", "wmC", 30),
        {"msgid": "r1", "action": "recall", "msgtype": "revoke", "revoke": {"pre_msgid": "a2"}},
        [],
        wecom("a3", "wmC", "guide_1", 60),
    ]


def test_chunks_errors_recall_and_idempotency(any_store: Database) -> None:
    staff = staff_of(any_store)  # empty roster: the wm/wo prefix rule decides
    run = RecordIngestion(any_store, "api:t1", "wecom", batch_size=1)
    batch = records()
    run.feed(parse_records(batch[:3], "wecom", staff))
    run.feed(parse_records(batch[3:], "wecom", staff, start=3))
    result = run.finish()
    assert [(e.index, e.reason.split(":")[0]) for e in result.errors] == [
        (1, "malformed JSON"), (4, "expected a JSON object")]
    summary = result.summary.as_dict()
    assert (summary["stored"], summary["quarantined"], summary["events"]) == (3, 2, 1)
    conversation = next(any_store.conversations())
    assert [(m.msgid, m.recalled) for m in conversation.messages] == [
        ("a1", False), ("a2", True), ("a3", False)]
    again = ingest_records(any_store, parse_records(batch, "wecom", staff), "api:t1", "wecom")
    assert (again.summary.stored, again.summary.duplicates) == (0, 3)
    assert any_store.count("messages") == 3 and len(any_store.quarantined()) == 2
    assert next(any_store.conversations()).messages[0].msgid == "a1"
