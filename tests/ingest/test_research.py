"""JDDC and STC-3 ingestion through the dataset readers: bad records quarantined, ids kept."""

from __future__ import annotations

import json
from pathlib import Path

from salesbrain.ingest.records import IncomingMessage, Rejected
from salesbrain.ingest.research import read_jddc, read_stc3
from salesbrain.schema import Role


def test_jddc_bad_line_is_rejected_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "chat.tsv"
    path.write_text("s1\tU1\t0\t0\t0\tnan\t在吗\ns1\tU1\t7\t0\t0\tnan\t?\n"
                    "s1\tU1\t1\t0\t0\tSKU9\t在的\n", encoding="utf-8")
    first, bad, reply = read_jddc(path)
    assert isinstance(bad, Rejected) and bad.line == 2 and "is_agent 0 or 1" in bad.reason
    assert isinstance(first, IncomingMessage) and isinstance(reply, IncomingMessage)
    assert (first.msgid, reply.msgid) == ("jddc:s1:0", "jddc:s1:1")
    assert reply.role is Role.GUIDE and reply.meta["sku"] == "SKU9"
    assert "sku" not in first.meta and first.conversation_id == "jddc:s1"


def test_stc3_bad_turn_is_rejected_and_its_dialogue_kept(tmp_path: Path) -> None:
    path = tmp_path / "stc3.json"
    path.write_text(json.dumps([
        {"id": 5, "turns": [{"sender": "customer", "utterances": ["一", "二"]},
                            {"sender": "bot", "utterances": []},
                            {"sender": "helpdesk", "utterances": ["好"]}]},
        {"turns": []},
    ]), encoding="utf-8")
    customer, bad_turn, helpdesk, bad_dialogue = read_stc3(path)
    assert isinstance(bad_turn, Rejected) and "dialogue 5 turn 1" in bad_turn.reason
    assert isinstance(bad_dialogue, Rejected) and bad_dialogue.line == 2
    assert isinstance(customer, IncomingMessage) and customer.text == "一\n二"
    assert isinstance(helpdesk, IncomingMessage) and helpdesk.msgid == "stc3:5:2"
