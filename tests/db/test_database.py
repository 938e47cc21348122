"""Storage: migrations match the table definitions; upserts are idempotent on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from salesbrain.db import Database
from salesbrain.db.tables import declared_name, metadata


def test_migrations_produce_the_declared_schema(any_store: Database) -> None:
    with any_store.engine.connect() as conn:
        differences = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": declared_name}), metadata)
    assert differences == []


def test_reopening_is_a_noop_and_rows_are_idempotent(any_store: Database) -> None:
    rows = [{"guide_id": "g1", "name": "李娜", "store_id": "s1", "region": "华东"}]
    assert any_store.upsert_rows("guides", [dict(r) for r in rows]) == 1
    assert any_store.upsert_rows("guides", [dict(r) for r in rows]) == 0
    reopened = Database(any_store.engine, any_store.tenant)
    reopened.ensure_tenant()
    assert [g.name for g in reopened.guides()] == ["李娜"]


def test_consent_refusal_scrubs_only_up_to_its_time(any_store: Database) -> None:
    conversation = {"conversation_id": "c1", "guide_id": "g1", "customer_id": "wm1", "room_id": "",
                    "started_ms": 1, "ended_ms": 3, "n_messages": 2, "source": "test"}
    messages = [
        {"msgid": f"m{ts}", "conversation_id": "c1", "guide_id": "g1", "customer_id": "wm1",
         "role": "customer", "ts_ms": ts, "type": "text", "text": f"第{ts}条", "room_id": "",
         "recalled": False, "redactions": "", "meta": None}
        for ts in (1, 3)
    ]
    assert any_store.write_batch(messages, [conversation]) == 2
    any_store.set_consents([("wm1", False, 2)])
    texts = [m.text for m in any_store.conversation("c1").messages]  # type: ignore[union-attr]
    assert texts == ["", "第3条"]
    assert any_store.refused_consent() == {"wm1"}
