"""Dashboard snapshots: one per tenant and kind, read only at the stamp they were made at."""

from __future__ import annotations

from salesbrain.db import Database
from salesbrain.db.snapshots import current_stamp, read_snapshot, write_snapshots


def test_a_snapshot_is_read_back_at_its_stamp_only(any_store: Database) -> None:
    stamp = current_stamp(any_store)
    write_snapshots(any_store, stamp, {"facts": b"\x00columns\xff", "segments": b"[]"})
    found = read_snapshot(any_store, "facts", stamp)
    assert found is not None and found.payload == b"\x00columns\xff" and found.stamp == stamp
    assert read_snapshot(any_store, "facts", stamp + "x") is None
    assert read_snapshot(any_store, "trends") is None


def test_writing_again_replaces_only_the_kinds_written(any_store: Database) -> None:
    write_snapshots(any_store, "s1", {"facts": b"one", "segments": b"one"})
    write_snapshots(any_store, "s2", {"facts": b"two"})
    facts, segments = read_snapshot(any_store, "facts"), read_snapshot(any_store, "segments")
    assert facts is not None and (facts.stamp, facts.payload) == ("s2", b"two")
    assert segments is not None and (segments.stamp, segments.payload) == ("s1", b"one")


def test_another_tenant_reads_none_of_them(any_store: Database) -> None:
    write_snapshots(any_store, "s1", {"facts": b"mine"})
    other = any_store.for_tenant(any_store.tenant + "_other")
    assert read_snapshot(other, "facts") is None


def test_a_changed_store_has_another_stamp(any_store: Database) -> None:
    before = current_stamp(any_store)
    any_store.upsert_rows("guides", [{"guide_id": "g1", "name": "王", "store_id": "s1",
                                      "region": "华东"}])
    assert current_stamp(any_store) != before
