"""Conversation search has an index on both backends: FTS5 on SQLite, pg_trgm on Postgres."""

from __future__ import annotations

from sqlalchemy import inspect, text

from salesbrain.db import Database
from salesbrain.db.search import SearchFilters, search_conversations
from salesbrain.db.tables import MESSAGE_SEARCH_TABLE, MESSAGE_TRIGRAM_INDEX


def add_conversation(store: Database, conversation_id: str, texts: list[str]) -> None:
    conversation = {"conversation_id": conversation_id, "guide_id": "g1", "customer_id": "wm1",
                    "room_id": "", "started_ms": 1, "ended_ms": len(texts), "n_messages":
                    len(texts), "source": "test"}
    messages = [{"msgid": f"{conversation_id}-{i}", "conversation_id": conversation_id,
                 "guide_id": "g1", "customer_id": "wm1", "role": "customer", "ts_ms": i,
                 "type": "text", "text": body, "room_id": "", "recalled": False,
                 "redactions": "", "meta": None} for i, body in enumerate(texts, start=1)]
    store.write_batch(messages, [conversation])


def test_the_search_index_exists_and_finds_words_of_any_length(any_store: Database) -> None:
    if any_store.engine.dialect.name == "postgresql":
        indexes = {ix["name"] for ix in inspect(any_store.engine).get_indexes("messages")}
        assert MESSAGE_TRIGRAM_INDEX in indexes
    else:
        with any_store.engine.connect() as conn:
            assert conn.execute(text("SELECT name FROM sqlite_master WHERE name = :n"),
                                {"n": MESSAGE_SEARCH_TABLE}).first() is not None
    add_conversation(any_store, "c-coat", ["这件羽绒服有M码吗", "有的亲"])
    add_conversation(any_store, "c-shoe", ["运动鞋37码还有吗"])
    for query, expected in (("羽绒服", ["c-coat"]), ("码", ["c-coat", "c-shoe"]),
                            ("羽绒服 M码", ["c-coat"]), ("100%", [])):
        total, rows = search_conversations(any_store, SearchFilters(q=query), offset=0,
                                           limit=10)
        assert [r.conversation_id for r in rows] == expected and total == len(expected), query
